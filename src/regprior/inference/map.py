"""Exact MAP of a regression model: the PyMC model's compiled likelihood plus the prior as a penalty.

The negative log posterior splits as ``F(x) = f(x) + h(beta)``: ``f`` is the likelihood
and the flat intercept, taken from the PyMC model's own log density (compiled once, with
its gradient and Hessian), plus the smooth part of the prior; ``h`` is the non-smooth part
of the prior. The engine asks the prior (:class:`~regprior.spec.priors.Prior`) for its
smooth gradient and Hessian, its proximal operator and its subdifferential distance, as
skglm's solvers ask a penalty: it never knows which family it solves. It is a proximal
Newton method:

* at ``x_k`` it forms the quadratic model ``f(x_k) + g^T d + d^T H d / 2``;
* it minimises that model plus ``h`` exactly: a Newton solve when the prior is smooth;
  otherwise compiled coordinate descent on the Gram matrix (soft-thresholding around the
  prior's centre, as glmnet and scikit-learn do) until the generalized support settles, then
  the KKT system on that support (the prior's gradient there fixed) is solved directly and
  checked, which gives exact zeros and machine-precision values;
* it stops when the KKT residual (gradient and the prior's subdifferential distance) is
  below ``tol``.

For the Gaussian likelihood ``f`` is quadratic, so one Newton step solves the problem and
the next gradient evaluation certifies it. Gradient optimisers on the raw log density
(``pm.find_MAP``) cannot do this: the Laplace density has a kink exactly where the lasso
puts its zeros. The value reported is the PyMC likelihood plus the prior's normalised log
density, which equals the PyMC model's full log density (tested).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.linalg

from regprior.backend.model import CENTRED_INTERCEPT, RegressionModel

__all__ = [
    "MAPResult",
    "SmoothObjective",
    "map_estimate",
    "check_map_settings",
    "kkt_residual",
    "compile_map_objective",
    "certificate",
    "error_bound",
    "objective_value",
    "unique_optimum",
    "map_path_estimates",
]

#: Armijo constant of the line search (sufficient decrease of the composite objective).
ARMIJO = 1e-4
MAX_HALVINGS = 60

#: Default relative KKT tolerance: ~1e4 x machine epsilon, reached in one or two Newton
#: steps for the Gaussian likelihood; well inside the 1e-8 agreement asked of the MAP.
DEFAULT_TOL = 1e-10

#: Largest batch of likelihood terms (points x samples) evaluated in one call.
BATCH_TERMS = 2**22


@functools.cache
def _objective_mode():
    """PyTensor's Python VM over NumPy, with no C or numba compile.

    PyTensor 3 compiles with numba by default: ~10 s for the likelihood's gradient on an empty
    cache, against ~0.3 s here. The objective is called a few times per MAP (batched where it can
    be), so compiling buys little. Elementwise fusion is left out: a fused ``Composite`` runs
    element by element in Python, where NumPy's ufuncs take whole arrays. For the same reason
    softplus (the logistic likelihood's, after PyTensor's stabilising rewrites) is spelled in
    ufuncs (:func:`_softplus_in_ufuncs`).
    """
    from pytensor.compile.mode import Mode
    from pytensor.graph.rewriting.basic import in2out
    from pytensor.graph.rewriting.db import RewriteDatabaseQuery
    from pytensor.link.vm import VMLinker

    python_vm = VMLinker(use_cloop=False, c_thunks=False)
    mode = Mode(python_vm, RewriteDatabaseQuery(include=["fast_run"], exclude=["fusion"]))
    # After PyTensor's "specialize" (2), where the stabilising rewrites have made their softplus.
    return mode.register((in2out(_softplus_in_ufuncs(), name="softplus_in_ufuncs"), 2.5))


def _softplus_in_ufuncs():
    """A rewrite of ``softplus(x)`` into NumPy ufuncs, with PyTensor's own branches.

    PyTensor's scalar ``Softplus`` has no ufunc, so the Python VM runs it element by element
    (the logistic gradient on breast_cancer took 0.39-0.45 ms with it, 0.22 ms without). This is
    its ``impl`` over whole arrays: ``exp(x)`` below -37, ``log1p(exp(x))`` below 18,
    ``x + exp(-x)`` below 33.3, then ``x``; each branch with the same NumPy calls, so the values are the same to the last bit
    (tested). The clipped exponentials keep the branches not taken from overflowing.
    """
    import pytensor.tensor as pt
    from pytensor.graph.rewriting.basic import node_rewriter
    from pytensor.scalar.math import Softplus
    from pytensor.tensor.elemwise import Elemwise

    @node_rewriter([Elemwise])
    def rewrite(fgraph, node):
        if not isinstance(node.op.scalar_op, Softplus) or node.inputs[0].dtype != "float64":
            return None
        [x] = node.inputs
        below_18 = pt.exp(pt.minimum(x, 18.0))
        values = pt.switch(
            pt.lt(x, -37.0),
            below_18,
            pt.switch(
                pt.lt(x, 18.0),
                pt.log1p(below_18),
                pt.switch(pt.lt(x, 33.3), x + pt.exp(-pt.maximum(x, 18.0)), x),
            ),
        )
        return [values]

    return rewrite


@dataclass(frozen=True)
class MAPResult:
    """Posterior mode of a regression model, with its optimality certificate.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        MAP of the weights ``beta``. Under a prior with a kink at its centre (Laplace,
        elastic net), coordinates at the centre are exactly equal to it (the lasso's exact
        zeros, shifted by ``mu``).
    intercept : float
        MAP of the intercept (0.0 without one).
    kkt_residual : float
        Largest entry of the minimum-norm subgradient of the negative log posterior at the
        solution, relative to the same quantity at the start (the prior centre): 0 at an
        exact optimum.
    n_iter : int
        Inner iterations (coordinate-descent sweeps; 0 for a smooth prior).
    n_newton : int
        Newton steps (each evaluates the compiled gradient and Hessian once).
    converged : bool
        ``kkt_residual <= tol``.
    neg_log_posterior : float
        Negative log posterior at the MAP, constants of the PyMC log density included.
    error_bound : float
        Bound on ``||x - x*||`` (intercept and weights) from the certificate: the norm of the
        minimum-norm subgradient over the smallest eigenvalue of the Hessian of the smooth part
        (:func:`error_bound`; exact for a Gaussian likelihood, local otherwise; ``inf`` when that
        eigenvalue is not positive). A tiny ``kkt_residual`` with a large ``error_bound`` means an
        ill-conditioned problem (p > n with a vanishing prior): the gradient cannot see the error.
        Computed on first access.
    """

    coef: np.ndarray
    intercept: float
    kkt_residual: float
    n_iter: int
    n_newton: int
    converged: bool
    neg_log_posterior: float
    centre: np.ndarray
    _subgradient_norm: float = field(default=np.nan, repr=False, compare=False)
    _hessian: np.ndarray | None = field(default=None, repr=False, compare=False)

    @cached_property
    def error_bound(self) -> float:
        if self._hessian is None:
            return np.nan
        curvature = float(scipy.linalg.eigvalsh(self._hessian, subset_by_index=[0, 0])[0])
        return self._subgradient_norm / curvature if curvature > 0 else np.inf

    def _repr_html_(self) -> str:
        from regprior.report.html import map_result_html

        return map_result_html(self)

    @property
    def support(self) -> np.ndarray:
        """Boolean mask of the weights that differ from the prior centre."""
        return self.coef != self.centre


class SmoothObjective:
    """The likelihood part of ``f`` over the stacked free variables, compiled once from PyMC.

    ``(centred intercept, beta)`` -> negative log likelihood (flat intercept included), its
    gradient and Hessian. With a quadratic (Gaussian) likelihood and known sigma the Hessian
    does not depend on the point: it is computed once per (data, noise sigma) from two
    batched gradient calls (unit steps, then scaled ones) and cached. Any other likelihood's
    Hessian is recomputed at every Newton step, from the vectorised Jacobian of the same graph. The prior's
    smooth part is added by :func:`map_estimate` from the prior itself. The functions run on
    PyTensor's Python VM (:func:`_objective_mode`): nothing is compiled to machine code.
    """

    def __init__(self, model: RegressionModel):
        import pymc as pm
        import pytensor
        import pytensor.tensor as pt
        from pytensor.graph.replace import vectorize_graph

        pymc_model = model.pymc_model
        likelihood_terms = [model.likelihood_term]
        if model.fit_intercept:
            likelihood_terms.append(pymc_model[CENTRED_INTERCEPT])
        neg_likelihood = -pymc_model.logp(vars=likelihood_terms, jacobian=False, sum=True)
        value_vars = [
            pymc_model.rvs_to_values[pymc_model[name]] for name in model.free_variable_names
        ]
        point = pymc_model.initial_point()
        [likelihood], x = pm.pytensorf.join_nonshared_inputs(point, [neg_likelihood], value_vars)
        gradient = pt.grad(likelihood, x)
        mode = _objective_mode()
        self._value_and_gradient = pytensor.function([x], [likelihood, gradient], mode=mode)
        # The same graph over a batch of points (one row each): the constant Hessian's probes and
        # a path's certificates in one call each.
        points = pt.matrix("points", dtype=x.dtype)
        self._values_and_gradients = pytensor.function(
            [points], vectorize_graph([likelihood, gradient], {x: points}), mode=mode
        )
        # A likelihood that is not quadratic needs its Hessian at every Newton step: the Jacobian
        # of the gradient, vectorised (a scan-based Jacobian takes seconds to compile).
        self._hessian = None
        if not model.likelihood.quadratic:
            from pytensor.gradient import jacobian

            self._hessian = pytensor.function([x], jacobian(gradient, x, vectorize=True), mode=mode)
        self._model = model
        self._cache = {}
        self.n_smooth = int(model.fit_intercept)  # leading coordinates outside the prior

    def _state(self):
        """What the likelihood's Hessian depends on: the data and the likelihood's parameters
        (the noise sigma), both versioned by the model as they are swapped in."""
        return (self._model.data_version, self._model.likelihood_version)

    def value_and_gradient(self, x: np.ndarray):
        """Negative log likelihood and its gradient at ``x``."""
        value, gradient = self._value_and_gradient(x)
        return float(value), np.asarray(gradient)

    def values_and_gradients(self, points: np.ndarray):
        """:meth:`value_and_gradient` at each row of ``points``: ``(values (k,), gradients (k, d))``.

        Evaluated in chunks of at most ~2**22 likelihood terms, so that a batch over many samples
        stays small in memory.
        """
        points = np.atleast_2d(np.asarray(points, dtype=float))
        rows = max(1, BATCH_TERMS // max(1, self._model.data.n_samples))
        chunks = [
            self._values_and_gradients(points[i : i + rows]) for i in range(0, len(points), rows)
        ]
        return (
            np.concatenate([np.asarray(v, dtype=float).reshape(-1) for v, _ in chunks]),
            np.concatenate([np.asarray(g, dtype=float) for _, g in chunks]),
        )

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Hessian of the negative log likelihood (cached: constant for a Gaussian likelihood)."""
        if not self._model.likelihood.quadratic:
            return np.asarray(self._hessian(x))
        state = self._state()
        if self._cache.get("hessian_state") != state:
            self._cache["hessian"] = self._quadratic_hessian(x)
            self._cache["hessian_state"] = state
        return self._cache["hessian"]

    def _quadratic_hessian(self, x: np.ndarray) -> np.ndarray:
        """The constant Hessian of a quadratic: column ``j`` is ``(g(x + t e_j) - g(x)) / t``.

        Exact for a quadratic in exact arithmetic whatever ``t``; in floating point the error of
        a column is ~``eps (|g(x)| / t + |H|)``, so ``t`` is taken large against ``|g(x)| / |H_jj|``
        (measured: equal to the compiled Jacobian to 1e-15 relative on diabetes). It costs two
        batched gradient evaluations (unit steps, then the chosen ``t``) and no Jacobian graph.
        """
        size = len(x)
        _, gradients = self.values_and_gradients(np.vstack([x, x + np.eye(size)]))
        base = gradients[0]
        scale = max(1.0, float(np.max(np.abs(base))))
        # A first guess of H_jj (the unit step) sets t so that |g| / t stays below |H_jj|; a zero
        # column (a constant feature, once centred) keeps t = 1: its column is exactly 0.
        curvature = np.abs(np.diagonal(gradients[1:]) - base)
        steps = np.ones(size)
        curved = curvature > 0
        steps[curved] = 2.0 ** np.minimum(
            60.0, np.ceil(np.log2(np.maximum(1.0, 1e3 * scale / curvature[curved])))
        )
        probes = gradients[1:]
        longer = steps > 1.0
        if np.any(longer):
            _, probes_longer = self.values_and_gradients(x + np.diag(steps)[longer])
            probes = probes.copy()
            probes[longer] = probes_longer
        hessian = ((probes - base) / steps[:, None]).T
        return (hessian + hessian.T) / 2.0

    def reference_gradient(self, at_centre: np.ndarray) -> np.ndarray:
        """Gradient at the prior centre (where the prior's smooth gradient is zero): it depends
        on the data, sigma and the centre only, so a path computes it once."""
        key = (self._state(), at_centre.tobytes())
        if self._cache.get("reference_key") != key:
            self._cache["reference"] = self.value_and_gradient(at_centre)[1]
            self._cache["reference_key"] = key
        return self._cache["reference"]


