// NMF against scikit-learn 1.2 (fixtures from tests/py/make_linalg_fixtures.py)
// and on planted problems.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/nmf.h"
#include "factorkit/linalg/nnls.h"
#include "linalg_test_util.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::linalg;
using factorkit::testing::fixture;
using factorkit::testing::max_abs_diff;

namespace {

const char* kSweeps = "nmf_sweeps.safetensors";

struct Case {
  const char* name;
  NmfSolver solver;
  double beta;
};
struct Reg {
  const char* name;
  double alpha_w, alpha_h, l1_ratio;
};

NmfOptions sweep_options(const Case& c, const Reg& r, int iters) {
  NmfOptions o;
  o.rank = 4;
  o.solver = c.solver;
  o.beta = c.beta;
  o.init = NmfInit::Custom;
  o.max_iter = iters;
  o.tol = 0;
  o.alpha_w = r.alpha_w;
  o.alpha_h = r.alpha_h;
  o.l1_ratio = r.l1_ratio;
  return o;
}

}  // namespace

// The acceptance check: with the same custom init and shuffle off, sweeps equal
// scikit-learn's to 1e-10 in float64 — for both solvers, every beta, with and
// without (asymmetric) regularization, after 1 and after 5 iterations.
TEST(Nmf, SweepsMatchScikitLearn) {
  const Case cases[] = {{"cd", NmfSolver::CoordinateDescent, 2.0},
                        {"mu2", NmfSolver::MultiplicativeUpdate, 2.0},
                        {"mu1", NmfSolver::MultiplicativeUpdate, 1.0},
                        {"mu0", NmfSolver::MultiplicativeUpdate, 0.0},
                        {"mu3", NmfSolver::MultiplicativeUpdate, 3.0}};
  const Reg regs[] = {{"plain", 0, -1, 0}, {"reg", 0.05, -1, 0.3}, {"regh", 0.02, 0.1, 0.7}};
  at::Tensor w0 = fixture(kSweeps, "W0"), h0 = fixture(kSweeps, "H0");
  for (const Case& c : cases)
    for (const Reg& r : regs)
      for (int iters : {1, 5}) {
        SCOPED_TRACE(::testing::Message() << c.name << " " << r.name << " " << iters);
        at::Tensor x = fixture(kSweeps, c.beta <= 0 ? "Xpos" : "X");
        NmfResult res = nmf(x, sweep_options(c, r, iters), w0, h0);
        const std::string key = std::string(c.name) + "_" + r.name + "_" + std::to_string(iters);
        EXPECT_EQ(res.n_iter, iters);
        EXPECT_LT(max_abs_diff(res.w, fixture(kSweeps, key + "_W")), 1e-10);
        EXPECT_LT(max_abs_diff(res.h, fixture(kSweeps, key + "_H")), 1e-10);
        EXPECT_EQ(res.w.scalar_type(), at::kDouble);
      }
}

// The custom init is copied, not modified in place.
TEST(Nmf, CustomInitIsNotModified) {
  at::Tensor x = fixture(kSweeps, "X"), w0 = fixture(kSweeps, "W0"), h0 = fixture(kSweeps, "H0");
  at::Tensor w0c = w0.clone(), h0c = h0.clone();
  nmf(x, sweep_options({"cd", NmfSolver::CoordinateDescent, 2.0}, {"plain", 0, -1, 0}, 3), w0, h0);
  EXPECT_TRUE(at::equal(w0, w0c));
  EXPECT_TRUE(at::equal(h0, h0c));
  // rank 1: H^T of a 1 x p matrix is "contiguous" as a view and must still be copied
  at::Tensor w1 = w0.narrow(1, 0, 1).contiguous(), h1 = h0.narrow(0, 0, 1).contiguous();
  at::Tensor w1c = w1.clone(), h1c = h1.clone();
  NmfOptions o1 = sweep_options({"cd", NmfSolver::CoordinateDescent, 2.0}, {"plain", 0, -1, 0}, 3);
  o1.rank = 1;
  for (NmfSolver s : {NmfSolver::CoordinateDescent, NmfSolver::MultiplicativeUpdate}) {
    o1.solver = s;
    nmf(x, o1, w1, h1);
    nmf_transform(x, h1, o1, NmfTransform::Solver);
  }
  EXPECT_TRUE(at::equal(w1, w1c));
  EXPECT_TRUE(at::equal(h1, h1c));
}

