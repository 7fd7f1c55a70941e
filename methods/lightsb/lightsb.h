// Light Schrödinger Bridge (Korotin, Gushchin, Burnaev, ICLR 2024): the
// entropic Schrödinger bridge between two sample sets with the Schrödinger
// potential a Gaussian mixture,
//
//   v(y) = Σ_k α_k N(y | r_k, ε S_k),   c(x) = Σ_k α_k exp((xᵀS_k x + 2 r_kᵀx) / 2ε),
//
// trained by L = mean log c(x0) − mean log v(x1) (KL(π*‖π) up to a constant),
// with a closed-form conditional plan π(y|x) = Σ_k w_k(x) N(r_k + S_k x, ε S_k),
// w_k(x) ∝ α_k exp((xᵀS_k x + 2 r_kᵀx) / 2ε), and a closed-form drift.
//
// Parameters as in the reference: log α = log_alpha_raw / ε; S_k diagonal with
// log entries s_k, or full S_k = R_k diag(e^{s_k}) R_kᵀ with R_k orthogonal.
// Samples are rows of an n × D matrix. Everything is float64, without LibTorch.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <random>
#include <vector>

namespace factorkit::lightsb {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Rng = std::mt19937_64;

// Uniform on [0, 1) from 53 bits and a standard normal (Marsaglia's polar
// method): the same numbers on every platform for a seed.
double uniform01(Rng& rng);
double standard_normal(Rng& rng);
Matrix standard_normal(Eigen::Index rows, Eigen::Index cols, Rng& rng);

struct Model {
  double eps = 1;
  Vector log_alpha_raw;         // K
  Matrix r;                     // K × D
  Matrix s;                     // K × D: log of S_k's diagonal (eigenvalues when full)
  std::vector<Matrix> rotation;  // empty: diagonal S; else K orthogonal D × D

  Eigen::Index K() const { return r.rows(); }
  Eigen::Index D() const { return r.cols(); }
  bool diagonal() const { return rotation.empty(); }
  Vector log_alpha() const { return log_alpha_raw / eps; }
  Matrix S(Eigen::Index k) const;  // D × D
  // Throws InvalidInput naming the field when shapes disagree, eps ≤ 0, a value
  // is not finite or a rotation is not orthogonal (to 1e-8).
  void check(const char* where = "LightSB model") const;
};

// K components: r from K rows of `target` (the reference's init_r_by_samples;
// fewer rows than K: drawn with replacement), S = s_init·I, α uniform
// (log_alpha_raw = ε log(1/K)); full covariance starts from R = I.
Model init_model(const Matrix& target, Eigen::Index K, double eps, double s_init, bool diagonal, Rng& rng);

// log c(x) and log v(y) for each row
Vector log_c(const Model& m, const Matrix& X);
Vector log_v(const Model& m, const Matrix& Y);
// mean log c(X0) − mean log v(X1)
double loss(const Model& m, const Matrix& X0, const Matrix& X1);

// The gradient with respect to the stored parameters (log_alpha_raw, r, s,
// and for full covariance the generator of each rotation: the derivative
// along R_k ← R_k exp(Ω), Ω = G − Gᵀ, at G = 0 — a D × D matrix per k).
struct Gradient {
  Vector log_alpha_raw;
  Matrix r, s;
  std::vector<Matrix> rotation;
};
double loss_and_gradient(const Model& m, const Matrix& X0, const Matrix& X1, Gradient& g);

// The conditional plan at x: a Gaussian mixture.
struct Mixture {
  Vector weights;             // K, summing to 1
  Matrix means;               // K × D
  std::vector<Matrix> covs;   // K of D × D
  Vector mean() const;
  Matrix covariance() const;  // Σ w (C + μμᵀ) − mean meanᵀ
};
Mixture plan(const Model& m, const Vector& x);
// y ~ π(·|x) for each row of X
Matrix sample(const Model& m, const Matrix& X, Rng& rng);
// n draws from π(·|x) at one x (the component weights computed once)
Matrix sample_at(const Model& m, const Vector& x, Eigen::Index n, Rng& rng);
// the bridge's drift at time t ∈ [0, 1) for each row of X
Matrix drift(const Model& m, const Matrix& X, double t);
// Euler–Maruyama with `steps` steps from each row of X: x += g dt + √(ε dt) z.
// Returns the states at t = 0, 1/steps, …, 1 (steps + 1 matrices).
std::vector<Matrix> euler_maruyama(const Model& m, const Matrix& X, int steps, Rng& rng);
// x_t = t y + (1 − t) x + √(t (1 − t) ε) z, y ~ π(·|x)
Matrix bridge(const Model& m, const Matrix& X, double t, Rng& rng);
// the Brownian bridge pinned at x (t = 0) and y (t = 1), row by row
Matrix bridge_between(const Matrix& X, const Matrix& Y, double t, double eps, Rng& rng);

// Samples from a Gaussian mixture given by its parts (log weights need not be
// normalised). Shared by the plan and the benchmark's samplers.
Eigen::Index draw_component(const Vector& log_weights, Rng& rng);

}  // namespace factorkit::lightsb
