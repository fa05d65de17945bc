"""Command line: ``regprior compare``, ``regprior path`` and ``regprior choose`` parse, call the API, print and write (no numerics)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from regprior import registry

__all__ = ["main"]

FORMATS = ("table", "markdown", "csv", "json")
#: The HTML report of a compare run (see regprior.report.html).
REPORT_NAME = "report.html"
#: Ways of choosing the strength by name (``--alpha``): cross-validation (and its 1-SE rule),
#: evidence, full Bayes.
ALPHA_CHOICES = ("cv", "1se", "eb", "bayes")


def _add_data_options(command) -> None:
    """Options shared by every subcommand: data, noise sigma, intercept, sampler, output."""
    command.add_argument(
        "--data",
        help="an embedded data set (diabetes, breast_cancer: bundled with sklearn; poisson_counts: seeded synthetic) "
        "or a CSV file (default: the likelihood's example: diabetes, breast_cancer or poisson_counts)",
    )
    command.add_argument(
        "--likelihood",
        choices=registry.likelihood_families(),
        default=None,
        help="gaussian (Ridge, Lasso, ElasticNet), bernoulli (LogisticRegression) or poisson (PoissonRegressor) "
        "(default: gaussian, or the --model's)",
    )
    command.add_argument("--target", help="target column of the CSV (default: its last column)")
    command.add_argument("--weights", help="sample-weight column of the CSV")
    command.add_argument(
        "--prior",
        choices=(*registry.prior_families(), "both", "all"),
        default="both",
        help=f"prior family; 'both' = {' and '.join(registry.SEED_FAMILIES)}, 'all' = every family (default: both)",
    )
    command.add_argument(
        "--l1-ratio",
        type=float,
        help="sklearn's l1_ratio of the elastic net, in (0, 1) (default: the model's, 0.5)",
    )
    command.add_argument(
        "--prior-mu", type=float, default=0.0, help="prior centre of every weight (default: 0)"
    )
    command.add_argument(
        "--noise-sigma",
        type=float,
        help="known noise sd of the gaussian likelihood (default: least-squares residual sd)",
    )
    command.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    command.add_argument("--draws", type=int, help="draws per chain (default: the model's, 1000)")
    command.add_argument(
        "--tune", type=int, help="tuning steps per chain (default: the model's, 1000)"
    )
    command.add_argument("--chains", type=int, help="number of chains (default: the model's, 4)")
    command.add_argument("--seed", type=int, help="random seed (default: the model's, 0)")
    command.add_argument(
        "--format", choices=FORMATS, default="table", help="what to print (default: table)"
    )
    verbosity = command.add_mutually_exclusive_group()
    verbosity.add_argument(
        "--quiet", action="store_true", help="print the verdict lines only, no progress"
    )
    verbosity.add_argument(
        "--verbose", action="store_true", help="print every column of the tables"
    )


class _ArgumentParser(argparse.ArgumentParser):
    """argparse with the CLI's error contract: one line on stderr, exit status 2 (no usage block)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="regprior", description="Bayesian priors vs scikit-learn's penalised regression."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser(
        "compare",
        help="MAP and NUTS posterior of a prior vs its sklearn counterpart (Ridge / Lasso)",
        description=(
            "Fit sklearn's Ridge/Lasso and the matching Bayesian model through the exact map "
            "alpha <-> prior scale; print the per-coefficient table and a verdict. Exit status: "
            "0 all verdicts passed, 1 a verdict failed, 2 bad input."
        ),
    )
    _add_data_options(compare)
    compare.add_argument(
        "--model",
        action="append",
        metavar="NAME|PATH",
        help="catalogued model (ridge, lasso, elasticnet) or a .toml spec; repeatable; overrides --prior",
    )
    compare.add_argument(
        "--alpha",
        help="sklearn's alpha: a number, 'cv' (the default: sklearn's CV estimator of the pair), '1se' "
        "(the CV estimator's 1-SE rule: the strongest penalty within one SE of the best CV error), 'eb' "
        "(evidence maximisation, normal prior: alpha and noise sigma of BayesianRidge with zero hyperpriors) or 'bayes' "
        "(posterior medians of the implied alpha and of sigma under a learnt-scale prior, NUTS; normal and laplace); "
        "several, comma-separated (cv,1se), compare each model once per way",
    )
    compare.add_argument(
        "--C", dest="C", type=float, help="LogisticRegression's C (bernoulli likelihood)"
    )
    compare.add_argument(
        "--prior-scale",
        type=float,
        help="Normal sd, or Laplace scale (also of the elastic net's Laplace factor)",
    )
    compare.add_argument(
        "--prior-sigma",
        type=float,
        help="sd of the elastic net's Normal factor (with --prior-scale)",
    )
    compare.add_argument(
        "--lambda",
        dest="lam",
        type=float,
        help="the blog post's lambda = 1/(2 sd^2) (normal prior, elastic net)",
    )
    compare.add_argument(
        "--rate", type=float, help="the blog post's b = 1/scale (laplace prior, elastic net)"
    )
    compare.add_argument(
        "--no-sample",
        action="store_true",
        help="skip NUTS: point estimates (and the exact posterior) only",
    )
    compare.add_argument(
        "--jobs",
        type=int,
        help="processes for the models (default: one per prior family, at most one per CPU): each compiles its own "
        "sampler, so two families compile side by side; 1 runs everything here, in order",
    )
    compare.add_argument(
        "--out",
        type=Path,
        help="folder for comparison.{md,csv,json}, posterior_<model>.nc and .png",
    )
    path = commands.add_parser(
        "path",
        help="MAP path over an alpha grid (one compile) vs sklearn's path, with optional posteriors",
        description=(
            "Solve the MAP at every alpha of a grid on one compiled model and compare it with "
            "sklearn's lasso_path / Ridge, alpha by alpha. Exit status: 0 agreement at every "
            "alpha, 1 a disagreement, 2 bad input."
        ),
    )
    _add_data_options(path)
    path.add_argument("--n-alphas", type=int, default=50, help="grid length (default: 50)")
    path.add_argument(
        "--eps",
        type=float,
        help="smallest alpha / largest (default: lasso 1e-3; ridge spans its eigenvalues)",
    )
    path.add_argument(
        "--posterior-alphas",
        type=int,
        default=0,
        help="sample NUTS at this many grid alphas (default: 0)",
    )
    path.add_argument(
        "--out",
        type=Path,
        help="folder for path_<prior>.{md,csv,png} and posterior_path_<prior>.csv",
    )
    choose = commands.add_parser(
        "choose",
        help="alpha by cross-validation, by evidence maximisation and by full Bayes, side by side (gaussian likelihood)",
        description=(
            "RidgeCV / LassoCV curves with their alpha and the 1-SE alpha, the type-II ML alpha of the Normal prior, and "
            "the posterior of the implied alpha under learnt-scale and Park & Casella models (NUTS). Exit status: 0 done, "
            "1 a full-Bayes sampler was unhealthy (flagged in the table), 2 bad input."
        ),
    )
    choose.add_argument(
        "--data", default="diabetes", help="an embedded data set or a CSV file (default: diabetes)"
    )
    choose.add_argument("--target", help="target column of the CSV (default: its last column)")
    for flag, default in (("--draws", 1000), ("--tune", 1000), ("--chains", 4), ("--seed", 0)):
        choose.add_argument(
            flag, type=int, default=default, help=f"NUTS setting (default: {default})"
        )
    choose.add_argument(
        "--format", choices=FORMATS, default="table", help="what to print (default: table)"
    )
    choose.add_argument(
        "--out",
        type=Path,
        help="folder for alpha_choice.{md,csv,png} and alpha_choice_coefficients.{md,csv}",
    )
    loo = commands.add_parser(
        "loo",
        help="PSIS-LOO of every prior (fixed at the CV alpha, and learnt) with the sklearn counterparts' LOO-CV beside",
        description=(
            "Fit each prior family at its sklearn counterpart's CV strength and, for the gaussian likelihood, the "
            "learnt-scale Normal and Laplace and Park & Casella's Bayesian lasso; compare them by ArviZ's PSIS-LOO "
            "(stacking weights, Pareto-k flagged), with each counterpart's exact leave-one-out log predictive density. "
            "Exit status: 0 no flags, 1 a Pareto k above its threshold (0.7 from 2154 draws on) or an unhealthy sampler "
            "(flagged in the table), 2 bad input."
        ),
    )
    _add_data_options(loo)
    loo.set_defaults(prior="all")
    loo.add_argument(
        "--no-full-bayes", action="store_true", help="fixed priors only (no learnt-scale models)"
    )
    loo.add_argument(
        "--no-cv", action="store_true", help="skip the sklearn counterparts' leave-one-out refits"
    )
    loo.add_argument("--out", type=Path, help="folder for loo.{md,csv} and loo_compare.png")
    report = commands.add_parser(
        "report",
        help="rebuild the self-contained report.html of a run from its files",
        description=(
            "Read the --out folder of compare, path, choose or loo (comparison.json, path_*.csv, "
            "alpha_choice.csv, loo.csv and the figures; files of several commands in one folder make one "
            "report) and write DIR/report.html, every figure embedded. Exit status: 0 written, 2 not a run folder."
        ),
    )
    report.add_argument(
        "run_dir", type=Path, metavar="DIR", help="the --out folder of a regprior command"
    )
    return parser


