"""Backend layer: the one place a PyMC model is built from a specification."""
