// ANNCUR's algebra and accounting: exact-rank reconstruction, the Eckart–Young
// bound, the oracle core, numpy's pinv cutoff, call counts, recall at full
// rerank and its monotonicity, anchor choice, grid checkpoints, index files.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "anncur.h"
#include "factorkit/core/error.h"
#include "factorkit/nn/checkpoint.h"
#include "test_util.h"

namespace fa = factorkit::anncur;
using factorkit::InvalidInput;
using factorkit::MalformedFile;

namespace {

at::Tensor low_rank(std::int64_t n, std::int64_t p, std::int64_t r, std::uint64_t seed) {
  at::manual_seed(seed);
  return at::matmul(at::randn({n, r}, at::kDouble), at::randn({r, p}, at::kDouble));
}

// C U R for all rows of m with the index built on rows `aq`.
at::Tensor reconstruct(const at::Tensor& m, const fa::Index& ix) {
  return at::matmul(m.index_select(1, ix.anchor_items), ix.e);
}

double rel(const at::Tensor& a, const at::Tensor& b) { return ((a - b).norm() / b.norm()).item<double>(); }

}  // namespace

TEST(AnncurIndex, ExactRankMatricesReconstruct) {
  for (auto choice : {fa::AnchorChoice::Uniform, fa::AnchorChoice::Diverse}) {
    const auto m = low_rank(150, 400, 6, 1);
    auto aq = at::arange(0, 150, 7, at::kLong);  // 22 anchor queries
    fa::IndexOptions o;
    o.anchor_items = 10;
    o.choice = choice;
    auto ix = fa::index_from_scores(aq, m.index_select(0, aq), o);
    EXPECT_EQ(ix.u.sizes(), (at::IntArrayRef{10, 22}));
    EXPECT_EQ(ix.e.sizes(), (at::IntArrayRef{10, 400}));
    EXPECT_LT(rel(reconstruct(m, ix), m), 1e-10) << fa::to_string(choice);
  }
}

TEST(AnncurIndex, EmbeddingsAreTheCoreTimesR) {
  const auto m = low_rank(80, 120, 30, 2) + 0.1 * at::randn({80, 120}, at::kDouble);
  auto aq = at::arange(20, at::kLong);
  fa::IndexOptions o;
  o.anchor_items = 15;
  auto ix = fa::index_from_scores(aq, m.index_select(0, aq), o);
  EXPECT_TRUE(at::equal(ix.e, at::matmul(ix.u, ix.r)));
  // U is numpy's pinv of the intersection: U R[:, I_a] U = U and R[:, I_a] U R[:, I_a] = R[:, I_a]
  auto w = ix.r.index_select(1, ix.anchor_items);
  EXPECT_LT(rel(at::matmul(at::matmul(w, ix.u), w), w), 1e-12);
  EXPECT_LT(rel(at::matmul(at::matmul(ix.u, w), ix.u), ix.u), 1e-12);
  // float32 scores: E keeps R's dtype
  auto ix32 = fa::index_from_scores(aq, m.index_select(0, aq).to(at::kFloat), o);
  EXPECT_EQ(ix32.e.scalar_type(), at::kFloat);
  EXPECT_EQ(ix32.u.scalar_type(), at::kDouble);
}

TEST(AnncurIndex, PinvCutoffIsNumpys) {
  // numpy.linalg.pinv([[1, 0], [0, 1e-16]]) = diag(1, 0) at rcond 1e-15 and diag(1, 1e16) at 1e-17.
  auto r = at::tensor({1.0, 0.0, 0.0, 1e-16}, at::kDouble).reshape({2, 2});
  fa::IndexOptions o;
  o.anchor_items = 2;
  auto ix = fa::index_from_scores(at::arange(2, at::kLong), r, o);
  EXPECT_DOUBLE_EQ(ix.u[0][0].item<double>(), 1.0);
  EXPECT_EQ(ix.u[1][1].item<double>(), 0.0);
  o.rcond = 1e-17;
  auto ix2 = fa::index_from_scores(at::arange(2, at::kLong), r, o);
  EXPECT_NEAR(ix2.u[1][1].item<double>(), 1e16, 1e4);
  // A rank-one intersection: pinv(u vᵀ) = v uᵀ / ‖u vᵀ‖²_F (numpy: [[1,2],[2,4]] → [[1,2],[2,4]] / 25).
  auto r1 = at::tensor({1.0, 2.0, 2.0, 4.0}, at::kDouble).reshape({2, 2});
  o.rcond = 1e-15;
  auto ix3 = fa::index_from_scores(at::arange(2, at::kLong), r1, o);
  EXPECT_LT(rel(ix3.u, r1.t() / 25.0), 1e-15);
}