def compile_map_objective(model: RegressionModel) -> SmoothObjective:
    """The model's compiled likelihood objective: compiled on first call, then held by the model.

    Under a prior with a kink, the compiled sweeps of its inner solver are compiled meanwhile in a
    background thread (:func:`regprior.inference.coordinate_descent.compile_in_background`).
    """

    def build():
        if not model.prior.smooth:
            from regprior.inference.coordinate_descent import compile_in_background

            compile_in_background()
        return SmoothObjective(model)

    return model.compiled("map_objective", build)


class _Penalised:
    """``f`` = likelihood (compiled) + the prior's smooth part, over ``(intercept, beta)``."""

    def __init__(self, objective: SmoothObjective, prior):
        self.objective, self.prior, self.n_smooth = objective, prior, objective.n_smooth

    def value_and_gradient(self, x):
        return self.with_prior(x, *self.objective.value_and_gradient(x))

    def with_prior(self, x, value, gradient):
        """The likelihood's ``value`` and ``gradient`` at ``x`` plus the prior's smooth part."""
        gradient = gradient.copy()
        gradient[self.n_smooth :] += self.prior.smooth_gradient(x[self.n_smooth :])
        return value + self.prior.smooth_value(x[self.n_smooth :]), gradient

    def composite(self, x):
        """``F = f + h``: the negative log posterior up to constants."""
        return self.value_and_gradient(x)[0] + self.prior.nonsmooth_value(x[self.n_smooth :])

    def hessian(self, x):
        """Hessian of ``f`` (read-only: it may be the likelihood's cached array itself)."""
        diagonal = self.prior.smooth_hessian_diagonal(x[self.n_smooth :])
        if not np.any(diagonal):
            return self.objective.hessian(x)
        hessian = self.objective.hessian(x).copy()
        weights = np.arange(self.n_smooth, len(x))
        hessian[weights, weights] += diagonal
        return hessian

    def quadratic_gradient(self, x, at, gradient_at):
        """Gradient of ``f`` at ``x`` for a quadratic likelihood, from its gradient at ``at``:
        ``g(at) + H (x - at)`` plus the prior's smooth gradient (no compiled call)."""
        gradient = gradient_at + self.objective.hessian(x) @ (x - at)
        gradient[self.n_smooth :] += self.prior.smooth_gradient(x[self.n_smooth :])
        return gradient


