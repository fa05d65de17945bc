"""Terminal tables that fit (issue 26, part 2): one number formatter, no cell that wraps.

Synthetic data of the shapes and magnitudes of three classic public data sets: Prostate
(97 x 8, an lpsa-like target), Boston (506 x 13, columns from 0.1 to 700) and Pima (392 x 8,
binary, unscaled features). Every command is rendered at 100 columns: no line is wider and each
table row takes one line.
"""

import re

import numpy as np
import pandas as pd
import pytest

from regprior.cli import main
from regprior.report.terminal import (
    MAX_WIDTH,
    NAME_WIDTH,
    NUMBER_WIDTH,
    format_number,
    interval_cells,
    print_frame,
)

#: Sampler settings of the slow cases: only the rendering is judged, not the posterior.
SMALL_NUTS = ["--draws", "100", "--tune", "100", "--chains", "2"]


def _prostate(rng):
    n = 97
    frame = pd.DataFrame(
        {
            "lcavol": rng.normal(1.35, 1.18, n),
            "lweight": rng.normal(3.63, 0.43, n),
            "age": rng.normal(63.9, 7.4, n).round(),
            "lbph": rng.normal(0.1, 1.45, n),
            "svi": (rng.uniform(size=n) < 0.22).astype(float),
            "lcp": rng.normal(-0.18, 1.4, n),
            "gleason": rng.choice([6.0, 7.0, 8.0, 9.0], n),
            "pgg45": rng.uniform(0, 100, n).round(),
        }
    )
    coef = [0.56, 0.62, -0.021, 0.097, 0.76, -0.1, 0.045, 0.0045]
    frame["lpsa"] = 0.18 + frame.to_numpy() @ coef + rng.normal(0, 0.7, n)
    return frame


def _boston(rng):
    n = 506
    frame = pd.DataFrame(
        {
            "crim": rng.exponential(3.6, n),
            "zn": rng.uniform(0, 100, n) * (rng.uniform(size=n) < 0.3),
            "indus": rng.uniform(0.5, 28, n),
            "chas": (rng.uniform(size=n) < 0.07).astype(float),
            "nox": rng.uniform(0.38, 0.87, n),
            "rm": rng.normal(6.28, 0.7, n),
            "age": rng.uniform(3, 100, n),
            "dis": rng.uniform(1.1, 12, n),
            "rad": rng.choice([1.0, 2, 3, 4, 5, 6, 7, 8, 24], n),
            "tax": rng.uniform(187, 711, n),
            "ptratio": rng.uniform(12.6, 22, n),
            "black": rng.uniform(0.32, 396.9, n),
            "lstat": rng.uniform(1.7, 38, n),
        }
    )
    coef = [-0.108, 0.046, 0.02, 2.69, -17.8, 3.8, 7e-4, -1.48, 0.306, -0.0123, -0.953, 0.0093]
    frame["medv"] = 36.5 + frame.to_numpy() @ [*coef, -0.525] + rng.normal(0, 4.7, n)
    return frame


