#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "factorkit/core/error.h"
#include "factorkit/linalg/cur.h"
#include "factorkit/linalg/svd.h"
#include "linalg_test_util.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::linalg;
using factorkit::testing::max_abs_diff;

// The acceptance check: M = P Q^T of rank r <= min(rows, cols) reconstructs to
// < 1e-10 relative error in float64, for every selection rule.
TEST(Cur, ExactRankReconstructs) {
  const int64_t r = 5;
  at::Tensor m = at::mm(factorkit::testing::randn(1, {80, r}), factorkit::testing::randn(2, {60, r}).t());
  for (CurSelect sel : {CurSelect::PivotedQR, CurSelect::Leverage, CurSelect::Uniform})
    for (CurCore core : {CurCore::Intersection, CurCore::Optimal}) {
      CurOptions o;
      o.rows = 8;
      o.cols = 7;
      o.select = sel;
      o.core = core;
      o.seed = 4;
      CurResult d = cur(m, o);
      EXPECT_LT(d.relative_error, 1e-10) << to_string(sel) << " " << to_string(core);
      EXPECT_LT(d.best_rank_relative_error, 1e-12);
      EXPECT_EQ(d.c.sizes(), (std::vector<int64_t>{80, 7}));
      EXPECT_EQ(d.r.sizes(), (std::vector<int64_t>{8, 60}));
      EXPECT_EQ(d.u.sizes(), (std::vector<int64_t>{7, 8}));
      EXPECT_EQ(std::get<0>(at::_unique(d.row_index)).numel(), 8);
    }
}

// The acceptance check, noisy case: CUR never beats Eckart–Young, the optimal
// core is never worse than the intersection core, and C, R are exact slices.
TEST(Cur, NoisyErrorBounds) {
  const uint64_t seed = factorkit::testing::test_seed();
  for (int rep = 0; rep < factorkit::testing::test_repeat(4); ++rep) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " rep " << rep);
    at::Tensor m = at::mm(factorkit::testing::randn(seed + rep, {70, 6}), factorkit::testing::randn(seed + rep + 50, {6, 50})) +
                   0.05 * factorkit::testing::randn(seed + rep + 99, {70, 50});
    for (CurSelect sel : {CurSelect::PivotedQR, CurSelect::Leverage, CurSelect::Uniform}) {
      CurOptions o;
      o.rows = 10;
      o.cols = 9;
      o.select = sel;
      o.seed = seed + rep;
      CurResult inter = cur(m, o);
      o.core = CurCore::Optimal;
      CurResult opt = cur(m, o);
      EXPECT_TRUE(at::equal(inter.col_index, opt.col_index));
      EXPECT_GE(inter.relative_error, inter.best_rank_relative_error * (1 - 1e-12));
      EXPECT_GE(opt.relative_error, opt.best_rank_relative_error * (1 - 1e-12));
      EXPECT_LE(opt.relative_error, inter.relative_error * (1 + 1e-12));
      EXPECT_TRUE(at::equal(inter.c, m.index_select(1, inter.col_index)));
      EXPECT_TRUE(at::equal(inter.r, m.index_select(0, inter.row_index)));
      // U is exactly numpy-style pinv of the intersection
      EXPECT_TRUE(at::equal(inter.u, pinv(m.index_select(0, inter.row_index).index_select(1, inter.col_index))));
    }
  }
}

TEST(Cur, GivenIndicesAndErrors) {
  at::Tensor m = factorkit::testing::randn(3, {10, 8});
  CurOptions o;
  o.rows = 2;
  o.cols = 3;
  o.select = CurSelect::Given;
  o.row_index = at::tensor({4, 1}, at::kLong);
  o.col_index = at::tensor({0, 7, 2}, at::kLong);
  CurResult d = cur(m, o);
  EXPECT_TRUE(at::equal(d.row_index, o.row_index));
  o.col_index = at::tensor({0, 8, 2}, at::kLong);
  factorkit::testing::expect_error<InvalidInput>([&] { cur(m, o); }, "IndexOutOfRange", {"[0, 8)"});
  o.col_index = at::tensor({0, 0, 2}, at::kLong);
  factorkit::testing::expect_error<InvalidInput>([&] { cur(m, o); }, "DuplicateIndex", {});
  o.select = CurSelect::Leverage;
  o.col_index = at::Tensor();
  o.leverage_rank = -1;
  factorkit::testing::expect_error<InvalidInput>([&] { cur(m, o); }, "BadOption", {"leverage_rank"});
  o.leverage_rank = 0;
  o.select = CurSelect::PivotedQR;
  o.rows = 11;
  factorkit::testing::expect_error<InvalidInput>([&] { cur(m, o); }, "BadRank", {"rows"});
}

