"""Command line: ``regprior compare`` parses, calls the API, prints and writes; nothing else."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]

FORMATS = ("table", "markdown", "csv", "json")


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
    compare.add_argument("--data", default="diabetes", help="'diabetes' (bundled with sklearn) or a CSV file (default: diabetes)")
    compare.add_argument("--target", help="target column of the CSV (default: its last column)")
    compare.add_argument("--weights", help="sample-weight column of the CSV")
    compare.add_argument("--prior", choices=("normal", "laplace", "both"), default="both", help="prior family (default: both)")
    compare.add_argument("--model", action="append", metavar="NAME|PATH", help="catalogued model (ridge, lasso) or a .toml spec; repeatable; overrides --prior")
    strength = compare.add_mutually_exclusive_group()
    strength.add_argument("--alpha", type=float, help="sklearn's alpha (default: chosen by RidgeCV / LassoCV)")
    strength.add_argument("--prior-scale", type=float, help="Normal sd or Laplace scale")
    strength.add_argument("--lambda", dest="lam", type=float, help="the blog post's lambda = 1/(2 sd^2) (normal prior)")
    strength.add_argument("--rate", type=float, help="the blog post's b = 1/scale (laplace prior)")
    compare.add_argument("--prior-mu", type=float, default=0.0, help="prior centre of every weight (default: 0)")
    compare.add_argument("--noise-sigma", type=float, help="known noise sd (default: least-squares residual sd)")
    compare.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    compare.add_argument("--no-sample", action="store_true", help="skip NUTS: point estimates (and the exact posterior) only")
    compare.add_argument("--draws", type=int, help="draws per chain (default: the model's, 1000)")
    compare.add_argument("--tune", type=int, help="tuning steps per chain (default: the model's, 1000)")
    compare.add_argument("--chains", type=int, help="number of chains (default: the model's, 2)")
    compare.add_argument("--seed", type=int, help="random seed (default: the model's, 0)")
    compare.add_argument("--out", type=Path, help="folder for comparison.{md,csv,json}, posterior_<model>.nc and .png")
    compare.add_argument("--format", choices=FORMATS, default="table", help="what to print (default: table)")
    return parser


def _prepare(args):
    """Everything that can fail on bad input, before any model is compiled."""
    from regprior.catalogue import load_model_spec, spec_for_family
    from regprior.counterpart import prior_by_cross_validation, prior_from_strength
    from regprior.data import load_data
    from regprior.likelihoods import Gaussian

    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {str(args.out)!r} exists and is not a folder.")
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
        settings = {**spec.defaults}
        for key, value in (("draws", args.draws), ("tune", args.tune), ("chains", args.chains), ("random_seed", args.seed)):
            if value is not None:
                settings[key] = value
        settings.setdefault("fit_intercept", True)
        settings["fit_intercept"] = settings["fit_intercept"] and fit_intercept
        if not args.no_sample:
            from regprior._validation import check_sampling_args

            check_sampling_args(**{k: settings.get(k, d) for k, d in (("draws", 1000), ("tune", 1000), ("chains", 2), ("random_seed", 0))})
        runs[spec.name] = (prior, source, settings)
    return data, likelihood, runs


def _run_compare(args) -> int:
    from regprior.comparison import compare_data
    from regprior.output import comparisons_to_csv, comparisons_to_json, comparisons_to_markdown, write_outputs

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
                files[f"posterior_{name}.png"] = _plot_writer(comparison)
        written = write_outputs(args.out, files)
        print(f"wrote {len(written)} files to {args.out}", file=sys.stderr)
    return 0 if all(c.verdict.passed for c in comparisons.values()) else 1


def _plot_writer(comparison):
    def write(path):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from regprior.plots import plot_posterior_with_estimates

        plot = plot_posterior_with_estimates(comparison)
        plot.savefig(path, dpi=110)
        plt.close("all")

    return write


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run_compare(args)
    except (ValueError, TypeError) as error:
        print(f"regprior {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
