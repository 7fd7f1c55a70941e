// LightSB: potential, loss with its analytic gradient, plan, drift, samplers.
#include "lightsb.h"

#include <cmath>
#include <numbers>
#include <string>

#include "factorkit/core/error.h"

namespace factorkit::lightsb {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;  // log(2π)

// log Σ exp along each row; with `softmax`, also the row-wise softmax (the
// exponentials computed once, column by column so that they vectorise)
Vector row_logsumexp(const Matrix& A, Matrix* softmax = nullptr) {
  const Vector top = A.rowwise().maxCoeff();
  Matrix E = (A.colwise() - top).array().exp().matrix();
  const Vector sums = E.rowwise().sum();
  if (softmax != nullptr) *softmax = sums.cwiseInverse().asDiagonal() * E;
  return top.array() + sums.array().log();
}

// X in component k's frame (Rᵀx for each row), and a vector's
Matrix to_frame(const Model& m, Eigen::Index k, const Matrix& X) {
  return m.diagonal() ? X : Matrix(X * m.rotation[std::size_t(k)]);
}

// ℓ_k(x) = (xᵀS_k x + 2 r_kᵀx)/(2ε) + log α_k: n × K
Matrix c_logits(const Model& m, const Matrix& X) {
  const Vector la = m.log_alpha();
  if (m.diagonal()) {  // (X² Sᵀ + 2 X rᵀ)/(2ε): two matrix products
    Matrix out = (X.array().square().matrix() * m.s.array().exp().matrix().transpose() + 2 * X * m.r.transpose()) /
                 (2 * m.eps);
    out.rowwise() += la.transpose();
    return out;
  }
  Matrix out(X.rows(), m.K());
  for (Eigen::Index k = 0; k < m.K(); ++k) {
    const Matrix Z = to_frame(m, k, X);
    const Vector quad = Z.array().square().matrix() * m.s.row(k).array().exp().matrix().transpose();
    out.col(k) = (quad + 2 * X * m.r.row(k).transpose()) / (2 * m.eps);
    out.col(k).array() += la(k);
  }
  return out;
}

// log α_k + log N(y | r_k, ε S_k): n × K
Matrix v_logits(const Model& m, const Matrix& Y) {
  const Vector la = m.log_alpha();
  const double D = double(m.D());
  if (m.diagonal()) {  // −(Y² (1/S)ᵀ − 2 Y (r/S)ᵀ + Σ_d r²/S)/(2ε) + constants
    const Matrix inv = (-m.s).array().exp().matrix();  // K × D
    const Vector r2 = (m.r.array().square() * inv.array()).rowwise().sum();
    Matrix out = -(Y.array().square().matrix() * inv.transpose() - 2 * Y * m.r.cwiseProduct(inv).transpose()) /
                 (2 * m.eps);
    const Vector log_det = m.s.rowwise().sum().array() + D * std::log(m.eps);
    const Vector constant = la.array() - 0.5 * (D * kLog2Pi + log_det.array()) - r2.array() / (2 * m.eps);
    out.rowwise() += constant.transpose();
    return out;
  }
  Matrix out(Y.rows(), m.K());
  for (Eigen::Index k = 0; k < m.K(); ++k) {
    const Matrix Q = to_frame(m, k, Y.rowwise() - m.r.row(k));
    const Vector inv = (-m.s.row(k)).array().exp().matrix().transpose();
    const double log_det = m.s.row(k).sum() + D * std::log(m.eps);
    out.col(k) = -(Q.array().square().matrix() * inv) / (2 * m.eps);
    out.col(k).array() += la(k) - 0.5 * (D * kLog2Pi + log_det);
  }
  return out;
}

void require(bool ok, const char* where, const std::string& field, const std::string& expected) {
  if (!ok) throw InvalidInput(where, field, expected, "BadModel");
}

}  // namespace

double uniform01(Rng& rng) { return double(rng() >> 11) * 0x1.0p-53; }