// float32 follows the float64 iterates to float32 accuracy.
TEST(Nmf, Float32TracksFloat64) {
  at::Tensor x = fixture(kSweeps, "X"), w0 = fixture(kSweeps, "W0"), h0 = fixture(kSweeps, "H0");
  for (NmfSolver s : {NmfSolver::CoordinateDescent, NmfSolver::MultiplicativeUpdate}) {
    NmfOptions o = sweep_options({"", s, 2.0}, {"", 0, -1, 0}, 5);
    NmfResult r64 = nmf(x, o, w0, h0);
    NmfResult r32 = nmf(x.to(at::kFloat), o, w0.to(at::kFloat), h0.to(at::kFloat));
    EXPECT_EQ(r32.w.scalar_type(), at::kFloat);
    EXPECT_LT(max_abs_diff(r32.w, r64.w), 1e-4);
    EXPECT_LT(max_abs_diff(r32.h, r64.h), 1e-4);
  }
}

// scikit-learn's transform: the fit's solver with H fixed.
TEST(Nmf, SolverTransformMatchesScikitLearn) {
  at::Tensor x = fixture(kSweeps, "X");
  for (auto [name, solver] : {std::pair{"cd", NmfSolver::CoordinateDescent}, std::pair{"mu", NmfSolver::MultiplicativeUpdate}}) {
    NmfOptions o;
    o.rank = 4;
    o.solver = solver;
    at::Tensor h = fixture(kSweeps, std::string("transform_") + name + "_H");
    at::Tensor w = nmf_transform(x, h, o, NmfTransform::Solver);
    EXPECT_LT(max_abs_diff(w, fixture(kSweeps, std::string("transform_") + name + "_W")), 1e-10) << name;
  }
}

// Exact transform: KKT to 1e-6 and equal to scipy.optimize.nnls row by row.
TEST(Nmf, ExactTransformIsNnls) {
  at::Tensor x = fixture("nnls.safetensors", "Xt"), h = fixture("nnls.safetensors", "Ht");
  NmfOptions o;
  o.rank = 4;
  at::Tensor w = nmf_transform(x, h, o);
  EXPECT_LT(max_abs_diff(w, fixture("nnls.safetensors", "Wt")), 1e-6);
  at::Tensor g = at::mm(h, h.t()), c = at::mm(h, x.t());
  EXPECT_LT(nnls_kkt_residual(g, c, w.t()), 1e-6);
  // with regularization the KKT conditions of the regularized problem hold
  o.alpha_w = 0.01;
  o.l1_ratio = 0.5;
  at::Tensor wr = nmf_transform(x, h, o);
  const double p = double(x.size(1));
  at::Tensor gr = g + at::eye(4, g.options()) * (p * 0.01 * 0.5);
  at::Tensor cr = c - p * 0.01 * 0.5;
  EXPECT_LT(nnls_kkt_residual(gr, cr, wr.t()), 1e-6);
  EXPECT_GT(max_abs_diff(wr, w), 1e-3);  // the penalty did something
}

// NNDSVD of an exactly low-rank matrix is determined by its SVD: equal to
// scikit-learn's (whose randomized SVD is exact there too).
TEST(Nmf, NndsvdMatchesScikitLearn) {
  at::Tensor x = fixture("nmf_init.safetensors", "X");
  for (auto [name, init] : {std::pair{"nndsvd", NmfInit::Nndsvd}, std::pair{"nndsvda", NmfInit::Nndsvda}}) {
    NmfFactors f = nmf_initialize(x, 4, init, 0);
    EXPECT_LT(max_abs_diff(f.w, fixture("nmf_init.safetensors", std::string(name) + "_W")), 1e-8) << name;
    EXPECT_LT(max_abs_diff(f.h, fixture("nmf_init.safetensors", std::string(name) + "_H")), 1e-8) << name;
  }
}

