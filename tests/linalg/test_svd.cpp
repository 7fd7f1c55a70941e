#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "factorkit/core/error.h"
#include "factorkit/linalg/svd.h"
#include "linalg_test_util.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::linalg;
using factorkit::testing::max_abs_diff;

namespace {

// A matrix with singular values decaying as 1/(i+1)^2 (n x p).
at::Tensor decaying(uint64_t seed, int64_t n, int64_t p) {
  const int64_t k = std::min(n, p);
  at::Tensor u = std::get<0>(at::linalg_qr(factorkit::testing::randn(seed, {n, k})));
  at::Tensor v = std::get<0>(at::linalg_qr(factorkit::testing::randn(seed + 1, {p, k})));
  at::Tensor s = at::pow(at::arange(1, k + 1, at::kDouble), -2.0);
  return at::mm(u * s.unsqueeze(0), v.t());
}

double orthonormality_error(const at::Tensor& q) {  // columns
  return max_abs_diff(at::mm(q.t(), q), at::eye(q.size(1), q.options()));
}

}  // namespace

// The acceptance check: residual <= 30 n eps ||A|| and orthonormal factors.
TEST(Svd, ExactTruncatedSvdResidualAndOrthonormality) {
  const double eps = std::numeric_limits<double>::epsilon();
  for (auto [n, p] : {std::pair<int64_t, int64_t>{50, 30}, {30, 50}, {40, 40}, {1, 7}, {7, 1}}) {
    at::Tensor a = factorkit::testing::randn(n * 100 + p, {n, p});
    SvdResult s = truncated_svd(a);
    const double anorm = at::linalg_matrix_norm(a, 2).item<double>();
    const double resid = at::linalg_matrix_norm(a - at::mm(s.u * s.s.unsqueeze(0), s.vh), 2).item<double>();
    EXPECT_LE(resid, 30 * std::max(n, p) * eps * anorm) << n << "x" << p;
    EXPECT_LT(orthonormality_error(s.u), 30 * std::max(n, p) * eps);
    EXPECT_LT(orthonormality_error(s.vh.t()), 30 * std::max(n, p) * eps);
    // non-increasing, non-negative
    EXPECT_TRUE((s.s.narrow(0, 0, s.s.numel() - 1) >= s.s.narrow(0, 1, s.s.numel() - 1)).all().item<bool>() ||
                s.s.numel() == 1);
  }
}

TEST(Svd, SignConventionIsDeterministic) {
  at::Tensor a = factorkit::testing::randn(3, {20, 10});
  SvdResult s = truncated_svd(a, 5);
  for (int64_t j = 0; j < 5; ++j) {
    at::Tensor col = s.u.select(1, j);
    EXPECT_GT(col[col.abs().argmax()].item<double>(), 0.0);
  }
  // flipping the input's sign flips V, not U's convention
  SvdResult m = truncated_svd(-a, 5);
  EXPECT_LT(max_abs_diff(m.u, s.u), 1e-12);
  EXPECT_LT(max_abs_diff(m.vh, -s.vh), 1e-12);
}

// The acceptance check behind the reproduce entry: randomized SVD's error
// within 1% of the exact truncated SVD's, and its values close.
TEST(Svd, RandomizedMatchesExactOnDecayingSpectrum) {
  for (auto [n, p] : {std::pair<int64_t, int64_t>{300, 120}, {120, 300}}) {
    at::Tensor a = decaying(7, n, p);
    RsvdOptions o;
    o.rank = 10;
    SvdResult r = randomized_svd(a, o);
    SvdResult e = truncated_svd(a, 10);
    const double er = (a - at::mm(r.u * r.s.unsqueeze(0), r.vh)).norm().item<double>();
    const double ee = (a - at::mm(e.u * e.s.unsqueeze(0), e.vh)).norm().item<double>();
    EXPECT_LE(er, 1.01 * ee) << n << "x" << p;
    EXPECT_LT(max_abs_diff(r.s, e.s), 1e-10);
    // same signs as the exact SVD thanks to svd_flip
    EXPECT_LT(max_abs_diff(r.u, e.u), 1e-6);
    EXPECT_LT(orthonormality_error(r.u), 1e-12);
    EXPECT_LT(orthonormality_error(r.vh.t()), 1e-12);
  }
}

TEST(Svd, AllNormalizersAndMixedPrecision) {
  at::Tensor a = decaying(9, 200, 80);
  SvdResult e = truncated_svd(a, 8);
  const double ee = (a - at::mm(e.u * e.s.unsqueeze(0), e.vh)).norm().item<double>();
  for (PowerNormalizer nz : {PowerNormalizer::None, PowerNormalizer::LU, PowerNormalizer::QR, PowerNormalizer::Fused}) {
    for (bool mixed : {false, true}) {
      RsvdOptions o;
      o.rank = 8;
      // without normalization 4 iterations push sigma_8/sigma_1 = 8^-2 to 8^-18,
      // below float64 rounding (why scikit-learn uses LU beyond 2): use 2
      o.power_iters = nz == PowerNormalizer::None ? 2 : 4;
      o.normalizer = nz;
      o.mixed_precision = mixed;
      SvdResult r = randomized_svd(a, o);
      EXPECT_EQ(r.u.scalar_type(), at::kDouble);
      const double er = (a - at::mm(r.u * r.s.unsqueeze(0), r.vh)).norm().item<double>();
      EXPECT_LE(er, 1.01 * ee) << to_string(nz) << " mixed " << mixed;
    }
  }
  // seeded: the same seed gives the same factors
  RsvdOptions o;
  o.rank = 8;
  o.seed = 3;
  EXPECT_TRUE(at::equal(randomized_svd(a, o).u, randomized_svd(a, o).u));
  // float32 input, float32 output
  EXPECT_EQ(randomized_svd(a.to(at::kFloat), o).s.scalar_type(), at::kFloat);
}

