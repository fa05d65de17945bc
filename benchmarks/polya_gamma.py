"""The Bernoulli likelihood's Polya-Gamma Gibbs sweep against NUTS (nutpie) on logistic problems.

Minimum bulk ESS per second over the weights and the intercept (the ESS of the whole call's
draws), of sampling alone (Gibbs: the result's ``seconds``; NUTS: a second ``sample_nuts`` of
the same built model, its compiled sampler reused) and of the whole ``sample_posterior`` call
(input checks, model build and compile included; PyTensor's on-disk cache as the machine left
it), each case in a fresh process (imports not timed). Seeded logistic sets with n = 500 and
p = 10 or 50 (standardised Gaussian columns, neighbours correlated 0.5, five weights of size
0.5-1.5), Normal(sigma=1) and Laplace(scale=0.5), 4 chains x 1000 draws after 1000, BLAS pinned.
Writes ``benchmarks/results/polya_gamma.{md,csv}``.

    python benchmarks/polya_gamma.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DRAWS, TUNE, CHAINS, SEED = 1000, 1000, 4, 0
SHAPES = ((500, 10), (500, 50))
PRIORS = ("normal", "laplace")
ENGINES = ("gibbs", "nuts")


def problem(n, p, seed=0):
    import scipy.special

    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, p))
    X = z.copy()
    X[:, 1:] = 0.5 * z[:, :-1] + np.sqrt(0.75) * z[:, 1:]  # neighbours correlated 0.5
    coef = np.zeros(p)
    coef[:5] = [1.5, -1.0, 0.8, -0.6, 0.5]
    y = (rng.uniform(size=n) < scipy.special.expit(-0.3 + X @ coef)).astype(float)
    return X, y


def one_case(n, p, prior_name, engine) -> dict:
    import regprior as rp

    X, y = problem(n, p)
    prior = rp.Normal(sigma=1.0) if prior_name == "normal" else rp.Laplace(scale=0.5)
    start = time.perf_counter()
    result = rp.sample_posterior(
        X, y, prior, likelihood=rp.Bernoulli(), engine=engine,
        draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=SEED,
    )  # fmt: skip
    whole = time.perf_counter() - start
    ess = float(result.summary["ess_bulk"].min())
    sampling = result.seconds
    if engine == "nuts":
        # Sampling alone: the same model sampled a second time, its compiled sampler reused.
        from regprior.inference.nuts import sample_nuts

        model = rp.make_model(X, y, prior, likelihood=rp.Bernoulli())
        sample_nuts(model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=SEED)
        sampling = sample_nuts(
            model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=SEED
        ).seconds
    return {
        "n": n, "p": p, "prior": prior_name, "engine": engine,
        "sampling_s": round(sampling, 2), "whole_s": round(whole, 2),
        "ess_bulk_min": round(ess), "r_hat_max": round(float(result.summary["r_hat"].max()), 4),
        "ess_per_s_sampling": round(ess / sampling, 1),
        "ess_per_s_whole": round(ess / whole, 1),
    }  # fmt: skip


def main():
    if len(sys.argv) == 5:
        n, p, prior_name, engine = sys.argv[1:]
        print(json.dumps(one_case(int(n), int(p), prior_name, engine)))
        return
    rows = []
    for n, p in SHAPES:
        for prior_name in PRIORS:
            for engine in ENGINES:
                out = subprocess.run(
                    [sys.executable, __file__, str(n), str(p), prior_name, engine],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    results = Path(__file__).parent / "results"
    table.to_csv(results / "polya_gamma.csv", index=False)
    (results / "polya_gamma.md").write_text(
        "# Polya-Gamma Gibbs against NUTS, Bernoulli likelihood\n\n"
        + (__doc__.split("\n\n")[1]).replace("\n", " ")
        + "\n\n"
        + table.to_markdown(index=False)
        + "\n\nTimings from a 2-core machine shared with other jobs: repeat runs moved them by up "
        "to 2x; the ESS figures depend on the seed alone.\n"
    )


if __name__ == "__main__":
    main()