TEST(Nmf, InitsAreNonNegativeSeededAndScaled) {
  at::Tensor x = factorkit::testing::randu(3, {40, 30});
  for (NmfInit init : {NmfInit::Random, NmfInit::Nndsvd, NmfInit::Nndsvda, NmfInit::Nndsvdar}) {
    NmfFactors a = nmf_initialize(x, 5, init, 11), b = nmf_initialize(x, 5, init, 11);
    EXPECT_TRUE(at::equal(a.w, b.w)) << to_string(init);
    EXPECT_GE(a.w.min().item<double>(), 0.0);
    EXPECT_GE(a.h.min().item<double>(), 0.0);
    EXPECT_EQ(a.w.sizes(), (std::vector<int64_t>{40, 5}));
    EXPECT_EQ(a.h.sizes(), (std::vector<int64_t>{5, 30}));
  }
  // random init: |N(0,1)| * sqrt(mean/r) has mean sqrt(2/pi) * sqrt(mean/r)
  NmfFactors r = nmf_initialize(x, 5, NmfInit::Random, 1);
  const double expect = std::sqrt(2 / M_PI) * std::sqrt(x.mean().item<double>() / 5);
  EXPECT_NEAR(r.w.mean().item<double>(), expect, 0.1 * expect);
  // nndsvda fills exact zeros with mean(X); nndsvd keeps them
  NmfFactors z = nmf_initialize(x, 5, NmfInit::Nndsvd, 0), za = nmf_initialize(x, 5, NmfInit::Nndsvda, 0);
  ASSERT_GT((z.w == 0).sum().item<int64_t>(), 0);
  EXPECT_TRUE(at::allclose(za.w.masked_select(z.w == 0), at::full({1}, x.mean().item<double>(), x.options())));
  // auto is nndsvda when r <= min(n, p), random otherwise
  EXPECT_TRUE(at::equal(nmf_initialize(x, 5, NmfInit::Auto, 0).w, za.w));
  EXPECT_EQ(nmf_initialize(x, 35, NmfInit::Auto, 0).w.size(1), 35);
  EXPECT_EQ(resolve_init(NmfInit::Auto, 30, 40, 30), NmfInit::Nndsvda);
  EXPECT_EQ(resolve_init(NmfInit::Auto, 31, 40, 30), NmfInit::Random);
  EXPECT_EQ(resolve_init(NmfInit::Nndsvd, 31, 40, 30), NmfInit::Nndsvd);
}

// The acceptance check: on planted 500 x 64 rank-10 matrices, the converged
// objective 1/2 ||X - WH||^2 is within 1% of scikit-learn's (tol 1e-4,
// max_iter 200, nndsvda), median over 5 seeds, for both solvers.
TEST(Nmf, PlantedObjectiveWithinOnePercentOfScikitLearn) {
  at::Tensor ref = fixture("nmf_planted.safetensors", "results");
  // the generator matches the Python one bit for bit
  EXPECT_LT(max_abs_diff(factorkit::testing::planted(3).narrow(0, 0, 3).narrow(1, 0, 5),
                         fixture("nmf_planted.safetensors", "probe")),
            1e-15);
  for (int solver = 0; solver < 2; ++solver) {
    std::vector<double> ratios;
    for (int seed = 0; seed < 5; ++seed) {
      at::Tensor row = ref[seed * 2 + solver];
      ASSERT_EQ(row[0].item<double>(), seed);
      at::Tensor x = factorkit::testing::planted(seed);
      NmfOptions o;
      o.rank = 10;
      o.solver = solver == 0 ? NmfSolver::CoordinateDescent : NmfSolver::MultiplicativeUpdate;
      NmfResult r = nmf(x, o);
      const double obj = 0.5 * r.reconstruction_error * r.reconstruction_error;
      ratios.push_back(obj / row[2].item<double>());
      // reconstruction_error is ||X - WH||_F
      EXPECT_NEAR(r.reconstruction_error, (x - at::mm(r.w, r.h)).norm().item<double>(), 1e-9);
    }
    std::sort(ratios.begin(), ratios.end());
    EXPECT_LT(ratios[2], 1.01) << "solver " << solver;
    EXPECT_GT(ratios[2], 0.9) << "solver " << solver;  // not suspiciously better either
  }
}

