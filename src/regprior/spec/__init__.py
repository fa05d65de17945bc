"""Specification layer: priors, likelihoods, data and statistics (NumPy/SciPy only, no PyMC)."""
