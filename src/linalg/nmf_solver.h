// The alternating skeleton shared by the NMF solvers (internal).
//
// run_alternating() owns the loop: iteration count, history, timing, the
// progress callback and the stopping decision's bookkeeping. A solver derives
// from NmfUpdater and supplies only
//   update_w  one update of W with H fixed,
//   update_h  one update of H with W fixed (on H^T, stored p x r like W),
//   done      its stopping statistic and rule after each full iteration.
// The H update is the W update applied to the transposed problem
// (X^T ≈ H^T W^T), which is why the state keeps H as Ht (p x r).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <random>

#include "factorkit/linalg/nmf.h"

namespace factorkit::linalg::detail {

// scikit-learn's EPSILON (float32 machine epsilon): the floor for divisions in MU
inline constexpr double kNmfEps = 1.1920928955078125e-07;
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct NmfRegularization {
  double l1_w = 0, l2_w = 0, l1_h = 0, l2_h = 0;
};

// alpha * scale: scikit-learn's _compute_regularization
NmfRegularization nmf_regularization(const NmfOptions& o, int64_t n, int64_t p);

struct NmfState {
  at::Tensor x;   // n x p, contiguous, working dtype
  at::Tensor w;   // n x r, contiguous
  at::Tensor ht;  // p x r, contiguous (H transposed)
  NmfRegularization reg;
  double beta = 2.0;
  bool update_h = true;
  std::mt19937_64 rng;
  double x_sq = kNaN;  // ||X||_F^2 in float64, for the Gram-form error
};

class NmfUpdater {
 public:
  virtual ~NmfUpdater() = default;
  virtual void begin(NmfState&) {}
  virtual double update_w(NmfState& s) = 0;  // returns the solver's statistic for this half
  virtual double update_h(NmfState& s) = 0;
  // After iteration `iter` whose halves returned `stat` in total: fill
  // rec.error / rec.violation, set *stop_stat, return true to stop (converged).
  virtual bool done(NmfState& s, int64_t iter, double stat, double tol, NmfIteration& rec,
                    double* stop_stat) = 0;
};

std::unique_ptr<NmfUpdater> make_cd_updater(bool shuffle);
std::unique_ptr<NmfUpdater> make_mu_updater();

struct AlternatingResult {
  int64_t n_iter = 0;
  bool converged = false;
  double stop_statistic = kNaN;
};

AlternatingResult run_alternating(NmfState& s, NmfUpdater& u, const NmfOptions& o,
                                  std::vector<NmfIteration>* history);

// ||X - W Ht^T||_F from Gram products, without touching X again:
// ||X||^2 - 2 <B, XB> + <B^T B, AtA> where B is the factor just updated, XB the
// product of X (or X^T) with the *other* factor A, and AtA = A^T A.
// `btb` = B^T B when the caller has it (avoids a BLAS call per iteration).
double gram_error(double x_sq, const at::Tensor& b, const at::Tensor& xb, const at::Tensor& ata,
                  const at::Tensor& btb = {});

}  // namespace factorkit::linalg::detail
