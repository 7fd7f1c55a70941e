// The Gaussian-mixture benchmark of Gushchin et al. (NeurIPS 2023), generated
// offline: a Gaussian-mixture source P0 and a Gaussian-mixture Schrödinger
// potential (p_m, μ_m, Σ_m) define the exact entropic plan
//
//   π*(y|x) = Σ_m w_m(x) N(y | C_m Σ_m⁻¹ μ_m + C_m x/ε, C_m),
//   w_m(x) ∝ p_m N(x | μ_m, Σ_m + εI),   C_m = (I/ε + Σ_m⁻¹)⁻¹,
//
// and P1 is its marginal. The bridge's drift is
// g*(x, t) = ε ∇ log Σ_m p_m N(x | μ_m, Σ_m + ε(1−t)I). The plan lies in the
// LightSB family exactly (full covariance): S_m = I − ε(Σ_m+εI)⁻¹,
// r_m = ε(Σ_m+εI)⁻¹μ_m, log α_m = log p_m − ½ log|Σ_m+εI| − ½ μ_mᵀ(Σ_m+εI)⁻¹μ_m.
//
// The published parameter files are not used (they come from a download);
// `make_benchmark` draws its own mixtures from a seed (see BenchmarkShape).
#pragma once

#include <cstdint>

#include "lightsb.h"

namespace factorkit::lightsb {

struct GaussianMixture {
  Vector weights;            // summing to 1
  Matrix means;              // M × D
  std::vector<Matrix> covs;  // M of D × D, symmetric positive definite
  std::vector<Matrix> chol;  // their Cholesky factors (lower)
  Vector log_det;            // log |cov_m|

  // Factorises the covariances (InvalidInput if one is not positive definite).
  static GaussianMixture make(Vector weights, Matrix means, std::vector<Matrix> covs);
  Matrix sample(Eigen::Index n, Rng& rng) const;
  // log w_m + log N(x | μ_m, Σ_m): n × M
  Matrix component_log_densities(const Matrix& X) const;
  Vector log_density(const Matrix& X) const;  // per row
};

// How the mixtures are drawn. The defaults follow the benchmark authors'
// construction notebook (EntropicOTBenchmark, notebooks/GaussianMixtureDraft,
// commit 438dcb9; the released parameter files themselves are a download):
// P0 has 3 components whose means take, coordinate by coordinate, a random
// permutation of {−2, 0, 2}, covariance 0.25·I; the potential has 5 components
// with coordinates a random permutation of {−2, −1, 0, 1, 2} and covariance
// (½·scale(ε, D))²·I, scale from the notebook's table (0.5 for D ≤ 4, 1 for
// D ≤ 16, then 2 — or 4 at D = 32 and 8 from D = 64 when ε ≤ 0.1); weights
// uniform random, normalised. `anisotropic` replaces each covariance by
// Q diag(λ) Qᵀ·σ² with Q Haar-random and λ uniform on [0.25, 1.75] (harder
// for a diagonal LightSB; not in the published benchmark).
struct BenchmarkShape {
  int source_components = 3, potential_components = 5;
  double source_spacing = 2, potential_spacing = 1;
  double source_std = 0.5;
  double potential_std = 0;  // 0: ½·scale(ε, D) as the notebook
  bool anisotropic = false;
};
double notebook_potential_scale(double eps, Eigen::Index dim);

class Benchmark {
 public:
  Benchmark(double eps, GaussianMixture source, GaussianMixture potential);

  double eps() const { return eps_; }
  Eigen::Index dim() const { return source_.means.cols(); }
  const GaussianMixture& source() const { return source_; }
  const GaussianMixture& potential() const { return potential_; }

  Mixture plan(const Vector& x) const;  // π*(·|x)
  Matrix plan_log_weights(const Matrix& X) const;  // log p_m + log N(x | μ_m, Σ_m + εI): n × M
  Matrix sample_source(Eigen::Index n, Rng& rng) const { return source_.sample(n, rng); }
  Matrix sample_plan(const Matrix& X, Rng& rng) const;  // y ~ π*(·|x) per row
  Matrix sample_target(Eigen::Index n, Rng& rng) const { return sample_plan(sample_source(n, rng), rng); }
  Matrix drift(const Matrix& X, double t) const;  // g*(x, t) per row, 0 ≤ t < 1
  Model true_model() const;                       // the LightSB parameters of π* (full covariance)
  // tr Cov(P1) = E_x tr Cov(y|x) + tr Cov_x E[y|x], by Monte Carlo over n
  // source samples with the exact conditional moments
  double target_variance(Eigen::Index n, Rng& rng) const;

 private:
  double eps_;
  GaussianMixture source_, potential_;
  std::vector<Matrix> plan_cov_, plan_weight_, plan_cov_chol_;  // C_m, C_m/ε, chol(C_m)
  Matrix plan_bias_;                                             // M × D: C_m Σ_m⁻¹ μ_m
  GaussianMixture smoothed_;                                     // (p_m, μ_m, Σ_m + εI)
};

Benchmark make_benchmark(Eigen::Index dim, double eps, std::uint64_t seed, const BenchmarkShape& shape = {});

// A Haar-random orthogonal matrix (QR of a Gaussian matrix, signs fixed).
Matrix random_orthogonal(Eigen::Index n, Rng& rng);

}  // namespace factorkit::lightsb
