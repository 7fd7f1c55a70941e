// LightSB: the acceptance checks of the reference note (plan equivalence with
// the benchmark, the loss minimal at the true parameters, drift and
// Euler–Maruyama, bridge variance, BW2-UVP of the mean predictor), the
// analytic gradient against finite differences, and a short fit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "benchmark.h"
#include "fit.h"
#include "metrics.h"

namespace ls = factorkit::lightsb;
using ls::Matrix;
using ls::Vector;

namespace {

ls::Model random_model(Eigen::Index K, Eigen::Index D, double eps, bool diagonal, ls::Rng& rng) {
  ls::Model m;
  m.eps = eps;
  m.log_alpha_raw = 0.3 * ls::standard_normal(K, 1, rng);
  m.r = ls::standard_normal(K, D, rng);
  m.s = 0.4 * ls::standard_normal(K, D, rng);
  if (!diagonal)
    for (Eigen::Index k = 0; k < K; ++k) m.rotation.push_back(ls::random_orthogonal(D, rng));
  return m;
}

double max_abs(const Matrix& a) { return a.cwiseAbs().maxCoeff(); }

// rotated, anisotropic covariances: full-covariance plans
ls::BenchmarkShape anisotropic() {
  ls::BenchmarkShape s;
  s.anisotropic = true;
  return s;
}

}  // namespace

TEST(LightSB, TrueParametersGiveTheBenchmarksPlan) {
  for (const double eps : {0.1, 1.0, 10.0}) {
    const ls::Benchmark b = ls::make_benchmark(4, eps, 11, anisotropic());
    const ls::Model m = b.true_model();
    m.check();
    ls::Rng rng(1);
    const Matrix X = b.sample_source(5, rng);
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      const Vector x = X.row(i).transpose();
      const ls::Mixture ours = ls::plan(m, x), truth = b.plan(x);
      EXPECT_LT((ours.weights - truth.weights).cwiseAbs().maxCoeff(), 1e-10) << eps;
      EXPECT_LT(max_abs(ours.means - truth.means), 1e-10) << eps;
      for (std::size_t k = 0; k < ours.covs.size(); ++k) EXPECT_LT(max_abs(ours.covs[k] - truth.covs[k]), 1e-10) << eps;
    }
  }
}

TEST(LightSB, TheDefaultBenchmarkIsTheNotebooksConstruction) {
  const ls::Benchmark b = ls::make_benchmark(16, 0.1, 4);
  const auto& src = b.source();
  const auto& pot = b.potential();
  ASSERT_EQ(src.weights.size(), 3);
  ASSERT_EQ(pot.weights.size(), 5);
  EXPECT_NEAR(src.weights.sum(), 1.0, 1e-12);
  // every coordinate of the means a permutation of the grid
  for (Eigen::Index d = 0; d < 16; ++d) {
    std::vector<double> a(src.means.col(d).data(), src.means.col(d).data() + 3);
    std::sort(a.begin(), a.end());
    EXPECT_EQ(a, (std::vector<double>{-2, 0, 2}));
    std::vector<double> p(pot.means.col(d).data(), pot.means.col(d).data() + 5);
    std::sort(p.begin(), p.end());
    EXPECT_EQ(p, (std::vector<double>{-2, -1, 0, 1, 2}));
  }
  EXPECT_LT(max_abs(src.covs[1] - 0.25 * Matrix::Identity(16, 16)), 1e-15);
  EXPECT_LT(max_abs(pot.covs[0] - 0.25 * Matrix::Identity(16, 16)), 1e-15);  // (½ · 1)² at D = 16
  EXPECT_EQ(ls::notebook_potential_scale(0.1, 64), 8);
  EXPECT_EQ(ls::notebook_potential_scale(1, 128), 2);
  EXPECT_EQ(ls::notebook_potential_scale(10, 2), 0.5);
  // isotropic potentials: the true plan is in the diagonal family
  const ls::Model truth = b.true_model();
  for (Eigen::Index k = 0; k < truth.K(); ++k) EXPECT_LT(max_abs(truth.S(k) - truth.S(k).diagonal().asDiagonal().toDenseMatrix()), 1e-12);
}

