// BW2-UVP, cBW2-UVP and the energy distance.
#include "metrics.h"

#include <cmath>

#include "factorkit/core/error.h"

namespace factorkit::lightsb {

Matrix psd_sqrt(const Matrix& A) {
  const Matrix sym = 0.5 * (A + A.transpose());
  Eigen::SelfAdjointEigenSolver<Matrix> es(sym);
  const Vector root = es.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  return es.eigenvectors() * root.asDiagonal() * es.eigenvectors().transpose();
}

double bures_wasserstein(const Vector& mu1, const Matrix& cov1, const Vector& mu2, const Matrix& cov2) {
  const Matrix r1 = psd_sqrt(cov1);
  const double cross = psd_sqrt(r1 * cov2 * r1).trace();
  return 0.5 * (mu1 - mu2).squaredNorm() + 0.5 * cov1.trace() + 0.5 * cov2.trace() - cross;
}

std::pair<Vector, Matrix> moments(const Matrix& X) {
  if (X.rows() < 2) throw InvalidInput("lightsb metrics", "samples", "at least two rows", "BadShape");
  const Vector mu = X.colwise().mean().transpose();
  const Matrix C = X.rowwise() - mu.transpose();
  return {mu, C.transpose() * C / double(X.rows() - 1)};
}

double bw2_uvp(const Matrix& samples, const Vector& true_mean, const Matrix& true_cov) {
  const auto [mu, cov] = moments(samples);
  return 100 * bures_wasserstein(mu, cov, true_mean, true_cov) / (0.5 * true_cov.trace());
}

double cbw2_uvp(const Model& model, const Benchmark& bench, const Matrix& inputs, Eigen::Index samples_per_x,
                double target_variance, Rng& rng) {
  double total = 0;
  for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
    const Matrix Y = sample_at(model, inputs.row(i).transpose(), samples_per_x, rng);
    const auto [mu, cov] = moments(Y);
    const Mixture truth = bench.plan(inputs.row(i).transpose());
    total += bures_wasserstein(mu, cov, truth.mean(), truth.covariance());
  }
  return 100 * (total / double(inputs.rows())) / (0.5 * target_variance);
}

double energy_distance(const Matrix& X, const Matrix& Y) {
  if (X.cols() != Y.cols()) throw InvalidInput("energy distance", "columns", "the same dimension", "BadShape");
  if (X.rows() < 2 || Y.rows() < 2) throw InvalidInput("energy distance", "samples", "at least two rows each", "BadShape");
  auto mean_distance = [](const Matrix& A, const Matrix& B, bool same) {
    double s = 0;
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      for (Eigen::Index j = same ? i + 1 : 0; j < B.rows(); ++j) s += (A.row(i) - B.row(j)).norm();
    const double pairs = same ? double(A.rows()) * double(A.rows() - 1) / 2 : double(A.rows()) * double(B.rows());
    return s / pairs;
  };
  return 2 * mean_distance(X, Y, false) - mean_distance(X, X, true) - mean_distance(Y, Y, true);
}

}  // namespace factorkit::lightsb
