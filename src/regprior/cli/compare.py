"""``regprior compare``: each model's MAP and posterior against its sklearn counterpart."""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from regprior import registry
from regprior.cli import _options, _output, _processes

#: Modules the fork server imports once, before it forks any worker.
WORKER_PRELOAD = ["regprior.checks.comparison", "regprior.cli.compare"]
#: Where ``--alpha`` names a way of choosing the strength (:data:`regprior.checks.strength.WAYS`).
ALPHA_EXPECTED = "a number, 'cv', '1se', 'eb' or 'bayes' (or a comma-separated list)"
#: The ways that learn the noise sigma (and need no least-squares estimate of it).
LEARNT_WAYS = ("eb", "bayes")
#: The strength flags of each of the registry's ways of stating a strength.
STRENGTH_FLAGS = {
    "sklearn": "--alpha/--C",
    "parameters": "--prior-scale/--prior-sigma/--prior-shape",
    "blog": "--lambda/--rate",
}


def add_parser(commands) -> None:
    command = commands.add_parser(
        "compare",
        help="MAP and NUTS posterior of a prior vs its sklearn counterpart (Ridge / Lasso)",
        description=(
            "Fit sklearn's Ridge/Lasso and the matching Bayesian model through the exact map "
            "alpha <-> prior scale; print the per-coefficient table and a verdict. Exit status: "
            "0 all verdicts passed, 1 a verdict failed or is undecided, 2 bad input, "
            "3 an internal error."
        ),
    )
    _options.add_debug_option(command, default=argparse.SUPPRESS)
    _options.add_data_options(
        command, sparse_help="that sparse prior beside the 'both' families (as --sparse)"
    )
    command.add_argument(
        "--model",
        action="append",
        metavar="NAME|PATH",
        help="catalogued model (ridge, lasso, elasticnet) or a .toml spec; repeatable; "
        "overrides --prior",
    )
    command.add_argument(
        "--alpha",
        help="sklearn's alpha: a number, 'cv' (the default: sklearn's CV estimator of the pair), "
        "'1se' (the CV estimator's 1-SE rule: the strongest penalty within one SE of the best CV "
        "error), 'eb' (evidence maximisation, normal prior: alpha and noise sigma of "
        "BayesianRidge with zero hyperpriors) or 'bayes' (posterior medians of the implied alpha "
        "and of sigma under a learnt-scale prior, NUTS; normal and laplace); several, "
        "comma-separated (cv,1se), compare each model once per way",
    )
    command.add_argument(
        "--C", dest="C", type=float, help="LogisticRegression's C (bernoulli likelihood)"
    )
    command.add_argument(
        "--prior-scale",
        type=float,
        help="Normal sd, or Laplace scale (also of the elastic net's Laplace factor)",
    )
    command.add_argument(
        "--prior-sigma",
        type=float,
        help="sd of the elastic net's Normal factor (with --prior-scale)",
    )
    command.add_argument(
        "--prior-shape",
        type=float,
        help="shape a of the generalized double Pareto (gdp, with --prior-scale xi): compared "
        "with skglm's LogSumPenalty(alpha = sigma^2 (a + 1) / N, eps = a xi)",
    )
    command.add_argument(
        "--lambda",
        dest="lam",
        type=float,
        help="the blog post's lambda = 1/(2 sd^2) (normal prior, elastic net)",
    )
    command.add_argument(
        "--rate", type=float, help="the blog post's b = 1/scale (laplace prior, elastic net)"
    )
    command.add_argument(
        "--no-sample",
        action="store_true",
        help="skip NUTS: point estimates (and the exact posterior) only",
    )
    _options.add_engine_option(command, where="the sampler line names the engine that sampled")
    command.add_argument(
        "--sparse",
        metavar="KIND",
        help="also sample a sparse prior without a penalty twin (horseshoe, "
        "regularized_horseshoe or r2d2, as the catalogue states it; gaussian likelihood): no "
        "MAP and no verdict, but each weight's shrinkage factor kappa beside the Lasso's exact "
        "zeros and m_eff beside the Lasso's support size, in the table, the report and "
        "shrinkage_<kind>.png; its sampler's health is flagged like the others'",
    )
    command.add_argument(
        "--jobs",
        type=int,
        help="processes for the models (default: one per prior family, at most one per CPU): "
        "each compiles its own sampler, so two families compile side by side; 1 runs "
        "everything here, in order",
    )
    command.add_argument(
        "--out",
        type=Path,
        help="folder for comparison.{md,csv,json}, posterior_<model>.nc and .png",
    )