TEST(LightSB, LossIsLeastAtTheTrueParameters) {
  const ls::Benchmark b = ls::make_benchmark(3, 1.0, 5, anisotropic());
  const ls::Model truth = b.true_model();
  ls::Rng rng(2);
  const Matrix X0 = b.sample_source(20000, rng);
  const Matrix X1 = b.sample_target(20000, rng);
  const double at_truth = ls::loss(truth, X0, X1);
  // every parameter group nudged, in both directions (the mixture weights
  // matter only where components overlap: a larger nudge)
  for (int which = 0; which < 4; ++which)
    for (const double h : {-0.2, 0.2}) {
      ls::Model p = truth;
      if (which == 0) p.log_alpha_raw(1) += 5 * h;
      if (which == 1) p.r.row(0).array() += h;
      if (which == 2) p.s.row(2).array() += h;
      if (which == 3) p.rotation[1] = p.rotation[1] * ls::random_orthogonal(3, rng);
      EXPECT_GT(ls::loss(p, X0, X1), at_truth) << "group " << which << " step " << h;
    }
  // the gradient vanishes there up to Monte-Carlo error: within 5 standard
  // errors estimated from 20 disjoint batches
  ls::Gradient g;
  ls::loss_and_gradient(truth, X0, X1, g);
  Matrix sr = Matrix::Zero(g.r.rows(), g.r.cols()), ss = sr;
  for (int b = 0; b < 20; ++b) {
    ls::Gradient gb;
    ls::loss_and_gradient(truth, X0.middleRows(b * 1000, 1000), X1.middleRows(b * 1000, 1000), gb);
    sr += (gb.r - g.r).array().square().matrix();
    ss += (gb.s - g.s).array().square().matrix();
  }
  const Matrix se_r = (sr / 19 / 20).cwiseSqrt(), se_s = (ss / 19 / 20).cwiseSqrt();
  EXPECT_TRUE((g.r.cwiseAbs().array() <= 5 * se_r.array()).all()) << g.r << "\n" << se_r;
  EXPECT_TRUE((g.s.cwiseAbs().array() <= 5 * se_s.array()).all()) << g.s << "\n" << se_s;
}

TEST(LightSB, AnalyticGradientMatchesFiniteDifferences) {
  for (const bool diagonal : {true, false}) {
    ls::Rng rng(3);
    const ls::Model m = random_model(3, 4, 0.7, diagonal, rng);
    const Matrix X0 = ls::standard_normal(9, 4, rng), X1 = ls::standard_normal(7, 4, rng);
    ls::Gradient g;
    const double value = ls::loss_and_gradient(m, X0, X1, g);
    EXPECT_NEAR(value, ls::loss(m, X0, X1), 1e-12);
    const double h = 1e-6;
    auto fd = [&](auto&& nudge) {
      ls::Model p = m, q = m;
      nudge(p, h);
      nudge(q, -h);
      return (ls::loss(p, X0, X1) - ls::loss(q, X0, X1)) / (2 * h);
    };
    for (Eigen::Index k = 0; k < 3; ++k) {
      EXPECT_NEAR(g.log_alpha_raw(k), fd([k](ls::Model& p, double e) { p.log_alpha_raw(k) += e; }), 1e-6);
      for (Eigen::Index d = 0; d < 4; ++d) {
        EXPECT_NEAR(g.r(k, d), fd([k, d](ls::Model& p, double e) { p.r(k, d) += e; }), 1e-6) << diagonal;
        EXPECT_NEAR(g.s(k, d), fd([k, d](ls::Model& p, double e) { p.s(k, d) += e; }), 1e-6) << diagonal;
      }
      if (!diagonal) {
        // along R ← R exp(G − Gᵀ): the directional derivative for G = E_ab
        for (const auto& [a, c] : {std::pair{0, 1}, std::pair{2, 3}, std::pair{3, 0}}) {
          const double slope = fd([k, a, c](ls::Model& p, double e) {
            Matrix G = Matrix::Zero(4, 4);
            G(a, c) = e;
            G(c, a) = -e;
            // exp of a 2-plane rotation generator: a Givens rotation
            Matrix Rot = Matrix::Identity(4, 4);
            Rot(a, a) = Rot(c, c) = std::cos(e);
            Rot(a, c) = std::sin(e);
            Rot(c, a) = -std::sin(e);
            p.rotation[std::size_t(k)] = p.rotation[std::size_t(k)] * Rot;
          });
          // d/de L(R exp(G − Gᵀ)) at G = e E_ac is ⟨∂L/∂G, E_ac⟩
          EXPECT_NEAR(g.rotation[std::size_t(k)](a, c), slope, 1e-6) << k << " " << a << c;
        }
      }
    }
  }
}

