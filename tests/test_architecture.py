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
    "backend/distributions.py",
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
    from regprior.backend.distributions import PRIOR_DISTRIBUTIONS
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


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """regprior module -> the regprior modules it imports, at module level or inside functions."""
    modules_by_name = {_module_name(p): p for p in SOURCE.rglob("*.py")}
    graph = {}
    for name, path in modules_by_name.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules_by_name else node.module)
        graph[name] = {t for t in targets if t in modules_by_name and t != name}
    return graph


def test_no_import_cycle_anywhere_in_the_package():
    """Lazy imports inside functions count too: a cycle through them is still a tangle."""
    graph = import_graph()
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, f"import cycles: {cycles}"


#: Where likelihood families may be named in code: their classes, the tables that pair them
#: (registry, backend), the estimator classes' keys and the package's exports.
LIKELIHOOD_OWNERS = {
    "spec/likelihoods.py",
    "spec/hierarchical.py",
    "spec/data.py",
    "registry.py",
    "backend/distributions.py",
    "estimators.py",
    "bayesian_estimator.py",
    "__init__.py",
}


@pytest.mark.parametrize("module", [m for m in modules() if m not in LIKELIHOOD_OWNERS])
def test_only_the_specification_and_its_tables_name_likelihoods(module):
    from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES

    strings, names = code_strings_and_names(module)
    families = set(LIKELIHOOD_FAMILIES)
    classes = {cls.__name__ for cls in LIKELIHOOD_FAMILIES.values()}
    assert not strings & families, f"{module} dispatches on a likelihood name: {strings & families}"
    assert not names & classes, f"{module} names a likelihood class: {names & classes}"


def test_one_table_of_full_bayes_kinds():
    """The backend declares exactly the kinds the specification defines;
    the catalogue reads them."""
    from regprior.backend.hierarchical import FULL_BAYES_DECLARATIONS
    from regprior.catalogue import full_bayes_models
    from regprior.spec.hierarchical import FULL_BAYES_KINDS

    assert set(FULL_BAYES_DECLARATIONS) == set(FULL_BAYES_KINDS)
    assert {spec.kind for spec in full_bayes_models().values()} <= set(FULL_BAYES_KINDS)
    for module in modules():
        strings, _ = code_strings_and_names(module)
        owners = {"spec/hierarchical.py", "backend/hierarchical.py"}
        if module not in owners | {"spec/sparse.py", "backend/sparse.py"}:
            assert not strings & set(FULL_BAYES_KINDS), f"{module} names a full-Bayes kind"