// A noiseless planted non-negative rank-r matrix is recovered.
TEST(Nmf, RecoversExactPlantedFactorization) {
  at::Tensor x = factorkit::testing::planted(7, 200, 40, 5, 0.0);
  NmfOptions o;
  o.rank = 5;
  o.max_iter = 2000;
  o.tol = 1e-10;
  NmfResult r = nmf(x, o);
  EXPECT_LT(r.reconstruction_error / x.norm().item<double>(), 1e-3);
}

// History: one row per iteration; the Gram-form error equals the direct one;
// CD's violation ratio decides the stop.
TEST(Nmf, HistoryAndStoppingRule) {
  at::Tensor x = factorkit::testing::planted(1, 100, 30, 4);
  NmfOptions o;
  o.rank = 4;
  o.tol = 1e-3;
  int calls = 0;
  o.on_iteration = [&](const NmfIteration&) { ++calls; };
  NmfResult r = nmf(x, o);
  ASSERT_EQ(int64_t(r.history.size()), r.n_iter);
  EXPECT_EQ(calls, r.n_iter);
  EXPECT_TRUE(r.converged);
  EXPECT_LE(r.stop_statistic, 1e-3);
  EXPECT_NEAR(r.history.back().error, r.reconstruction_error, 1e-8 * x.norm().item<double>());
  const double first = r.history[0].violation;
  EXPECT_LE(r.history.back().violation / first, 1e-3);
  for (std::size_t i = 0; i + 1 < r.history.size(); ++i) {
    EXPECT_GT(r.history[i].violation / first, 1e-3) << "should have stopped at iteration " << i + 1;
    EXPECT_LE(r.history[i + 1].error, r.history[i].error * (1 + 1e-12));  // monotone
  }
  // max_iter reached with tol > 0: not converged, still a result
  o.max_iter = 2;
  o.tol = 1e-12;
  NmfResult r2 = nmf(x, o);
  EXPECT_EQ(r2.n_iter, 2);
  EXPECT_FALSE(r2.converged);
  // tol = 0: exactly max_iter iterations, which is what was asked
  o.tol = 0;
  o.max_iter = 7;
  NmfResult r3 = nmf(x, o);
  EXPECT_EQ(r3.n_iter, 7);
  EXPECT_TRUE(r3.converged);
}

TEST(Nmf, ShuffleIsSeededAndConverges) {
  at::Tensor x = factorkit::testing::planted(2, 100, 30, 4);
  NmfOptions o;
  o.rank = 4;
  o.shuffle = true;
  o.seed = 5;
  o.max_iter = 1000;
  NmfResult a = nmf(x, o), b = nmf(x, o);
  EXPECT_TRUE(at::equal(a.w, b.w));
  EXPECT_TRUE(a.converged);
  EXPECT_LE(a.stop_statistic, o.tol);
  o.seed = 6;
  NmfResult other_seed = nmf(x, o);
  o.shuffle = false;
  NmfResult c = nmf(x, o);
  EXPECT_FALSE(at::equal(a.w, c.w));  // the order changed the iterates
  EXPECT_FALSE(at::equal(a.w, other_seed.w));
}

TEST(Nmf, MuDivergencesDecrease) {
  at::Tensor x = factorkit::testing::planted(4, 60, 20, 3) + 0.01;
  for (double beta : {0.0, 0.5, 1.0, 1.5, 3.0}) {
    NmfOptions o;
    o.rank = 3;
    o.solver = NmfSolver::MultiplicativeUpdate;
    o.beta = beta;
    o.tol = 0;
    o.max_iter = 1;
    const double e1 = nmf(x, o).reconstruction_error;
    o.max_iter = 100;
    const double e100 = nmf(x, o).reconstruction_error;
    EXPECT_LT(e100, e1) << "beta " << beta;
  }
}