def _pima(rng):
    n = 392
    frame = pd.DataFrame(
        {
            "pregnant": rng.poisson(3.3, n).astype(float),
            "glucose": rng.normal(122.6, 30.9, n),
            "pressure": rng.normal(70.7, 12.5, n),
            "triceps": rng.normal(29.1, 10.5, n),
            "insulin": rng.gamma(2.0, 78, n),
            "mass": rng.normal(33.1, 7.0, n),
            "pedigree": rng.gamma(2.0, 0.26, n),
            "age": rng.uniform(21, 81, n).round(),
        }
    )
    coef = [0.082, 0.038, -0.0014, 0.011, -0.0008, 0.0705, 1.14, 0.034]
    eta = -10.04 + frame.to_numpy() @ coef
    frame["diabetes"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    return frame


#: name: (maker, target, likelihood)
SHAPES = {
    "prostate": (_prostate, "lpsa", "gaussian"),
    "boston": (_boston, "medv", "gaussian"),
    "pima": (_pima, "diabetes", "bernoulli"),
}


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    """Each shape written to a CSV: ``{name: (path, feature names, flags for compare)}``."""
    folder = tmp_path_factory.mktemp("shapes")
    files = {}
    for seed, (name, (make, target, likelihood)) in enumerate(SHAPES.items()):
        frame = make(np.random.default_rng(seed))
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        flags = ["--data", str(path), "--target", target, "--likelihood", likelihood]
        files[name] = (path, [c for c in frame.columns if c != target], flags)
    return files


def _check_lines(out: str) -> list[str]:
    lines = out.splitlines()
    assert lines and max(len(line) for line in lines) <= MAX_WIDTH
    return lines


def _table_rows(lines: list[str], header: str) -> list[list[str]]:
    """Each table's lines after its header line (``header ...``), up to the blank line."""
    tables = []
    for start, line in enumerate(lines):
        if re.match(rf"\s*{re.escape(header)}\s", line):
            rows = []
            for row in lines[start + 1 :]:
                if not row.strip() or row.startswith(("flags ", "sampler ")):
                    break
                rows.append(row)
            tables.append(rows)
    assert tables, f"no table headed {header!r}"
    return tables


def _assert_one_line_per_row(lines, header: str, names: list[str]) -> None:
    """Every table headed ``header`` has one line per name, each starting with that name."""
    for rows in _table_rows(lines, header):
        assert [row.split()[0] for row in rows] == names, rows


# -- the one formatter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.60781234, "0.6078"),
        (-0.028561, "-0.02856"),
        (1234.4, "1234"),
        (12345.6, "1.235e4"),
        (-0.00012345, "-1.234e-4"),
        (0.0012345, "0.001234"),
        (1.1102230246251565e-16, "1.11e-16"),
        (1e-8, "1e-8"),
        (1.0, "1"),
        (0.0, "0"),
        (np.nan, ""),
        (None, ""),
        (np.float64(347.6), "347.6"),
        (np.int64(12345), "12345"),
        (True, "yes"),
        (np.bool_(False), "no"),
        ("r_hat>1.01", "r_hat>1.01"),
        (np.inf, "inf"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_every_number_from_1e_minus_9_to_1e10_takes_at_most_number_width():
    rng = np.random.default_rng(0)
    values = rng.choice([-1, 1], 5000) * 10 ** rng.uniform(-9, 10, 5000)
    widths = [len(format_number(v)) for v in values]
    assert max(widths) == NUMBER_WIDTH == 9  # "-0.001234", "-1.234e-4"
    # 4 significant digits: the text reads back to within half a unit of the 4th digit.
    back = np.array([float(format_number(v)) for v in values])
    assert np.all(np.abs(back - values) <= 5e-4 * np.abs(values))


# -- the renderer, at the widest values ----------------------------------------------------


def _widest_comparison_frame(n_rows: int, *, reference: bool) -> pd.DataFrame:
    """``compare``'s compact columns at their widest: 9-character numbers, long names."""
    widest = [-0.001234, -1.234e-4, -1234.0, -1.234e4]
    names = [f"a_rather_long_feature_name_{i}" for i in range(n_rows)]
    values = {c: [widest[i % 4] for i in range(n_rows)] for c in ("sklearn", "map")}
    frame = pd.DataFrame({"coefficient": names, **values, "abs_diff": 1.234e-16})
    if reference:
        frame["reference"], frame["reference_abs_diff"] = frame["map"], 1.234e-16
    frame["posterior_mean"] = frame["map"]
    frame["hdi"] = interval_cells([-1.234e-4] * n_rows, [-0.001234] * n_rows)
    frame["p_near_centre"] = -1.234e-4  # a probability, but the widest number it could be
    frame["flags"] = "r_hat>1.01,ess<400"
    return frame


@pytest.mark.parametrize("reference", [False, True])
def test_compare_compact_columns_fit_one_block_at_their_widest(reference):
    from rich.console import Console

    from regprior.report.terminal import COMPACT_COLUMNS

    frame = _widest_comparison_frame(6, reference=reference)
    columns = dict(COMPACT_COLUMNS)
    if reference:
        columns.pop("abs_diff")
    console = Console(width=100, record=True)
    print_frame(frame, console, columns=columns, name_width=NAME_WIDTH)
    lines = _check_lines(console.export_text())
    assert lines[0].split()[0] == "coefficient" and len(lines) == 1 + 6 + 6  # header, rows, flags
    truncated = "a_rather_long_feature_name_0"[: NAME_WIDTH - 1] + "…"
    assert lines[1].startswith(truncated + " ") and "-1.234e-4" in lines[1]
    assert "-1234" in lines[3] and "-1.234e4" in lines[4]
    assert lines[7] == f"flags {frame['coefficient'][0]}: r_hat>1.01,ess<400"


def test_columns_past_the_width_continue_in_another_block():
    from rich.console import Console

    frame = pd.DataFrame({f"column_{i}": [-1.234e-4, 5678.0] for i in range(12)})
    frame.insert(0, "name", ["first", "second"])
    console = Console(width=100, record=True)
    print_frame(frame, console)
    lines = _check_lines(console.export_text())
    blank = lines.index("")
    assert blank == 3 and lines[4].startswith("name ") and lines[5].startswith("first ")
    assert sum(line.count("column_") for line in lines) == 12  # every column, once


# -- the commands, on data of the three shapes ---------------------------------------------


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("verbose", [False, True])
def test_compare_without_sampling(shaped, shape, verbose, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _, features, flags = shaped[shape]
    # Pima: a fixed C spares the CV of saga (the slowest fit here); the l1 pair is judged by skglm.
    prior = ["--prior", "both"] if shape != "pima" else ["--prior", "laplace", "--C", "10"]
    argv = ["compare", *flags, *prior, "--no-sample", *(["--verbose"] if verbose else [])]
    assert main(argv) in (0, 1)
    lines = _check_lines(capsys.readouterr().out)
    _assert_one_line_per_row(lines, "coefficient", [*features, "intercept"])
    if shape == "pima" and not verbose:  # skglm judged the MAP: its columns replace |diff|
        header = next(line for line in lines if line.startswith("coefficient"))
        assert header.split() == ["coefficient", "sklearn", "MAP", "reference", "|MAP-ref|"]


@pytest.mark.slow
def test_compare_sampled_shows_the_posterior_columns_in_one_line_per_row(
    shaped, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "100")
    _, features, flags = shaped["prostate"]
    assert main(["compare", *flags, "--prior", "laplace", *SMALL_NUTS]) in (0, 1)
    lines = _check_lines(capsys.readouterr().out)
    header = next(line for line in lines if line.startswith("coefficient"))
    assert "94% HDI" in header and "P(near 0)" in header and "post. mean" in header
    _assert_one_line_per_row(lines, "coefficient", [*features, "intercept"])
    [rows] = _table_rows(lines, "coefficient")
    assert all(re.search(r"\[ *-?[\d.e-]+, +-?[\d.e-]+\]", row) for row in rows)


@pytest.mark.parametrize(
    ("shape", "prior"), [("prostate", "both"), ("boston", "laplace"), ("pima", "normal")]
)
def test_path(shaped, shape, prior, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _, _, flags = shaped[shape]
    assert main(["path", *flags, "--prior", prior, "--n-alphas", "12"]) in (0, 1)
    lines = _check_lines(capsys.readouterr().out)
    parameter = "C" if shape == "pima" else "alpha"
    tables = _table_rows(lines, parameter)
    assert len(tables) == (2 if prior == "both" else 1)
    assert all(len(rows) == 12 for rows in tables)  # one line per alpha, none wrapped
    header = next(line for line in lines if line.split()[:1] == [parameter])
    assert "max |diff|" in header and "KKT sklearn" in header and "rel_diff" not in header


@pytest.mark.slow
def test_loo(shaped, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _, _, flags = shaped["prostate"]
    assert main(["loo", *flags, "--no-cv", *SMALL_NUTS]) in (0, 1)
    lines = _check_lines(capsys.readouterr().out)
    [rows] = _table_rows(lines, "model")
    from regprior.catalogue import full_bayes_models

    catalogued = tuple(full_bayes_models())  # learnt scales, Park & Casella, the sparse priors
    names = ("normal at", "laplace at", "elasticnet at", *catalogued)
    assert len(rows) == 3 + len(catalogued) and all(row.startswith(names) for row in rows)
    assert any(line.startswith("flags ") for line in lines)  # small draws: flagged, beneath


@pytest.mark.slow
def test_choose(shaped, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    path, _, _ = shaped["prostate"]
    assert main(["choose", "--data", str(path), "--target", "lpsa", *SMALL_NUTS]) in (0, 1)
    lines = _check_lines(capsys.readouterr().out)
    [rows] = _table_rows(lines, "estimator")
    assert len(rows) == 8 and all(row.startswith(("Ridge ", "Lasso ")) for row in rows)
    samplers = [line for line in lines if line.startswith("sampler ")]
    assert len(samplers) == 3 and samplers[0].startswith("sampler Ridge, full Bayes: Normal")