def _subgradient_distances(
    x: np.ndarray, gradient: np.ndarray, *, n_smooth: int, prior
) -> np.ndarray:
    """Per coordinate, the distance of 0 to the subdifferential of ``f + h`` at ``x``.

    ``gradient`` is that of ``f`` (likelihood and the prior's smooth part). Unpenalised
    coordinates (the intercept) contribute ``|g_j|``; each weight the prior's
    :meth:`~regprior.spec.priors.Prior.subdiff_distance`. Together: the minimum-norm subgradient.
    """
    return np.concatenate(
        [np.abs(gradient[:n_smooth]), prior.subdiff_distance(x[n_smooth:], gradient[n_smooth:])]
    )


def kkt_residual(x: np.ndarray, gradient: np.ndarray, *, n_smooth: int, prior) -> float:
    """Infinity norm of the minimum-norm subgradient of ``f + h`` at ``x`` (absolute)."""
    return float(np.max(_subgradient_distances(x, gradient, n_smooth=n_smooth, prior=prior)))


def _reference(model: RegressionModel, objective: SmoothObjective):
    """``(point at the prior centre, likelihood gradient there, scale of the problem)``.

    The scale, independent of any start, is the largest likelihood gradient at the prior centre
    (where the prior's smooth gradient vanishes) or the slope of the prior's kink: the relative
    KKT residual divides by it.
    """
    prior = model.prior
    at_centre = _start(model, objective.n_smooth, prior.centre(model.data.n_features))
    gradient = objective.reference_gradient(at_centre)
    return at_centre, gradient, _scale(gradient, prior)


