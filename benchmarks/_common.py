"""Helpers shared by the benchmark scripts: environment stamp and table writing."""

from __future__ import annotations

import datetime
import os
import platform
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd


def environment() -> str:
    """One line naming the date, machine and library versions of a benchmark run."""
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("pymc", "pytensor", "nutpie", "arviz", "scikit-learn", "numpy")
    )
    return (
        f"{datetime.date.today().isoformat()}, {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {versions}"
    )


def timed(function, repeats: int):
    """``(median seconds over repeats, the last result)`` of ``function()``."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def write_table(
    frame: pd.DataFrame,
    out_dir: Path,
    stem: str,
    *,
    title: str,
    notes: list[str],
    floatfmt: str = ".3g",
) -> None:
    """``stem.csv`` (the frame) and ``stem.md``
    (title, environment, notes, table; floats as ``floatfmt``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_dir / f"{stem}.csv", index=False)
    lines = [f"# {title}", "", f"Run: {environment()}", ""]
    lines += [f"- {note}" for note in notes]
    lines += ["", frame.to_markdown(index=False, floatfmt=floatfmt), ""]
    (out_dir / f"{stem}.md").write_text("\n".join(lines))