// The pivoted QR picks the columns that span: a matrix whose columns 2 and 5
// carry everything.
TEST(Cur, PivotedQrFindsSpanningColumns) {
  at::Tensor m = at::zeros({6, 7}, at::kDouble);
  m.select(1, 2).copy_(factorkit::testing::randn(1, {6}) * 10);
  m.select(1, 5).copy_(factorkit::testing::randn(2, {6}) * 10);
  m.select(1, 0).copy_(m.select(1, 2) * 0.1);
  at::Tensor cols = pivoted_qr_columns(m, 2);
  std::vector<int64_t> v(cols.data_ptr<int64_t>(), cols.data_ptr<int64_t>() + 2);
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<int64_t>{2, 5}));
}

TEST(Cur, InterpolativeDecomposition) {
  at::Tensor m = at::mm(factorkit::testing::randn(5, {30, 4}), factorkit::testing::randn(6, {4, 25}));
  InterpDecomp d = interp_decomp(m, 4);
  at::Tensor approx = at::mm(m.index_select(1, d.col_index), d.t);
  EXPECT_LT((m - approx).norm().item<double>() / m.norm().item<double>(), 1e-12);
  EXPECT_LT(max_abs_diff(d.t.index_select(1, d.col_index), at::eye(4, at::kDouble)), 1e-12);
  // rank k < rank: error of the order of sigma_{k+1}
  at::Tensor n = factorkit::testing::randn(8, {30, 25});
  InterpDecomp d3 = interp_decomp(n, 10);
  at::Tensor s = at::linalg_svdvals(n);
  const double err = at::linalg_matrix_norm(n - at::mm(n.index_select(1, d3.col_index), d3.t), 2).item<double>();
  EXPECT_GE(err, s[10].item<double>() * (1 - 1e-9));
  EXPECT_LE(err, 30 * s[10].item<double>());
}

// No routine writes into its input (LAPACK's geqp3 overwrites its argument;
// a transposed view of a contiguous tensor must still be copied).
TEST(Cur, InputsAreNeverModified) {
  at::Tensor m = factorkit::testing::randn(11, {9, 7}).abs();
  const at::Tensor keep = m.clone();
  CurOptions o;
  o.rows = 3;
  o.cols = 3;
  cur(m, o);
  cur(m.t(), o);
  interp_decomp(m, 3);
  interp_decomp(m.t(), 3);
  pivoted_qr_columns(m.t(), 2);
  RsvdOptions ro;
  ro.rank = 2;
  randomized_svd(m, ro);
  truncated_svd(m.t(), 2);
  pinv(m);
  EXPECT_TRUE(at::equal(m, keep));
}

// (assignment lives beside CUR in this test file: both are selection problems)
#include "factorkit/linalg/assignment.h"

TEST(Assignment, MatchesBruteForce) {
  const uint64_t seed = factorkit::testing::test_seed();
  for (int rep = 0; rep < factorkit::testing::test_repeat(20); ++rep) {
    const int64_t n = 1 + rep % 5, m = 1 + (rep * 3) % 6;
    at::Tensor c = factorkit::testing::randn(seed + rep, {n, m});
    // brute force over injective maps of the smaller side
    const bool t = n > m;
    at::Tensor cc = t ? c.t().contiguous() : c;
    const int64_t a = cc.size(0), b = cc.size(1);
    std::vector<int64_t> pick(b);
    std::iota(pick.begin(), pick.end(), 0);
    double best = 1e300;
    do {
      double s = 0;
      for (int64_t i = 0; i < a; ++i) s += cc[i][pick[i]].item<double>();
      best = std::min(best, s);
    } while (std::next_permutation(pick.begin(), pick.end()));
    linalg::Assignment as = linalg::linear_sum_assignment(c);
    EXPECT_NEAR(as.total, best, 1e-12) << n << "x" << m;
    ASSERT_EQ(as.rows.numel(), std::min(n, m));
    double s = 0;
    for (int64_t i = 0; i < as.rows.numel(); ++i) s += c[as.rows[i].item<int64_t>()][as.cols[i].item<int64_t>()].item<double>();
    EXPECT_NEAR(s, as.total, 1e-12);
    EXPECT_NEAR(linalg::linear_sum_assignment(-c, true).total, -best, 1e-12);
  }
  EXPECT_EQ(linalg::linear_sum_assignment(at::zeros({0, 3}, at::kDouble)).rows.numel(), 0);
}
