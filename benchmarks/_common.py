"""Helpers shared by the benchmark scripts: environment stamp, table writing, synthetic data
and fresh processes."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import tempfile
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


#: The first lines of a script run by :func:`fresh_process`: the imports, and
#: ``data = synthetic(n, p, 3)`` with ``n`` and ``p`` filled in by ``str.format``.
FRESH_PRELUDE = f"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {str(Path(__file__).parent)!r})
import regprior as rp
from _common import synthetic
data = synthetic({{n}}, {{p}}, 3)
"""


def synthetic(n, p, seed):
    """Standard-normal ``n x p`` columns, ten effects from 3 to -3, unit noise, seeded."""
    import regprior as rp

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    coef = np.zeros(p)
    coef[:10] = np.linspace(3, -3, 10)
    return rp.RegressionData(X, X @ coef + rng.standard_normal(n), name=f"{n}x{p}")


def fresh_process(script: str, *, empty_caches: bool = True) -> str:
    """The last line ``script`` prints, run in a new interpreter; with ``empty_caches``, with
    empty caches: PyTensor's compiledir, numba's cache, matplotlib's config and font cache
    (rebuilt on first import), the XDG cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ)
        if empty_caches:
            env.update(
                NUMBA_CACHE_DIR=cache,
                PYTENSOR_FLAGS=f"compiledir={cache}/pytensor",
                MPLCONFIGDIR=f"{cache}/matplotlib",
                XDG_CACHE_HOME=f"{cache}/xdg",
            )
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
    return done.stdout.strip().splitlines()[-1]