def _scale(gradient_at_centre: np.ndarray, prior) -> float:
    """The relative KKT residual's divisor: the largest likelihood gradient at the centre, or the
    slope of the prior's kink, whichever is larger."""
    return max(float(np.max(np.abs(gradient_at_centre))), prior.kink_slope, np.finfo(float).tiny)


def _start(model: RegressionModel, n_smooth: int, centre: np.ndarray) -> np.ndarray:
    """Weights at the prior centre and the intercept the likelihood would pick there."""
    intercept = [0.0] * n_smooth
    if n_smooth and not model.likelihood.centres_target:
        start = model.likelihood.intercept_start(model.data.y, model.data.weights)
        intercept = [start - model.y_mean]
    return np.concatenate([intercept, centre])


def map_estimate(
    model: RegressionModel,
    *,
    start: np.ndarray | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = 100_000,
    max_newton: int = 50,
) -> MAPResult:
    """Maximise the PyMC model's log posterior exactly.

    BLAS is pinned to one thread meanwhile (:mod:`regprior.inference.threads` says why).
    Each Newton step solves the quadratic model plus the prior's non-smooth part exactly;
    with a non-quadratic likelihood (Bernoulli, Poisson) the step is then shortened by
    backtracking until the negative log posterior decreases sufficiently (Armijo), and the
    Hessian is recomputed at the new point.

    Parameters
    ----------
    model : RegressionModel
        The likelihood objective is compiled on first use and held by the model: later
        calls after :meth:`RegressionModel.set_prior` reuse it.
    start : ndarray of shape (n_features,), optional
        Weights to start from (a warm start, e.g. the MAP at the previous alpha of a path).
        Default: the prior centre.
    tol : float, default=1e-10
        Relative KKT tolerance (see :attr:`MAPResult.kkt_residual`).
    max_iter : int, default=100_000
        Cap on coordinate-descent sweeps per Newton step (priors with a non-smooth part only).
    max_newton : int, default=50
        Cap on Newton steps (a Gaussian likelihood needs one or two).
    """
    from regprior.inference.threads import one_blas_thread

    check_map_settings(tol=tol, max_iter=max_iter, max_newton=max_newton)
    with one_blas_thread():
        return _map_estimate(model, start=start, tol=tol, max_iter=max_iter, max_newton=max_newton)


