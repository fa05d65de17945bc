"""Options several commands share, and the checks of what they name (data, ``--out``, sampler)."""

from __future__ import annotations

import argparse
import os

from regprior import registry
from regprior.inference.gibbs import ENGINES

#: What a command prints (``--format``).
FORMATS = ("table", "markdown", "csv", "json")
#: The NUTS settings of a run, by their library names, and their defaults.
SAMPLER_DEFAULTS = {"draws": 1000, "tune": 1000, "chains": 4, "random_seed": 0}


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the CLI's error contract: one line on stderr, exit status 2, no usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_debug_option(parser, *, default=False) -> None:
    """``--debug``: accepted before the command and after it (a subcommand's leaves it unset)."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="on an error, print the full traceback",
    )


def add_data_options(
    command,
    *,
    prior_default: str = "both",
    sparse_help: str | None = None,
    shrinkage: bool = True,
) -> None:
    """Options shared by compare, path and loo: data, likelihood, prior, sampler, output.

    ``sparse_help``: ``--prior`` also takes the sparse priors' kinds (:func:`sparse_kinds`,
    with ``shrinkage`` as given), which the command reads as ``sparse_help`` says.
    """
    command.add_argument(
        "--data",
        help="an embedded data set (diabetes, breast_cancer: bundled with sklearn; "
        "poisson_counts: seeded synthetic) or a CSV file (default: the likelihood's example: "
        "diabetes, breast_cancer or poisson_counts)",
    )
    command.add_argument(
        "--likelihood",
        choices=registry.likelihood_families(),
        default=None,
        help="gaussian (Ridge, Lasso, ElasticNet), bernoulli (LogisticRegression) or poisson "
        "(PoissonRegressor) (default: gaussian, or the --model's)",
    )
    command.add_argument("--target", help="target column of the CSV (default: its last column)")
    command.add_argument("--weights", help="sample-weight column of the CSV")
    sparse = sparse_kinds(shrinkage=shrinkage) if sparse_help else ()
    command.add_argument(
        "--prior",
        choices=(*registry.prior_families(), *registry.skglm_families(), "both", "all", *sparse),
        default=prior_default,
        help=f"prior family; 'both' = {' and '.join(registry.SEED_FAMILIES)}, "
        f"'all' = every family of the likelihood"
        + (f"; {', '.join(sparse)}: {sparse_help}" if sparse else "")
        + f" (default: {prior_default})",
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
    add_sampler_options(command, defaults=None)
    add_format_option(command)
    verbosity = command.add_mutually_exclusive_group()
    verbosity.add_argument(
        "--quiet", action="store_true", help="print the verdict lines only, no progress"
    )
    add_verbose_option(verbosity)


def add_verbose_option(command) -> None:
    """``--verbose``: every column of the terminal tables (the files always have every column)."""
    command.add_argument(
        "--verbose",
        action="store_true",
        help="print every column of the tables, in several blocks of columns where 100 columns "
        "do not hold them (default: the columns that fit 100 terminal columns; the files "
        "written to --out always have every column)",
    )


def add_sampler_options(command, *, defaults: dict | None) -> None:
    """``--draws``, ``--tune``, ``--chains``, ``--seed``: with ``defaults`` None, the model's."""
    for flag, key, what in (
        ("--draws", "draws", "draws per chain"),
        ("--tune", "tune", "tuning steps per chain"),
        ("--chains", "chains", "number of chains"),
        ("--seed", "random_seed", "random seed"),
    ):
        if defaults is None:
            command.add_argument(
                flag,
                type=int,
                help=f"{what} (default: the model's, {SAMPLER_DEFAULTS[key]})",
            )
        else:
            command.add_argument(
                flag, type=int, default=defaults[key], help=f"{what} (default: {defaults[key]})"
            )


def add_engine_option(command, *, where: str) -> None:
    """``--engine nuts|gibbs|auto``: the posterior engine; ``where`` says where it is named."""
    command.add_argument(
        "--engine",
        choices=ENGINES,
        default=None,
        help="posterior engine: NUTS on the PyMC model, the conditionally conjugate Gibbs "
        "sampler (gaussian likelihood, a normal scale-mixture prior: normal, laplace and gdp at "
        "a fixed noise sigma, given or estimated, the learnt-scale models, Park & Casella's, the "
        "horseshoe, the regularized horseshoe, R2-D2 and the Bayesian GDP; bernoulli "
        "likelihood, by Polya-Gamma "
        "augmentation: normal, laplace and gdp; other models are refused, exit 2), or auto: "
        "Gibbs where the model allows it, NUTS elsewhere (the elastic net, the poisson "
        f"likelihood); {where} (default: each model's own: NUTS, the sparse priors by auto)",
    )


def add_format_option(command) -> None:
    command.add_argument(
        "--format", choices=FORMATS, default="table", help="what to print (default: table)"
    )


def sampler_settings(args, defaults: dict) -> dict:
    """NUTS settings: the flags over a model's ``defaults`` over :data:`SAMPLER_DEFAULTS`.

    Not checked here: the caller checks each distinct set once (:func:`check_sampler`).
    """
    settings = {**SAMPLER_DEFAULTS, **defaults}
    flags = {"draws": args.draws, "tune": args.tune, "chains": args.chains}
    flags["random_seed"] = args.seed
    settings.update({key: value for key, value in flags.items() if value is not None})
    return settings