def _sampler_settings(args, defaults: dict) -> dict:
    from regprior._validation import check_sampling_args

    settings = {"draws": 1000, "tune": 1000, "chains": 4, "random_seed": 0, **defaults}
    for key, value in (
        ("draws", args.draws),
        ("tune", args.tune),
        ("chains", args.chains),
        ("random_seed", args.seed),
    ):
        if value is not None:
            settings[key] = value
    check_sampling_args(**{k: settings[k] for k in ("draws", "tune", "chains", "random_seed")})
    return settings


def _check_out(out) -> None:
    """``--out`` must be a folder that can be written, checked before any work (not at write time)."""
    import os

    if out is None:
        return
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} exists and is not a folder.")
    # The first existing ancestor: write_outputs creates the missing folders below it.
    ancestor = out.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValueError(
            f"--out {str(out)!r} cannot be created: {str(ancestor)!r} is a file, not a folder."
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(
            f"--out {str(out)!r} cannot be written: no write permission in {str(ancestor)!r}."
        )


def _families(args, likelihood: str) -> tuple[str, ...]:
    available = registry.prior_families(likelihood)
    both = tuple(f for f in registry.SEED_FAMILIES if f in available)
    return {"both": both, "all": available}.get(args.prior, (args.prior,))


def _load(args, likelihood_family: str, fit_intercept: bool):
    """The data and the likelihood (the Gaussian's noise sigma resolved), checked together."""
    from regprior.spec.data import load_data
    from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES, Gaussian

    cls = LIKELIHOOD_FAMILIES[likelihood_family]
    data = load_data(args.data or cls.example_data, target=args.target, weights=args.weights)
    if cls is Gaussian:
        likelihood = Gaussian.resolve(data, args.noise_sigma, fit_intercept=fit_intercept)
    else:
        if args.noise_sigma is not None:
            raise ValueError(
                f"--noise-sigma applies to the gaussian likelihood only; got it with --likelihood {likelihood_family}."
            )
        likelihood = cls()
    likelihood.check_target(data.y)
    return data, likelihood


def _fixed_strength(args, row, defaults: dict) -> dict:
    """The pair's fixed strength parameters: the model's defaults, overridden by flags."""
    fixed = {k: v for k, v in defaults.items() if k in row.strength}
    if args.l1_ratio is not None:
        if "l1_ratio" not in row.strength:
            raise ValueError(
                f"--l1-ratio does not apply to the {row.family} prior: {row.estimator} has no l1_ratio."
            )
        fixed["l1_ratio"] = args.l1_ratio
    return fixed


def _strength(args) -> dict:
    """The strength flags as the registry's three ways: sklearn, parameters, blog (empty if none)."""
    alpha = (
        None
        if args.alpha in (None, *ALPHA_CHOICES)
        else _number(
            args.alpha,
            "--alpha",
            "a number, 'cv', '1se', 'eb' or 'bayes' (or a comma-separated list)",
        )
    )
    sklearn = {
        k: v for k, v in (("alpha", alpha), ("C", getattr(args, "C", None))) if v is not None
    }
    ways = {
        "sklearn": sklearn,
        "parameters": {
            k: v
            for k, v in (("scale", args.prior_scale), ("sigma", args.prior_sigma))
            if v is not None
        },
        "blog": {k: v for k, v in (("lam", args.lam), ("rate", args.rate)) if v is not None},
    }
    given = {k: v for k, v in ways.items() if v}
    if len(given) > 1:
        flags = {
            "sklearn": "--alpha/--C",
            "parameters": "--prior-scale/--prior-sigma",
            "blog": "--lambda/--rate",
        }
        raise ValueError(f"give the strength one way; got {' and '.join(flags[k] for k in given)}.")
    return given


def _number(text: str, flag: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{flag} must be {expected}; got {text!r}.") from None


def _evidence_runs(args, specs, data):
    """``--alpha eb``: the Normal prior and noise sigma at the evidence maximum (closed form)."""
    from regprior.inference import type2_ml
    from regprior.spec.likelihoods import Gaussian

    for spec in specs:
        if not registry.pairing(spec.prior, spec.likelihood).conjugate:
            raise ValueError(
                f"--alpha eb (evidence maximisation) is defined for the normal prior with a gaussian likelihood; "
                f"got the {spec.prior} prior with a {spec.likelihood} likelihood."
            )
    if args.prior_mu != 0 or args.noise_sigma is not None:
        raise ValueError(
            "--alpha eb learns the noise sigma and uses a prior centred at 0: drop --noise-sigma and --prior-mu."
        )
    evidence = type2_ml(data, fit_intercept=not args.no_intercept)
    likelihood = Gaussian(evidence.noise_sigma, f"type-II ML ({evidence.n_iter} iterations)")
    return (
        likelihood,
        registry.prior_from_evidence(evidence.weight_precision),
        "type-II ML (evidence maximum = BayesianRidge, zero hyperpriors)",
    )


def _prepare(args):
    """Everything that can fail on bad input, before any model is compiled.

    ``--alpha`` may list several ways (``cv,1se``): each model then runs once per way, the
    first under its own name, the others as ``<model>_<way>``.
    """
    import argparse

    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be an integer >= 1; got {args.jobs}.")
    ways = [way.strip() for way in args.alpha.split(",")] if args.alpha else [None]
    if len(ways) != len(set(ways)) or "" in ways:
        raise ValueError(f"--alpha lists each way once, separated by commas; got {args.alpha!r}.")
    data, runs = None, {}
    for index, way in enumerate(ways):
        data, these = _prepare_one(argparse.Namespace(**{**vars(args), "alpha": way}))
        runs.update({(name if index == 0 else f"{name}_{way}"): run for name, run in these.items()})
    return data, runs


def _prepare_one(args):
    from regprior.catalogue import load_model_spec, spec_for_family
    from regprior.checks.sklearn import prior_by_cross_validation

    _check_out(args.out)
    if args.model:
        specs = [load_model_spec(name) for name in args.model]
        likelihoods = {spec.likelihood for spec in specs} | (
            {args.likelihood} if args.likelihood else set()
        )
        if len(likelihoods) > 1:
            raise ValueError(
                f"the models and --likelihood name different likelihoods {sorted(likelihoods)}; compare one at a time."
            )
        likelihood_family = likelihoods.pop()
    else:
        likelihood_family = args.likelihood or registry.likelihood_families()[0]
        specs = [
            spec_for_family(family, likelihood_family)
            for family in _families(args, likelihood_family)
        ]
    strength = _strength(args)
    fit_intercept = not args.no_intercept
    data, likelihood = _load(args, likelihood_family, fit_intercept)
    evidence = _evidence_runs(args, specs, data) if args.alpha == "eb" else None
    if evidence is not None:
        likelihood = evidence[0]
    if args.alpha == "bayes":
        _check_bayes_runs(args, specs)
    runs = {}
    for spec in specs:
        row = registry.pairing(spec.prior, spec.likelihood)
        fixed = _fixed_strength(args, row, spec.fixed_strength)
        run_likelihood = likelihood
        if evidence is not None:
            _, prior, source = evidence
        elif args.alpha == "bayes":
            prior, source = None, "bayes"  # sampled in _run_compare, after every input is checked
        elif strength:
            way, values = next(iter(strength.items()))
            values = {**values, **fixed} if way == "sklearn" else values
            prior = registry.make_prior(
                row.prior,
                likelihood=likelihood,
                weight_sum=data.weight_sum,
                mu=args.prior_mu,
                **{way: values},
            )
            source = "given"
        else:
            prior, source = prior_by_cross_validation(
                data,
                row.prior,
                likelihood,
                fit_intercept=fit_intercept,
                mu=args.prior_mu,
                fixed=fixed,
                one_se=args.alpha == "1se",
            )
        defaults = spec.run_defaults
        spec_intercept = defaults.pop("fit_intercept", True)
        settings = _sampler_settings(args, defaults)
        settings["fit_intercept"] = spec_intercept and fit_intercept
        runs[spec.name] = _Run(spec.prior, prior, run_likelihood, source, settings)
    return data, runs


#: Resolution of the PNG figures.
FIGURE_DPI = 110


@dataclass
class _Run:
    """One model of ``regprior compare``: its prior (None until sampled for ``--alpha bayes``) and settings."""

    family: str
    prior: object
    likelihood: object
    source: str
    settings: dict


def _check_bayes_runs(args, specs) -> None:
    """``--alpha bayes``: a learnt-scale version of every prior, with sigma learnt and a zero centre."""
    for spec in specs:
        if spec.likelihood != "gaussian" or spec.prior not in registry.SEED_FAMILIES:
            raise ValueError(
                f"--alpha bayes (learnt prior scale) is defined for the {' and '.join(registry.SEED_FAMILIES)} "
                f"priors with a gaussian likelihood; got the {spec.prior} prior with a {spec.likelihood} likelihood."
            )
    if args.prior_mu != 0 or args.noise_sigma is not None:
        raise ValueError(
            "--alpha bayes learns the noise sigma and uses a prior centred at 0: drop --noise-sigma and --prior-mu."
        )


def _bayes_prior(data, family, settings):
    """The prior and plug-in likelihood at the full-Bayes alpha (posterior medians of alpha and sigma)."""
    from regprior.checks.alpha_choice import bayes_alpha
    from regprior.spec.likelihoods import Gaussian

    sampler = {k: settings[k] for k in ("draws", "tune", "chains", "random_seed")}
    choice = bayes_alpha(data, family, fit_intercept=settings["fit_intercept"], **sampler)
    likelihood = Gaussian(choice.noise_sigma, "posterior median of sigma (learnt-scale model)")
    row = registry.pairing(family, "gaussian")
    prior = registry.make_prior(
        row.prior,
        likelihood=likelihood,
        weight_sum=data.weight_sum,
        sklearn={"alpha": choice.alpha},
    )
    return prior, likelihood, choice.describe()


def _run_compare(args) -> int:
    if _may_use_processes(args):
        _start_fork_server()  # it imports PyMC while this process loads the data and runs the CV
    from regprior.report.output import write_outputs
    from regprior.report.plots import plot_forest_comparison
    from regprior.report.tables import (
        comparisons_to_csv,
        comparisons_to_json,
        comparisons_to_markdown,
    )
    from regprior.report.terminal import make_console, print_comparisons, progress

    data, runs = _prepare(args)
    groups = _groups_by_family(runs)
    jobs = _jobs(args, len(groups))
    options = {"sample": not args.no_sample, "render": args.out is not None}
    with progress(make_console(stderr=True), enabled=not args.quiet) as status:
        if jobs == 1:
            comparisons, posterior_files = _compare_runs(data, runs, status=status, **options)
        else:
            status(
                f"{', '.join(runs)}: compiling and sampling in {jobs} processes, one per prior family"
            )
            comparisons, posterior_files = _compare_in_processes(
                data, runs, groups, jobs, **options
            )
    if args.format == "table":
        print_comparisons(
            comparisons, make_console(), verbosity=0 if args.quiet else 2 if args.verbose else 1
        )
    printers = {
        "table": lambda: None,
        "markdown": lambda: comparisons_to_markdown(comparisons),
        "csv": lambda: comparisons_to_csv(comparisons),
        "json": lambda: comparisons_to_json(comparisons, data=data),
    }
    if args.format != "table":
        print(printers[args.format]())
    if args.out is not None:
        files = {
            "comparison.md": comparisons_to_markdown(comparisons),
            "comparison.csv": comparisons_to_csv(comparisons),
            "comparison.json": comparisons_to_json(comparisons, data=data),
        }
        files.update(posterior_files)
        sampled = {name: c for name, c in comparisons.items() if c.posterior is not None}
        if sampled:
            files["forest.png"] = _figure_writer(lambda: plot_forest_comparison(sampled))
        files[REPORT_NAME] = _report_writer(args.out)  # last: it reads the files staged before it
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0 if all(c.verdict.passed for c in comparisons.values()) else 1


def _compare_runs(
    data, runs: dict, *, sample: bool, render: bool, status=None
) -> tuple[dict, dict]:
    """Compare each run in order, in this process (models of one structure share one compile).

    Returns the comparisons by name and, if ``render``, each posterior's files
    (``posterior_<name>.nc`` and ``.png``, as bytes), made where the posterior is.
    """
    from regprior.checks.comparison import compare_data

    status = status or (lambda text: None)
    comparisons, files = {}, {}
    for name, run in runs.items():
        if run.source == "bayes":
            status(f"{name}: full-Bayes alpha (learnt-scale model, NUTS)")
            run.prior, run.likelihood, run.source = _bayes_prior(data, run.family, run.settings)
        comparison = comparisons[name] = compare_data(
            data,
            run.prior,
            run.likelihood,
            sample=sample,
            alpha_source=run.source,
            progress=lambda text, name=name: status(f"{name}: {text}"),
            **run.settings,
        )
        if render and comparison.posterior is not None:
            from regprior.report.plots import plot_posterior_with_estimates

            status(f"{name}: writing the posterior and its figure")
            files[f"posterior_{name}.nc"] = bytes(comparison.posterior.datatree.to_netcdf())
            files[f"posterior_{name}.png"] = _figure_bytes(
                lambda: plot_posterior_with_estimates(comparison)
            )
    return comparisons, files


def _figure_bytes(draw) -> bytes:
    """A figure drawn headless (Agg), as PNG bytes (its ``savefig`` takes a path: a temporary one)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figure.png"
        _figure_writer(draw)(path)
        return path.read_bytes()


def _groups_by_family(runs: dict) -> list[dict]:
    """The runs split by prior family: the runs of one family share a compiled model (and sampler)."""
    groups = {}
    for name, run in runs.items():
        groups.setdefault(run.family, {})[name] = run
    return list(groups.values())


def _jobs(args, n_groups: int) -> int:
    """Processes for ``compare``: ``--jobs``, else one per family group up to the CPUs available.

    Compiling a sampler (nutpie, numba) takes ~5 s per prior family and holds the GIL, so
    families compile side by side only in separate processes. Without sampling there is little
    to share out.
    """
    if args.no_sample or n_groups == 1:
        return 1
    if args.jobs is not None:
        return min(args.jobs, n_groups)
    return max(1, min(n_groups, _cpus()))


def _cpus() -> int:
    """CPUs this process may run on."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Modules the fork server imports once, before it forks any worker.
_WORKER_PRELOAD = ["regprior.checks.comparison", "regprior.cli"]


def _fork_context():
    """The fork-server context of ``compare``'s worker processes (:data:`_WORKER_PRELOAD` preloaded)."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_WORKER_PRELOAD)
    return context


def _may_use_processes(args) -> bool:
    """Whether ``compare`` will likely sample in worker processes (checked before the data are read)."""
    wanted = _cpus() if args.jobs is None else args.jobs
    several = (
        len(args.model) > 1 if args.model else args.prior in ("both", "all")
    )  # --model overrides --prior
    return several and not args.no_sample and wanted > 1


def _start_fork_server() -> None:
    """Start the fork server now; the pool's workers come from it later (a no-op if it runs)."""
    from multiprocessing import forkserver

    _fork_context()
    forkserver.ensure_running()


def _compare_in_processes(
    data, runs: dict, groups: list[dict], jobs: int, *, sample: bool, render: bool
):
    """:func:`_compare_runs` for each family group in a pool of ``jobs`` processes; runs keep their order.

    The workers come from a fork server that imports regprior (and PyMC) once: none of them
    imports PyMC again, and no thread of this process (the progress display's) is forked.
    """
    import importlib
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, mp_context=_fork_context()) as pool:
        futures = [
            pool.submit(_compare_runs, data, group, sample=sample, render=render)
            for group in groups
        ]
        importlib.import_module(
            "regprior.report.plots"
        )  # while the workers run: the forest figure needs it

        comparisons, files = {}, {}
        for future in futures:
            group_comparisons, group_files = future.result()
            comparisons.update(group_comparisons)
            files.update(group_files)
    return {name: comparisons[name] for name in runs}, files


def _report_writer(out):
    """A writer of ``report.html`` from the files already staged beside it (titled by ``out``'s name)."""

    def write(path) -> None:
        from regprior.report.html import render_report

        path.write_text(render_report(path.parent, name=Path(out).name))

    return write


def _run_report(args) -> int:
    """``regprior report DIR``: rebuild DIR/report.html from the run's files (atomic write)."""
    from regprior.report.html import render_report
    from regprior.report.output import write_atomic

    page = render_report(args.run_dir)
    target = write_atomic(args.run_dir / REPORT_NAME, page)
    print(f"wrote {target}", file=sys.stderr)
    return 0


def _figure_writer(draw):
    """A file writer that draws a figure headless (Agg), saves it and closes it."""

    def write(path):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        draw().savefig(path, dpi=FIGURE_DPI)
        plt.close("all")

    return write


def _run_path(args) -> int:
    from regprior.checks.paths import (
        alpha_grid,
        compare_paths,
        cross_validation_marks,
        path_for_data,
        posterior_alpha_picks,
        posterior_path,
        sklearn_path,
    )
    from regprior.report.output import write_outputs
    from regprior.report.plots import plot_path
    from regprior.report.tables import path_markdown, paths_csv, paths_json, paths_text

    _check_out(args.out)
    if args.posterior_alphas < 0:
        raise ValueError(f"--posterior-alphas must be >= 0; got {args.posterior_alphas}.")
    settings = _sampler_settings(args, {})
    fit_intercept = not args.no_intercept
    likelihood_family = args.likelihood or registry.likelihood_families()[0]
    data, likelihood = _load(args, likelihood_family, fit_intercept)
    rows = {
        family: registry.pairing(family, likelihood.family)
        for family in _families(args, likelihood_family)
    }
    fixed = {family: _fixed_strength(args, row, row.defaults) for family, row in rows.items()}
    grids = {
        family: alpha_grid(
            data,
            family,
            fit_intercept=fit_intercept,
            mu=args.prior_mu,
            n_alphas=args.n_alphas,
            eps=args.eps,
            fixed=fixed[family],
            likelihood=likelihood,
        )
        for family in rows
    }
    if args.posterior_alphas > args.n_alphas:
        raise ValueError(
            f"--posterior-alphas ({args.posterior_alphas}) exceeds --n-alphas ({args.n_alphas})."
        )
    results = {}
    for family, alphas in grids.items():
        options = {"fit_intercept": fit_intercept, "mu": args.prior_mu, "fixed": fixed[family]}
        path, model = path_for_data(data, family, likelihood, alphas, **options)
        comparison = compare_paths(
            path,
            sklearn_path(data, family, alphas, likelihood=likelihood.family, **options),
            model=model,
        )
        posterior = None
        if args.posterior_alphas:
            posterior = posterior_path(
                model,
                posterior_alpha_picks(alphas, args.posterior_alphas),
                fixed=fixed[family],
                **settings,
            )
        results[family] = (comparison, posterior)
    comparisons = {family: c for family, (c, _) in results.items()}
    printers = {
        "table": lambda: paths_text(comparisons),
        "markdown": lambda: "\n".join(path_markdown(c, likelihood) for c in comparisons.values()),
        "csv": lambda: paths_csv(comparisons),
        "json": lambda: paths_json(comparisons, likelihood),
    }
    print(printers[args.format]())
    if args.out is not None:
        files = {}
        for family, (comparison, posterior) in results.items():
            files[f"path_{family}.md"] = path_markdown(comparison, likelihood)
            files[f"path_{family}.csv"] = comparison.to_frame().to_csv()
            marks = cross_validation_marks(
                data, family, likelihood, fit_intercept=fit_intercept, fixed=fixed[family]
            )
            files[f"path_{family}.png"] = _figure_writer(
                lambda c=comparison, p=posterior, m=marks: plot_path(c, p, marks=m)
            )
            if posterior is not None:
                files[f"posterior_path_{family}.csv"] = posterior.to_csv(index=False)
        files[REPORT_NAME] = _report_writer(args.out)
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0 if all(c.passed for c in comparisons.values()) else 1


def _run_choose(args) -> int:
    from regprior._validation import check_sampling_args
    from regprior.checks.alpha_choice import choice_table, choose_alpha
    from regprior.report.output import write_outputs
    from regprior.report.plots import plot_alpha_choice
    from regprior.report.tables import render_frame
    from regprior.spec.data import load_data

    _check_out(args.out)
    check_sampling_args(draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed)
    data = load_data(args.data, target=args.target)
    choices, coefficients = choose_alpha(
        data, draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed
    )
    table = choice_table(choices)
    print(render_frame(table, args.format))
    if args.out is not None:
        files = {
            "alpha_choice.md": render_frame(table, "markdown"),
            "alpha_choice.csv": render_frame(table, "csv"),
            "alpha_choice.png": _figure_writer(lambda: plot_alpha_choice(choices)),
            "alpha_choice_coefficients.md": render_frame(coefficients, "markdown", index=True),
            "alpha_choice_coefficients.csv": render_frame(coefficients, "csv", index=True),
            REPORT_NAME: _report_writer(args.out),
        }
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    healthy = all(
        not problems for choice in choices.values() for problems in choice.health.values()
    )
    return 0 if healthy else 1


def _run_loo(args) -> int:
    from regprior.checks.loo import loo_for_data
    from regprior.report.output import write_outputs
    from regprior.report.plots import plot_loo
    from regprior.report.tables import render_frame

    _check_out(args.out)
    settings = _sampler_settings(args, {"chains": 4})
    for flag, value in (("--prior-mu", args.prior_mu or None), ("--l1-ratio", args.l1_ratio)):
        if value is not None:
            raise ValueError(
                f"{flag} does not apply to regprior loo: it compares the priors at their defaults."
            )
    fit_intercept = not args.no_intercept
    likelihood_family = args.likelihood or registry.likelihood_families()[0]
    data, likelihood = _load(args, likelihood_family, fit_intercept)
    comparison = loo_for_data(
        data,
        likelihood,
        families=_families(args, likelihood_family),
        hierarchical=not args.no_full_bayes,
        cv=not args.no_cv,
        fit_intercept=fit_intercept,
        **settings,
    )
    table = comparison.table.reset_index()
    print(render_frame(table, args.format))
    if args.out is not None:
        files = {
            "loo.md": render_frame(table, "markdown"),
            "loo.csv": render_frame(table, "csv"),
            "loo_compare.png": _figure_writer(lambda: plot_loo(comparison)),
            REPORT_NAME: _report_writer(args.out),
        }
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0 if not any(comparison.table["flags"]) else 1


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    runners = {
        "compare": _run_compare,
        "path": _run_path,
        "choose": _run_choose,
        "loo": _run_loo,
        "report": _run_report,
    }
    try:
        return runners[args.command](args)
    except (ValueError, TypeError) as error:
        print(f"regprior {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