double standard_normal(Rng& rng) {
  for (;;) {
    const double u = 2 * uniform01(rng) - 1, v = 2 * uniform01(rng) - 1, q = u * u + v * v;
    if (q > 0 && q < 1) return u * std::sqrt(-2 * std::log(q) / q);  // one of the pair, for simplicity
  }
}

Matrix standard_normal(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  Matrix z(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) z(i, j) = standard_normal(rng);
  return z;
}

Matrix Model::S(Eigen::Index k) const {
  const Vector lambda = s.row(k).array().exp().matrix().transpose();
  if (diagonal()) return lambda.asDiagonal();
  const Matrix& R = rotation[std::size_t(k)];
  return R * lambda.asDiagonal() * R.transpose();
}

void Model::check(const char* where) const {
  require(std::isfinite(eps) && eps > 0, where, "eps", "a positive number");
  require(K() > 0 && D() > 0, where, "r", "at least one component and one dimension");
  require(log_alpha_raw.size() == K(), where, "log_alpha_raw", std::to_string(K()) + " values (one per component)");
  require(s.rows() == K() && s.cols() == D(), where, "s (log S diagonal)",
          "shape " + std::to_string(K()) + " x " + std::to_string(D()) + " as r");
  require(log_alpha_raw.allFinite() && r.allFinite() && s.allFinite(), where, "parameters", "finite values");
  // what the computations derive must be finite too: S = e^s, ε S, log α = log_alpha_raw / ε
  require(s.cwiseAbs().maxCoeff() <= 300, where, "S_log_diagonal_matrix",
          "log-eigenvalues within ±300 (S = e^s must be a finite positive number)");
  require(std::isfinite(eps * std::exp(s.minCoeff())) && eps * std::exp(s.minCoeff()) > 0, where, "eps",
          "a value for which ε S stays a positive finite number");
  require((log_alpha_raw / eps).allFinite() && (log_alpha_raw / eps).cwiseAbs().maxCoeff() < 1e300, where,
          "log_alpha_raw", "values for which log α = log_alpha_raw / ε is finite");
  require(rotation.empty() || Eigen::Index(rotation.size()) == K(), where, "rotation",
          "none (diagonal S) or one per component");
  for (const Matrix& R : rotation) {
    require(R.rows() == D() && R.cols() == D() && R.allFinite(), where, "rotation",
            "finite " + std::to_string(D()) + " x " + std::to_string(D()) + " matrices");
    require((R.transpose() * R - Matrix::Identity(D(), D())).cwiseAbs().maxCoeff() < 1e-8, where, "rotation",
            "orthogonal matrices (RᵀR = I to 1e-8)");
  }
}

Model init_model(const Matrix& target, Eigen::Index K, double eps, double s_init, bool diagonal, Rng& rng) {
  if (K <= 0) throw InvalidInput("lightsb", "K", "a positive number of components", "BadOption");
  if (!(eps > 0) || !std::isfinite(eps)) throw InvalidInput("lightsb", "eps", "a positive number", "BadOption");
  if (!(s_init > 0) || !std::isfinite(s_init)) throw InvalidInput("lightsb", "S init", "a positive number", "BadOption");
  if (target.rows() == 0) throw InvalidInput("lightsb", "target samples", "at least one row", "BadShape");
  Model m;
  m.eps = eps;
  m.log_alpha_raw = Vector::Constant(K, eps * std::log(1.0 / double(K)));
  m.r.resize(K, target.cols());
  // K distinct rows when there are enough (a partial Fisher–Yates shuffle)
  std::vector<Eigen::Index> idx(std::size_t(target.rows()));
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = Eigen::Index(i);
  for (Eigen::Index k = 0; k < K; ++k) {
    Eigen::Index row;
    if (k < target.rows()) {
      const auto j = k + Eigen::Index(uniform01(rng) * double(target.rows() - k));
      std::swap(idx[std::size_t(k)], idx[std::size_t(j)]);
      row = idx[std::size_t(k)];
    } else {
      row = Eigen::Index(uniform01(rng) * double(target.rows()));
    }
    m.r.row(k) = target.row(row);
  }
  m.s = Matrix::Constant(K, target.cols(), std::log(s_init));
  if (!diagonal) m.rotation.assign(std::size_t(K), Matrix::Identity(target.cols(), target.cols()));
  return m;
}

