import pytest

from regprior.catalogue import available_models, load_model_spec, spec_for_family


def test_catalogue_has_ridge_and_lasso():
    assert {"ridge", "lasso"} <= set(available_models())
    lasso = load_model_spec("lasso")
    assert (lasso.prior, lasso.sklearn, lasso.likelihood) == ("laplace", "Lasso", "gaussian")
    assert spec_for_family("normal").name == "ridge"


def test_load_by_path(tmp_path):
    path = tmp_path / "quick.toml"
    path.write_text('name = "quick"\nprior = "laplace"\nlikelihood = "gaussian"\nsklearn = "Lasso"\n[defaults]\ndraws = 200\n')
    assert load_model_spec(str(path)).defaults == {"draws": 200}


@pytest.mark.parametrize(
    "text, match",
    [
        ('name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\ncolour="red"\n', r"unknown key\(s\) \['colour'\]"),
        ('name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Ridge"\n', r"a laplace prior's sklearn counterpart is Lasso"),
        ('name="x"\nprior="cauchy"\nlikelihood="gaussian"\nsklearn="Lasso"\n', r"prior must be one of"),
        ('name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\n[defaults]\nthin=2\n', r"unknown default 'thin'"),
        ('name="x"\nprior="laplace"\nlikelihood="gaussian"\nsklearn="Lasso"\n[defaults]\ndraws="many"\n', r"default 'draws' must be int"),
        ('name="x"\nprior="laplace"\n', r"missing key\(s\) \['likelihood', 'sklearn'\]"),
        ('name = = "x"', r"invalid TOML"),
    ],
)
def test_bad_specs(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_model_spec(str(path))