TEST(AnncurIndex, NoisyErrorRespectsEckartYoungAndTheOracleCore) {
  for (std::uint64_t seed : {3, 4, 5}) {
    const auto m = low_rank(200, 300, 8, seed) + 0.3 * at::randn({200, 300}, at::kDouble);
    auto aq = at::arange(0, 200, 5, at::kLong);  // 40
    fa::IndexOptions o;
    o.anchor_items = 25;
    o.seed = seed;
    auto ix = fa::index_from_scores(aq, m.index_select(0, aq), o);
    const double err = rel(reconstruct(m, ix), m);
    // the best rank-min(k_q, k_i) approximation
    auto s = at::linalg_svdvals(m);
    const auto k = std::min<std::int64_t>(40, 25);
    const double bound = (s.narrow(0, k, s.size(0) - k).pow(2).sum().sqrt() / s.pow(2).sum().sqrt()).item<double>();
    EXPECT_GE(err, bound);
    // the oracle core C⁺ M R⁺ with the same C and R
    auto c = m.index_select(1, ix.anchor_items), r = ix.r;
    auto oracle = at::matmul(at::matmul(c, at::matmul(at::matmul(at::linalg_pinv(c), m), at::linalg_pinv(r))), r);
    const double oracle_err = rel(oracle, m);
    EXPECT_LE(oracle_err, err + 1e-12);
    EXPECT_GE(oracle_err, bound - 1e-12);
  }
}

TEST(AnncurIndex, DiverseAnchorsFindTheInformativeColumns) {
  // Five independent columns; every other column is a multiple of column 0.
  at::manual_seed(6);
  auto basis = at::randn({50, 5}, at::kDouble);
  auto m = basis.narrow(1, 0, 1) * at::rand({1, 400}, at::kDouble);
  m.narrow(1, 100, 5).copy_(basis);
  auto aq = at::arange(50, at::kLong);
  fa::IndexOptions o;
  o.anchor_items = 5;
  o.choice = fa::AnchorChoice::Diverse;
  auto ix = fa::index_from_scores(aq, m, o);
  EXPECT_LT(rel(reconstruct(m, ix), m), 1e-10);
  o.choice = fa::AnchorChoice::Uniform;
  auto iu = fa::index_from_scores(aq, m, o);
  EXPECT_GT(rel(reconstruct(m, iu), m), 0.1);  // 5 of 400 at random miss the 5 columns
  // more anchors than anchor queries: pivots first, then uniform, all distinct
  o.choice = fa::AnchorChoice::Diverse;
  o.anchor_items = 80;
  auto big = fa::choose_anchor_items(m.narrow(0, 0, 10), o);
  EXPECT_EQ(std::get<0>(at::_unique(big)).numel(), 80);
}

TEST(AnncurSearch, ScorerSeesExactlyAnchorsPlusRerankCallsPerQuery) {
  const auto m = low_rank(60, 500, 10, 7) + 0.5 * at::randn({60, 500}, at::kDouble);
  std::int64_t pairs = 0;
  fa::FunctionScorer s(60, 500, [&](const at::Tensor& q, const at::Tensor& i) {
    pairs += q.numel();
    return m.index({q, i});
  });
  auto aq = at::arange(20, at::kLong);
  fa::IndexOptions o;
  o.anchor_items = 30;
  auto ix = fa::build_index(s, aq, o);
  EXPECT_EQ(s.calls(), 20 * 500);
  EXPECT_EQ(pairs, 20 * 500);
  s.reset_calls();
  pairs = 0;
  auto tq = at::arange(20, 60, at::kLong);
  for (std::int64_t kr : {1, 17, 100, 500}) {
    const auto before = s.calls();
    auto res = fa::search(ix, s, tq, {10, kr});
    EXPECT_EQ(res.calls, 40 * (30 + kr));
    EXPECT_EQ(s.calls() - before, 40 * (30 + kr));
    EXPECT_EQ(res.items.size(1), std::min<std::int64_t>(10, kr));
  }
  EXPECT_EQ(pairs, s.calls());
  // one query alone
  auto one = fa::search(ix, s, at::tensor({std::int64_t(42)}, at::kLong), {5, 50});
  EXPECT_EQ(one.calls, 80);
}

