"""The MAP objective: the negative log posterior through the PyMC model's compiled likelihood.

The negative log posterior splits as ``F(x) = f(x) + h(beta)`` over the free variables
``x = (centred intercept, beta)``. :class:`SmoothObjective` is the likelihood part of ``f``
(the flat intercept included), taken from the PyMC model's own log density with its gradient
and Hessian; :class:`Penalised` adds the prior's smooth part to it, from the prior itself. The
functions run on PyTensor's Python VM over NumPy (:func:`_objective_mode`), batched over points
where they can be: nothing is compiled to machine code.
"""

from __future__ import annotations

import functools

import numpy as np

from regprior.backend.model import CENTRED_INTERCEPT, RegressionModel

__all__ = ["SmoothObjective", "Penalised", "compile_map_objective"]

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
    ``x + exp(-x)`` below 33.3, then ``x``; each branch with the same NumPy calls, so the values
    are the same to the last bit (tested). The clipped exponentials keep the branches not taken
    from overflowing.
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


class SmoothObjective:
    """The likelihood part of ``f`` over the stacked free variables, compiled once from PyMC.

    ``(centred intercept, beta)`` -> negative log likelihood (flat intercept included), its
    gradient and Hessian. With a quadratic (Gaussian) likelihood and known sigma the Hessian
    does not depend on the point: it is computed once per (data, noise sigma) from two
    batched gradient calls (unit steps, then scaled ones) and cached. Any other likelihood's
    Hessian is recomputed at every Newton step, from the vectorised Jacobian of the same graph.
    The prior's smooth part is added by :class:`Penalised`, from the prior itself. The functions
    run on PyTensor's Python VM (:func:`_objective_mode`): nothing is compiled to machine code.
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
        """:meth:`value_and_gradient` at each row of ``points``.

        Returns ``(values (k,), gradients (k, d))``, evaluated in chunks of at most ~2**22
        likelihood terms, so that a batch over many samples stays small in memory.
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


class Penalised:
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
