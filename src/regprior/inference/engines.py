"""Which posterior engine samples a specification: NUTS, Gibbs, or what ``"auto"`` chose and why.

Every entry point that samples (``sample_posterior``, ``compare``, ``compare_loo``, the
estimators, ``select_variables`` and the CLI's ``--engine``) resolves its ``engine`` here, once
per specification and before anything is built or sampled: ``"gibbs"`` refuses a specification
without Gibbs conditionals (a ``ValueError`` saying why), ``"auto"`` takes Gibbs where the
specification has them and NUTS elsewhere, with a note saying why NUTS.
"""

from __future__ import annotations

from dataclasses import dataclass

from regprior.inference.gibbs import ENGINES, gibbs_unavailable

__all__ = ["EngineChoice", "choose_engine", "check_engine_name", "default_engine", "ENGINES"]


@dataclass(frozen=True)
class EngineChoice:
    """The engine that samples a specification, and why when ``"auto"`` did not take Gibbs.

    Attributes
    ----------
    engine : {"nuts", "gibbs"}
    note : str
        Empty unless ``"auto"`` fell back to NUTS: ``"auto: NUTS (no Gibbs sampler for ...)"``.
    """

    engine: str
    note: str = ""


def check_engine_name(engine, name: str = "engine") -> None:
    """ValueError unless ``engine`` is one of :data:`ENGINES` or None (``name`` is the
    parameter's); None stands for the specification's own (:func:`default_engine`)."""
    if engine is not None and (not isinstance(engine, str) or engine not in ENGINES):
        raise ValueError(f"{name} must be one of {ENGINES} or None; got {engine!r}.")


def default_engine(spec) -> str:
    """The engine ``spec`` is sampled by when none is named (``engine=None``).

    NUTS on the PyMC model (the model the twins' comparison checks), unless the specification
    states otherwise in its ``default_engine``: the sparse priors' (the horseshoe, the
    regularized horseshoe, R2-D2, the Bayesian GDP) are ``"auto"`` (Gibbs), because NUTS does
    not reach a healthy posterior at the horseshoes' and the GDP's defaults on p > n data
    (:class:`regprior.Horseshoe`, :class:`regprior.RegularizedHorseshoe`,
    :class:`regprior.BayesianGDP`), and on R2-D2's n x n marginal it is slow there
    (:class:`regprior.R2D2`).
    """
    return getattr(spec, "default_engine", "nuts")


def choose_engine(engine: str, spec, likelihood=None, *, name: str = "engine") -> EngineChoice:
    """The engine ``engine`` stands for on ``spec`` (with ``likelihood``; None for full Bayes).

    ``"nuts"`` is NUTS; ``"gibbs"`` is Gibbs, or a ValueError naming ``name`` and why the
    specification has no Gibbs sampler (``name`` a command-line flag such as ``"--engine"``
    reads ``--engine gibbs: ...``, a parameter ``engine='gibbs': ...``); ``"auto"`` is Gibbs
    where the specification has conjugate conditionals
    (:func:`regprior.inference.gibbs.gibbs_unavailable` returns None), else NUTS with a note
    saying why.
    """
    check_engine_name(engine, name)
    if engine is None:
        engine = default_engine(spec)
    if engine == "nuts":
        return EngineChoice("nuts")
    reason = gibbs_unavailable(spec, likelihood)
    if reason is None:
        return EngineChoice("gibbs")
    if engine == "gibbs":
        label = f"{name} gibbs" if name.startswith("--") else f"{name}='gibbs'"
        raise ValueError(f"{label}: no Gibbs sampler for {reason}.")
    return EngineChoice("nuts", f"auto: NUTS (no Gibbs sampler for {reason})")