TEST(AnncurSearch, FullRerankIsExactAndRecallGrowsWithRerank) {
  const auto m = (low_rank(100, 300, 12, 8) + 0.8 * at::randn({100, 300}, at::kDouble)).to(at::kFloat);
  fa::MatrixScorer s(m);
  auto aq = at::arange(30, at::kLong), tq = at::arange(30, 100, at::kLong);
  fa::IndexOptions o;
  o.anchor_items = 20;
  auto ix = fa::build_index(s, aq, o);
  auto exact = m.index_select(0, tq);
  auto truth = fa::exact_top_k(exact, 100);
  auto full = fa::search(ix, s, tq, {100, 300});
  EXPECT_TRUE(at::equal(full.items, truth));
  for (std::int64_t k : {1, 10, 50, 100}) EXPECT_DOUBLE_EQ(fa::top_k_recall(full.items, truth, k), 1.0);
  for (std::int64_t k : {1, 10, 50, 100}) {
    double prev = -1;
    for (std::int64_t kr = 1; kr <= 300; kr += 7) {
      auto res = fa::search(ix, s, tq, {k, kr});
      const double r = fa::top_k_recall(res.items, truth, k);
      EXPECT_GE(r, prev) << "k " << k << " k_r " << kr;
      prev = r;
    }
  }
  // the evaluation path (scores read from the exact matrix) agrees with search
  auto curve = fa::anncur_curve(aq, ix.r, exact, {20}, {1, 50, 300}, {1, 10}, [&] {
    auto b = o;
    return b;
  }());
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_DOUBLE_EQ(curve[2].recall[10], 1.0);
  EXPECT_EQ(curve[1].cost, 70);
}

TEST(AnncurSearch, RerankCurveMatchesSearchForTheSameAnchors) {
  const auto m = (low_rank(80, 200, 8, 9) + 0.5 * at::randn({80, 200}, at::kDouble)).to(at::kFloat);
  fa::MatrixScorer s(m);
  auto aq = at::arange(20, at::kLong), tq = at::arange(20, 80, at::kLong);
  fa::IndexOptions o;
  o.anchor_items = 15;
  auto ix = fa::build_index(s, aq, o);
  auto res = fa::search(ix, s, tq, {10, 40});
  auto exact = m.index_select(0, tq);
  auto approx = at::matmul(exact.index_select(1, ix.anchor_items), ix.e);
  EXPECT_TRUE(at::allclose(res.approx, approx));
  EXPECT_TRUE(at::equal(fa::rerank(approx, exact, 40, 10), res.items));
}

TEST(AnncurSearch, BadRequestsAreRefused) {
  fa::MatrixScorer s(at::randn({10, 20}));
  fa::IndexOptions o;
  o.anchor_items = 21;
  EXPECT_THROW(fa::build_index(s, at::arange(5, at::kLong), o), InvalidInput);
  o.anchor_items = 5;
  EXPECT_THROW(fa::build_index(s, at::tensor({std::int64_t(10)}, at::kLong), o), InvalidInput);
  auto ix = fa::build_index(s, at::arange(5, at::kLong), o);
  EXPECT_THROW(fa::search(ix, s, at::arange(5, at::kLong), {10, 21}), InvalidInput);
  EXPECT_THROW(fa::search(ix, s, at::arange(5, at::kLong), {0, 5}), InvalidInput);
  fa::MatrixScorer other(at::randn({10, 30}));
  EXPECT_THROW(fa::search(ix, other, at::arange(5, at::kLong), {1, 5}), InvalidInput);
  EXPECT_THROW(s.score(at::arange(3, at::kLong), at::arange(2, at::kLong)), InvalidInput);
  EXPECT_THROW(fa::MatrixScorer(at::randn({3})), InvalidInput);
  auto nan = at::randn({4, 6});
  nan[1][2] = NAN;
  fa::MatrixScorer bad(nan);
  EXPECT_THROW(fa::build_index(bad, at::arange(4, at::kLong), o), factorkit::NumericalFailure);
}