@dataclass
class Run:
    """One model of ``regprior compare``: its prior (None until ``--alpha bayes`` samples it)."""

    family: str
    prior: object
    likelihood: object
    source: str
    settings: dict
    way: str = "given"


@dataclass
class SparseRun:
    """``--sparse``: a sparse prior sampled beside the twins (no MAP, no sklearn fit)."""

    kind: str
    spec: object
    settings: dict

    @property
    def family(self) -> str:  # its own worker group: it compiles a model of its own
        return f"sparse:{self.kind}"


@dataclass(frozen=True)
class Job:
    """What ``compare`` runs once its input is accepted: the data and the runs, by name."""

    args: argparse.Namespace
    data: object
    runs: dict


def prepare(args) -> Job:
    """Everything that can fail on bad input, before any model is compiled.

    ``--alpha`` may list several ways (``cv,1se``): each model then runs once per way, the
    first under its own name, the others as ``<model>_<way>``. The sampler settings are
    checked once per distinct set; ``--alpha bayes`` is checked here and sampled in :func:`run`.
    """
    from regprior.checks.comparison import check_engine
    from regprior.checks.strength import check_way, choose_prior

    if may_use_processes(args):
        # It imports PyMC while this process loads the data and runs the CV.
        _processes.start_fork_server(WORKER_PRELOAD)
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be an integer >= 1; got {args.jobs}.")
    _options.check_out(args.out)
    ways = [way.strip() for way in args.alpha.split(",")] if args.alpha else ["cv"]
    if len(ways) != len(set(ways)) or "" in ways:
        raise ValueError(f"--alpha lists each way once, separated by commas; got {args.alpha!r}.")
    specs, likelihood_family = _specs(args)
    if args.prior in _options.sparse_kinds() and not args.model:
        if args.sparse not in (None, args.prior):
            raise ValueError(f"--prior {args.prior} and --sparse {args.sparse}: give one.")
        args.sparse = args.prior
    sparse = None if args.sparse is None else _sparse_run(args, likelihood_family)
    strengths = [_strength(args, way) for way in ways]
    fit_intercept = not args.no_intercept
    data, likelihood = _load(args, likelihood_family, fit_intercept, ways)
    settings = {}
    for spec in specs:
        defaults = spec.run_defaults
        spec_intercept = defaults.pop("fit_intercept", True)
        settings[spec.name] = {
            **_options.sampler_settings(args, defaults),
            "fit_intercept": spec_intercept and fit_intercept,
            "engine": args.engine,
        }
    _options.check_sampler(*settings.values())
    requests = []
    for index, (way, strength) in enumerate(zip(ways, strengths, strict=True)):
        if strength is None:
            _check_learnt_noise(args, way)
        for spec in specs:
            row = registry.pairing(spec.prior, spec.likelihood)
            fixed = _options.fixed_strength(args, row, spec.fixed_strength)
            chosen = way if strength is None else strength
            try:
                check_way(row.prior, likelihood, chosen, mu=args.prior_mu)
            except ValueError as error:
                raise ValueError(f"--alpha {way}: {error}") from None
            name = spec.name if index == 0 else f"{spec.name}_{way}"
            requests.append((name, spec, row, fixed, chosen))
    runs = {}
    for name, spec, row, fixed, chosen in requests:
        run_settings = settings[spec.name]
        if chosen == "bayes":  # sampled in run(), after every input is checked
            runs[name] = Run(spec.prior, None, likelihood, "bayes", run_settings, "bayes")
            continue
        try:
            choice = choose_prior(
                data,
                row.prior,
                likelihood,
                way=chosen,
                fit_intercept=fit_intercept,
                mu=args.prior_mu,
                fixed=fixed,
            )
        except ValueError as error:
            if chosen != "eb":
                raise
            raise ValueError(f"--alpha eb: {error}") from None
        if not args.no_sample:
            check_engine(args.engine, choice.prior, choice.likelihood, name="--engine")
        runs[name] = Run(
            spec.prior, choice.prior, choice.likelihood, choice.source, run_settings, choice.way
        )
    if sparse is not None:
        if sparse.kind in runs:
            raise ValueError(f"--sparse {sparse.kind}: a compared model has that name already.")
        if data.sample_weight is not None and not sparse.spec.supports_weights:
            raise ValueError(f"--sparse {sparse.kind} takes no sample weights; drop --weights.")
        runs[sparse.kind] = sparse
    return Job(args, data, runs)


