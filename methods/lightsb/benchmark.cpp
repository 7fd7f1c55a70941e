// The Gaussian-mixture entropic-OT benchmark, generated from a seed.
#include "benchmark.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "factorkit/core/error.h"

namespace factorkit::lightsb {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

Matrix spd_inverse(const Matrix& A) {
  return A.llt().solve(Matrix::Identity(A.rows(), A.cols()));
}

}  // namespace

Matrix random_orthogonal(Eigen::Index n, Rng& rng) {
  const Matrix G = standard_normal(n, n, rng);
  Eigen::HouseholderQR<Matrix> qr(G);
  Matrix Q = qr.householderQ();
  const Matrix R = qr.matrixQR();
  for (Eigen::Index j = 0; j < n; ++j)
    if (R(j, j) < 0) Q.col(j) = -Q.col(j);
  return Q;
}

GaussianMixture GaussianMixture::make(Vector weights, Matrix means, std::vector<Matrix> covs) {
  GaussianMixture g;
  g.weights = std::move(weights);
  g.means = std::move(means);
  g.covs = std::move(covs);
  g.log_det.resize(Eigen::Index(g.covs.size()));
  for (std::size_t m = 0; m < g.covs.size(); ++m) {
    const Eigen::LLT<Matrix> llt(g.covs[m]);
    if (llt.info() != Eigen::Success)
      throw InvalidInput("Gaussian mixture", "covariance " + std::to_string(m), "symmetric positive definite", "BadModel");
    g.chol.push_back(llt.matrixL());
    g.log_det(Eigen::Index(m)) = 2 * g.chol.back().diagonal().array().log().sum();
  }
  return g;
}

Matrix GaussianMixture::sample(Eigen::Index n, Rng& rng) const {
  const Eigen::Index D = means.cols();
  const Vector logw = weights.array().log().matrix();
  Matrix X(n, D);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index k = draw_component(logw, rng);
    X.row(i) = (means.row(k).transpose() + chol[std::size_t(k)] * standard_normal(D, 1, rng)).transpose();
  }
  return X;
}

Matrix GaussianMixture::component_log_densities(const Matrix& X) const {
  const Eigen::Index D = means.cols(), M = weights.size();
  Matrix L(X.rows(), M);
  for (Eigen::Index m = 0; m < M; ++m) {
    const Matrix Dm = (X.rowwise() - means.row(m)).transpose();
    const Matrix W = chol[std::size_t(m)].triangularView<Eigen::Lower>().solve(Dm);  // L⁻¹(x − μ)
    L.col(m) = (-0.5 * W.colwise().squaredNorm()).transpose().array() +
               (std::log(weights(m)) - 0.5 * (double(D) * kLog2Pi + log_det(m)));
  }
  return L;
}

Vector GaussianMixture::log_density(const Matrix& X) const {
  const Matrix L = component_log_densities(X);
  Vector out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double top = L.row(i).maxCoeff();
    out(i) = top + std::log((L.row(i).array() - top).exp().sum());
  }
  return out;
}

Benchmark::Benchmark(double eps, GaussianMixture source, GaussianMixture potential)
    : eps_(eps), source_(std::move(source)), potential_(std::move(potential)) {
  if (!(eps > 0) || !std::isfinite(eps)) throw InvalidInput("lightsb benchmark", "eps", "a positive number", "BadOption");
  const Eigen::Index D = source_.means.cols(), M = potential_.weights.size();
  if (potential_.means.cols() != D)
    throw InvalidInput("lightsb benchmark", "potential means", "the source's dimension", "BadShape");
  const Matrix I = Matrix::Identity(D, D);
  plan_bias_.resize(M, D);
  if (source_.chol.size() != source_.covs.size()) source_ = GaussianMixture::make(source_.weights, source_.means, source_.covs);
  if (potential_.chol.size() != potential_.covs.size())
    potential_ = GaussianMixture::make(potential_.weights, potential_.means, potential_.covs);
  std::vector<Matrix> smoothed_covs;
  for (Eigen::Index m = 0; m < M; ++m) {
    const Matrix& Sigma = potential_.covs[std::size_t(m)];
    const Matrix Sinv = spd_inverse(Sigma);
    Matrix C = spd_inverse(I / eps + Sinv);
    C = 0.5 * (C + C.transpose());
    plan_cov_.push_back(C);
    plan_weight_.push_back(C / eps);
    plan_cov_chol_.push_back(C.llt().matrixL());
    plan_bias_.row(m) = (C * Sinv * potential_.means.row(m).transpose()).transpose();
    smoothed_covs.push_back(Sigma + eps * I);
  }
  smoothed_ = GaussianMixture::make(potential_.weights, potential_.means, std::move(smoothed_covs));
}

