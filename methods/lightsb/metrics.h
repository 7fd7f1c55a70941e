// Metrics of the entropic-OT benchmark (Gushchin et al., NeurIPS 2023) and the
// energy distance for data without ground truth.
#pragma once

#include "benchmark.h"
#include "lightsb.h"

namespace factorkit::lightsb {

// A symmetric positive semi-definite matrix's square root by eigendecomposition
// (negative eigenvalues from rounding clamped to 0).
Matrix psd_sqrt(const Matrix& A);

// ½‖μ₁ − μ₂‖² + ½ tr Σ₁ + ½ tr Σ₂ − tr((Σ₁^½ Σ₂ Σ₁^½)^½)
double bures_wasserstein(const Vector& mu1, const Matrix& cov1, const Vector& mu2, const Matrix& cov2);

// Sample mean and covariance (denominator n − 1, as numpy's cov).
std::pair<Vector, Matrix> moments(const Matrix& X);

// 100 · BW(samples, true) / (½ tr Σ_true)
double bw2_uvp(const Matrix& samples, const Vector& true_mean, const Matrix& true_cov);

// 100 · mean over the rows x of `inputs` of BW(model samples | x, π*(·|x)'s
// moments) / (½ target_variance): `samples_per_x` draws from the model's plan
// at each x.
double cbw2_uvp(const Model& model, const Benchmark& bench, const Matrix& inputs, Eigen::Index samples_per_x,
                double target_variance, Rng& rng);

// Energy distance 2 E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ (within-sample terms
// over distinct pairs).
double energy_distance(const Matrix& X, const Matrix& Y);

}  // namespace factorkit::lightsb