def _sparse_run(args, likelihood_family: str) -> SparseRun:
    """``--sparse KIND``, checked: a catalogued sparse prior the flags allow (before any fit)."""
    from regprior.catalogue import load_full_bayes_model
    from regprior.checks.comparison import check_engine
    from regprior.checks.sparse import sparse_kinds

    kinds = sparse_kinds()
    if args.sparse not in kinds:
        raise ValueError(f"--sparse must be one of {sorted(kinds)}; got {args.sparse!r}.")
    if args.no_sample:
        raise ValueError(f"--sparse {args.sparse} is a posterior only: drop --no-sample.")
    spec = load_full_bayes_model(args.sparse)
    if likelihood_family != spec.likelihood:
        raise ValueError(
            f"--sparse {args.sparse} has a {spec.likelihood} likelihood; the comparison's is "
            f"{likelihood_family}."
        )
    check_engine(args.engine, spec, None, name="--engine")
    settings = {
        **_options.sampler_settings(args, {}),
        "fit_intercept": not args.no_intercept,
        "engine": args.engine,
    }
    _options.check_sampler(settings)
    return SparseRun(args.sparse, spec, settings)


def _specs(args):
    """The models (``--model``, else the catalogue's of ``--prior``) and their likelihood."""
    from regprior.catalogue import load_model_spec, spec_for_family

    if args.model:
        specs = [load_model_spec(name) for name in args.model]
        likelihoods = {spec.likelihood for spec in specs} | (
            {args.likelihood} if args.likelihood else set()
        )
        if len(likelihoods) > 1:
            raise ValueError(
                f"the models and --likelihood name different likelihoods {sorted(likelihoods)}; "
                "compare one at a time."
            )
        return specs, likelihoods.pop()
    likelihood_family = args.likelihood or registry.likelihood_families()[0]
    families = _options.families(args, likelihood_family)
    return [spec_for_family(family, likelihood_family) for family in families], likelihood_family


def _strength(args, way: str) -> dict | None:
    """The strength flags (and a numeric ``way``) as one of the registry's ways, None if none."""
    from regprior.checks.strength import WAYS

    alpha = None if way in WAYS else _options.number(way, "--alpha", ALPHA_EXPECTED)
    stated = {
        "sklearn": {"alpha": alpha, "C": args.C},
        "parameters": {
            "scale": args.prior_scale,
            "sigma": args.prior_sigma,
            "shape": args.prior_shape,
        },
        "blog": {"lam": args.lam, "rate": args.rate},
    }
    given = {}
    for how, values in stated.items():
        values = {key: value for key, value in values.items() if value is not None}
        if values:
            given[how] = values
    if len(given) > 1:
        flags = " and ".join(STRENGTH_FLAGS[how] for how in given)
        raise ValueError(f"give the strength one way; got {flags}.")
    if given and way in WAYS and args.alpha:  # --alpha cv with --prior-scale: two strengths
        flags = " and ".join(STRENGTH_FLAGS[how] for how in given)
        raise ValueError(f"give the strength one way; got --alpha {way} and {flags}.")
    return given or None


def _load(args, likelihood_family: str, fit_intercept: bool, ways: list):
    """The data and likelihood; no least-squares noise sigma when every way learns its own.

    ``eb`` and ``bayes`` learn sigma, so the least-squares estimate, which small data do not
    have (n <= p + 1), is neither needed nor asked for.
    """
    if args.noise_sigma is not None or not set(ways) <= set(LEARNT_WAYS):
        return _options.load(args, likelihood_family, fit_intercept)
    from regprior.spec.data import load_data
    from regprior.spec.likelihoods import likelihood_class, resolve_likelihood

    cls = likelihood_class(likelihood_family)
    data = load_data(args.data or cls.example_data, target=args.target, weights=args.weights)
    return data, resolve_likelihood(cls.nominal(), data)


