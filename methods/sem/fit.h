// methods/sem/fit.h — maximum-likelihood fitting of a linear SEM on a mixed,
// possibly cyclic graph, and simulation from one.
//
// Model: X = Lambda^T X + eps, eps ~ N(0, Omega), so with A = I - Lambda
//   Sigma = A^{-T} Omega A^{-1},   Sigma^{-1} = K = A Omega^{-1} A^T.
// Fit: minimise over theta = (lambda per directed edge, omega_ii, omega_ij per
// bidirected edge), in the order of Parametrization,
//   F_ML = log|Sigma| + tr(S Sigma^{-1}) - log|S| - p
// where S is the sample covariance divided by n (the likelihood's convention,
// as lavaan's default). In K: dF = tr((S - Sigma) dK), so with K_a = dK/dtheta_a
//   gradient  g_a  = tr((S - Sigma) K_a)
//   Hessian   H_ab = tr(Sigma K_a Sigma K_b) + tr((S - Sigma) K_ab)
// both in closed form (A is linear in lambda, Omega^{-1} rational in omega).
// The optimiser is Newton's method with Levenberg–Marquardt damping; every
// accepted point keeps I - Lambda invertible and Omega positive definite
// (F tends to +infinity at either boundary, so the damped steps stay inside).
// Standard errors: the observed information (n/2) H at the estimate, inverted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph.h"

namespace factorkit::sem {

// A symmetric p x p sample covariance (divided by n) over the graph's
// vertices, in vertex order, and the number of observations.
struct Moments {
  int p = 0;
  int64_t n = 0;
  std::vector<double> cov;  // p x p, row-major
};

// Moments of the columns named like the graph's vertices (other columns are
// ignored; every vertex needs a column). `rows` x `columns` row-major data;
// `where` names the file in errors. Throws InvalidInput for a missing or
// repeated column, fewer than p + 1 rows, and (code SingularCovariance, naming
// the column) a singular sample covariance: a constant or collinear column.
Moments moments_from_data(const MixedGraph& g, const std::vector<std::string>& columns, const std::vector<double>& values,
                          int64_t rows, const std::string& where);
// Moments from a covariance matrix given with a header (rows in the order of
// the columns; the columns named like the vertices are used, others ignored)
// and the number of observations n. The matrix is taken as the ML estimate
// (divided by n); one divided by n - 1 must be rescaled by (n - 1) / n first.
// Throws InvalidInput for a non-square, non-symmetric (beyond 1e-8 relative),
// misnamed or not positive definite matrix.
Moments moments_from_covariance(const MixedGraph& g, const std::vector<std::string>& columns,
                                const std::vector<double>& values, int64_t rows, int64_t n, const std::string& where);

// Parameter names (as `parameter_name`): lambdas, omega_ii, omega_ij.
std::vector<std::string> fit_parameter_names(const MixedGraph& g);

// Sets theta's entries by parameter name (theta has one value per parameter).
// Throws InvalidInput naming `where` for an unknown name or a non-finite value.
void assign_parameters(const MixedGraph& g, const std::map<std::string, double>& values, std::vector<double>& theta,
                       const std::string& where);

// Sigma = (I - Lambda)^{-T} Omega (I - Lambda)^{-1} at theta (p x p,
// row-major). Throws NumericalFailure when I - Lambda is singular.
std::vector<double> implied_covariance(const MixedGraph& g, const std::vector<double>& theta);

// F_ML, its gradient and its Hessian at theta (empty optional when I - Lambda
// is singular or Omega is not positive definite there).
struct Objective {
  double f = 0;
  std::vector<double> gradient;  // q
  std::vector<double> hessian;   // q x q, row-major (filled when asked for)
};
std::optional<Objective> ml_objective(const MixedGraph& g, const Moments& m, const std::vector<double>& theta,
                                      bool hessian);

struct FitOptions {
  int max_iterations = 500;
  // Convergence: the Newton decrement g^T H^{-1} g / 2 (the decrease of F_ML
  // Newton's step predicts; invariant to the variables' units) below this.
  double tolerance = 1e-12;
  // Extra starting points beyond the default one (lambda = 0, omega_ii = s_ii,
  // omega_ij = 0): lambda uniform in (-0.9, 0.9) (from the seed, the same on
  // every platform), omega as the default.
  // Cyclic models may have several local minima, or several global ones (a
  // finite-to-one model has finitely many parameter points per Sigma).
  int extra_starts = 0;
  uint64_t seed = 0;
  // Starting values by parameter name (others as the default); checked: an
  // unknown name, singular I - Lambda or non-positive-definite Omega there is
  // an InvalidInput naming `start_where`.
  std::map<std::string, double> start;
  std::string start_where = "--start";
};

struct FitResult {
  std::vector<std::string> names;
  std::vector<double> estimate;
  std::vector<double> se;       // NaN when the information is singular
  bool information_singular = false;  // a pivot of the unit-diagonal H below 1e-8
  int64_t n = 0;
  int p = 0, params = 0;
  double fmin = 0;              // F_ML at the estimate
  double chisq = 0;             // n F_ML
  int64_t df = 0;               // p(p+1)/2 - params
  double pvalue = 0;            // P(chi2_df > chisq); NaN when df <= 0
  double rmsea = 0;             // sqrt(max(chisq - df, 0) / (df n)); NaN when df <= 0
  double baseline_chisq = 0;    // independence model: n (log|diag S| - log|S|)
  int64_t baseline_df = 0;      // p(p-1)/2
  double cfi = 0, tli = 0;      // NaN when undefined
  double loglik = 0;            // -n/2 (p log 2 pi + log|Sigma| + tr(S Sigma^{-1}))
  double aic = 0, bic = 0;
  int iterations = 0;           // Newton iterations of the best start
  int starts = 0, starts_converged = 0;
  // Distinct points other than the estimate where converged starts reached the
  // best F_ML (within 1e-9 relative; points apart by more than 1e-4 relative in
  // some parameter): the data do not single out the estimate (several
  // parameter points give the same Sigma).
  int other_optima = 0;
  std::vector<double> sigma;    // implied covariance at the estimate
};

// The ML fit. Throws InvalidInput for a graph with more parameters than
// covariances (p(p+1)/2) — such a model cannot be identified — or than 5000
// (the Hessian is dense), for moments
// that are not a finite symmetric positive definite p x p matrix with n >= 1,
// and
// NumericalFailure when no start converges (the message gives the best
// decrement reached and suggests more starts).
FitResult fit(const MixedGraph& g, const Moments& m, const FitOptions& opt = {});

// n draws from the model at theta (n x p row-major), eps ~ N(0, Omega) by
// Box–Muller on mt19937_64 (the same numbers on every platform). Throws as
// implied_covariance, and InvalidInput when Omega is not positive definite or
// n p exceeds 10^8 values.
std::vector<double> simulate(const MixedGraph& g, const std::vector<double>& theta, int64_t n, uint64_t seed);

// P(chi2_df > x), by Arb's regularized upper incomplete gamma Q(df/2, x/2).
double chi_square_survival(double x, double df);

}  // namespace factorkit::sem
