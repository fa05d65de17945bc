"""Issue 27: what a user meets on the posterior side once the numbers are right.

Exact fits refused with a way through (type-II ML), every ``--alpha eb`` refusal naming a way
that works, and the LOO command on Poisson data.
"""

import numpy as np
import pytest

from regprior.cli import main


def write_csv(path, X, y):
    header = ",".join([*(f"x{j}" for j in range(X.shape[1])), "y"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    return str(path)


@pytest.fixture
def wide_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 40))
    return write_csv(tmp_path / "wide.csv", X, X[:, :3] @ [1.0, 2.0, 3.0] + rng.normal(size=20))


def one_line(capsys):
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_path_of_the_normal_prior_on_an_exact_fit_runs_without_its_evidence_mark(
    wide_csv, tmp_path, capsys
):
    # Before: type2_ml divided by a zero residual while drawing the EB mark (exit 3, no file).
    out = tmp_path / "out"
    argv = ["path", "--data", wide_csv, "--prior", "normal", "--noise-sigma", "1"]
    assert main([*argv, "--n-alphas", "5", "--format", "csv", "--out", str(out)]) == 0
    assert (out / "path_normal.png").exists()


def test_path_without_a_noise_sigma_on_an_exact_fit_names_the_flag(wide_csv, capsys):
    assert main(["path", "--data", wide_csv, "--prior", "normal", "--n-alphas", "5"]) == 2
    assert "pass noise_sigma explicitly" in one_line(capsys)
