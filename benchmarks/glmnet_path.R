# Lasso path by glmnet, timed inside R (no R start-up in the figure), for benchmarks/map_path.py.
# Usage: Rscript glmnet_path.R X.csv y.txt lambdas.txt repeats coefs_out.csv
# glmnet's gaussian lasso minimises RSS / (2 n) + lambda ||b||_1 with a free intercept: with
# standardize = FALSE that is sklearn's Lasso at alpha = lambda.
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(glmnet))
X <- as.matrix(read.csv(args[1], header = FALSE))
y <- scan(args[2], quiet = TRUE)
lambda <- scan(args[3], quiet = TRUE)
repeats <- as.integer(args[4])
fit_path <- function() glmnet(X, y, family = "gaussian", alpha = 1, lambda = lambda, standardize = FALSE,
                              thresh = 1e-14, maxit = 1e8)
fit <- fit_path()
# proc.time ticks in milliseconds: time batches of fits so that each batch lasts >= 0.2 s.
start <- proc.time()[["elapsed"]]
fit <- fit_path()
single <- max(proc.time()[["elapsed"]] - start, 1e-3)
batch <- max(1L, as.integer(ceiling(0.2 / single)))
times <- numeric(repeats)
for (r in seq_len(repeats)) {
  start <- proc.time()[["elapsed"]]
  for (b in seq_len(batch)) fit <- fit_path()
  times[r] <- (proc.time()[["elapsed"]] - start) / batch
}
cat(median(times), "\n")
write.table(t(as.matrix(coef(fit))[-1, , drop = FALSE]), args[5], sep = ",", row.names = FALSE, col.names = FALSE)