TEST(Svd, RankDeficientAndTinyInputs) {
  at::Tensor a = at::mm(factorkit::testing::randn(1, {30, 3}), factorkit::testing::randn(2, {3, 20}));
  RsvdOptions o;
  o.rank = 6;  // more than the rank
  SvdResult r = randomized_svd(a, o);
  EXPECT_FALSE(at::isnan(r.u).any().item<bool>());
  EXPECT_LT(r.s.narrow(0, 3, 3).abs().max().item<double>(), 1e-12 * r.s[0].item<double>());
  EXPECT_LT((a - at::mm(r.u * r.s.unsqueeze(0), r.vh)).norm().item<double>(), 1e-12 * a.norm().item<double>());
  // the fused final step forms B from R^-T Z^T; a rank-deficient sketch makes R
  // singular and must fall back to B = Q^T A
  o.normalizer = PowerNormalizer::Fused;
  SvdResult f = randomized_svd(a, o);
  EXPECT_FALSE(at::isnan(f.u).any().item<bool>());
  EXPECT_LT((a - at::mm(f.u * f.s.unsqueeze(0), f.vh)).norm().item<double>(), 1e-12 * a.norm().item<double>());
  o.power_iters = 0;  // no power iteration: the sketch itself goes through the fused final step
  SvdResult f0 = randomized_svd(a, o);
  EXPECT_LT((a - at::mm(f0.u * f0.s.unsqueeze(0), f0.vh)).norm().item<double>(), 1e-12 * a.norm().item<double>());
  o = RsvdOptions{};
  o.rank = 1;
  SvdResult one = randomized_svd(at::full({1, 1}, -2.0, at::kDouble), o);
  EXPECT_DOUBLE_EQ(one.s.item<double>(), 2.0);
  EXPECT_DOUBLE_EQ((one.u * one.vh).item<double>(), -1.0);
  SvdResult zero = randomized_svd(at::zeros({5, 4}, at::kDouble), o);
  EXPECT_EQ(zero.s.item<double>(), 0.0);
  EXPECT_EQ(truncated_svd(at::zeros({0, 3}, at::kDouble)).s.numel(), 0);
}

TEST(Svd, Errors) {
  RsvdOptions o;
  o.rank = 6;
  factorkit::testing::expect_error<InvalidInput>([&] { randomized_svd(at::ones({5, 8}), o); }, "BadRank", {"[1, 5]"});
  o.rank = 0;
  factorkit::testing::expect_error<InvalidInput>([&] { randomized_svd(at::ones({5, 8}), o); }, "BadRank", {});
  o.rank = 1;
  factorkit::testing::expect_error<InvalidInput>([&] { randomized_svd(at::ones({0, 8}), o); }, "EmptyMatrix", {});
  factorkit::testing::expect_error<InvalidInput>([&] { randomized_svd(at::ones({3, 4, 2}), o); }, "NotAMatrix", {"3-D"});
  factorkit::testing::expect_error<InvalidInput>([&] { parse_power_normalizer("lu2", "t"); }, "BadOption", {"lu"});
  o.power_iters = -2;
  factorkit::testing::expect_error<InvalidInput>([&] { randomized_svd(at::ones({5, 8}), o); }, "BadOption", {"power_iters"});
}

// numpy's pinv convention: values <= rcond * sigma_max count as zero.
TEST(Svd, PinvCutoffAsNumpy) {
  at::Tensor u = std::get<0>(at::linalg_qr(factorkit::testing::randn(1, {6, 3})));
  at::Tensor v = std::get<0>(at::linalg_qr(factorkit::testing::randn(2, {4, 3})));
  at::Tensor s = at::tensor({1.0, 1e-3, 1e-16}, at::kDouble);
  at::Tensor a = at::mm(u * s.unsqueeze(0), v.t());
  at::Tensor p = pinv(a);  // rcond 1e-15: the 1e-16 value is dropped
  EXPECT_LT(p.abs().max().item<double>(), 1e4);
  EXPECT_LT(max_abs_diff(at::mm(at::mm(a, p), a), a), 1e-12);
  at::Tensor p2 = pinv(a, 1e-2);  // now 1e-3 is dropped too
  EXPECT_LT(p2.abs().max().item<double>(), 10);
  EXPECT_NEAR(best_rank_error(s, 1), std::sqrt(1e-6 + 1e-32), 1e-18);
  EXPECT_EQ(pinv(at::zeros({0, 3}, at::kDouble)).sizes(), (std::vector<int64_t>{3, 0}));
}

// float32 through the fused path: the final step must not use the R^-T Z^T
// shortcut (float32 rounding times cond(R) would spoil the tail); the error
// stays that of the exact SVD.
TEST(Svd, FusedFloat32KeepsAccuracy) {
  at::Tensor a = decaying(12, 300, 120);
  RsvdOptions o;
  o.rank = 10;
  o.normalizer = PowerNormalizer::Fused;
  SvdResult r = randomized_svd(a.to(at::kFloat), o);
  SvdResult e = truncated_svd(a, 10);
  const double er = (a - at::mm(r.u.to(at::kDouble) * r.s.to(at::kDouble).unsqueeze(0), r.vh.to(at::kDouble))).norm().item<double>();
  const double ee = (a - at::mm(e.u * e.s.unsqueeze(0), e.vh)).norm().item<double>();
  EXPECT_LE(er, 1.01 * ee);
  EXPECT_LT(max_abs_diff(r.s, e.s), 1e-5);
  // a transposed input (n < p) takes the same path
  SvdResult t = randomized_svd(a.t().contiguous(), o);
  EXPECT_LT(max_abs_diff(t.s, e.s), 1e-10);
}
