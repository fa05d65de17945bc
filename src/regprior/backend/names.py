"""Names of the variables and data containers in every PyMC model regprior builds."""

#: The regression weights (dims ``"feature"``).
WEIGHTS = "beta"
#: The intercept as a Deterministic on the original (uncentred) scale.
INTERCEPT = "intercept"
#: The free, flat intercept on centred data.
CENTRED_INTERCEPT = "centred_intercept"
#: The observed variable of the raw form.
OBSERVED = "y"
#: The likelihood term of the sufficient-statistics form (a pm.Potential).
LIKELIHOOD_POTENTIAL = "y_loglike"
#: pm.Data of the prior centre.
PRIOR_MU = "prior_mu"
#: pm.Data of the Gaussian likelihood's known noise sd.
NOISE_SIGMA = "noise_sigma"
#: The pm.Data containers of the data themselves, with ``mutable_data=True``.
SAMPLE_DATA_NAMES = ("X_centred", "y_observed", "weights", "x_mean", "y_mean")
#: The statistics a mutable sufficient-form model holds (as ``pm.Data`` named ``stat_<name>``).
STATISTIC_NAMES = ("xtx", "xty", "yty", "x_mean", "y_mean", "weight_sum", "log_weight_sum")

# Full-Bayes models.
#: The noise sd when it is a random variable.
SIGMA = "sigma"
#: The noise variance (a Deterministic).
SIGMA2 = "sigma2"
#: Park & Casella's lambda (a Deterministic when learnt).
LAMBDA = "lambda"
#: A learnt prior scale (the Normal's sd or the Laplace's scale).
TAU = "tau"
#: The implied scikit-learn alpha of the conditional mode (a Deterministic).
SKLEARN_ALPHA = "sklearn_alpha"

# Normal scale mixtures sampled with the weights integrated out.
#: The prior variances of the weights given the scales (a Deterministic the completion reads).
PRIOR_VARIANCE = "prior_variance"
#: Shrinkage factors kappa_j = 1 / (1 + n s_j^2 v_j / sigma^2) (dims ``"feature"``).
KAPPA = "kappa"
#: Effective number of non-zero weights, sum_j (1 - kappa_j).
M_EFF = "m_eff"
