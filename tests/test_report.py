"""Presentation: notebook reprs, terminal output in 100 columns, the self-contained HTML report."""

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from regprior.cli import main

ANSI = re.compile(r"\x1b\[")


def test_terminal_table_fits_100_columns_and_pipes_plain(capsys):
    assert main(["compare", "--no-sample", "--prior", "both", "--alpha", "0.5"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert not ANSI.search(out) and err == ""  # not a terminal: no colour codes, no spinner
    verdicts = [line for line in lines if line.startswith(("PASSED", "FAILED"))]
    assert len(verdicts) == 2 and all(line.startswith("PASSED") for line in verdicts)
    assert any(line.startswith("coefficient") for line in lines)


def test_quiet_prints_the_verdict_lines_only(capsys):
    assert main(["compare", "--no-sample", "--prior", "both", "--alpha", "0.5", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("PASSED") for line in lines)


def test_report_is_self_contained_and_rebuilt_from_the_files(tmp_path, capsys):
    out = tmp_path / "run"
    assert (
        main(["compare", "--no-sample", "--prior", "both", "--alpha", "0.5", "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "ALL PASSED" in page and page.count('class="verdict"') >= 3  # summary + one per model
    assert (
        page.count("<table") == 2 and "Lasso(alpha = 0.5)" in page and "Ridge(alpha = 0.5)" in page
    )
    assert not re.search(r'src="(?!data:image/png;base64,)', page)  # no external file or network
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").read_text() == page
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "does not exist or is not a folder" in capsys.readouterr().err


@pytest.mark.slow
def test_report_embeds_every_figure_and_renders_in_chromium(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(
        ["compare", "--prior", "both", "--draws", "200", "--tune", "200", "--out", str(out)]
    )
    assert status in (0, 1)
    capsys.readouterr()
    page = (out / "report.html").read_text()
    figures = sorted(p.name for p in out.glob("*.png"))
    assert figures == ["forest.png", "posterior_lasso.png", "posterior_ridge.png"]
    assert page.count('src="data:image/png;base64,') == len(figures)
    assert "sampler: NUTS 4 chains x 200 draws" in page
    browser = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if browser is None:
        pytest.skip("no Chromium on this machine: the rendering check runs where it is installed")
    shot = tmp_path / "report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=1280,1400",
    ]
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", (out / "report.html").as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", (out / "report.html").as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    import json

    from PIL import Image

    from regprior.report.html import VERDICT_COLOURS

    passed = all(
        c["verdict"]["passed"]
        for c in json.loads((out / "comparison.json").read_text())["comparisons"]
    )
    assert ("ALL PASSED" if passed else "FAILED") in dom and "verdict: " in dom
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert pixels.std() > 20  # not blank
    # The summary verdict banner is drawn at the top, in its colour (green passed, red failed;
    # a short run's sampler may be flagged, which fails the verdict honestly).
    background = VERDICT_COLOURS["passed" if passed else "failed"][1]
    rgb = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
    banner = np.all(np.abs(pixels[:400] - rgb) <= 2, axis=-1)
    assert banner.sum() > 5_000


def test_notebook_reprs():
    from regprior.api import compare, fit_map
    from regprior.checks.paths import alpha_grid, compare_paths, path_for_data, sklearn_path
    from regprior.spec.data import load_diabetes
    from regprior.spec.likelihoods import Gaussian
    from regprior.spec.priors import Laplace

    data = load_diabetes()
    comparison = compare(data.X, data.y, Laplace(scale=20.0), noise_sigma=54.0, sample=False)
    assert (
        "\n" not in repr(comparison)
        and len(repr(comparison)) < 200
        and "PASSED" in repr(comparison)
    )
    page = comparison._repr_html_()
    assert "verdict: PASSED" in page and "<table" in page
    result = fit_map(data.X, data.y, Laplace(scale=20.0), noise_sigma=54.0)
    assert "weights exactly at the prior centre" in result._repr_html_()
    alphas = alpha_grid(data, "laplace", n_alphas=5)
    path, model = path_for_data(data, "laplace", Gaussian(54.0), alphas)
    assert (
        "PASSED"
        in compare_paths(path, sklearn_path(data, "laplace", alphas), model=model)._repr_html_()
    )


def _single_chain(comparison):
    """The comparison as if sampled with one chain: r_hat is undefined (NaN; null in JSON)."""
    import dataclasses

    from regprior.inference.nuts import PosteriorResult

    summary = pd.DataFrame({"r_hat": np.nan, "ess_bulk": 180.0}, index=list(comparison.table.index))
    posterior = PosteriorResult(
        datatree=None, summary=summary, divergences=0, draws=200, chains=1, seconds=0.0
    )
    return dataclasses.replace(comparison, posterior=posterior)


def test_one_formatter_renders_a_single_chain_in_text_terminal_and_html(tmp_path):
    """Issue 21 item 7: the HTML report crashed on r_hat None ("unsupported format string")."""
    import html

    from regprior.api import compare
    from regprior.report.html import comparison_html, render_report
    from regprior.report.lines import sampler_line, verdict_line
    from regprior.report.tables import comparisons_to_json
    from regprior.report.terminal import make_console, print_comparisons
    from regprior.spec.data import load_diabetes
    from regprior.spec.priors import Laplace

    data = load_diabetes()
    c = _single_chain(compare(data.X, data.y, Laplace(scale=20.0), noise_sigma=54.0, sample=False))
    expected = "NUTS 1 chains x 200 draws, r_hat n/a (1 chain), bulk ESS min 180"
    assert expected in sampler_line(c.posterior.diagnostics())
    text = c.to_text()
    assert "sampler: " + expected in text
    assert "verdict: " + verdict_line(c.verdict.to_dict()) in text
    console = make_console(width=100)
    with console.capture() as captured:
        print_comparisons({"lasso": c}, console, verbosity=0)
    terminal = captured.get()
    assert f"sampler lasso: {expected}" in terminal.replace("\n", " ")
    assert terminal.startswith(verdict_line(c.verdict.to_dict(), "lasso")[:60])
    assert expected in html.unescape(comparison_html(c))
    run = tmp_path / "run"
    run.mkdir()
    (run / "comparison.json").write_text(comparisons_to_json({"lasso": c}, data=data))
    page = html.unescape(render_report(run))  # r_hat_max is null in the JSON
    assert "sampler: " + expected in page and "verdict: " in page


@pytest.mark.slow
def test_a_real_single_chain_run_renders_everywhere(tmp_path, capsys):
    out = tmp_path / "one"
    argv = ["compare", "--prior", "normal", "--alpha", "0.5", "--chains", "1"]
    status = main([*argv, "--draws", "100", "--tune", "100", "--out", str(out), "--quiet"])
    assert status == 1  # one chain: r_hat undefined, the sampler cannot be called healthy
    terminal = capsys.readouterr().out.replace("\n", " ")
    assert "sampler ridge: NUTS 1 chains x 100 draws, r_hat n/a (1 chain)" in terminal
    assert "r_hat n/a (1 chain)" in (out / "comparison.md").read_text()
    assert "r_hat n/a (1 chain)" in (out / "report.html").read_text()
    # Each row's flag says the r_hat is undefined, not that it exceeds 1.01.
    rows = pd.read_csv(out / "comparison.csv")
    assert rows["flags"].str.contains("r_hat n/a").all()
    assert not rows["flags"].str.contains("r_hat>", regex=False).any()


@pytest.mark.slow
def test_more_weights_than_arviz_default_subplots_still_write_every_output(tmp_path):
    """53 weights (p > n, a short single-chain run): ArviZ refuses more than 40 panels by default,
    and the posterior figure once failed the whole run (exit 3, nothing written)."""
    from regprior.cli import main

    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 53)) * np.logspace(-3, 4, 53)  # columns in very different units
    y = X[:, 0] / 1e-3 + rng.normal(size=40)
    path = tmp_path / "wide.csv"
    np.savetxt(
        path,
        np.column_stack([X, y]),
        delimiter=",",
        header=",".join([f"c{j}" for j in range(53)] + ["y"]),
        comments="",
    )
    out = tmp_path / "out"
    argv = [
        "compare",
        "--data",
        str(path),
        "--prior",
        "laplace",
        "--alpha",
        "0.001",
        "--noise-sigma",
        "1",
        "--draws",
        "100",
        "--tune",
        "100",
        "--chains",
        "1",
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 1  # one chain, 100 draws: the sampler is flagged, the verdict FAILED
    assert (out / "posterior_lasso.png").stat().st_size > 0 and (out / "report.html").exists()
