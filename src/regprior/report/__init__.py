"""Report layer: tables, plots and the one atomic writer (draw and write; never compute)."""
