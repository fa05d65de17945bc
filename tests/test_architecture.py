"""The layering holds: checked on the source itself (AST), so a shortcut through a layer fails."""

import ast
from pathlib import Path

import pytest

from regprior import registry
from regprior.spec.priors import PRIOR_FAMILIES

SOURCE = Path(__file__).resolve().parents[1] / "src" / "regprior"
#: Where family names may be code: their own classes (the spec, hierarchical ones included), the
#: table, the backend (which turns families into PyMC's own Normal, Laplace, ...), and the
#: estimator classes' registry keys.
FAMILY_OWNERS = {
    "spec/priors.py",
    "spec/hierarchical.py",
    "registry.py",
    "backend/model.py",
    "backend/hierarchical.py",
    "estimators.py",
    "__init__.py",
}


def modules():
    return sorted(p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*.py"))


def tree(module):
    return ast.parse((SOURCE / module).read_text())


def imported(module, *, full=False) -> set[str]:
    """Top-level packages a module imports (dotted module names with ``full``)."""
    names = set()
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names if full else {name.split(".")[0] for name in names}


def code_strings_and_names(module):
    """String constants that are not docstrings, and every Name / attribute identifier."""
    parsed = tree(module)
    docstrings = set()
    for node in ast.walk(parsed):
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and ast.get_docstring(node, clean=False) is not None
        ):
            docstrings.add(id(node.body[0].value))
    strings = {
        n.value
        for n in ast.walk(parsed)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    }
    names = {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(parsed) if isinstance(n, ast.Attribute)
    }
    return strings, names


@pytest.mark.parametrize("module", [m for m in modules() if m not in FAMILY_OWNERS])
def test_only_the_registry_names_families(module):
    strings, names = code_strings_and_names(module)
    families = set(PRIOR_FAMILIES)
    classes = {cls.__name__ for cls in PRIOR_FAMILIES.values()}
    assert not strings & families, f"{module} dispatches on a family name: {strings & families}"
    assert not names & classes, f"{module} names a prior class: {names & classes}"


@pytest.mark.parametrize(
    "module", [m for m in modules() if m.startswith("spec/") or m == "registry.py"]
)
def test_specification_imports_no_pymc_or_sklearn(module):
    assert not imported(module) & {"pymc", "pytensor", "nutpie", "arviz"}
    # sklearn only for its bundled data sets (load_diabetes), never for a model.
    assert all(
        name.startswith("sklearn.datasets")
        for name in imported(module, full=True)
        if name.startswith("sklearn")
    )


@pytest.mark.parametrize("module", [m for m in modules() if m.startswith("inference/")])
def test_inference_engines_import_no_sklearn(module):
    assert "sklearn" not in imported(module)


def test_only_the_model_builder_creates_a_pymc_model():
    builders = [m for m in modules() if "pm.Model(" in (SOURCE / m).read_text()]
    assert builders == ["backend/model.py"]


@pytest.mark.parametrize("module", [m for m in modules() if m.startswith("cli/")])
def test_the_cli_does_no_numerics(module):
    assert not imported(module) & {"numpy", "scipy", "pandas", "pymc", "sklearn"}


def test_the_cli_is_a_package_of_commands():
    commands = {"compare", "path", "choose", "loo", "report"}
    assert {f"cli/{name}.py" for name in commands} <= set(modules())
    assert "cli.py" not in modules()


def test_every_family_has_a_backend_distribution_and_a_catalogue_entry():
    from regprior.backend.model import PRIOR_DISTRIBUTIONS
    from regprior.catalogue import available_models

    for row in registry.PAIRINGS:
        assert row.family in PRIOR_DISTRIBUTIONS and row.model_name in available_models()


#: Packages our dependencies import when present (SciPy's and dask's array-API probes import
#: ``sparse``, ``cupy``, ``jax``, ``torch``; xarray probes its IO backends): a benchmark script of
#: that name on sys.path is imported in their place. A script once named ``sparse.py`` broke
#: dask's and SciPy's checks throughout the suite.
OPTIONALLY_IMPORTED = {
    "sparse",
    "cupy",
    "jax",
    "torch",
    "dask",
    "distributed",
    "h5py",
    "h5netcdf",
    "netCDF4",
    "zarr",
    "cftime",
    "bottleneck",
    "numbagg",
    "pyarrow",
    "matplotlib",
    "numba",
}


def test_no_benchmark_script_shadows_a_package():
    """tests/test_suite.py puts benchmarks/ on sys.path (its harness lives there): no script may be
    named like an installed package or one our dependencies import when present."""
    import sys
    from importlib.machinery import PathFinder

    benchmarks = SOURCE.parents[1] / "benchmarks"
    elsewhere = [
        entry for entry in sys.path if Path(entry or ".").resolve() != benchmarks.resolve()
    ]
    # PathFinder searches the given entries only (not sys.modules, where test_suite.py's import of
    # the harness already sits), so a script is found only if something else has its name.
    clashes = [
        script.name
        for script in sorted(benchmarks.glob("*.py"))
        if script.stem in OPTIONALLY_IMPORTED
        or PathFinder.find_spec(script.stem, elsewhere) is not None
    ]
    assert not clashes