def check_sampler(*settings: dict) -> None:
    """Check each distinct set of NUTS settings once (runs of one command usually share one)."""
    from regprior._validation import check_sampling_args

    distinct = dict.fromkeys(tuple(s[key] for key in SAMPLER_DEFAULTS) for s in settings)
    for values in distinct:
        check_sampling_args(**dict(zip(SAMPLER_DEFAULTS, values, strict=True)))


def check_out(out) -> None:
    """``--out`` must be a folder that can be written: checked before any work, not when writing.

    Permission bits do not tell (root passes ``os.access`` under ``/proc``, a read-only mount
    passes it too): a probe folder is created and removed where the outputs will go (in
    ``--out`` when it exists, else in its first existing ancestor, where the writer creates
    it and stages its files).
    """
    import tempfile

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
    # The writer stages its files beside --out: probe there too when --out exists.
    places = [ancestor] if ancestor != out.absolute() else [ancestor, ancestor.parent]
    for place in places:
        try:
            os.rmdir(tempfile.mkdtemp(prefix=".regprior-probe-", dir=place))
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise ValueError(
                f"--out {str(out)!r} cannot be written: creating a folder in {str(place)!r} "
                f"failed ({reason})."
            ) from None


def families(args, likelihood: str, *, command: str = "compare") -> tuple[str, ...]:
    """The prior families ``--prior`` names under ``likelihood`` (``both``, ``all`` or one).

    A sparse prior's kind names the seed families (``both``), which it is set beside. A family
    whose twin is skglm's (the generalized double Pareto) is compared at a given strength only:
    a command other than ``compare`` (CV strength, paths, LOO at the CV strength) refuses it
    with a ValueError.
    """
    available = registry.prior_families(likelihood)
    both = tuple(f for f in registry.SEED_FAMILIES if f in available)
    if args.prior in sparse_kinds(shrinkage=False):
        return both
    if command != "compare" and args.prior in registry.skglm_families(likelihood):
        raise ValueError(
            f"--prior {args.prior}: regprior {command} needs a scikit-learn counterpart with a "
            f"CV estimator and a path; the {args.prior} prior's twin is skglm's, compared at a "
            f"given strength by regprior compare --prior {args.prior} --prior-scale ... "
            "--prior-shape ..."
        )
    return {"both": both, "all": available}.get(args.prior, (args.prior,))


def sparse_kinds(*, shrinkage: bool = True) -> tuple[str, ...]:
    """The sparse priors ``--prior`` and ``--sparse`` take: the full-Bayes kinds with kappa
    (``shrinkage``: what ``compare`` sets beside the Lasso's zeros), or every sparse prior
    (what ``loo`` sets beside the seed families by PSIS-LOO)."""
    from regprior.checks.sparse import sparse_kinds as kinds
    from regprior.checks.sparse import sparse_prior_kinds

    return tuple(kinds() if shrinkage else sparse_prior_kinds())


def load(args, likelihood_family: str, fit_intercept: bool):
    """The data and the likelihood (the Gaussian's noise sigma resolved), checked together."""
    from regprior.spec.data import check_noise_scale, load_data
    from regprior.spec.likelihoods import likelihood_class, resolve_likelihood

    cls = likelihood_class(likelihood_family)
    if args.noise_sigma is not None and cls.noise_parameter is None:
        raise ValueError(
            f"--noise-sigma applies to the {registry.DEFAULT_LIKELIHOOD} likelihood only; "
            f"got it with --likelihood {likelihood_family}."
        )
    data = load_data(args.data or cls.example_data, target=args.target, weights=args.weights)
    warn_about_columns(data, args.command)
    likelihood = resolve_likelihood(
        cls, data, noise_sigma=args.noise_sigma, fit_intercept=fit_intercept
    )
    if likelihood.noise_parameter is not None:
        check_noise_scale(data, getattr(likelihood, likelihood.noise_parameter))
    return data, likelihood


def warn_about_columns(data, command: str) -> None:
    """Name constant and duplicated columns of the data on stderr, one line each, as the array
    functions and the estimators name them (:func:`regprior.spec.data.warn_degenerate_columns`)."""
    import sys
    import warnings

    from regprior.spec.data import warn_degenerate_columns

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        warn_degenerate_columns(data)
    for warning in caught:
        print(f"regprior {command}: warning: {warning.message}", file=sys.stderr)


def fixed_strength(args, row, defaults: dict) -> dict:
    """The pair's fixed strength parameters: the model's defaults, overridden by flags."""
    fixed = {k: v for k, v in defaults.items() if k in row.strength}
    if args.l1_ratio is not None:
        if "l1_ratio" not in row.strength:
            raise ValueError(
                f"--l1-ratio does not apply to the {row.family} prior: "
                f"{row.estimator} has no l1_ratio."
            )
        fixed["l1_ratio"] = args.l1_ratio
    return fixed


def number(text: str, flag: str, expected: str) -> float:
    """``text`` as a float, or a ValueError naming ``flag`` and what it expects."""
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{flag} must be {expected}; got {text!r}.") from None
