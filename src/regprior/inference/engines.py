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

__all__ = ["EngineChoice", "choose_engine", "check_engine_name", "ENGINES"]


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
    """ValueError unless ``engine`` is one of :data:`ENGINES` (``name`` is the parameter's)."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ValueError(f"{name} must be one of {ENGINES}; got {engine!r}.")


def choose_engine(engine: str, spec, likelihood=None, *, name: str = "engine") -> EngineChoice:
    """The engine ``engine`` stands for on ``spec`` (with ``likelihood``; None for full Bayes).

    ``"nuts"`` is NUTS; ``"gibbs"`` is Gibbs, or a ValueError naming ``name`` and why the
    specification has no Gibbs sampler; ``"auto"`` is Gibbs where the specification has
    conjugate conditionals (:func:`regprior.inference.gibbs.gibbs_unavailable` returns None),
    else NUTS with a note saying why.
    """
    check_engine_name(engine, name)
    if engine == "nuts":
        return EngineChoice("nuts")
    reason = gibbs_unavailable(spec, likelihood)
    if reason is None:
        return EngineChoice("gibbs")
    if engine == "gibbs":
        raise ValueError(f"{name}='gibbs': no Gibbs sampler for {reason}.")
    return EngineChoice("nuts", f"auto: NUTS (no Gibbs sampler for {reason})")
