// factorkit/linalg/nnls.h — non-negative least squares for many right-hand sides.
//
//   X = argmin_{X >= 0} ||A X - B||_F      A: m x r, B: m x k, X: r x k
//
// Every column of B is an independent problem; all are solved in parallel on
// LibTorch's intra-op threads. Both solvers work on the normal equations
// (G = A^T A, C = A^T B), so the cost after forming G and C is independent of m;
// nnls_gram() takes G and C directly (NMF's transform uses it, with its L1/L2
// terms folded into them).
//
// Solvers:
//   ActiveSet  Lawson–Hanson on the Gram form, exact up to rounding: the
//              passive-set system is solved by Cholesky (falling back to a
//              rank-revealing solve when G_PP is singular). Default.
//   Hals       cyclic coordinate descent (HALS), iterated until the projected
//              gradient falls below `tol` relative to its first value or
//              `max_iter` sweeps; cheap per sweep, approximate.
//
// The KKT residual max_ij |min(X_ij, (G X - C)_ij)| is reported for the result
// (0 at an exact solution; scale: that of A^T B).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace factorkit::linalg {

enum class NnlsSolver { ActiveSet, Hals };

struct NnlsOptions {
  NnlsSolver solver = NnlsSolver::ActiveSet;
  int64_t max_iter = 0;  // 0: 3*r outer steps per column (ActiveSet), 1000 sweeps (Hals)
  double tol = 1e-10;    // Hals: stop when the projected-gradient norm drops by this factor
};

struct NnlsResult {
  at::Tensor x;               // r x k, dtype of the input
  double kkt_residual = 0.0;  // max |min(x, grad)| with grad = G x - C
  int64_t iterations = 0;     // ActiveSet: the most outer steps any column took; Hals: sweeps
  bool converged = true;      // every column met its stopping rule within max_iter
};

// A: m x r, B: m x k (or a vector of length m, solved as k = 1).
NnlsResult nnls(const at::Tensor& a, const at::Tensor& b, const NnlsOptions& opts = {});

// The same problem given G = A^T A (r x r, symmetric positive semi-definite)
// and C = A^T B (r x k). Computation is in float64 whatever the input dtype.
NnlsResult nnls_gram(const at::Tensor& gram, const at::Tensor& c, const NnlsOptions& opts = {});

// max |min(x, G x - C)| — the residual above, for any candidate x.
double nnls_kkt_residual(const at::Tensor& gram, const at::Tensor& c, const at::Tensor& x);

}  // namespace factorkit::linalg
