// Known-answer tests of the samplers and Sobol' estimators. Expected values:
// the reference note (shared/reference/craft.md) for Ishigami at N = 32, 1024,
// 4096 with CRAFT's design and the analytic indices; scipy 1.10's qmc.Halton /
// qmc.Sobol (scramble=False) for the raw points and the N = 100 / Sobol'
// designs; SALib's Sobol_G.py for the G function's first-order indices.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "factorkit/core/error.h"
#include "sobol.h"

namespace fc = factorkit::craft;

namespace {

at::Tensor ishigami(const at::Tensor& u) {
  const at::Tensor x = -std::numbers::pi + 2 * std::numbers::pi * u;
  const at::Tensor x1 = x.select(1, 0), x2 = x.select(1, 1), x3 = x.select(1, 2);
  return at::sin(x1) + 7 * at::sin(x2).pow(2) + 0.1 * x3.pow(4) * at::sin(x1);
}

at::Tensor sobol_g(const at::Tensor& u) {
  const double a[] = {0, 1, 4.5, 9, 99, 99, 99, 99};
  at::Tensor y = at::ones({u.size(0)}, at::kDouble);
  for (int j = 0; j < 8; ++j) y = y * ((4 * u.select(1, j) - 2).abs() + a[j]) / (1 + a[j]);
  return y;
}

std::vector<double> ishigami_total(fc::Sampler s, std::int64_t n, fc::Estimator e = fc::Estimator::Jansen) {
  return fc::total_indices(ishigami(fc::replicated_design(s, n, 3)), n, 3, e);
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "index " << i;
}

const std::vector<double> kIshigamiTotal{0.5576, 0.4424, 0.2437};
const std::vector<double> kIshigamiFirst{0.3139, 0.4424, 0.0};

}  // namespace

TEST(Sobol, HaltonPointsAreScipys) {
  const at::Tensor h = fc::halton(6, 5);
  const double want[6][5] = {{0, 0, 0, 0, 0},
                             {0.5, 1.0 / 3, 0.2, 1.0 / 7, 1.0 / 11},
                             {0.25, 2.0 / 3, 0.4, 2.0 / 7, 2.0 / 11},
                             {0.75, 1.0 / 9, 0.6, 3.0 / 7, 3.0 / 11},
                             {0.125, 4.0 / 9, 0.8, 4.0 / 7, 4.0 / 11},
                             {0.625, 7.0 / 9, 0.04, 5.0 / 7, 5.0 / 11}};
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(h[i][j].item<double>(), want[i][j], 1e-15) << i << "," << j;
}

TEST(Sobol, SobolPointsAreScipys) {
  const at::Tensor s = fc::sobol(8, 40);
  const double want[8][5] = {{0, 0, 0, 0, 0},
                             {0.5, 0.5, 0.5, 0.5, 0.5},
                             {0.75, 0.25, 0.25, 0.25, 0.25},
                             {0.25, 0.75, 0.75, 0.75, 0.75},
                             {0.375, 0.375, 0.625, 0.875, 0.875},
                             {0.875, 0.875, 0.125, 0.375, 0.375},
                             {0.625, 0.125, 0.875, 0.625, 0.625},
                             {0.125, 0.625, 0.375, 0.125, 0.125}};
  const int cols[5] = {0, 1, 2, 3, 39};
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(s[i][cols[j]].item<double>(), want[i][j]) << i << "," << cols[j];
  // Deep in the sequence and in high dimensions (direction-number recurrences).
  const at::Tensor big = fc::sobol(1000, 256);
  EXPECT_EQ(big[999][0].item<double>(), 0.1572265625);
  EXPECT_EQ(big[999][5].item<double>(), 0.8447265625);
  EXPECT_EQ(big[999][100].item<double>(), 0.7060546875);
  EXPECT_EQ(big[999][255].item<double>(), 0.4365234375);
  EXPECT_EQ(big[37][7].item<double>(), 0.796875);
  EXPECT_EQ(big[37][200].item<double>(), 0.828125);
  EXPECT_THROW(fc::sobol(4, fc::kSobolMaxDims + 1), factorkit::InvalidInput);
}

TEST(Sobol, LatinHypercubeHasOnePointPerStratum) {
  const at::Tensor l = fc::latin_hypercube(50, 3, 7);
  for (int j = 0; j < 3; ++j) {
    const at::Tensor strata = std::get<0>((l.select(1, j) * 50).floor().to(at::kLong).sort());
    EXPECT_TRUE(at::equal(strata, at::arange(50, at::kLong))) << "column " << j;
  }
  EXPECT_TRUE(at::equal(l, fc::latin_hypercube(50, 3, 7)));
  EXPECT_FALSE(at::equal(l, fc::latin_hypercube(50, 3, 8)));
}