def check_map_settings(*, tol=DEFAULT_TOL, max_iter=100_000, max_newton=50) -> None:
    """Check the MAP engine's settings (public entry points call it before building anything)."""
    from regprior._validation import check_positive_float, check_positive_int

    check_positive_float(tol, "tol", "map_estimate")
    check_positive_int(max_iter, "max_iter", "map_estimate")
    check_positive_int(max_newton, "max_newton", "map_estimate")


def _map_estimate(model: RegressionModel, *, start, tol, max_iter, max_newton) -> MAPResult:
    """The engine of :func:`map_estimate` (same parameters, checked there)."""
    prior = model.prior
    objective = compile_map_objective(model)
    penalised = _Penalised(objective, prior)
    n_smooth = objective.n_smooth
    centre = prior.centre(model.data.n_features)
    at_centre, gradient_at_centre, reference = _reference(model, objective)
    x = at_centre.copy()
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != centre.shape:
            raise ValueError(f"start must have shape {centre.shape}; got {start.shape}.")
        x[n_smooth:] = start
    n_iter = 0
    quadratic = model.likelihood.quadratic
    # Newton converges quadratically near the optimum: for a non-quadratic likelihood one
    # more step once ``tol`` is met costs one Hessian and takes the residual to rounding level.
    extra_steps = 0 if quadratic else 1
    previous_residual = np.inf
    for n_newton in range(max_newton + 1):
        if quadratic and n_newton == 0:
            # The first gradient of a quadratic follows from the cached one at the centre; it only
            # sets up the Newton step. Every result is certified by a compiled PyMC gradient below.
            value, gradient = np.nan, penalised.quadratic_gradient(x, at_centre, gradient_at_centre)
            distances = None
        else:
            value, gradient = penalised.value_and_gradient(x)
            distances = _subgradient_distances(x, gradient, n_smooth=n_smooth, prior=prior)
            residual = float(np.max(distances))
            if n_newton == max_newton:
                break
            if residual <= tol * reference:
                if extra_steps == 0 or not residual < previous_residual:
                    break
                extra_steps -= 1
            previous_residual = residual
        hessian = penalised.hessian(x)
        if prior.smooth:
            candidate = x - _newton_direction(hessian, gradient)
        else:
            from regprior.inference.coordinate_descent import solve_penalised_quadratic

            candidate, inner, _ = solve_penalised_quadratic(
                hessian,
                hessian @ x - gradient,
                x,
                n_smooth=n_smooth,
                l1=prior.kink_slope,
                centre=centre,
                tol=tol * reference,
                max_sweeps=max_iter,
            )
            n_iter += inner
        x = candidate if quadratic else _line_search(penalised, x, candidate, value, gradient)
    # A quadratic's Hessian is the same everywhere; a GLM's is taken at the result.
    return _result(
        model,
        prior,
        x,
        value,
        distances,
        reference,
        tol=tol,
        n_iter=n_iter,
        n_newton=n_newton,
        hessian=hessian if quadratic else penalised.hessian(x),
    )


