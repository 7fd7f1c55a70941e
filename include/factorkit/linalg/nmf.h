// factorkit/linalg/nmf.h — non-negative matrix factorization X ≈ W H.
//
//   X: n x p, X >= 0      W: n x r >= 0      H: r x p >= 0
//
// The conventions are scikit-learn's (sklearn.decomposition.NMF, 1.2), so that
// with the same initialization the iterates agree:
//   * solver CoordinateDescent is Fast HALS (Cichocki & Phan 2009), one cyclic
//     sweep over the r columns of W, then of H^T, per iteration; `shuffle`
//     permutes the column order on every half-sweep;
//   * solver MultiplicativeUpdate handles every beta-divergence (2 Frobenius,
//     1 generalized Kullback–Leibler, 0 Itakura–Saito, any other real), with
//     the maximization-minimization exponent gamma of Févotte & Idier (2011);
//   * regularization: alpha_W * (l1_ratio * |W|_1 + (1 - l1_ratio)/2 * |W|_F^2)
//     scaled by p (n_features), and the same for H with alpha_H scaled by n
//     (n_samples); alpha_H < 0 means "same as alpha_W";
//   * stopping: CoordinateDescent stops when the summed projected-gradient
//     violation of an iteration falls to tol times that of the first iteration;
//     MultiplicativeUpdate evaluates the divergence every 10 iterations and stops
//     when it fell by less than tol times its initial value. tol = 0 runs max_iter
//     iterations. Reaching max_iter with tol > 0 sets converged = false (not an
//     error: the result is the last iterate).
//
// The solvers share one alternating skeleton (src/linalg/nmf.cpp); each solver
// only supplies its W and H updates and its stopping statistic (PLANC's design).
// Work is in the input's dtype (float32 or float64; other dtypes become float32).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace factorkit::linalg {

enum class NmfSolver { CoordinateDescent, MultiplicativeUpdate };
enum class NmfInit {
  Auto,      // Nndsvda when r <= min(n, p), Random otherwise (scikit-learn >= 1.1)
  Random,    // |N(0,1)| * sqrt(mean(X) / r), seeded
  Nndsvd,    // Boutsidis & Gallopoulos 2008, zeros kept (bad for MultiplicativeUpdate)
  Nndsvda,   // NNDSVD with zeros replaced by mean(X)
  Nndsvdar,  // NNDSVD with zeros replaced by |N(0,1)| * mean(X) / 100, seeded
  Custom,    // W and H given by the caller
};

// One row of the convergence history.
struct NmfIteration {
  int64_t iter = 0;
  // ||X - W H||_F after the iteration (Frobenius loss), or sqrt(2 * D_beta) for
  // the other divergences — scikit-learn's reconstruction_err_ measure. Computed
  // from the Gram products the solver already has (no extra pass over X) for
  // beta = 2; NaN when it was not evaluated in this iteration (beta != 2 outside
  // the every-10-iterations check).
  double error = 0.0;
  // CoordinateDescent: the iteration's projected-gradient violation;
  // MultiplicativeUpdate: NaN.
  double violation = 0.0;
  double seconds = 0.0;  // since the start of the fit
};

struct NmfOptions {
  int64_t rank = 0;  // r, required: 1 <= r
  NmfSolver solver = NmfSolver::CoordinateDescent;
  NmfInit init = NmfInit::Auto;
  double beta = 2.0;  // beta-divergence; != 2 needs MultiplicativeUpdate
  double tol = 1e-4;
  int64_t max_iter = 200;
  double alpha_w = 0.0;
  double alpha_h = -1.0;  // < 0: same as alpha_w
  double l1_ratio = 0.0;
  bool shuffle = false;   // CoordinateDescent only
  uint64_t seed = 0;      // Random / Nndsvdar init, randomized SVD of nndsvd*, shuffle
  double init_eps = 1e-6; // NNDSVD: entries below this become zero
  // Called after every iteration (progress bars, logging). May be empty.
  std::function<void(const NmfIteration&)> on_iteration;
};

struct NmfResult {
  at::Tensor w;  // n x r
  at::Tensor h;  // r x p
  int64_t n_iter = 0;
  bool converged = true;
  double reconstruction_error = 0.0;  // ||X - W H||_F, or sqrt(2 * D_beta(X, W H)), computed exactly
  double stop_statistic = 0.0;        // CD: violation / first violation; MU: last relative decrease
  std::vector<NmfIteration> history;
};

struct NmfFactors {
  at::Tensor w, h;
};

// Fit X ≈ W H. With init = Custom, w0 and h0 are the starting point (copied).
NmfResult nmf(const at::Tensor& x, const NmfOptions& opts, const at::Tensor& w0 = {},
              const at::Tensor& h0 = {});

// What init = Auto means for an n x p matrix at this rank (scikit-learn >= 1.1):
// Nndsvda when rank <= min(n, p), Random otherwise; any other init is returned as is.
NmfInit resolve_init(NmfInit init, int64_t rank, int64_t n, int64_t p);

// The initial factors nmf() would start from (init != Custom).
NmfFactors nmf_initialize(const at::Tensor& x, int64_t rank, NmfInit init, uint64_t seed = 0,
                          double eps = 1e-6);

enum class NmfTransform {
  Exact,   // active-set NNLS per row: the exact minimizer (KKT residual ~ rounding)
  Solver,  // scikit-learn's transform: the fit's solver with H fixed, from W = 0
           // (CD) or W = sqrt(mean(X)/r) (MU), with the fit's tol and max_iter
};

// W >= 0 minimizing the regularized objective of `opts` with H fixed. Exact
// (default) is only available for beta = 2.
at::Tensor nmf_transform(const at::Tensor& x, const at::Tensor& h, const NmfOptions& opts,
                         NmfTransform how = NmfTransform::Exact);

// sqrt(2 * D_beta(X, W H)) as scikit-learn's _beta_divergence(square_root=True):
// for beta = 2 this is ||X - W H||_F. Entries of X <= float32 eps are skipped for
// beta != 2, and zeros of W H are replaced by that eps.
double nmf_error(const at::Tensor& x, const at::Tensor& w, const at::Tensor& h, double beta = 2.0);

// Names used by the command line and in JSON: "cd", "mu"; "auto", "random",
// "nndsvd", "nndsvda", "nndsvdar", "custom"; "frobenius", "kullback-leibler",
// "itakura-saito" or a number. Parsers throw InvalidInput naming `where`.
std::string to_string(NmfSolver s);
std::string to_string(NmfInit i);
NmfSolver parse_nmf_solver(const std::string& s, const std::string& where);
NmfInit parse_nmf_init(const std::string& s, const std::string& where);
double parse_beta(const std::string& s, const std::string& where);

}  // namespace factorkit::linalg
