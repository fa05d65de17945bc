"""Command line: ``regprior compare`` and ``regprior path`` parse, call the API, print and write."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

__all__ = ["main"]

FORMATS = ("table", "markdown", "csv", "json")


def _add_data_options(command) -> None:
    """Options shared by every subcommand: data, noise sigma, intercept, sampler, output."""
    command.add_argument("--data", default="diabetes", help="'diabetes' (bundled with sklearn) or a CSV file (default: diabetes)")
    command.add_argument("--target", help="target column of the CSV (default: its last column)")
    command.add_argument("--weights", help="sample-weight column of the CSV")
    command.add_argument("--prior", choices=("normal", "laplace", "both"), default="both", help="prior family (default: both)")
    command.add_argument("--prior-mu", type=float, default=0.0, help="prior centre of every weight (default: 0)")
    command.add_argument("--noise-sigma", type=float, help="known noise sd (default: least-squares residual sd)")
    command.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    command.add_argument("--draws", type=int, help="draws per chain (default: the model's, 1000)")
    command.add_argument("--tune", type=int, help="tuning steps per chain (default: the model's, 1000)")
    command.add_argument("--chains", type=int, help="number of chains (default: the model's, 2)")
    command.add_argument("--seed", type=int, help="random seed (default: the model's, 0)")
    command.add_argument("--format", choices=FORMATS, default="table", help="what to print (default: table)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regprior", description="Bayesian priors vs scikit-learn's penalised regression.")
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
    compare.add_argument("--model", action="append", metavar="NAME|PATH", help="catalogued model (ridge, lasso) or a .toml spec; repeatable; overrides --prior")
    strength = compare.add_mutually_exclusive_group()
    strength.add_argument("--alpha", type=float, help="sklearn's alpha (default: chosen by RidgeCV / LassoCV)")
    strength.add_argument("--prior-scale", type=float, help="Normal sd or Laplace scale")
    strength.add_argument("--lambda", dest="lam", type=float, help="the blog post's lambda = 1/(2 sd^2) (normal prior)")
    strength.add_argument("--rate", type=float, help="the blog post's b = 1/scale (laplace prior)")
    compare.add_argument("--no-sample", action="store_true", help="skip NUTS: point estimates (and the exact posterior) only")
    compare.add_argument("--out", type=Path, help="folder for comparison.{md,csv,json}, posterior_<model>.nc and .png")
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
    path.add_argument("--eps", type=float, help="smallest alpha / largest (default: lasso 1e-3; ridge spans its eigenvalues)")
    path.add_argument("--posterior-alphas", type=int, default=0, help="sample NUTS at this many grid alphas (default: 0)")
    path.add_argument("--out", type=Path, help="folder for path_<prior>.{md,csv,png} and posterior_path_<prior>.csv")
    return parser


def _sampler_settings(args, defaults: dict) -> dict:
    from regprior._validation import check_sampling_args

    settings = {"draws": 1000, "tune": 1000, "chains": 2, "random_seed": 0, **defaults}
    for key, value in (("draws", args.draws), ("tune", args.tune), ("chains", args.chains), ("random_seed", args.seed)):
        if value is not None:
            settings[key] = value
    check_sampling_args(**{k: settings[k] for k in ("draws", "tune", "chains", "random_seed")})
    return settings


def _check_out(out) -> None:
    if out is not None and out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} exists and is not a folder.")


def _prepare(args):
    """Everything that can fail on bad input, before any model is compiled."""
    from regprior.catalogue import load_model_spec, spec_for_family
    from regprior.checks.sklearn import prior_by_cross_validation, prior_from_strength
    from regprior.spec.data import load_data
    from regprior.spec.likelihoods import Gaussian

    _check_out(args.out)
    if args.model:
        specs = [load_model_spec(name) for name in args.model]
    else:
        families = ("normal", "laplace") if args.prior == "both" else (args.prior,)
        specs = [spec_for_family(family) for family in families]
    data = load_data(args.data, target=args.target, weights=args.weights)
    fit_intercept = not args.no_intercept
    likelihood = Gaussian.resolve(data, args.noise_sigma, fit_intercept=fit_intercept)
    strength = {"alpha": args.alpha, "prior_scale": args.prior_scale, "lam": args.lam, "rate": args.rate}
    runs = {}
    for spec in specs:
        if any(v is not None for v in strength.values()):
            prior = prior_from_strength(
                spec.prior, noise_sigma=likelihood.noise_sigma, weight_sum=data.weight_sum, mu=args.prior_mu, **strength
            )
            source = "given"
        else:
            prior, source = prior_by_cross_validation(
                data, spec.prior, noise_sigma=likelihood.noise_sigma, fit_intercept=fit_intercept, mu=args.prior_mu
            )
        defaults = dict(spec.defaults)
        spec_intercept = defaults.pop("fit_intercept", True)
        settings = _sampler_settings(args, defaults)
        settings["fit_intercept"] = spec_intercept and fit_intercept
        runs[spec.name] = (prior, source, settings)
    return data, likelihood, runs


def _run_compare(args) -> int:
    from regprior.checks.comparison import compare_data
    from regprior.report.output import comparisons_to_csv, comparisons_to_json, comparisons_to_markdown, write_outputs
    from regprior.report.plots import plot_posterior_with_estimates

    data, likelihood, runs = _prepare(args)
    comparisons = {}
    for name, (prior, source, settings) in runs.items():
        comparisons[name] = compare_data(
            data, prior, likelihood, sample=not args.no_sample, alpha_source=source, **settings
        )
    printers = {
        "table": lambda: "\n\n".join(c.to_text() for c in comparisons.values()),
        "markdown": lambda: comparisons_to_markdown(comparisons),
        "csv": lambda: comparisons_to_csv(comparisons),
        "json": lambda: comparisons_to_json(comparisons, data=data),
    }
    print(printers[args.format]())
    if args.out is not None:
        files = {
            "comparison.md": comparisons_to_markdown(comparisons),
            "comparison.csv": comparisons_to_csv(comparisons),
            "comparison.json": comparisons_to_json(comparisons, data=data),
        }
        for name, comparison in comparisons.items():
            if comparison.posterior is not None:
                files[f"posterior_{name}.nc"] = comparison.posterior.datatree.to_netcdf
                files[f"posterior_{name}.png"] = _figure_writer(lambda c=comparison: plot_posterior_with_estimates(c))
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0 if all(c.verdict.passed for c in comparisons.values()) else 1


def _figure_writer(draw):
    """A file writer that draws a figure headless (Agg), saves it and closes it."""

    def write(path):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        draw().savefig(path, dpi=110)
        plt.close("all")

    return write


def _run_path(args) -> int:
    from regprior.spec.data import load_data
    from regprior.spec.likelihoods import Gaussian
    from regprior.report.output import write_outputs
    from regprior.checks.paths import alpha_grid, compare_paths, path_for_data, posterior_path, sklearn_path
    from regprior.report.plots import plot_path

    _check_out(args.out)
    if args.posterior_alphas < 0:
        raise ValueError(f"--posterior-alphas must be >= 0; got {args.posterior_alphas}.")
    settings = _sampler_settings(args, {})
    data = load_data(args.data, target=args.target, weights=args.weights)
    fit_intercept = not args.no_intercept
    likelihood = Gaussian.resolve(data, args.noise_sigma, fit_intercept=fit_intercept)
    families = ("normal", "laplace") if args.prior == "both" else (args.prior,)
    grids = {f: alpha_grid(data, f, fit_intercept=fit_intercept, mu=args.prior_mu, n_alphas=args.n_alphas, eps=args.eps) for f in families}
    if args.posterior_alphas > args.n_alphas:
        raise ValueError(f"--posterior-alphas ({args.posterior_alphas}) exceeds --n-alphas ({args.n_alphas}).")
    results = {}
    for family, alphas in grids.items():
        path, model = path_for_data(data, family, likelihood, alphas, fit_intercept=fit_intercept, mu=args.prior_mu)
        comparison = compare_paths(path, sklearn_path(data, family, alphas, fit_intercept=fit_intercept, mu=args.prior_mu))
        posterior = None
        if args.posterior_alphas:
            picks = np.unique(np.linspace(0, len(alphas) - 1, args.posterior_alphas + 2).round().astype(int)[1:-1])
            posterior = posterior_path(model, alphas[picks], **settings)
        results[family] = (comparison, posterior)
    print(_format_paths(results, args.format, likelihood))
    if args.out is not None:
        files = {}
        for family, (comparison, posterior) in results.items():
            files[f"path_{family}.md"] = comparison.to_markdown(likelihood)
            files[f"path_{family}.csv"] = comparison.to_frame().to_csv()
            files[f"path_{family}.png"] = _figure_writer(lambda c=comparison, p=posterior: plot_path(c, p))
            if posterior is not None:
                files[f"posterior_path_{family}.csv"] = posterior.to_csv(index=False)
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0 if all(c.passed for c, _ in results.values()) else 1


def _format_paths(results, fmt, likelihood) -> str:
    import json

    import pandas as pd

    from regprior.report.output import json_safe

    comparisons = {family: c for family, (c, _) in results.items()}
    if fmt == "markdown":
        return "\n".join(c.to_markdown(likelihood) for c in comparisons.values())
    if fmt == "csv":
        frames = [c.to_frame().reset_index().assign(prior=family) for family, c in comparisons.items()]
        return pd.concat(frames, ignore_index=True).to_csv(index=False)
    if fmt == "json":
        document = {family: c.to_dict(likelihood) for family, c in comparisons.items()}
        return json.dumps(json_safe(document), indent=2, allow_nan=False)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        return "\n\n".join(f"{c.summary_line()}\n{c.table.to_string(float_format=lambda v: f'{v:.4g}')}" for c in comparisons.values())


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run_compare(args) if args.command == "compare" else _run_path(args)
    except (ValueError, TypeError) as error:
        print(f"regprior {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
