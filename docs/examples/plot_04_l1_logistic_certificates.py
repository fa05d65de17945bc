"""
l1 logistic regression and saga's certificate
=============================================

A Laplace prior of scale :math:`s` with a Bernoulli (logit) likelihood and a flat intercept has
``LogisticRegression(C=s, l1_ratio=1)`` as its MAP (:ref:`spec-logistic`). scikit-learn solves
that problem with ``saga``, which stops short of the optimum (its KKT residual stays around
1e-10, often worse). So the MAP is judged against an **exact second reference**, skglm's proximal
Newton, and sklearn's own answer is reported beside it with its certificate: how far from the
optimum that certificate allows it to be.
"""

# %%
# breast_cancer (569 samples, 30 standardised features), C = 0.5.
import matplotlib.pyplot as plt
import numpy as np

import regprior as rp

data = rp.load_breast_cancer()
likelihood = rp.Bernoulli()
prior = rp.make_prior(
    "laplace", likelihood=likelihood, weight_sum=data.weight_sum, sklearn={"C": 0.5}
)
print(prior, "->", rp.sklearn_counterpart(prior, likelihood=likelihood, weight_sum=data.weight_sum))

comparison = rp.compare(
    data.X,
    data.y,
    prior,
    likelihood=likelihood,
    feature_names=data.feature_names,
    sample=False,
)
print(comparison.to_text())

# %%
# The verdict's fields: whom the MAP was judged against, and what sklearn's saga achieved.
verdict = comparison.verdict
print("reference:", verdict.reference)
print("max |MAP - reference| =", verdict.max_abs_diff, "(tolerance", verdict.tolerance, ")")
print("MAP's KKT residual    =", verdict.certificate)
print("saga's KKT residual   =", verdict.sklearn_certificate)
print("max |MAP - saga|      =", verdict.sklearn_max_abs_diff)
print("saga's error bound    =", verdict.sklearn_error_bound)

# %%
# Per coefficient: the distance of saga's and skglm's solutions from the MAP, on a log axis.
# saga is within the distance its own certificate allows (the dashed line); skglm, like the
# MAP, is exact to rounding.
table = comparison.table.drop(index="intercept")
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
x = np.arange(len(table))
floor = 1e-17  # zero differences drawn at the bottom of the log axis
ax.semilogy(x, np.maximum(table["abs_diff"], floor), "o", color="tab:red", label="|MAP - saga|")
ax.semilogy(
    x,
    np.maximum(table["reference_abs_diff"], floor),
    "s",
    color="tab:green",
    label="|MAP - skglm|",
)
ax.axhline(verdict.sklearn_error_bound, color="tab:red", linestyle="--", label="saga's bound")
ax.set_xticks(x, table.index, rotation=90, fontsize="x-small")
ax.set_ylabel("absolute difference")
ax.legend(fontsize="small")
plt.show()

# %%
# Exact zeros: the MAP's support is skglm's.
n_zero = int(np.sum(comparison.map_result.coef == 0))
print(f"{n_zero} of {data.X.shape[1]} weights are exactly 0 at C = 0.5")