Vector log_c(const Model& m, const Matrix& X) { return row_logsumexp(c_logits(m, X)); }
Vector log_v(const Model& m, const Matrix& Y) { return row_logsumexp(v_logits(m, Y)); }

double loss(const Model& m, const Matrix& X0, const Matrix& X1) { return log_c(m, X0).mean() - log_v(m, X1).mean(); }

double loss_and_gradient(const Model& m, const Matrix& X0, const Matrix& X1, Gradient& g) {
  Matrix W, U;
  const Vector lse_c = row_logsumexp(c_logits(m, X0), &W), lse_v = row_logsumexp(v_logits(m, X1), &U);
  W /= double(X0.rows());  // weights, pre-divided by the batch sizes
  U /= double(X1.rows());
  const double eps = m.eps;
  const Eigen::Index K = m.K(), D = m.D();
  g.log_alpha_raw = (W.colwise().sum() - U.colwise().sum()).transpose() / eps;
  if (m.diagonal()) {
    // r: (WᵀX − [UᵀY − usum·r] ⊘ S)/ε;  s: S ⊙ WᵀX²/(2ε) − [UᵀY² − 2 r ⊙ UᵀY + usum·r²] ⊘ S/(2ε) + ½ usum
    const Matrix lambda = m.s.array().exp().matrix();
    const Vector usum = U.colwise().sum().transpose();
    const Matrix UY = U.transpose() * X1, UY2 = U.transpose() * X1.array().square().matrix();
    const Matrix WX = W.transpose() * X0, WX2 = W.transpose() * X0.array().square().matrix();
    g.r = (WX.array() - (UY.array() - m.r.array().colwise() * usum.array()) / lambda.array()).matrix() / eps;
    g.s = (lambda.array() * WX2.array() / (2 * eps) -
           (UY2.array() - 2 * m.r.array() * UY.array() + m.r.array().square().colwise() * usum.array()) /
               (2 * eps * lambda.array()))
              .matrix();
    g.s.colwise() += 0.5 * usum;
    g.rotation.clear();
    return lse_c.mean() - lse_v.mean();
  }
  g.r.resize(K, D);
  g.s.resize(K, D);
  g.rotation.assign(m.diagonal() ? 0 : std::size_t(K), Matrix());
  for (Eigen::Index k = 0; k < K; ++k) {
    const Vector lambda = m.s.row(k).array().exp().matrix().transpose();
    const Vector w = W.col(k), u = U.col(k);
    const double usum = u.sum();
    const Matrix Z = to_frame(m, k, X0);                     // Rᵀx
    const Matrix Delta = X1.rowwise() - m.r.row(k);          // y − r
    const Matrix Q = to_frame(m, k, Delta);                  // Rᵀ(y − r)
    // log c: ∂ℓ/∂r = x/ε, ∂ℓ/∂s_d = λ_d z_d²/(2ε)
    // log v: ∂m/∂r = R Λ⁻¹ q/ε, ∂m/∂s_d = q_d²/(2ελ_d) − ½ (and L takes −log v)
    const Vector qinv = (Q.transpose() * u).cwiseQuotient(lambda);  // Λ⁻¹ Σ u q
    const Vector dr_v = m.diagonal() ? qinv : Vector(m.rotation[std::size_t(k)] * qinv);
    g.r.row(k) = (X0.transpose() * w - dr_v).transpose() / eps;
    const Vector zz = Z.array().square().matrix().transpose() * w;
    const Vector qq = Q.array().square().matrix().transpose() * u;
    g.s.row(k) = (lambda.cwiseProduct(zz) / (2 * eps) - (qq.cwiseQuotient(lambda) / (2 * eps)).array().matrix() +
                  Vector::Constant(D, 0.5 * usum))
                     .transpose();
    if (!m.diagonal()) {
      // Euclidean gradient E = (1/ε)[Xᵀ diag(w) X R Λ + Δᵀ diag(u) Δ R Λ⁻¹] = (1/ε)[Xᵀdiag(w) Z Λ + Δᵀdiag(u) Q Λ⁻¹],
      // and along R ← R exp(G − Gᵀ) at G = 0: RᵀE − EᵀR
      const Matrix& R = m.rotation[std::size_t(k)];
      const Matrix E = (X0.transpose() * (w.asDiagonal() * Z) * lambda.asDiagonal() +
                        Delta.transpose() * (u.asDiagonal() * Q) * lambda.cwiseInverse().asDiagonal()) /
                       eps;
      const Matrix RtE = R.transpose() * E;
      g.rotation[std::size_t(k)] = RtE - RtE.transpose();
    }
  }
  return lse_c.mean() - lse_v.mean();
}

