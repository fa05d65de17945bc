"""Checks layer: every scikit-learn fit, and the judgement of regprior's results against them."""