Matrix Benchmark::plan_log_weights(const Matrix& X) const { return smoothed_.component_log_densities(X); }

Mixture Benchmark::plan(const Vector& x) const {
  Mixture p;
  const Eigen::Index M = potential_.weights.size();
  // w_m ∝ p_m N(x | μ_m, Σ_m + εI)
  const Vector logw = plan_log_weights(x.transpose()).row(0).transpose();
  const double top = logw.maxCoeff();
  p.weights = (logw.array() - top).exp().matrix();
  p.weights /= p.weights.sum();
  p.means.resize(M, dim());
  for (Eigen::Index m = 0; m < M; ++m) {
    p.means.row(m) = (plan_bias_.row(m).transpose() + plan_weight_[std::size_t(m)] * x).transpose();
    p.covs.push_back(plan_cov_[std::size_t(m)]);
  }
  return p;
}

Matrix Benchmark::sample_plan(const Matrix& X, Rng& rng) const {
  const Matrix L = plan_log_weights(X);
  Matrix Y(X.rows(), dim());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Eigen::Index m = draw_component(L.row(i).transpose(), rng);
    Y.row(i) = (plan_bias_.row(m).transpose() + plan_weight_[std::size_t(m)] * X.row(i).transpose() +
                plan_cov_chol_[std::size_t(m)] * standard_normal(dim(), 1, rng))
                   .transpose();
  }
  return Y;
}

Matrix Benchmark::drift(const Matrix& X, double t) const {
  if (!(t >= 0 && t < 1)) throw InvalidInput("lightsb benchmark drift", "t", "0 <= t < 1", "BadOption");
  // ε ∇ log Σ_m p_m N(x | μ_m, Σ_m + ε(1−t)I) = ε Σ_m w_m(x) (Σ_m + ε(1−t)I)⁻¹ (μ_m − x)
  const Eigen::Index M = potential_.weights.size(), D = dim();
  std::vector<Matrix> covs;
  for (Eigen::Index m = 0; m < M; ++m)
    covs.push_back(potential_.covs[std::size_t(m)] + eps_ * (1 - t) * Matrix::Identity(D, D));
  const GaussianMixture at_t = GaussianMixture::make(potential_.weights, potential_.means, covs);
  const Matrix logits = at_t.component_log_densities(X);
  std::vector<Matrix> grads;
  for (Eigen::Index m = 0; m < M; ++m) {
    const Matrix Dm = (-(X.rowwise() - potential_.means.row(m))).transpose();
    const auto& L = at_t.chol[std::size_t(m)];
    grads.push_back(L.transpose().triangularView<Eigen::Upper>().solve(L.triangularView<Eigen::Lower>().solve(Dm)).transpose());
  }
  Matrix g = Matrix::Zero(X.rows(), D);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double top = logits.row(i).maxCoeff();
    const Eigen::RowVectorXd w = (logits.row(i).array() - top).exp().matrix();
    const double total = w.sum();
    for (Eigen::Index m = 0; m < M; ++m) g.row(i) += (w(m) / total) * grads[std::size_t(m)].row(i);
  }
  return eps_ * g;
}