TEST(LightSB, DriftMatchesTheBenchmarksAndEulerMaruyamaReachesThePlan) {
  const ls::Benchmark b = ls::make_benchmark(3, 0.5, 7, anisotropic());
  const ls::Model m = b.true_model();
  ls::Rng rng(4);
  const Matrix X = b.sample_source(6, rng);
  for (const double t : {0.0, 0.3, 0.9}) EXPECT_LT(max_abs(ls::drift(m, X, t) - b.drift(X, t)), 1e-9) << t;
  // K = 1, S = I: Brownian motion with the constant drift r
  ls::Model one;
  one.eps = 0.8;
  one.log_alpha_raw = Vector::Zero(1);
  one.r = Matrix::Constant(1, 2, 0.5);
  one.r(0, 1) = -1.5;
  one.s = Matrix::Zero(1, 2);
  for (const double t : {0.0, 0.5, 0.99}) {
    const Matrix g = ls::drift(one, X.leftCols(2), t);
    for (Eigen::Index i = 0; i < g.rows(); ++i) EXPECT_LT((g.row(i) - one.r.row(0)).cwiseAbs().maxCoeff(), 1e-9) << t;
  }
  // 1000 Euler–Maruyama steps from one x reach π(·|x)'s mean and covariance
  const Vector x = X.row(0).transpose();
  const Eigen::Index n = 4000;
  const auto path = ls::euler_maruyama(m, x.transpose().replicate(n, 1), 1000, rng);
  ASSERT_EQ(path.size(), 1001u);
  const auto [mu, cov] = ls::moments(path.back());
  const ls::Mixture p = ls::plan(m, x);
  const Matrix C = p.covariance();
  for (Eigen::Index d = 0; d < 3; ++d) {
    const double se = std::sqrt(C(d, d) / double(n));
    EXPECT_NEAR(mu(d), p.mean()(d), 5 * se + 0.02) << d;  // 0.02: the Euler–Maruyama bias at dt = 1e-3
    EXPECT_NEAR(cov(d, d), C(d, d), 0.1 * C(d, d)) << d;
  }
}

TEST(LightSB, BridgeVarianceIsTOneMinusTEps) {
  ls::Rng rng(5);
  const double eps = 0.6;
  const Eigen::Index n = 200000;
  const Matrix X = Matrix::Zero(n, 1), Y = Matrix::Constant(n, 1, 2.0);
  for (const double t : {0.25, 0.5, 0.9}) {
    const auto [mu, cov] = ls::moments(ls::bridge_between(X, Y, t, eps, rng));
    EXPECT_NEAR(mu(0), 2 * t, 0.01);
    EXPECT_NEAR(cov(0, 0), t * (1 - t) * eps, 0.01 * t * (1 - t) * eps + 2e-3) << t;
  }
  // with y drawn from the plan: t² Var(y|x) + t(1 − t)ε
  ls::Model one;
  one.eps = eps;
  one.log_alpha_raw = Vector::Zero(1);
  one.r = Matrix::Zero(1, 1);
  one.s = Matrix::Constant(1, 1, std::log(0.5));
  const auto [mu, cov] = ls::moments(ls::bridge(one, X, 0.5, rng));
  EXPECT_NEAR(cov(0, 0), 0.25 * eps * 0.5 + 0.25 * eps, 0.01);
}