def _result(
    model, prior, x, value, distances, reference, *, tol, n_iter, n_newton, hessian
) -> MAPResult:
    """The :class:`MAPResult` of the point ``x``, certified by ``distances`` (its minimum-norm subgradient)."""
    n_smooth = int(model.fit_intercept)
    coef = x[n_smooth:].copy()
    intercept = model.y_mean + x[0] - float(model.x_mean @ coef) if model.fit_intercept else 0.0
    relative = float(np.max(distances)) / reference
    likelihood_value = value - prior.smooth_value(coef)
    return MAPResult(
        coef=coef,
        intercept=float(intercept),
        kkt_residual=relative,
        n_iter=n_iter,
        n_newton=n_newton,
        converged=relative <= tol,
        neg_log_posterior=likelihood_value + float(np.sum(prior.neg_logpdf(coef))),
        centre=prior.centre(model.data.n_features),
        _subgradient_norm=float(np.linalg.norm(distances)),
        _hessian=hessian,
    )


def map_path_estimates(
    model: RegressionModel,
    priors,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = 100_000,
    max_newton: int = 50,
) -> list[MAPResult]:
    """:func:`map_estimate` at each prior in turn, warm-started from the previous MAP.

    The priors share the model's family and centre (a regularisation path). For a quadratic
    (Gaussian) likelihood and a prior with a kink, the inner problems of the whole path are
    solved in one compiled call (:func:`regprior.inference.coordinate_descent.solve_path`) on
    the likelihood's constant Hessian; each point is then certified exactly as
    :func:`map_estimate` certifies it, by the compiled PyMC gradient, and any point the
    certificate rejects is solved again by :func:`map_estimate`. Otherwise this is a loop of
    :func:`map_estimate`. The model is left with the last prior set.
    """
    from regprior.inference.threads import one_blas_thread

    check_map_settings(tol=tol, max_iter=max_iter, max_newton=max_newton)
    priors = list(priors)
    with one_blas_thread():
        if not priors:
            return []
        if not (model.likelihood.quadratic and not priors[0].smooth):
            results, previous = [], None
            for prior in priors:
                model.set_prior(prior)
                results.append(
                    _map_estimate(
                        model, start=previous, tol=tol, max_iter=max_iter, max_newton=max_newton
                    )
                )
                previous = results[-1].coef
            return results
        return _quadratic_path(model, priors, tol=tol, max_iter=max_iter, max_newton=max_newton)


