"""A command's files: figures drawn headless, the HTML report, written atomically to ``--out``."""

from __future__ import annotations

import sys
from pathlib import Path

#: The HTML report of a run (see regprior.report.html).
REPORT_NAME = "report.html"
#: Resolution of the PNG figures.
FIGURE_DPI = 110


def figure_writer(draw):
    """A file writer that draws a figure headless (Agg), saves it and closes it."""

    def write(path):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        draw().savefig(path, dpi=FIGURE_DPI)
        plt.close("all")

    return write


def figure_bytes(draw) -> bytes:
    """A figure drawn headless (Agg), as PNG bytes (``savefig`` takes a path: a temporary one)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figure.png"
        figure_writer(draw)(path)
        return path.read_bytes()


def report_writer(out):
    """A writer of ``report.html`` from the files already staged beside it (titled by ``out``)."""

    def write(path) -> None:
        from regprior.report.html import render_report

        path.write_text(render_report(path.parent, name=Path(out).name))

    return write


def write_run(out, files: dict) -> None:
    """Write ``files`` and the report (last: it reads the files staged before it) into ``out``."""
    from regprior.report.output import write_outputs

    written = write_outputs(out, {**files, REPORT_NAME: report_writer(out)})
    print(f"wrote {len(written)} files to {out}", file=sys.stderr)