TEST(AnncurGrid, ResumesFromACheckpointWithoutRescoring) {
  factorkit::testing::TempDir dir;
  const auto m = at::randn({40, 30});
  const std::string ck = (dir.path() / "grid.safetensors").string();
  std::int64_t budget = 250;  // pairs before the scorer "dies"
  fa::FunctionScorer flaky(40, 30, [&](const at::Tensor& q, const at::Tensor& i) {
    budget -= q.numel();
    if (budget < 0) throw std::runtime_error("killed");
    return m.index({q, i});
  });
  fa::GridOptions g;
  g.checkpoint = ck;
  g.checkpoint_seconds = 0;  // after every block
  g.rows_per_block = 3;
  auto qs = at::arange(40, at::kLong), is = at::arange(30, at::kLong);
  EXPECT_THROW(fa::score_grid(flaky, qs, is, g), std::runtime_error);
  ASSERT_TRUE(std::filesystem::exists(ck));
  budget = 1'000'000;
  std::int64_t scored = 0;
  fa::FunctionScorer good(40, 30, [&](const at::Tensor& q, const at::Tensor& i) {
    scored += q.numel();
    return m.index({q, i});
  });
  auto out = fa::score_grid(good, qs, is, g);
  EXPECT_TRUE(at::equal(out, m));
  EXPECT_LE(scored, 40 * 30 - 6 * 30);  // the 6 rows done before the kill were not scored again
  EXPECT_FALSE(std::filesystem::exists(ck));
  // a checkpoint of another grid is refused, not mixed in
  budget = 250;
  EXPECT_THROW(fa::score_grid(flaky, qs, is, g), std::runtime_error);
  fa::GridOptions other = g;
  other.identity = {{"model", "another"}};
  EXPECT_THROW(fa::score_grid(good, qs, is, other), InvalidInput);
  // a damaged checkpoint is a MalformedFile
  factorkit::testing::write_bytes(ck, "not a safetensors file");
  EXPECT_THROW(fa::score_grid(good, qs, is, g), MalformedFile);
}

TEST(AnncurIndexFile, RoundTripsAndRefusesDamage) {
  factorkit::testing::TempDir dir;
  const auto m = low_rank(30, 50, 4, 10).to(at::kFloat);
  fa::MatrixScorer s(m);
  fa::IndexOptions o;
  o.anchor_items = 8;
  auto ix = fa::build_index(s, at::arange(10, at::kLong), o);
  const std::string p = (dir.path() / "index.safetensors").string();
  fa::save_index(ix, p);
  auto back = fa::load_index(p);
  EXPECT_TRUE(at::equal(back.e, ix.e));
  EXPECT_TRUE(at::equal(back.u, ix.u));
  EXPECT_TRUE(at::equal(back.anchor_items, ix.anchor_items));
  EXPECT_EQ(back.info["anchor_items"], 8);
  EXPECT_EQ(back.info["index_calls"], 10 * 50);
  // a file that is not an index, an index with a tensor of the wrong shape
  const std::string q = (dir.path() / "other.safetensors").string();
  factorkit::nn::save_tensors(q, {{"e", ix.e}});
  EXPECT_THROW(fa::load_index(q), MalformedFile);
  factorkit::nn::save_tensors(q,
                              {{"anchor_queries", ix.anchor_queries},
                               {"anchor_items", ix.anchor_items},
                               {"r", ix.r},
                               {"u", ix.u},
                               {"e", ix.e.narrow(1, 0, 49).contiguous()}},
                              {{"format", "factorkit-anncur-index/1"}, {"anncur", "{}"}});
  EXPECT_THROW(fa::load_index(q), MalformedFile);
  factorkit::nn::save_tensors(q,
                              {{"anchor_queries", ix.anchor_queries},
                               {"anchor_items", ix.anchor_items + 100},
                               {"r", ix.r},
                               {"u", ix.u},
                               {"e", ix.e}},
                              {{"format", "factorkit-anncur-index/1"}, {"anncur", "{}"}});
  EXPECT_THROW(fa::load_index(q), MalformedFile);
}
