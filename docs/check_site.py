"""Render the built site in headless Chromium and check that it shows what it should.

Usage: ``python docs/check_site.py [docs/_build/html] [--screenshots DIR]``.

For the home page and one gallery page: Chromium renders the page (a screenshot, and the DOM
after its scripts ran); the check fails if the screenshot is blank, if the page's title is
missing from the DOM, or if the page holds no figure: an ``<img>`` of the site's own ``_images``
whose file exists and decodes to a picture that is not blank either. Exit status 0 when every
check passed, 1 otherwise, 2 when no Chromium is installed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

#: (page, text its title must contain, a figure it must embed: a regex on the img src)
PAGES = [
    ("index.html", "regprior", r"_images/shrinkage_forest\.png"),
    (
        "auto_examples/plot_02_lasso_laplace_prior.html",
        "Lasso and the Laplace prior",
        r"_images/sphx_glr_plot_02_lasso_laplace_prior_\d+\.png",
    ),
]
#: A blank page or figure is one colour: its pixel standard deviation is ~0. Rendered text and
#: plots on white measure 20-60.
MIN_PIXEL_STD = 10.0
WINDOW = "1280,900"
TIMEOUT = 120  # seconds per Chromium call; a first start on a cold machine takes ~10 s


def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def chromium(binary: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with nothing fetched in the background, in a throwaway profile."""
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW}",
            "--virtual-time-budget=5000",
        ]
        return subprocess.run(
            [binary, *flags, *arguments],
            check=True,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )


def pixel_std(path: Path) -> float:
    return float(np.asarray(Image.open(path).convert("RGB"), dtype=float).std())


def check_page(binary: str, site: Path, page: str, title: str, figure: str, shots: Path) -> list:
    """The problems of one page (empty when it renders as it should)."""
    problems = []
    html = (site / page).resolve()
    if not html.is_file():
        return [f"{page}: not built"]
    shot = shots / (Path(page).stem + ".png")
    chromium(binary, f"--screenshot={shot}", html.as_uri())
    if not shot.is_file():
        problems.append(f"{page}: Chromium wrote no screenshot")
    elif (std := pixel_std(shot)) < MIN_PIXEL_STD:
        problems.append(f"{page}: the rendered page is blank (pixel sd {std:.1f})")
    dom = chromium(binary, "--dump-dom", html.as_uri()).stdout
    found = re.search(r"<title>(.*?)</title>", dom, flags=re.S)
    if found is None or title not in found.group(1):
        problems.append(f"{page}: title without {title!r}: {found and found.group(1)!r}")
    sources = re.findall(r'<img[^>]*\bsrc="([^"]+)"', dom)
    figures = [src for src in sources if re.search(figure, src)]
    if not figures:
        problems.append(f"{page}: no figure matching {figure!r} among {len(sources)} images")
    for src in figures:
        image = (html.parent / src).resolve()
        if not image.is_file():
            problems.append(f"{page}: figure {src} is missing from the site")
        elif (std := pixel_std(image)) < MIN_PIXEL_STD:
            problems.append(f"{page}: figure {src} is blank (pixel sd {std:.1f})")
    print(
        f"{page}: title {found.group(1).strip()!r}, {len(figures)} figure(s), screenshot {shot}"
        if found
        else f"{page}: rendered"
    )
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="docs/_build/html", type=Path)
    parser.add_argument("--screenshots", type=Path, help="keep the screenshots in this folder")
    args = parser.parse_args(argv)
    binary = browser()
    if binary is None:
        print("check_site: no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        shots = args.screenshots or Path(scratch)
        shots.mkdir(parents=True, exist_ok=True)
        problems = []
        for page, title, figure in PAGES:
            problems += check_page(binary, args.site, page, title, figure, shots)
    for problem in problems:
        print(f"check_site: {problem}", file=sys.stderr)
    failing = {problem.split(":")[0] for problem in problems}
    print(f"check_site: {len(PAGES) - len(failing)} of {len(PAGES)} pages render as they should")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
