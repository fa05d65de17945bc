import pytest

from regprior.catalogue import available_models, load_model_spec, spec_for_family


def test_catalogue_has_ridge_and_lasso():
    assert {"ridge", "lasso"} <= set(available_models())
    lasso = load_model_spec("lasso")
    assert (lasso.prior, lasso.sklearn, lasso.likelihood) == ("laplace", "Lasso", "gaussian")
    assert spec_for_family("normal").name == "ridge"


def test_load_by_path(tmp_path):
    path = tmp_path / "quick.toml"
    path.write_text(
        'name = "quick"\nprior = "laplace"\nlikelihood = "gaussian"\nsklearn = "Lasso"\n'
        "[defaults]\ndraws = 200\n"
    )
    assert load_model_spec(str(path)).defaults == {"draws": 200}


@pytest.mark.parametrize(
    "text, match",
    [
        (
            'name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\ncolour="red"\n',
            r"unknown key\(s\) \['colour'\]",
        ),
        (
            'name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Ridge"\n',
            r"a laplace prior's sklearn counterpart is Lasso",
        ),
        (
            'name="x"\nprior="cauchy"\nlikelihood="gaussian"\nsklearn="Lasso"\n',
            r"prior must be one of",
        ),
        (
            'name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\n[defaults]\nthin=2\n',
            r"unknown default 'thin'",
        ),
        (
            'name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\n[defaults]\ndraws="many"\n',
            r"default 'draws' must be int",
        ),
        ('name="x"\nprior="laplace"\n', r"missing key\(s\) \['likelihood', 'sklearn'\]"),
        ('name = = "x"', r"invalid TOML"),
    ],
)
def test_bad_specs(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_model_spec(str(path))


def test_every_registry_pair_has_its_catalogue_entry():
    from regprior import registry

    for family in registry.prior_families():
        spec = spec_for_family(family)
        assert (spec.prior, spec.sklearn) == (family, registry.pairing(family).estimator)
    assert load_model_spec("elasticnet").fixed_strength == {"l1_ratio": 0.5}


def test_a_fixed_strength_default_is_checked(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'name="x"\nprior="elasticnet"\nlikelihood="gaussian"\nsklearn="ElasticNet"\n[defaults]\nl1_ratio=1.0\n'
    )
    with pytest.raises(
        ValueError,
        match=r"The 'l1_ratio' parameter of ElasticNet .* must be a float in the range \(0, 1\)",
    ):
        load_model_spec(str(path))
    path.write_text(
        'name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\n[defaults]\nl1_ratio=0.5\n'
    )
    with pytest.raises(ValueError, match=r"unknown default 'l1_ratio'"):
        load_model_spec(str(path))


def test_full_bayes_entries(tmp_path):
    from regprior.catalogue import full_bayes_models, load_full_bayes_model
    from regprior.spec.hierarchical import BayesianLasso, LearnedScale
    from regprior.spec.sparse import R2D2, BayesianGDP, Horseshoe, RegularizedHorseshoe

    models = full_bayes_models()
    assert models == {
        "bayesian_gdp": BayesianGDP(scale=1.0, shape=1.0),
        "bayesian_lasso": BayesianLasso(lam=None, gamma_shape=1.0, gamma_rate=1.78),
        "learnt_laplace": LearnedScale("laplace"),
        "learnt_normal": LearnedScale("normal"),
        "horseshoe": Horseshoe(),
        "regularized_horseshoe": RegularizedHorseshoe(),
        "r2d2": R2D2(),
    }
    with pytest.raises(
        ValueError, match="is a full-Bayes model .* use regprior loo or regprior choose"
    ):
        load_model_spec("bayesian_lasso")
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "bad"\nfull_bayes = "learned_scale"\nlikelihood = "gaussian"\n'
        '[parameters]\nfamily = "cauchy"\n'
    )
    with pytest.raises(ValueError, match="family must be 'normal' or 'laplace'; got 'cauchy'"):
        load_full_bayes_model(str(path))
    path.write_text(
        'name = "bad"\nfull_bayes = "learned_scale"\nlikelihood = "gaussian"\n'
        "[parameters]\nshape = 2\n"
    )
    with pytest.raises(ValueError, match="unexpected keyword argument 'shape'"):
        load_full_bayes_model(str(path))