def _check_learnt_noise(args, way: str) -> None:
    """``eb`` and ``bayes`` learn the noise sigma and centre the prior at 0: no flag sets them."""
    if way in LEARNT_WAYS and (args.prior_mu != 0 or args.noise_sigma is not None):
        given = [
            flag
            for flag, value in (("--noise-sigma", args.noise_sigma), ("--prior-mu", args.prior_mu))
            if value is not None and value != 0
        ]
        raise ValueError(
            f"--alpha {way} learns the noise sigma and uses a prior centred at 0: drop "
            f"{' and '.join(given)} (a given noise sigma or centre goes with --alpha cv, 1se "
            "or a number, in a run of its own)."
        )


def run(job: Job) -> int:
    """Compare every run (in worker processes when several families sample), print and write."""
    from regprior.report.plots import plot_forest_comparison, plot_sparse_beside
    from regprior.report.tables import (
        comparisons_to_csv,
        comparisons_to_json,
        comparisons_to_markdown,
    )
    from regprior.report.terminal import make_console, print_comparisons, print_sparse, progress

    args, data, runs = job.args, job.data, job.runs
    groups = groups_by_family(runs)
    jobs = n_jobs(args, len(groups))
    options = {"sample": not args.no_sample, "render": args.out is not None}
    with progress(make_console(stderr=True), enabled=not args.quiet) as status:
        if jobs == 1:
            comparisons, posterior_files = compare_runs(data, runs, status=status, **options)
        else:
            status(
                f"{', '.join(runs)}: compiling and sampling in {jobs} processes, "
                "one per prior family"
            )
            results = _processes.map_in_processes(
                functools.partial(compare_runs, data, **options),
                groups,
                jobs,
                preload=WORKER_PRELOAD,
                # While the workers run: the forest figure needs it.
                meanwhile=lambda: importlib.import_module("regprior.report.plots"),
            )
            comparisons, posterior_files = {}, {}
            for group_comparisons, group_files in results:
                comparisons.update(group_comparisons)
                posterior_files.update(group_files)
            comparisons = {name: comparisons[name] for name in runs}
    sparse = _sparse_comparisons(data, runs, comparisons)
    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    if args.format == "table":
        console = make_console()
        print_comparisons(comparisons, console, verbosity=verbosity)
        print_sparse(sparse, console, verbosity=verbosity)
    else:
        if sparse and args.format == "csv":
            print(
                "the CSV holds the twins' rows; the sparse prior's table is in --format "
                "markdown or json, and in sparse_<kind>.csv with --out",
                file=sys.stderr,
            )
        printers = {
            "markdown": lambda: comparisons_to_markdown(comparisons, sparse),
            "csv": lambda: comparisons_to_csv(comparisons),
            "json": lambda: comparisons_to_json(comparisons, data=data, sparse=sparse),
        }
        print(printers[args.format]())
    if args.out is not None:
        files = {
            "comparison.md": comparisons_to_markdown(comparisons, sparse),
            "comparison.csv": comparisons_to_csv(comparisons),
            "comparison.json": comparisons_to_json(comparisons, data=data, sparse=sparse),
            **posterior_files,
        }
        for name, beside in sparse.items():
            files[f"sparse_{name}.csv"] = beside.table.to_csv()
            files[f"shrinkage_{name}.png"] = _output.figure_bytes(
                lambda beside=beside: plot_sparse_beside(beside)
            )
        sampled = {name: c for name, c in comparisons.items() if c.posterior is not None}
        if sampled:
            beside = {name: s.posterior for name, s in sparse.items()}
            files["forest.png"] = _output.figure_writer(
                lambda: plot_forest_comparison(sampled, beside=beside)
            )
        _output.write_run(args.out, files)
    # The sparse prior has no verdict (no MAP): its sampler's health is flagged, not judged.
    return 0 if all(c.verdict.passed for c in comparisons.values()) else 1


