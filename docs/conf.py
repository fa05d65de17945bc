"""Sphinx configuration of regprior's documentation site (built offline: nothing is fetched)."""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import regprior  # noqa: E402

project = "regprior"
author = "the regprior developers"
copyright = "2026, the regprior developers"
release = regprior.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.doctest",
    "numpydoc",
    "myst_parser",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "cli_help",
    "public_aliases",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "generated/backreferences",
    "Thumbs.db",
    ".DS_Store",
    "examples/README.rst",
    "check_site.py",
]
templates_path = ["_templates"]

# -- offline: no intersphinx, no fetched assets --------------------------------------------------
# intersphinx is off: the build must not touch the network. Third-party names that appear in
# signatures or docstrings are therefore listed in nitpick_ignore below.
nitpicky = True

# -- MyST -----------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3


def _local_mathjax() -> str | None:
    """MathJax 3 (SVG output, one self-contained file) from the django-static-mathjax wheel.

    The docs extra installs it, so formulas are typeset from the site's own _static folder and
    a page read offline needs no CDN. The file is copied into docs/_build (never committed).
    Without the package, None: Sphinx then links MathJax's CDN.
    """
    import importlib.util
    import shutil

    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        return None
    source = Path(spec.submodule_search_locations[0]) / "static/mathjax/es5/tex-svg.js"
    if not source.is_file():
        return None
    target = DOCS / "_build/_mathjax/mathjax/tex-svg.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return str(target.parent.parent)


# -- autodoc / autosummary / numpydoc -------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # types are in the numpydoc Parameters sections
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- sphinx-gallery -------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "download_all_examples": True,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "show_memory": False,
    "min_reported_time": 0,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("regprior",),
    "inspect_global_variables": False,
    "capture_repr": ("_repr_html_", "__repr__"),
}

html_static_path = []
if (_mathjax_static := _local_mathjax()) is not None:
    html_static_path.append(_mathjax_static)
    mathjax_path = "mathjax/tex-svg.js"

# -- HTML -----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"regprior {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 8,
    "navbar_align": "left",
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
# Pages without sub-pages have nothing to list in the primary sidebar.
html_sidebars = {
    page: []
    for page in ("index", "getting_started", "specification", "cli", "benchmarks", "changelog")
}
html_show_sourcelink = False
html_last_updated_fmt = None

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- nitpicky: third-party names with no inventory offline ---------------------------------------
# Without intersphinx, a reference to another project's object cannot resolve. Signatures carry
# no types (autodoc_typehints = "none": the numpydoc sections give them as text), so only the
# explicit references of docstrings are listed here, each one by name.
nitpick_ignore = [
    # BayesianRegressor's docstring: the scikit-learn estimator it mirrors.
    ("py:class", "sklearn.linear_model.BayesianRidge"),
]


# -- scikit-learn's generated members -------------------------------------------------------------
# set_*_request and get_metadata_routing are added to every estimator by scikit-learn's metadata
# routing; their docstrings are scikit-learn's and point into its own site.
SKLEARN_GENERATED = ("get_metadata_routing", "set_output")


def _skip_sklearn_generated(app, what, name, obj, skip, options):
    if name in SKLEARN_GENERATED or (name.startswith("set_") and name.endswith("_request")):
        return True
    return None


# -- executed docstring examples ------------------------------------------------------------------
# The Examples sections of these modules run at every build; a failing example is a warning,
# which -W turns into a failed build.
DOCTEST_MODULES = ("regprior.spec.mapping", "regprior.registry", "regprior.api")


def _run_docstring_examples(app):
    import doctest
    import importlib
    import io

    from sphinx.util import logging

    logger = logging.getLogger("regprior.doctest")
    for name in DOCTEST_MODULES:
        module = importlib.import_module(name)
        finder, output = doctest.DocTestFinder(), io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
        for test in finder.find(module, name):
            runner.run(test, out=output.write)
        result = runner.summarize(verbose=False)
        if result.failed:
            logger.warning(
                "%s: %d of %d docstring examples failed:\n%s",
                name,
                result.failed,
                result.attempted,
                output.getvalue(),
            )
        else:
            logger.info("%s: %d docstring examples passed", name, result.attempted)


def _numpydoc_warnings_are_sphinx_warnings():
    """numpydoc reports a section it drops (``Unknown section ...``) as a Python UserWarning,
    which -W does not see; logged as a Sphinx warning, it fails the build."""
    import warnings

    from sphinx.util import logging

    logger = logging.getLogger("numpydoc")
    previous = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if "numpydoc" in str(filename):
            logger.warning("numpydoc: %s", message)
        else:
            previous(message, category, filename, lineno, file, line)

    warnings.showwarning = showwarning


def setup(app):
    _numpydoc_warnings_are_sphinx_warnings()
    app.connect("autodoc-skip-member", _skip_sklearn_generated)
    app.connect("builder-inited", _run_docstring_examples)