TEST(Sobol, DesignIsCraftsBlockLayout) {
  const at::Tensor d = fc::replicated_design(fc::Sampler::Halton, 4, 2);
  ASSERT_EQ(d.sizes(), (std::vector<std::int64_t>{16, 2}));
  const at::Tensor p = fc::halton(4, 4);
  EXPECT_TRUE(at::equal(d.slice(0, 0, 4), p.slice(1, 0, 2)));   // A
  EXPECT_TRUE(at::equal(d.slice(0, 4, 8), p.slice(1, 2, 4)));   // B
  EXPECT_TRUE(at::equal(d.slice(0, 8, 12).select(1, 0), p.select(1, 2)));   // C_1: column 0 from B
  EXPECT_TRUE(at::equal(d.slice(0, 8, 12).select(1, 1), p.select(1, 1)));   //       column 1 from A
  EXPECT_TRUE(at::equal(d.slice(0, 12, 16).select(1, 1), p.select(1, 3)));  // C_2
}

TEST(Sobol, IshigamiAtCraftsDefaultIsTheNotesNoisyTriple) {
  expect_near(ishigami_total(fc::Sampler::Halton, 32), {0.2543, 0.5111, 0.3123}, 1e-4);
  expect_near(ishigami_total(fc::Sampler::Halton, 1024), {0.5637, 0.4440, 0.2446}, 1e-4);
  expect_near(ishigami_total(fc::Sampler::Halton, 4096), {0.5548, 0.4422, 0.2433}, 1e-4);
  expect_near(ishigami_total(fc::Sampler::Halton, 100), {0.4333656, 0.4591479, 0.2813535}, 1e-6);
}

TEST(Sobol, IshigamiWithTheSobolSamplerIsScipys) {
  expect_near(ishigami_total(fc::Sampler::Sobol, 100), {0.6546779, 0.5551654, 0.2464946}, 1e-6);
  expect_near(ishigami_total(fc::Sampler::Sobol, 1024), {0.5553, 0.4410, 0.2409}, 1e-4);
}

TEST(Sobol, EveryEstimatorConvergesToTheAnalyticIshigamiIndices) {
  for (const auto s : {fc::Sampler::Halton, fc::Sampler::Sobol}) {
    expect_near(ishigami_total(s, 4096), kIshigamiTotal, 0.01);
    for (const auto e : {fc::Estimator::Homma, fc::Estimator::Janon, fc::Estimator::Glen, fc::Estimator::Saltelli})
      expect_near(ishigami_total(s, 4096, e), kIshigamiTotal, 0.02);
    const std::int64_t n = 4096;
    expect_near(fc::first_order_indices(ishigami(fc::replicated_design(s, n, 3)), n, 3), kIshigamiFirst, 0.01);
  }
  // Random (Latin hypercube) designs converge too, more slowly.
  expect_near(ishigami_total(fc::Sampler::LatinHypercube, 1 << 14), kIshigamiTotal, 0.03);
}

TEST(Sobol, SobolGFirstOrderIndices) {
  const std::vector<double> want{0.7165, 0.1791, 0.0237, 0.0072, 0.0001, 0.0001, 0.0001, 0.0001};
  for (const auto s : {fc::Sampler::Halton, fc::Sampler::Sobol}) {
    const std::int64_t n = 4096;
    expect_near(fc::first_order_indices(sobol_g(fc::replicated_design(s, n, 8)), n, 8), want, 0.005);
  }
}

TEST(Sobol, BootstrapIntervalsBracketTheEstimate) {
  const std::int64_t n = 2048;
  fc::BootstrapOptions b;
  b.resamples = 200;
  b.seed = 3;
  const auto si = fc::sobol_indices(ishigami(fc::replicated_design(fc::Sampler::Sobol, n, 3)), n, 3,
                                    fc::Estimator::Jansen, b);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_LT(si.total_low[i], si.total[i]);
    EXPECT_GT(si.total_high[i], si.total[i]);
    EXPECT_LT(si.total_low[i], kIshigamiTotal[i]);
    EXPECT_GT(si.total_high[i], kIshigamiTotal[i]);
    EXPECT_LT(si.total_high[i] - si.total_low[i], 0.2);
    EXPECT_LE(si.first_low[i], si.first_high[i]);
  }
}

TEST(Sobol, ConstantModelGivesZeroAndBadInputIsRefused) {
  const auto st = fc::total_indices(at::full({32 * 5}, 3.0, at::kDouble), 32, 3);
  for (const double v : st) EXPECT_EQ(v, 0.0);
  EXPECT_THROW(fc::total_indices(at::zeros({10}), 32, 3), factorkit::InvalidInput);
  EXPECT_THROW(fc::total_indices(at::zeros({3}), 1, 1), factorkit::InvalidInput);
  EXPECT_THROW(fc::parse_estimator("sal", "--estimator"), factorkit::InvalidInput);
  EXPECT_EQ(fc::parse_sampler("lhs", "--sampler"), fc::Sampler::LatinHypercube);
}