def _quadratic_path(
    model: RegressionModel, priors, *, tol, max_iter, max_newton
) -> list[MAPResult]:
    from regprior.inference.coordinate_descent import solve_path

    centre = priors[0].centre(model.data.n_features)
    if any(
        type(p) is not type(priors[0]) or not np.array_equal(p.centre(len(centre)), centre)
        for p in priors
    ):
        raise ValueError("a path's priors share one family and one centre; got several.")
    model.set_prior(priors[0])
    objective = compile_map_objective(model)
    n_smooth = objective.n_smooth
    at_centre, gradient_at_centre, _ = _reference(model, objective)
    hessian = objective.hessian(at_centre)
    weights = np.array([prior.penalty_weights for prior in priors])
    references = np.array([_scale(gradient_at_centre, prior) for prior in priors])
    solutions, sweeps, _ = solve_path(
        hessian,
        hessian @ at_centre - gradient_at_centre,
        at_centre,
        n_smooth=n_smooth,
        l1s=weights[:, 0],
        l2s=weights[:, 1],
        centre=at_centre[n_smooth:],
        tols=tol * references,
        max_sweeps=max_iter,
    )
    # Every point's certificate from one batched call of the likelihood; the prior's smooth part
    # differs by point and is added per point.
    values, gradients = objective.values_and_gradients(solutions)
    results = []
    for prior, x, n_sweeps, reference, value, gradient in zip(
        priors, solutions, sweeps, references, values, gradients
    ):
        penalised = _Penalised(objective, prior)
        value, gradient = penalised.with_prior(x, value, gradient)
        distances = _subgradient_distances(x, gradient, n_smooth=n_smooth, prior=prior)
        result = _result(
            model,
            prior,
            x,
            value,
            distances,
            reference,
            tol=tol,
            n_iter=int(n_sweeps),
            n_newton=1,
            hessian=penalised.hessian(x),
        )
        if (
            not result.converged
        ):  # the compiled solve was not certified: the general engine takes it
            model.set_prior(prior)
            result = _map_estimate(
                model, start=x[n_smooth:], tol=tol, max_iter=max_iter, max_newton=max_newton
            )
        results.append(result)
    model.set_prior(priors[-1])
    return results


