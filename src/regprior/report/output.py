"""Write comparison results to a folder all at once: every file or none."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["json_safe", "comparisons_to_json", "comparisons_to_csv", "comparisons_to_markdown", "write_outputs"]


def json_safe(value):
    """Replace non-finite floats by None (JSON has no NaN), recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def comparisons_to_json(comparisons: dict, *, data) -> str:
    """``{"regprior_version", "data", "comparisons": [...]}``; non-finite numbers become null."""
    from regprior import __version__

    document = {
        "regprior_version": __version__,
        "data": {"name": data.name, "n_samples": data.n_samples, "n_features": data.n_features},
        "comparisons": [{"model": name, **c.to_dict()} for name, c in comparisons.items()],
    }
    return json.dumps(json_safe(document), indent=2, allow_nan=False)


def comparisons_to_csv(comparisons: dict) -> str:
    """One row per (model, coefficient), with the mapping and the verdict repeated on each row."""
    frames = []
    for name, c in comparisons.items():
        frame = c.table.reset_index()
        frame.insert(0, "model", name)
        frame.insert(1, "prior", repr(c.prior))
        frame.insert(2, "alpha", c.alpha)
        frame.insert(3, "noise_sigma", c.likelihood.noise_sigma)
        frame["passed"] = c.verdict.passed
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).to_csv(index=False)


def comparisons_to_markdown(comparisons: dict) -> str:
    return "\n".join(c.to_markdown() for c in comparisons.values())


def write_outputs(out_dir, files: dict[str, object]) -> list[Path]:
    """Write ``{filename: str | callable(path)}`` into ``out_dir`` atomically per run.

    Everything is first written to a temporary folder beside ``out_dir``; only when every
    file is complete are they moved in (``os.replace``, atomic per file). A failure while
    writing leaves ``out_dir`` untouched.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, content in files.items():
            target = staging / name
            if callable(content):
                content(target)
            else:
                target.write_text(content)
        out_dir.mkdir(exist_ok=True)
        written = []
        for name in files:
            os.replace(staging / name, out_dir / name)
            written.append(out_dir / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