Vector Mixture::mean() const { return means.transpose() * weights; }

Matrix Mixture::covariance() const {
  const Vector mu = mean();
  Matrix c = Matrix::Zero(means.cols(), means.cols());
  for (Eigen::Index k = 0; k < weights.size(); ++k) {
    const Vector d = means.row(k).transpose() - mu;
    c += weights(k) * (covs[std::size_t(k)] + d * d.transpose());
  }
  return c;
}

Mixture plan(const Model& m, const Vector& x) {
  Mixture p;
  const Matrix X = x.transpose();
  Matrix w;
  row_logsumexp(c_logits(m, X), &w);
  p.weights = w.row(0).transpose();
  p.means.resize(m.K(), m.D());
  for (Eigen::Index k = 0; k < m.K(); ++k) {
    const Matrix S = m.S(k);
    p.means.row(k) = (m.r.row(k).transpose() + S * x).transpose();
    p.covs.push_back(m.eps * S);
  }
  return p;
}

Eigen::Index draw_component(const Vector& log_weights, Rng& rng) {
  const double top = log_weights.maxCoeff();
  const Vector w = (log_weights.array() - top).exp().matrix();
  double u = uniform01(rng) * w.sum();
  for (Eigen::Index k = 0; k < w.size(); ++k) {
    u -= w(k);
    if (u < 0) return k;
  }
  Eigen::Index last = w.size() - 1;  // rounding: the last component with weight
  while (last > 0 && w(last) == 0) --last;
  return last;
}

namespace {

// one draw from π(·|x) given its component logits at x
Vector draw(const Model& m, const Eigen::RowVectorXd& logits, const Vector& x, Rng& rng) {
  const Eigen::Index k = draw_component(logits.transpose(), rng);
  const Vector lambda = m.s.row(k).array().exp().matrix().transpose();
  Vector noise = (lambda * m.eps).cwiseSqrt().cwiseProduct(standard_normal(m.D(), 1, rng));
  Vector Sx;
  if (m.diagonal()) {
    Sx = lambda.cwiseProduct(x);
  } else {
    const Matrix& R = m.rotation[std::size_t(k)];
    noise = R * noise;
    Sx = R * lambda.cwiseProduct(R.transpose() * x);
  }
  return m.r.row(k).transpose() + Sx + noise;
}

}  // namespace

Matrix sample(const Model& m, const Matrix& X, Rng& rng) {
  const Matrix L = c_logits(m, X);
  Matrix Y(X.rows(), m.D());
  for (Eigen::Index i = 0; i < X.rows(); ++i) Y.row(i) = draw(m, L.row(i), X.row(i).transpose(), rng).transpose();
  return Y;
}

Matrix sample_at(const Model& m, const Vector& x, Eigen::Index n, Rng& rng) {
  const Eigen::RowVectorXd logits = c_logits(m, x.transpose()).row(0);
  Matrix Y(n, m.D());
  for (Eigen::Index i = 0; i < n; ++i) Y.row(i) = draw(m, logits, x, rng).transpose();
  return Y;
}