TEST(Nmf, RejectsBadInputWithClearErrors) {
  at::Tensor x = factorkit::testing::randu(1, {6, 5});
  NmfOptions o;
  o.rank = 2;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x - 0.5, o); }, "Negative", {"non-negative", "X["});
  at::Tensor xn = x.clone();
  xn[2][3] = NAN;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(xn, o); }, "NonFinite", {"X[2, 3]"});
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(at::ones({5}), o); }, "NotAMatrix", {"2-D"});
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(at::ones({0, 5}), o); }, "EmptyMatrix", {});
  o.rank = 0;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x, o); }, "BadRank", {">= 1"});
  o.rank = 6;  // > min(n, p) with an SVD-based init (auto falls back to random, as scikit-learn)
  o.init = NmfInit::Nndsvda;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x, o); }, "BadRank", {"min(n, p) = 5"});
  o.rank = 2;
  o.init = NmfInit::Auto;
  o.beta = 1;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x, o); }, "BetaNeedsMu", {"mu"});
  o.solver = NmfSolver::MultiplicativeUpdate;
  o.beta = 0;
  at::Tensor xz = x.clone();
  xz[0][0] = 0;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(xz, o); }, "ZerosWithBetaLeq0", {"strictly positive"});
  o = NmfOptions{};
  o.rank = 2;
  o.init = NmfInit::Custom;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x, o); }, "MissingInit", {});
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x, o, at::ones({6, 3}), at::ones({2, 5})); }, "ShapeMismatch",
                                              {"[6, 2]"});
  o.init = NmfInit::Auto;
  o.l1_ratio = 2;
  factorkit::testing::expect_error<InvalidInput>([&] { nmf(x, o); }, "BadOption", {"l1_ratio"});
}

// Size-1 and rank-deficient inputs are handled (no NaN, sensible answers).
TEST(Nmf, TinyAndRankDeficientInputs) {
  NmfOptions o;
  o.rank = 1;
  NmfResult one = nmf(at::full({1, 1}, 4.0, at::kDouble), o);
  EXPECT_NEAR((one.w * one.h).item<double>(), 4.0, 1e-6);
  // a zero matrix: nothing to fit, zero error, no NaN
  NmfResult zero = nmf(at::zeros({5, 4}, at::kDouble), o);
  EXPECT_EQ(zero.reconstruction_error, 0.0);
  EXPECT_FALSE(at::isnan(zero.w).any().item<bool>());
  // rank 3 asked of a rank-1 matrix
  at::Tensor x = at::outer(at::arange(1, 7, at::kDouble), at::arange(1, 5, at::kDouble));
  o.rank = 3;
  for (NmfSolver s : {NmfSolver::CoordinateDescent, NmfSolver::MultiplicativeUpdate})
    for (NmfInit init : {NmfInit::Nndsvd, NmfInit::Nndsvda, NmfInit::Random}) {
      o.solver = s;
      o.init = init;
      NmfResult r = nmf(x, o);
      EXPECT_FALSE(at::isnan(r.w).any().item<bool>()) << to_string(s) << " " << to_string(init);
      EXPECT_LT(r.reconstruction_error / x.norm().item<double>(), 1e-2) << to_string(s) << " " << to_string(init);
    }
}

TEST(Nmf, NamesRoundTrip) {
  for (NmfInit i : {NmfInit::Auto, NmfInit::Random, NmfInit::Nndsvd, NmfInit::Nndsvda, NmfInit::Nndsvdar, NmfInit::Custom})
    EXPECT_EQ(parse_nmf_init(to_string(i), "t"), i);
  EXPECT_EQ(parse_nmf_solver("mu", "t"), NmfSolver::MultiplicativeUpdate);
  EXPECT_EQ(parse_beta("kullback-leibler", "t"), 1.0);
  EXPECT_EQ(parse_beta("0.5", "t"), 0.5);
  factorkit::testing::expect_error<InvalidInput>([] { parse_beta("1.5x", "t"); }, "BadOption", {"frobenius"});
}

// The fused one-pass kernels exist once per instruction set; every variant this
// CPU runs must give scikit-learn's iterates (the dispatcher picks the best one
// for users; the others run on older CPUs). Rows are processed in blocks of 4 or
// 8: n = 30 leaves a partial block at the end.
#include "kernels/dispatch.h"

