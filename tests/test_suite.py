"""The agreement suite: it resumes after kill -9
without recomputing, and ends with the same table."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from regprior.checks.agreement import DATASETS, LIKELIHOOD_OF, PRIORS, make_dataset, run_cell

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPT = BENCHMARKS / "agreement.py"
sys.path.insert(0, str(BENCHMARKS))
from suite import run_suite  # noqa: E402  (the harness lives with the benchmarks)

#: The five Gaussian data sets (fast: no saga reference) x Laplace x two settings = 10 cells.
GAUSSIAN = [name for name in DATASETS if name not in LIKELIHOOD_OF]
GRID = [
    "--datasets",
    *GAUSSIAN,
    "--priors",
    "laplace",
    "--settings",
    "plain",
    "weights",
    "--no-sample",
    "--n-jobs",
    "1",
]


@pytest.mark.slow
def test_killed_run_resumes_with_the_same_table(tmp_path):
    interrupted, fresh = tmp_path / "interrupted", tmp_path / "fresh"
    command = [sys.executable, str(SCRIPT), *GRID]
    process = subprocess.Popen(
        [*command, "--out", str(interrupted)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    cells = interrupted / "cells"
    deadline = time.monotonic() + 300
    while (
        len(list(cells.glob("*.json"))) < 2
        and time.monotonic() < deadline
        and process.poll() is None
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in cells.glob("*.json")}
    assert 2 <= len(finished) < 10, "the kill must land mid-run"
    rerun = subprocess.run(
        [*command, "--out", str(interrupted)], capture_output=True, text=True, check=True
    )
    assert f"10 cells: {len(finished)} already stored, {10 - len(finished)} to run" in rerun.stderr
    for name, mtime in finished.items():  # finished cells were not recomputed
        assert (cells / name).stat().st_mtime_ns == mtime
    subprocess.run([*command, "--out", str(fresh)], capture_output=True, check=True)
    pd.testing.assert_frame_equal(
        pd.read_csv(interrupted / "agreement.csv"), pd.read_csv(fresh / "agreement.csv")
    )


def test_cell_rows_and_validation(tmp_path):
    cell = run_cell("linnerud_weight", "laplace", "centre", seed=0, sample=False, draws=10, tune=10)
    assert len(cell["rows"]) == 3 and all(row["passed"] for row in cell["rows"])
    with pytest.raises(ValueError, match=r"settings must be a non-empty subset of"):
        run_suite(tmp_path, settings=["upside_down"])
    with pytest.raises(ValueError, match=r"dataset must be one of"):
        make_dataset("iris", "plain", 0)


@pytest.mark.slow
def test_cells_run_on_a_dask_cluster(tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        agreement, _, _ = run_suite(
            tmp_path / "dask",
            datasets=["linnerud_weight"],
            settings=["plain", "weights"],
            sample=False,
            scheduler=cluster.scheduler_address,
        )
    local, _, _ = run_suite(
        tmp_path / "local",
        datasets=["linnerud_weight"],
        settings=["plain", "weights"],
        sample=False,
        n_jobs=1,
    )
    assert (
        len(agreement) == 2 * len(PRIORS) * 3 and agreement["passed"].all()
    )  # settings x priors x alphas
    pd.testing.assert_frame_equal(agreement, local)  # same cells, same numbers, wherever they ran
