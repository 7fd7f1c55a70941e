// LightSB fitting: Adam with the reference's defaults.
#include "fit.h"

#include <unsupported/Eigen/MatrixFunctions>

#include <cmath>
#include <sstream>

#include "factorkit/core/error.h"

namespace factorkit::lightsb {

Sampler rows_of(const Matrix& X) {
  if (X.rows() == 0) throw InvalidInput("lightsb", "samples", "at least one row", "BadShape");
  return [X](Eigen::Index n, Rng& rng) {
    Matrix B(n, X.cols());
    for (Eigen::Index i = 0; i < n; ++i) B.row(i) = X.row(Eigen::Index(uniform01(rng) * double(X.rows())));
    return B;
  };
}

namespace {

Gradient zeros_like(const Model& m) {
  Gradient g;
  g.log_alpha_raw = Vector::Zero(m.K());
  g.r = Matrix::Zero(m.K(), m.D());
  g.s = Matrix::Zero(m.K(), m.D());
  g.rotation.assign(m.rotation.size(), Matrix::Zero(m.D(), m.D()));
  return g;
}

// one Adam update of x by gradient g with moments (mm, vv); returns the step
template <class T>
T adam_step(T& mm, T& vv, const T& g, const FitOptions& o, double c1, double c2) {
  mm = o.beta1 * mm + (1 - o.beta1) * g;
  vv = o.beta2 * vv + (1 - o.beta2) * g.cwiseProduct(g);
  return (-o.lr / c1) * mm.cwiseQuotient(((vv / c2).cwiseSqrt().array() + o.adam_eps).matrix());
}

}  // namespace

FitState start_fit(const Sampler& target, Eigen::Index dim, const FitOptions& o, std::uint64_t seed) {
  if (o.batch <= 0) throw InvalidInput("lightsb fit", "batch", "a positive batch size", "BadOption");
  if (o.steps < 0) throw InvalidInput("lightsb fit", "steps", "a non-negative number of steps", "BadOption");
  if (!(o.lr > 0)) throw InvalidInput("lightsb fit", "lr", "a positive learning rate", "BadOption");
  FitState s;
  s.rng = Rng(seed);
  const Matrix init = target(o.K, s.rng);
  if (init.cols() != dim) throw InvalidInput("lightsb fit", "target samples", std::to_string(dim) + " columns", "BadShape");
  s.model = init_model(init, o.K, o.eps, o.s_init, o.diagonal, s.rng);
  s.m = zeros_like(s.model);
  s.v = zeros_like(s.model);
  return s;
}

void fit_steps(FitState& s, const Sampler& source, const Sampler& target, const FitOptions& o,
               const std::function<bool(long, double)>& stop) {
  Gradient g;
  while (s.step < o.steps) {
    const Matrix X0 = source(o.batch, s.rng);
    const Matrix X1 = target(o.batch, s.rng);
    const double value = loss_and_gradient(s.model, X0, X1, g);
    if (!std::isfinite(value))
      throw NumericalFailure("lightsb fit", "loss at step " + std::to_string(s.step + 1),
                             "a finite number (lower --lr, or check the samples for outliers)", "Diverged");
    ++s.step;
    const double c1 = 1 - std::pow(o.beta1, double(s.step)), c2 = 1 - std::pow(o.beta2, double(s.step));
    Model& m = s.model;
    m.log_alpha_raw += adam_step(s.m.log_alpha_raw, s.v.log_alpha_raw, g.log_alpha_raw, o, c1, c2);
    m.r += adam_step(s.m.r, s.v.r, g.r, o, c1, c2);
    m.s += adam_step(s.m.s, s.v.s, g.s, o, c1, c2);
    for (std::size_t k = 0; k < m.rotation.size(); ++k) {
      // along R ← R exp(G − Gᵀ): the step in G, then the rotation
      const Matrix G = adam_step(s.m.rotation[k], s.v.rotation[k], g.rotation[k], o, c1, c2);
      const Matrix Omega = G - G.transpose();
      Matrix R = m.rotation[k] * Matrix(Omega.exp());
      // re-orthogonalise against drift from rounding (one polar step)
      R = 0.5 * (R + R.transpose().inverse());
      m.rotation[k] = R;
    }
    s.losses.push_back(value);
    if (stop && stop(s.step, value)) break;
  }
}

std::string rng_state(const Rng& rng) {
  std::ostringstream os;
  os << rng;
  return os.str();
}

Rng rng_from_state(const std::string& text) {
  std::istringstream is(text);
  Rng rng;
  is >> rng;
  if (!is) throw InvalidInput("lightsb checkpoint", "rng", "a std::mt19937_64 state", "BadCheckpoint");
  return rng;
}

}  // namespace factorkit::lightsb
