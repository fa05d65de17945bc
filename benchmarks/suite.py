"""Harness of the agreement suite: stored cells,
resume after an interruption, parallel runs, progress.

A cell is (data set, prior, setting), computed by :func:`regprior.checks.agreement.run_cell`.
Each finished cell is written atomically (:func:`regprior.report.output.write_atomic`) to
``<out>/cells/``; a rerun skips the cells found there, so an interrupted run (even
``kill -9``) resumes and ends with the same tables. Cells run in parallel through joblib
(local processes by default, a Dask cluster when a scheduler address is given). Progress is a
``rich`` bar on a terminal, one summary line otherwise.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

from regprior.checks.agreement import DATASETS, PRIORS, SETTINGS, cell_key, cells, run_cell
from regprior.report.output import write_atomic

__all__ = ["run_suite", "collect"]


def _run_and_store(cells_dir, dataset, family, setting, options):
    cell = run_cell(dataset, family, setting, **options)
    write_atomic(cells_dir / f"{cell['key']}.json", json.dumps(cell))
    return cell["key"], cell["seconds"]


def run_suite(
    out_dir,
    *,
    datasets=tuple(DATASETS),
    priors=PRIORS,
    settings=SETTINGS,
    seed=0,
    sample=True,
    draws=1000,
    tune=1000,
    chains=4,
    n_jobs=2,
    scheduler=None,
    stream=sys.stderr,
):
    """Run every missing cell,
    then return ``(agreement, timings, wall seconds)`` (see :func:`collect`).

    ``scheduler``: address of a Dask scheduler; cells then run on that cluster.
    """
    import joblib
    from rich.console import Console
    from rich.progress import Progress

    for name, values, allowed in (
        ("datasets", datasets, DATASETS),
        ("priors", priors, PRIORS),
        ("settings", settings, SETTINGS),
    ):
        unknown = sorted(set(values) - set(allowed))
        if unknown or not values:
            raise ValueError(
                f"{name} must be a non-empty subset of {sorted(allowed)}; got {list(values)}."
            )
    cells_dir = Path(out_dir) / "cells"
    cells_dir.mkdir(parents=True, exist_ok=True)
    grid = cells(datasets, priors, settings)
    todo = [cell for cell in grid if not (cells_dir / f"{cell_key(*cell)}.json").exists()]
    console = Console(file=stream)
    console.print(
        f"{len(grid)} cells: {len(grid) - len(todo)} already stored, {len(todo)} to run",
        highlight=False,
    )
    options = {"seed": seed, "sample": sample, "draws": draws, "tune": tune, "chains": chains}
    tasks = (joblib.delayed(_run_and_store)(cells_dir, *cell, options) for cell in todo)
    start = time.perf_counter()
    client = None
    if scheduler is not None:
        from dask.distributed import Client

        client = Client(scheduler)
    try:
        backend = (
            joblib.parallel_config(backend="dask")
            if client is not None
            else joblib.parallel_config(n_jobs=n_jobs)
        )
        with backend, Progress(console=console, disable=not console.is_terminal) as progress:
            bar = progress.add_task("agreement cells", total=len(todo))
            for key, seconds in joblib.Parallel(return_as="generator_unordered")(tasks):
                progress.update(bar, advance=1, description=f"{key} ({seconds:.1f} s)")
    finally:
        if client is not None:
            client.close()
    wall = time.perf_counter() - start
    return collect(out_dir, grid=grid) + (wall,)


def collect(out_dir, *, grid=None):
    """Assemble the stored cells: ``(agreement table, timings table)`` sorted by cell."""
    cells_dir = Path(out_dir) / "cells"
    files = sorted(cells_dir.glob("*.json"))
    if grid is not None:
        wanted = {f"{cell_key(*cell)}.json" for cell in grid}
        files = [f for f in files if f.name in wanted]
    rows, timings = [], []
    for path in files:
        cell = json.loads(path.read_text())
        rows += cell["rows"]
        timings += [{**t, "cell_seconds": cell["seconds"]} for t in cell["timings"]]
    order = ["dataset", "prior", "setting", "alpha"]
    agreement = pd.DataFrame(rows).sort_values(
        order, ascending=[True, True, True, False], ignore_index=True
    )
    return agreement, pd.DataFrame(timings).sort_values(
        order, ascending=[True, True, True, False], ignore_index=True
    )