// g(x, t) = (Σ_k w_k A_k⁻¹ c_k − x)/(1 − t), with A_k = t/(ε(1−t)) I + S_k⁻¹/ε,
// c_k = x/(ε(1−t)) + S_k⁻¹ r_k/ε and w = softmax_k of
// ℓ_k = log α_k − ½ log|S_k| − ½ log|A_k| − ½ r_kᵀS_k⁻¹r_k/ε + ½ c_kᵀA_k⁻¹c_k
// (the gradient of ε·logsumexp_k ℓ_k, since ∇_x ℓ_k = A_k⁻¹c_k/(ε(1−t))).
// Both S_k and A_k are diagonal in component k's frame.
Matrix drift(const Model& m, const Matrix& X, double t) {
  if (!(t >= 0 && t < 1)) throw InvalidInput("lightsb drift", "t = " + std::to_string(t), "0 <= t < 1", "BadOption");
  const double eps = m.eps, a = t / (eps * (1 - t));
  const Eigen::Index n = X.rows(), K = m.K(), D = m.D();
  const Vector la = m.log_alpha();
  Matrix logits(n, K);
  std::vector<Matrix> Ainv_c(static_cast<std::size_t>(K));  // n × D each, in the original frame
  for (Eigen::Index k = 0; k < K; ++k) {
    const Vector lambda = m.s.row(k).array().exp().matrix().transpose();
    const Vector A = (Vector::Constant(D, a) + lambda.cwiseInverse() / eps);
    const Vector rz = m.diagonal() ? Vector(m.r.row(k).transpose()) : Vector(m.rotation[std::size_t(k)].transpose() *
                                                                            m.r.row(k).transpose());
    const Matrix Z = to_frame(m, k, X);
    // c in the frame: z/(ε(1−t)) + Λ⁻¹ r_z/ε
    Matrix C = Z / (eps * (1 - t));
    C.rowwise() += (rz.cwiseQuotient(lambda) / eps).transpose();
    const Matrix AC = C * A.cwiseInverse().asDiagonal();
    const double constant = la(k) - 0.5 * m.s.row(k).sum() - 0.5 * A.array().log().sum() -
                            0.5 * rz.cwiseProduct(rz).cwiseQuotient(lambda).sum() / eps;
    logits.col(k) = (0.5 * C.cwiseProduct(AC).rowwise().sum()).array() + constant;
    Ainv_c[std::size_t(k)] = m.diagonal() ? AC : Matrix(AC * m.rotation[std::size_t(k)].transpose());
  }
  Matrix w;
  row_logsumexp(logits, &w);
  Matrix g = -X;
  for (Eigen::Index k = 0; k < K; ++k) g += w.col(k).asDiagonal() * Ainv_c[std::size_t(k)];
  return g / (1 - t);
}

std::vector<Matrix> euler_maruyama(const Model& m, const Matrix& X, int steps, Rng& rng) {
  if (steps <= 0) throw InvalidInput("lightsb", "steps", "a positive number of Euler–Maruyama steps", "BadOption");
  std::vector<Matrix> path{X};
  const double dt = 1.0 / steps;
  Matrix x = X;
  for (int i = 0; i < steps; ++i) {
    x += drift(m, x, i * dt) * dt + std::sqrt(m.eps * dt) * standard_normal(x.rows(), x.cols(), rng);
    path.push_back(x);
  }
  return path;
}

Matrix bridge(const Model& m, const Matrix& X, double t, Rng& rng) {
  if (!(t >= 0 && t <= 1)) throw InvalidInput("lightsb bridge", "t = " + std::to_string(t), "0 <= t <= 1", "BadOption");
  return bridge_between(X, sample(m, X, rng), t, m.eps, rng);
}

Matrix bridge_between(const Matrix& X, const Matrix& Y, double t, double eps, Rng& rng) {
  if (!(t >= 0 && t <= 1)) throw InvalidInput("lightsb bridge", "t = " + std::to_string(t), "0 <= t <= 1", "BadOption");
  // the noise's standard deviation is √(t(1−t)ε) (the reference before its
  // July 2024 fix used t(1−t)ε)
  return t * Y + (1 - t) * X + std::sqrt(t * (1 - t) * eps) * standard_normal(X.rows(), X.cols(), rng);
}

}  // namespace factorkit::lightsb