def _newton_direction(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """``H^-1 g`` by Cholesky; where ``H`` is numerically singular, by its eigendecomposition.

    Eigenvalues below ``n eps max(eigenvalue)`` are treated as zero (the pseudo-inverse): on
    p > n data with a vanishing prior (Ridge alpha 1e-16) the step is then the minimum-norm
    one, sklearn's limit, instead of a LinAlgError. :attr:`MAPResult.error_bound` tells how far
    the result may be from the exact MAP when the Hessian is ill-conditioned.
    """
    try:
        factor = scipy.linalg.cho_factor(hessian, check_finite=False)
        return scipy.linalg.cho_solve(factor, gradient, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        values, vectors = np.linalg.eigh(hessian)
        keep = values > len(values) * np.finfo(float).eps * max(values.max(), 0.0)
        return vectors[:, keep] @ ((vectors[:, keep].T @ gradient) / values[keep])


def _line_search(penalised: _Penalised, x, candidate, value, gradient):
    """Backtrack from the full proximal Newton step until ``F`` decreases by Armijo's rule.

    ``Delta = g^T d + h(x + d) - h(x)`` is negative for a descent step; accept the first
    ``t = 1, 1/2, ...`` with ``F(x + t d) <= F(x) + ARMIJO t Delta``. The full step is always
    tried first, so the fast local convergence of Newton's method is kept. Near the optimum the
    decrease falls below the rounding of ``F`` itself (``|Delta| ~ residual**2``): a full step
    that changes ``F`` by no more than that rounding is accepted, otherwise Newton would stall
    a few digits short of its limit.
    """
    prior, n_smooth = penalised.prior, penalised.n_smooth
    direction = candidate - x
    h_now = prior.nonsmooth_value(x[n_smooth:])
    decrease = float(gradient @ direction) + prior.nonsmooth_value(candidate[n_smooth:]) - h_now
    current = value + h_now
    rounding = 64 * np.finfo(float).eps * max(1.0, abs(current))
    if penalised.composite(candidate) <= current + rounding and -decrease <= rounding:
        return candidate
    step = 1.0
    for _ in range(MAX_HALVINGS):
        trial = x + step * direction
        trial_value = penalised.composite(trial)
        if np.isfinite(trial_value) and trial_value <= current + ARMIJO * step * decrease:
            return trial
        step /= 2.0
    return x


def _free_point(model: RegressionModel, coef, intercept: float) -> np.ndarray:
    """``(centred intercept, weights)`` of a solution written as ``(coef, intercept)``."""
    coef = np.asarray(coef, dtype=float)
    head = [intercept - model.y_mean + float(model.x_mean @ coef)] if model.fit_intercept else []
    return np.concatenate([head, coef])


def _min_norm_subgradient(penalised: _Penalised, x: np.ndarray) -> np.ndarray:
    _, gradient = penalised.value_and_gradient(x)
    return _subgradient_distances(x, gradient, n_smooth=penalised.n_smooth, prior=penalised.prior)


def error_bound(model: RegressionModel, coef, intercept: float, *, at) -> float:
    """Local bound on the distance from ``(coef, intercept)`` to the exact MAP, from its certificate.

    For ``F = f + h`` with ``f`` m-strongly convex, any point ``x`` and subgradient ``s`` of
    ``F`` at ``x`` satisfy ``||x - x*|| <= ||s|| / m``. ``s`` is the minimum-norm subgradient at
    the point; ``m`` the smallest eigenvalue of the Hessian of ``f`` (likelihood and the prior's
    smooth part), taken as the smaller at the point and at ``at`` (the MAP's ``(coef,
    intercept)``): exact for a Gaussian likelihood, local for the others. ``inf`` when ``f``
    is not strongly convex there (p > n without an l2 term).
    """
    penalised = _Penalised(compile_map_objective(model), model.prior)
    x = _free_point(model, coef, intercept)
    residual = float(np.linalg.norm(_min_norm_subgradient(penalised, x)))
    curvature = min(
        float(scipy.linalg.eigvalsh(penalised.hessian(point), subset_by_index=[0, 0])[0])
        for point in (x, _free_point(model, *at))
    )
    return residual / curvature if curvature > 0 else np.inf


def unique_optimum(model: RegressionModel, *solutions) -> bool:
    """Whether the MAP is unique around ``(coef, intercept)`` solutions: the Hessian of the smooth
    part, restricted to the intercept and the union of their supports, is positive definite
    (smallest eigenvalue above 1e-10 x the largest). Duplicated or exactly collinear columns under
    a prior without an l2 part make it singular: then several points share the optimal objective.
    """
    penalised = _Penalised(compile_map_objective(model), model.prior)
    centre = model.prior.centre(model.data.n_features)
    x = _free_point(model, *solutions[0])
    support = np.zeros(len(centre), dtype=bool)
    for coef, _ in solutions:
        support |= np.asarray(coef) != centre
    free = np.concatenate([np.ones(penalised.n_smooth, dtype=bool), support])
    if not free.any():
        return True
    values = np.linalg.eigvalsh(penalised.hessian(x)[np.ix_(free, free)])
    return bool(values[0] > 1e-10 * max(values[-1], np.finfo(float).tiny))


def objective_value(model: RegressionModel, coef, intercept: float = 0.0) -> float:
    """Negative log posterior (up to a constant) of any ``(coef, intercept)``: what the MAP minimises."""
    penalised = _Penalised(compile_map_objective(model), model.prior)
    return penalised.composite(_free_point(model, coef, intercept))


def certificate(model: RegressionModel, coef, intercept: float = 0.0) -> float:
    """Relative KKT residual of any ``(coef, intercept)`` for this model (e.g. sklearn's solution).

    The same quantity as :attr:`MAPResult.kkt_residual`, from the same compiled gradient and
    the prior's subdifferential distance, so both sides of a comparison are judged alike.
    """
    objective = compile_map_objective(model)
    residual = _min_norm_subgradient(
        _Penalised(objective, model.prior), _free_point(model, coef, intercept)
    )
    return float(np.max(residual)) / _reference(model, objective)[2]