TEST(LightSB, MetricsOfKnownCases) {
  ls::Rng rng(6);
  const ls::Benchmark b = ls::make_benchmark(16, 0.1, 3);
  const Matrix Y = b.sample_target(4000, rng);
  const auto [mu, cov] = ls::moments(Y);
  // predicting the target mean: BW2-UVP = 100 exactly
  EXPECT_NEAR(ls::bw2_uvp(mu.transpose().replicate(50, 1), mu, cov), 100.0, 1e-9);
  // the same Gaussian: 0; BW is symmetric
  EXPECT_NEAR(ls::bures_wasserstein(mu, cov, mu, cov), 0.0, 1e-9);
  const Matrix c2 = cov + 0.3 * Matrix::Identity(16, 16);
  EXPECT_NEAR(ls::bures_wasserstein(mu, cov, mu, c2), ls::bures_wasserstein(mu, c2, mu, cov), 1e-9);
  // 1-D: BW = ½(μ₁−μ₂)² + ½(σ₁ − σ₂)²
  EXPECT_NEAR(ls::bures_wasserstein(Vector::Constant(1, 1.0), Matrix::Constant(1, 1, 4.0), Vector::Constant(1, 0.0),
                                    Matrix::Constant(1, 1, 1.0)),
              0.5 + 0.5, 1e-12);
  // psd_sqrt squares back
  EXPECT_LT(max_abs(ls::psd_sqrt(cov) * ls::psd_sqrt(cov) - cov), 1e-10);
  // energy distance: two point masses a unit apart in 1-D give 2; a sample
  // against itself about 0 (−2 E‖Z − Z'‖ / n: the cross term keeps the i = j
  // pairs, the within terms do not); a shifted sample clearly more
  EXPECT_NEAR(ls::energy_distance(Matrix::Zero(2, 1), Matrix::Ones(2, 1)), 2.0, 1e-12);
  const Matrix Z = ls::standard_normal(300, 2, rng);
  EXPECT_LT(std::abs(ls::energy_distance(Z, Z)), 0.05);
  EXPECT_GT(ls::energy_distance(Z, Z.array() + 1.0), 0.5);
  // cBW2-UVP: the true model scores near 0
  const ls::Benchmark small = ls::make_benchmark(2, 1.0, 8);
  const double var = small.target_variance(20000, rng);
  const Matrix inputs = small.sample_source(100, rng);
  const double cbw_truth = ls::cbw2_uvp(small.true_model(), small, inputs, 2000, var, rng);
  EXPECT_LT(cbw_truth, 0.5);
}

TEST(LightSB, FitReachesThePlanOnASmallBenchmark) {
  const ls::Benchmark b = ls::make_benchmark(2, 1.0, 9);
  ls::FitOptions o;
  o.K = 10;
  o.eps = 1.0;
  o.steps = 3000;
  o.lr = 3e-3;
  o.s_init = 1.0;
  const ls::Sampler source = [&b](Eigen::Index n, ls::Rng& rng) { return b.sample_source(n, rng); };
  const ls::Sampler target = [&b](Eigen::Index n, ls::Rng& rng) { return b.sample_target(n, rng); };
  ls::FitState s = ls::start_fit(target, 2, o, 42);
  ls::fit_steps(s, source, target, o);
  EXPECT_EQ(s.step, 3000);
  ls::Rng rng(10);
  const double var = b.target_variance(20000, rng);
  const double cbw = ls::cbw2_uvp(s.model, b, b.sample_source(200, rng), 1000, var, rng);
  EXPECT_LT(cbw, 2.0);  // the paper: 0.05 at D = 2, ε = 1 after 10000 steps with K = 50
  // resuming from a copy of the state after 1000 steps ends in the same model
  ls::FitState a = ls::start_fit(target, 2, o, 42), c;
  ls::FitOptions part = o;
  part.steps = 1000;
  ls::fit_steps(a, source, target, part);
  c = a;
  c.rng = ls::rng_from_state(ls::rng_state(a.rng));
  ls::fit_steps(a, source, target, o);
  ls::fit_steps(c, source, target, o);
  EXPECT_EQ(a.model.r, c.model.r);
  EXPECT_EQ(a.model.r, s.model.r);
}