TEST(Nmf, EveryKernelVariantMatchesScikitLearn) {
  at::Tensor x = fixture(kSweeps, "X"), w0 = fixture(kSweeps, "W0"), h0 = fixture(kSweeps, "H0");
  const std::string best = linalg::detail::kernel_isa();
  for (const char* isa : {"base", "avx2", "avx512"}) {
    if (!linalg::detail::cpu_supports_isa(isa)) continue;
    linalg::detail::set_kernel_isa(isa);
    for (auto [name, solver] : {std::pair{"cd", NmfSolver::CoordinateDescent}, std::pair{"mu2", NmfSolver::MultiplicativeUpdate}})
      for (const char* reg : {"plain", "regh"}) {
        SCOPED_TRACE(::testing::Message() << isa << " " << name << " " << reg);
        NmfOptions o = sweep_options({name, solver, 2.0}, std::string(reg) == "plain" ? Reg{"plain", 0, -1, 0} : Reg{"regh", 0.02, 0.1, 0.7}, 5);
        NmfResult r = nmf(x, o, w0, h0);
        const std::string key = std::string(name) + "_" + reg + "_5";
        EXPECT_LT(max_abs_diff(r.w, fixture(kSweeps, key + "_W")), 1e-10);
        EXPECT_LT(max_abs_diff(r.h, fixture(kSweeps, key + "_H")), 1e-10);
        NmfResult r32 = nmf(x.to(at::kFloat), o, w0.to(at::kFloat), h0.to(at::kFloat));
        EXPECT_LT(max_abs_diff(r32.w, r.w), 1e-4);
      }
  }
  linalg::detail::set_kernel_isa(best);
  factorkit::testing::expect_error<InvalidInput>([] { linalg::detail::set_kernel_isa("neon"); }, "BadOption", {"avx2"});
}

// Many threads, a partial last block and wide rank: the same answer whatever
// the thread count (the per-thread sums are reduced in thread order).
TEST(Nmf, FusedPathIsDeterministicAcrossThreadCounts) {
  at::Tensor x = factorkit::testing::planted(9, 203, 37, 6);
  NmfOptions o;
  o.rank = 6;
  o.max_iter = 30;
  o.tol = 0;
  at::set_num_threads(1);
  NmfResult one = nmf(x, o);
  at::set_num_threads(2);
  NmfResult two = nmf(x, o);
  EXPECT_LT(max_abs_diff(one.w, two.w), 1e-10);
  // r > 64 takes the general (two-GEMM) path
  at::Tensor xs = factorkit::testing::randu(4, {80, 70});
  NmfOptions big;
  big.rank = 65;
  big.init = NmfInit::Random;
  big.max_iter = 3;
  big.tol = 0;
  NmfResult rb = nmf(xs, big);
  EXPECT_EQ(rb.h.size(0), 65);
  EXPECT_FALSE(at::isnan(rb.w).any().item<bool>());
}

// The Frobenius error is summed over row blocks of ~4M entries (bounded float64
// temporaries): a wide X spans several blocks, and the sum equals the direct one.
TEST(Nmf, ErrorOverRowBlocksEqualsDirect) {
  const int64_t n = 9, p = int64_t(1) << 20, r = 2;  // 4 rows per block: 3 blocks
  at::Tensor w = factorkit::testing::randu(1, {n, r}), h = factorkit::testing::randu(2, {r, p});
  at::Tensor x = (at::mm(w, h) + 0.01 * factorkit::testing::randu(3, {n, p})).to(at::kFloat);
  const double direct = (x.to(at::kDouble) - at::mm(w, h)).norm().item<double>();
  EXPECT_NEAR(nmf_error(x, w, h), direct, 1e-9 * direct);
}

// The finiteness check sums first and builds the mask only when the sum is not
// finite; huge but finite entries overflow the sum and must still be accepted.
TEST(Nmf, HugeFiniteEntriesAreNotMistakenForInfinity) {
  at::Tensor x = at::full({4, 3}, 1e308, at::kDouble);
  EXPECT_NO_THROW(linalg::check_matrix(x, "t", "X", {.nonnegative = true}));
  x[2][1] = INFINITY;
  factorkit::testing::expect_error<InvalidInput>([&] { linalg::check_matrix(x, "t", "X"); }, "NonFinite", {"X[2, 1]"});
}
