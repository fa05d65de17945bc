"""``regprior select``: projection predictive variable selection beside the Lasso's supports."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from regprior import registry
from regprior.cli import _options, _output

#: ``--reference default``: :func:`regprior.selection.default_reference`.
DEFAULT_REFERENCE = "default"


def add_parser(commands) -> None:
    command = commands.add_parser(
        "select",
        help="which variables? projection predictive selection (projpred's method) from a "
        "reference posterior, beside LassoCV's and the 1-SE Lasso's supports",
        description=(
            "Fit a reference posterior by --engine (default: a full-Bayes learnt-scale model; "
            "for the bernoulli and poisson likelihoods the first prior of the likelihood at its "
            "sklearn CV strength), order the features by the L1 path of its mean fit or by forward "
            "search, score every submodel size by PSIS-LOO and by K-fold cross-validation of the "
            "whole search, suggest the smallest size whose elpd difference to the reference has "
            "its upper one-SE bound above 0, and set the Lasso's supports on the same folds "
            "beside it. Exit status: 0 done, 1 an unhealthy reference sampler or no size "
            "suggested (flagged), 2 bad input, 3 an internal error."
        ),
    )
    _options.add_debug_option(command, default=argparse.SUPPRESS)
    command.add_argument(
        "--data",
        help="an embedded data set or a CSV file (default: the likelihood's example)",
    )
    command.add_argument(
        "--likelihood",
        choices=registry.likelihood_families(),
        default=registry.DEFAULT_LIKELIHOOD,
        help=f"the likelihood (default: {registry.DEFAULT_LIKELIHOOD})",
    )
    command.add_argument("--target", help="target column of the CSV (default: its last column)")
    command.add_argument("--weights", help="sample-weight column of the CSV")
    command.add_argument(
        "--reference",
        default=DEFAULT_REFERENCE,
        help="a catalogued full-Bayes model (learnt_normal, learnt_laplace, bayesian_lasso) or "
        f"'{DEFAULT_REFERENCE}' (default: the package's default reference)",
    )
    command.add_argument(
        "--method", choices=("l1", "forward"), default="l1", help="the search (default: l1)"
    )
    command.add_argument(
        "--cv", type=int, default=5, help="folds of the CV of the search; 0: PSIS-LOO only"
    )
    command.add_argument(
        "--max-size", type=int, help="largest submodel (default: min(19, n_features))"
    )
    command.add_argument(
        "--clusters", type=int, default=20, help="clusters of draws for forward search (20)"
    )
    command.add_argument(
        "--projection-draws", type=int, default=400, help="draws projected per size (400)"
    )
    command.add_argument(
        "--noise-columns",
        type=int,
        default=0,
        help="append this many seeded pure-noise columns (their selection is counted as false "
        "positives)",
    )
    _options.add_sampler_options(command, defaults=_options.SAMPLER_DEFAULTS)
    _options.add_engine_option(
        command,
        where="for the reference and every fold's refit; selection.json's settings name the "
        "engine that sampled the reference",
    )
    for flag, default in (("--cv-draws", 300), ("--cv-tune", 300), ("--cv-chains", 2)):
        command.add_argument(
            flag, type=int, default=default, help=f"each fold's refit (default: {default})"
        )
    _options.add_format_option(command)
    command.add_argument(
        "--out",
        type=Path,
        help="folder for selection.{md,csv,json,png}, selection_lasso.csv and report.html",
    )


@dataclass(frozen=True)
class Job:
    args: argparse.Namespace
    data: object
    reference: object
    likelihood: object
    truth: tuple | None
    options: dict


def prepare(args) -> Job:
    """Check the flags, load the data, build the reference specification."""
    from regprior.selection import add_noise_columns, default_reference
    from regprior.spec.likelihoods import likelihood_class

    _options.check_out(args.out)
    settings = _options.sampler_settings(args, {})
    _options.check_sampler(settings)
    for flag, value, low in (
        ("--cv", args.cv, 0),
        ("--clusters", args.clusters, 1),
        ("--projection-draws", args.projection_draws, 2),
        ("--noise-columns", args.noise_columns, 0),
    ):
        if value < low:
            raise ValueError(f"{flag} must be an integer >= {low}; got {value}.")
    if args.cv == 1:
        raise ValueError("--cv must be 0 (PSIS-LOO only) or at least 2 folds; got 1.")
    from regprior.spec.data import load_data

    cls = likelihood_class(args.likelihood)
    data = load_data(args.data or cls.example_data, target=args.target, weights=args.weights)
    cls.check_target(data.y)
    truth = None
    if args.noise_columns:
        data, truth = add_noise_columns(data, args.noise_columns, seed=settings["random_seed"])
    likelihood = None
    if args.likelihood == registry.DEFAULT_LIKELIHOOD:
        if args.reference == DEFAULT_REFERENCE:
            reference = default_reference()
        else:
            from regprior.catalogue import load_full_bayes_model

            reference = load_full_bayes_model(args.reference)
    else:
        if args.reference != DEFAULT_REFERENCE:
            raise ValueError(
                f"--reference: the catalogued full-Bayes models have a "
                f"{registry.DEFAULT_LIKELIHOOD} likelihood; got --likelihood {args.likelihood}."
            )
        from regprior.checks.loo import loo_engines
        from regprior.checks.sklearn import prior_by_cross_validation

        likelihood = cls()
        family = registry.prior_families(args.likelihood)[0]
        try:  # before the CV fit: a reference Gibbs cannot sample is bad input
            loo_engines(args.engine, data, likelihood, (family,), {}, name="--engine")
        except ValueError as error:
            raise ValueError(f"{error} Use --engine auto.") from None
        reference, _ = prior_by_cross_validation(data, family, likelihood)
    from regprior.inference.engines import choose_engine
    from regprior.spec.hierarchical import FullBayes

    try:  # before anything is sampled: a reference Gibbs cannot sample is bad input
        choose_engine(
            args.engine,
            reference,
            None if isinstance(reference, FullBayes) else cls.nominal(),
            name="--engine",
        )
    except ValueError as error:
        raise ValueError(f"{error} Use --engine auto to sample it by NUTS.") from None
    options = {
        "method": args.method,
        "cv": args.cv or None,
        "n_clusters": args.clusters,
        "n_projection_draws": args.projection_draws,
        "max_size": args.max_size,
        "cv_draws": args.cv_draws,
        "cv_tune": args.cv_tune,
        "cv_chains": args.cv_chains,
        "engine": args.engine,
        **settings,
    }
    if args.max_size is not None and not 1 <= args.max_size <= data.n_features:
        raise ValueError(
            f"--max-size must be an integer in [1, {data.n_features}]; got {args.max_size}."
        )
    return Job(args, data, reference, likelihood, truth, options)


def run(job: Job) -> int:
    """Select, print the table and the supports, write the files."""
    import sys

    from regprior.report.selection import (
        plot_selection,
        render_selection_report,
        selection_line,
        selection_record,
    )
    from regprior.report.tables import json_safe, render_frame
    from regprior.selection import select_variables

    args, data = job.args, job.data
    selection = select_variables(
        data.X,
        data.y,
        job.reference,
        likelihood=job.likelihood,
        sample_weight=data.sample_weight,
        feature_names=data.feature_names,
        truth=job.truth,
        **job.options,
    )
    table = selection.table.reset_index()
    lasso = selection.lasso.assign(support=[", ".join(s) for s in selection.lasso["support"]])
    print(render_frame(table, args.format))
    if args.format == "table":
        print(render_frame(lasso, "table"))
        print(selection_line(selection), file=sys.stderr)
    if args.out is not None:
        import json

        figure = _output.figure_bytes(lambda: plot_selection(selection))
        files = {
            "selection.md": render_frame(table, "markdown"),
            "selection.csv": render_frame(table, "csv"),
            "selection_lasso.csv": render_frame(lasso, "csv"),
            "selection.json": json.dumps(json_safe(selection_record(selection)), indent=2),
            "selection.png": figure,
            _output.REPORT_NAME: render_selection_report(
                selection, figure, name=getattr(data, "name", "data")
            ),
        }
        from regprior.report.output import write_outputs

        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    unhealthy = bool(selection.diagnostics["sampler_problems"])
    return 1 if unhealthy or selection.suggested_size is None else 0
