#include <gtest/gtest.h>

#include "factorkit/core/error.h"
#include "factorkit/linalg/nnls.h"
#include "linalg_test_util.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::linalg;
using factorkit::testing::fixture;
using factorkit::testing::max_abs_diff;

// The acceptance check: KKT to 1e-6 and scipy.optimize.nnls column by column.
TEST(Nnls, MatchesScipyAndSatisfiesKkt) {
  at::Tensor a = fixture("nnls.safetensors", "A"), b = fixture("nnls.safetensors", "B");
  at::Tensor ref = fixture("nnls.safetensors", "X");
  NnlsResult r = nnls(a, b);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.kkt_residual, 1e-6);
  EXPECT_LT(max_abs_diff(r.x, ref), 1e-6);
  // some constraints are active, or the test would be plain least squares
  EXPECT_GE((ref == 0).sum().item<int64_t>(), 5);
  // one column as a vector
  NnlsResult v = nnls(a, b.select(1, 3));
  EXPECT_EQ(v.x.dim(), 1);
  EXPECT_LT(max_abs_diff(v.x, ref.select(1, 3)), 1e-6);
}

TEST(Nnls, HalsConvergesToTheSameSolution) {
  at::Tensor a = fixture("nnls.safetensors", "A"), b = fixture("nnls.safetensors", "B");
  NnlsOptions o;
  o.solver = NnlsSolver::Hals;
  o.tol = 1e-12;
  o.max_iter = 20000;
  NnlsResult r = nnls(a, b, o);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.kkt_residual, 1e-6);
  EXPECT_LT(max_abs_diff(r.x, fixture("nnls.safetensors", "X")), 1e-5);
}

// Random problems, many right-hand sides: KKT holds and the objective is no
// worse than any of a few feasible perturbations.
TEST(Nnls, RandomProblemsSatisfyKkt) {
  const uint64_t seed = factorkit::testing::test_seed();
  for (int rep = 0; rep < factorkit::testing::test_repeat(5); ++rep) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " rep " << rep);
    const int64_t m = 10 + rep * 7, r = 2 + rep * 3, k = 50;
    at::Tensor a = factorkit::testing::randn(seed + rep, {m, r});
    at::Tensor b = factorkit::testing::randn(seed + rep + 100, {m, k});
    NnlsResult res = nnls(a, b);
    EXPECT_LT(res.kkt_residual, 1e-8 * (1 + b.abs().max().item<double>() * a.abs().max().item<double>()));
    EXPECT_GE(res.x.min().item<double>(), 0.0);
    const double f = (at::mm(a, res.x) - b).square().sum().item<double>();
    for (int t = 0; t < 3; ++t) {
      at::Tensor y = (res.x + 0.01 * factorkit::testing::randn(seed + rep + 200 + t, {r, k})).clamp_min(0);
      EXPECT_LE(f, (at::mm(a, y) - b).square().sum().item<double>() + 1e-9);
    }
  }
}

// Rank-deficient A (duplicated columns): still feasible, KKT holds.
TEST(Nnls, RankDeficientDesign) {
  at::Tensor a0 = factorkit::testing::randn(5, {20, 3});
  at::Tensor a = at::cat({a0, a0.narrow(1, 0, 1), a0.narrow(1, 1, 1) * 2}, 1);  // 20 x 5, rank 3
  at::Tensor b = factorkit::testing::randn(6, {20, 12});
  NnlsResult r = nnls(a, b);
  EXPECT_FALSE(at::isnan(r.x).any().item<bool>());
  EXPECT_LT(r.kkt_residual, 1e-8);
}

TEST(Nnls, EdgeCasesAndErrors) {
  // nothing to solve
  NnlsResult e = nnls(at::zeros({4, 3}, at::kDouble), at::zeros({4, 0}, at::kDouble));
  EXPECT_EQ(e.x.sizes(), (std::vector<int64_t>{3, 0}));
  // A = 0: x = 0
  NnlsResult z = nnls(at::zeros({4, 3}, at::kDouble), at::ones({4, 2}, at::kDouble));
  EXPECT_EQ(z.x.abs().max().item<double>(), 0.0);
  // 1 x 1
  NnlsResult one = nnls(at::full({1, 1}, 2.0, at::kDouble), at::full({1, 1}, -3.0, at::kDouble));
  EXPECT_EQ(one.x.item<double>(), 0.0);
  NnlsResult one2 = nnls(at::full({1, 1}, 2.0, at::kDouble), at::full({1, 1}, 3.0, at::kDouble));
  EXPECT_DOUBLE_EQ(one2.x.item<double>(), 1.5);
  // float32 in, float32 out
  EXPECT_EQ(nnls(at::ones({3, 2}), at::ones({3, 2})).x.scalar_type(), at::kFloat);
  factorkit::testing::expect_error<InvalidInput>([] { nnls(at::ones({3, 2}), at::ones({4, 2})); }, "ShapeMismatch", {"3 rows"});
  at::Tensor bad = at::ones({3, 2});
  bad[1][1] = INFINITY;
  factorkit::testing::expect_error<InvalidInput>([&] { nnls(bad, at::ones({3, 2})); }, "NonFinite", {"A[1, 1]"});
}

// Large-scale solutions: the variable that blocks a step must leave the passive
// set exactly, or rounding keeps it at a tiny positive value.
TEST(Nnls, LargeScaleSolutionsStillSatisfyKkt) {
  at::Tensor a = factorkit::testing::randn(21, {30, 6});
  at::Tensor b = factorkit::testing::randn(22, {30, 40}) * 1e8;
  NnlsResult r = nnls(a, b);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.kkt_residual, 1e-6 * 1e8);
  EXPECT_GE(r.x.min().item<double>(), 0.0);
}
