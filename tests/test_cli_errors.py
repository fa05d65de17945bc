"""The CLI's exit statuses tell the truth: bad input (2) is refused at the boundary, an exception
after it is an internal error (3) that says so, and ``--debug`` shows its traceback."""

import re
import sys

import pytest

from regprior.cli import main

#: A quick compare: one family, a given alpha, no sampling.
QUICK = ["compare", "--prior", "normal", "--alpha", "1", "--no-sample", "--noise-sigma", "54"]


def broken(*args, **kwargs):
    raise ValueError("injected failure")


@pytest.fixture
def broken_comparison(monkeypatch):
    """compare_data, called after the boundary, raises the error a bug would."""
    from regprior.checks import comparison

    monkeypatch.setattr(comparison, "compare_data", broken)


def test_an_exception_after_the_boundary_is_an_internal_error(broken_comparison, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*QUICK, "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("regprior compare: error: ")
    assert "a bug in regprior (ValueError: injected failure)" in err
    assert "--debug" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_prints_the_traceback(broken_comparison, capsys, where):
    argv = ["--debug", *QUICK] if where == "before" else [*QUICK, "--debug"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert re.search(r"in broken\n.*\nValueError: injected failure", err)
    assert "a bug in regprior" in err and "Run again with --debug" not in err


def test_an_internal_error_of_another_command(monkeypatch, capsys):
    from regprior.checks import paths

    monkeypatch.setattr(paths, "compare_paths", broken)
    argv = ["path", "--prior", "normal", "--noise-sigma", "54", "--n-alphas", "5"]
    assert main(argv) == 3
    assert "a bug in regprior (ValueError: injected failure)" in capsys.readouterr().err


def test_an_unexpected_exception_in_the_boundary_is_not_bad_input(monkeypatch, capsys):
    """Only ValueError and TypeError mean bad input; a KeyError there is still a bug."""
    from regprior import catalogue

    def lookup(*args, **kwargs):
        raise KeyError("row")

    monkeypatch.setattr(catalogue, "spec_for_family", lookup)
    assert main(QUICK) == 3
    assert "a bug in regprior (KeyError: 'row')" in capsys.readouterr().err


def test_a_system_error_is_not_called_a_bug(monkeypatch, tmp_path, capsys):
    from regprior.report import output

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output, "write_outputs", full)
    assert main([*QUICK, "--out", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert "a system error (OSError: [Errno 28] No space left on device)" in err
    assert "a bug in regprior" not in err


def test_bad_input_is_still_exit_2_and_debug_shows_where(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--alpha", "-1", "--no-sample", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "The 'alpha' parameter of Ridge" in err
    assert main(["--debug", "compare", "--alpha", "-1", "--no-sample", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and err.splitlines()[-1].startswith(
        "regprior compare: error: The 'alpha' parameter of Ridge"
    )
    assert not out.exists()


def test_report_of_a_missing_folder_is_bad_input(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "does not exist or is not a folder" in capsys.readouterr().err


def test_the_sampler_settings_are_checked_once(monkeypatch, capsys):
    """Two ways of two families: four runs with the same settings, one check in the CLI."""
    from regprior import _validation

    calls = []
    check = _validation.check_sampling_args
    monkeypatch.setattr(
        _validation, "check_sampling_args", lambda **kw: calls.append(kw) or check(**kw)
    )
    status = main(["compare", "--alpha", "cv,1se", "--no-sample", "--format", "csv"])
    assert status == 0 and len(capsys.readouterr().out.splitlines()) > 4
    assert calls == [{"draws": 1000, "tune": 1000, "chains": 4, "random_seed": 0}]


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--alpha", "cv", "--prior-scale", "1"],
            r"give the strength one way; got --alpha cv and --prior-scale/--prior-sigma",
        ),
        (
            ["--likelihood", "bernoulli", "--alpha", "1se"],
            r"--alpha 1se: the 1-SE rule \('1se'\) needs per-fold errors",
        ),
    ],
)
def test_strength_conflicts_are_bad_input(tmp_path, capsys, extra, message):
    assert main(["compare", "--no-sample", *extra]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_loo_help_states_its_prior_default(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["loo", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "'all' = every family of the likelihood;" in text
    assert "beside the 'both' families at their CV strength (default: all)" in text
    assert "(default: both)" not in text


def test_compare_help_states_its_prior_default(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    assert "(default: both)" in " ".join(capsys.readouterr().out.split())


def test_the_exit_statuses_are_documented(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "2 bad input" in text and "3 an internal error" in text and "--debug" in text


def test_python_dash_m_runs_the_cli():
    import subprocess

    run = subprocess.run(
        [sys.executable, "-m", "regprior.cli", "report", "/nonexistent/run"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "does not exist or is not a folder" in run.stderr