Model Benchmark::true_model() const {
  const Eigen::Index M = potential_.weights.size(), D = dim();
  Model model;
  model.eps = eps_;
  model.log_alpha_raw.resize(M);
  model.r.resize(M, D);
  model.s.resize(M, D);
  for (Eigen::Index m = 0; m < M; ++m) {
    const Matrix& Sigma = potential_.covs[std::size_t(m)];
    Eigen::SelfAdjointEigenSolver<Matrix> es(Sigma);
    const Vector sigma = es.eigenvalues();
    // S = I − ε(Σ+εI)⁻¹ = V diag(σ/(σ+ε)) Vᵀ
    model.s.row(m) = (sigma.array() / (sigma.array() + eps_)).log().matrix().transpose();
    model.rotation.push_back(es.eigenvectors());
    const Matrix Se = Sigma + eps_ * Matrix::Identity(D, D);
    const Eigen::LLT<Matrix> llt(Se);
    const Vector mu = potential_.means.row(m).transpose();
    const Vector Sinv_mu = llt.solve(mu);
    model.r.row(m) = (eps_ * Sinv_mu).transpose();
    const double log_det = 2 * Matrix(llt.matrixL()).diagonal().array().log().sum();
    const double log_alpha = std::log(potential_.weights(m)) - 0.5 * log_det - 0.5 * mu.dot(Sinv_mu);
    model.log_alpha_raw(m) = eps_ * log_alpha;
  }
  return model;
}

double Benchmark::target_variance(Eigen::Index n, Rng& rng) const {
  const Matrix X = sample_source(n, rng);
  double within = 0;
  Matrix means(n, dim());
  for (Eigen::Index i = 0; i < n; ++i) {
    const Mixture p = plan(X.row(i).transpose());
    const Vector mu = p.mean();
    means.row(i) = mu.transpose();
    within += p.covariance().trace();
  }
  const Eigen::RowVectorXd centre = means.colwise().mean();
  const double between = (means.rowwise() - centre).squaredNorm() / double(n - 1);
  return within / double(n) + between;
}

double notebook_potential_scale(double eps, Eigen::Index dim) {
  if (dim <= 4) return 0.5;
  if (dim <= 16) return 1;
  if (eps <= 0.1 + 1e-12) return dim <= 32 ? 4 : 8;
  return 2;
}

Benchmark make_benchmark(Eigen::Index dim, double eps, std::uint64_t seed, const BenchmarkShape& shape) {
  if (dim <= 0) throw InvalidInput("lightsb benchmark", "dim", "a positive dimension", "BadOption");
  Rng rng(seed);
  auto mixture = [&](int components, double spacing, double std) {
    if (components <= 0 || !(std > 0) || !(spacing >= 0))
      throw InvalidInput("lightsb benchmark", "mixture shape", "positive components and scales", "BadOption");
    Vector weights(components);
    for (int m = 0; m < components; ++m) weights(m) = uniform01(rng);
    weights /= weights.sum();
    // coordinate by coordinate, a random permutation of the grid 0, s, 2s, … centred on 0
    Matrix means(components, dim);
    std::vector<int> grid(std::size_t(components), 0);
    for (Eigen::Index d = 0; d < dim; ++d) {
      for (int m = 0; m < components; ++m) grid[std::size_t(m)] = m;
      for (int m = components - 1; m > 0; --m) std::swap(grid[std::size_t(m)], grid[std::size_t(uniform01(rng) * (m + 1))]);
      for (int m = 0; m < components; ++m) means(m, d) = spacing * (grid[std::size_t(m)] - (components - 1) / 2.0);
    }
    std::vector<Matrix> covs;
    for (int m = 0; m < components; ++m) {
      if (!shape.anisotropic) {
        covs.push_back(std * std * Matrix::Identity(dim, dim));
        continue;
      }
      const Matrix Q = random_orthogonal(dim, rng);
      Vector lambda(dim);
      for (Eigen::Index d = 0; d < dim; ++d) lambda(d) = 0.25 + 1.5 * uniform01(rng);
      Matrix c = std * std * Q * lambda.asDiagonal() * Q.transpose();
      covs.push_back(0.5 * (c + c.transpose()));
    }
    return GaussianMixture::make(std::move(weights), std::move(means), std::move(covs));
  };
  GaussianMixture source = mixture(shape.source_components, shape.source_spacing, shape.source_std);
  const double pstd = shape.potential_std > 0 ? shape.potential_std : 0.5 * notebook_potential_scale(eps, dim);
  GaussianMixture potential = mixture(shape.potential_components, shape.potential_spacing, pstd);
  return Benchmark(eps, std::move(source), std::move(potential));
}

}  // namespace factorkit::lightsb