def _sparse_comparisons(data, runs: dict, comparisons: dict) -> dict:
    """The ``--sparse`` posteriors (taken out of ``comparisons``) beside the sklearn fits with
    exact zeros, each under its model's name."""
    from regprior.checks.sparse import compare_sparse

    # The twins whose sklearn fit has exact zeros (a kink in the prior: Lasso, ElasticNet).
    lasso = {
        name: c.sklearn_fit.coef
        for name, c in comparisons.items()
        if isinstance(runs[name], Run) and getattr(c.prior, "kink_slope", 0.0) > 0
    }
    sparse = {}
    for name, run in runs.items():
        if isinstance(run, SparseRun):
            posterior = comparisons.pop(name)
            # Prediction is what a prior without a twin can be compared by: PSIS-LOO beside the
            # twins' posteriors (Gaussian likelihood, on the same rows).
            twins = {
                twin: c.posterior
                for twin, c in comparisons.items()
                if c.posterior is not None and c.likelihood.family == run.spec.likelihood
            }
            sparse[name] = compare_sparse(name, run.spec, data, posterior, lasso, twins)
    return sparse


def compare_runs(data, runs: dict, *, sample: bool, render: bool, status=None) -> tuple[dict, dict]:
    """Compare each run in order, in this process (models of one structure share one compile).

    Returns the comparisons by name (for a :class:`SparseRun`, its posterior: it has nothing to
    compare until the Lasso fits are back) and, if ``render``, each posterior's files
    (``posterior_<name>.nc`` and ``.png``, as bytes), made where the posterior is.
    """
    from regprior.checks.comparison import compare_data
    from regprior.checks.strength import choose_prior

    status = status or (lambda text: None)
    comparisons, files = {}, {}
    for name, run in runs.items():
        if isinstance(run, SparseRun):
            from regprior.checks.sparse import sample_sparse

            settings = dict(run.settings)
            engine, fit_intercept = settings.pop("engine"), settings.pop("fit_intercept")
            status(f"{name}: sampling the sparse prior (no MAP, no sklearn twin)")
            posterior = comparisons[name] = sample_sparse(
                data, run.spec, fit_intercept=fit_intercept, engine=engine, **settings
            )
            if render:
                files[f"posterior_{name}.nc"] = bytes(posterior.datatree.to_netcdf())
            continue
        if run.way == "bayes":
            status(f"{name}: full-Bayes alpha (learnt-scale model, NUTS)")
            sampler = {key: run.settings[key] for key in _options.SAMPLER_DEFAULTS}
            choice = choose_prior(
                data,
                run.family,
                run.likelihood,
                way="bayes",
                fit_intercept=run.settings["fit_intercept"],
                **sampler,
            )
            run.prior, run.likelihood, run.source = choice.prior, choice.likelihood, choice.source
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
            files[f"posterior_{name}.png"] = _output.figure_bytes(
                lambda comparison=comparison: plot_posterior_with_estimates(comparison)
            )
    return comparisons, files


def groups_by_family(runs: dict) -> list[dict]:
    """The runs split by prior family: runs of one family share a compiled model (and sampler)."""
    groups = {}
    for name, run in runs.items():
        groups.setdefault(run.family, {})[name] = run
    return list(groups.values())


def n_jobs(args, n_groups: int) -> int:
    """Processes for ``compare``: ``--jobs``, else one per family group up to the CPUs available.

    Compiling a sampler (nutpie, numba) takes ~5 s per prior family and holds the GIL, so
    families compile side by side only in separate processes. Without sampling there is little
    to share out.
    """
    if args.no_sample or n_groups == 1:
        return 1
    if args.jobs is not None:
        return min(args.jobs, n_groups)
    return max(1, min(n_groups, _processes.cpus()))


def may_use_processes(args) -> bool:
    """Whether ``compare`` will likely sample in worker processes (known before loading data)."""
    wanted = _processes.cpus() if args.jobs is None else args.jobs
    # --model overrides --prior.
    several = len(args.model) > 1 if args.model else args.prior in ("both", "all")
    # The sparse prior samples in a group of its own.
    several = several or args.sparse is not None or args.prior in _options.sparse_kinds()
    return several and not args.no_sample and wanted > 1
