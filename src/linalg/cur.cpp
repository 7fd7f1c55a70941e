// CUR and interpolative decompositions. See include/factorkit/linalg/cur.h.
#include "factorkit/linalg/cur.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <vector>

#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/svd.h"
#include "lapack.h"

namespace factorkit::linalg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct PivotedQr {
  at::Tensor r;      // min(n,p) x p upper triangular factor (columns in pivot order)
  at::Tensor pivots; // int64, length p
};

// Column-pivoted Householder QR of x (n x p) by LAPACK geqp3, in float64.
PivotedQr pivoted_qr(const at::Tensor& x) {
  const int64_t n = x.size(0), p = x.size(1);
  if (n > std::numeric_limits<int>::max() || p > std::numeric_limits<int>::max())
    throw InvalidInput("pivoted_qr", "X", "fewer than 2^31 rows and columns", "TooLarge");
  // LAPACK is column-major: the bytes of x^T (row-major) are x column-major
  // geqp3 overwrites its input: always a private copy (x.t() may be a view of
  // a contiguous tensor, for which contiguous() would not copy)
  at::Tensor a = x.t().clone(at::MemoryFormat::Contiguous).to(at::kDouble);
  int m = int(n), nn = int(p), lda = std::max(1, int(n)), info = 0, lwork = -1;
  std::vector<int> jpvt(p, 0);
  std::vector<double> tau(std::min(n, p) + 1);
  double query = 0;
  dgeqp3_(&m, &nn, a.data_ptr<double>(), &lda, jpvt.data(), tau.data(), &query, &lwork, &info);
  lwork = std::max(1, int(query));
  std::vector<double> work(lwork);
  dgeqp3_(&m, &nn, a.data_ptr<double>(), &lda, jpvt.data(), tau.data(), work.data(), &lwork, &info);
  if (info != 0)
    throw NumericalFailure("pivoted_qr", "geqp3", fmt::format("info = 0, got {}", info), "LapackFailed");
  PivotedQr q;
  const int64_t k = std::min(n, p);
  q.r = at::triu(a.t().narrow(0, 0, k));  // back to row-major: rows of R
  std::vector<int64_t> piv(p);
  for (int64_t j = 0; j < p; ++j) piv[j] = jpvt[j] - 1;
  q.pivots = at::tensor(piv, at::TensorOptions().dtype(at::kLong));
  return q;
}

at::Tensor sample_without_replacement(const at::Tensor& weights, int64_t k, at::Generator& gen) {
  return at::multinomial(weights.to(at::kDouble), k, /*replacement=*/false, gen);
}

void check_index(const at::Tensor& idx, int64_t count, int64_t limit, const std::string& where,
                 const std::string& field) {
  if (!idx.defined() || idx.dim() != 1)
    throw InvalidInput(where, field, "a 1-D tensor of integer indices", "BadIndex");
  if (at::isFloatingType(idx.scalar_type()))
    throw InvalidInput(where, field, "integer indices", "BadIndex");
  if (idx.numel() != count)
    throw InvalidInput(where, field, fmt::format("{} indices, got {}", count, idx.numel()), "BadIndex");
  if (count == 0) return;
  const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
  if (lo < 0 || hi >= limit)
    throw InvalidInput(where, field, fmt::format("indices in [0, {}), got range [{}, {}]", limit, lo, hi),
                       "IndexOutOfRange");
  if (std::get<0>(at::_unique(idx)).numel() != count)
    throw InvalidInput(where, field, "distinct indices", "DuplicateIndex");
}

}  // namespace

at::Tensor pivoted_qr_columns(const at::Tensor& x, int64_t k) {
  check_matrix(x, "pivoted_qr_columns", "X");
  check_rank(k, x.size(1), "pivoted_qr_columns", "k", "the number of columns");
  return pivoted_qr(x).pivots.narrow(0, 0, k).clone();
}

InterpDecomp interp_decomp(const at::Tensor& x_in, int64_t k) {
  const std::string where = "interp_decomp";
  check_matrix(x_in, where, "X");
  check_rank(k, std::min(x_in.size(0), x_in.size(1)), where, "k", "min(n, p)");
  at::Tensor x = x_in.to(working_dtype(x_in));
  const int64_t p = x.size(1);
  PivotedQr q = pivoted_qr(x);
  at::Tensor r11 = q.r.narrow(0, 0, k).narrow(1, 0, k);
  at::Tensor r12 = q.r.narrow(0, 0, k).narrow(1, k, p - k);
  // T in pivot order is [I, R11^{-1} R12]; a zero diagonal of R11 means x has
  // rank < k and the extra columns carry nothing: solve in the least-squares sense
  at::Tensor t12 = std::get<0>(at::linalg_lstsq(r11, r12));
  at::Tensor tp = at::cat({at::eye(k, r11.options()), t12}, 1);
  at::Tensor t = at::empty_like(tp);
  t.index_copy_(1, q.pivots, tp);
  InterpDecomp d;
  d.col_index = q.pivots.narrow(0, 0, k).clone();
  d.t = t.to(x.scalar_type());
  return d;
}

CurResult cur(const at::Tensor& x_in, const CurOptions& o) {
  const std::string where = "cur";
  check_matrix(x_in, where, "X");
  at::Tensor x = x_in.to(working_dtype(x_in)).contiguous();
  const int64_t n = x.size(0), p = x.size(1);
  check_rank(o.rows, n, where, "rows", "the number of rows");
  check_rank(o.cols, p, where, "cols", "the number of columns");
  if (!(o.rcond >= 0)) throw InvalidInput(where, "rcond", ">= 0", "BadOption");
  if (o.leverage_rank < 0)
    throw InvalidInput(where, "leverage_rank", fmt::format(">= 0 (0: min(rows, cols)), got {}", o.leverage_rank),
                       "BadOption");
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  CurResult res;
  switch (o.select) {
    case CurSelect::PivotedQR:
      res.col_index = pivoted_qr(x).pivots.narrow(0, 0, o.cols).clone();
      res.row_index = pivoted_qr(x.t()).pivots.narrow(0, 0, o.rows).clone();
      break;
    case CurSelect::Leverage: {
      const int64_t kk = o.leverage_rank > 0 ? o.leverage_rank : std::min(o.rows, o.cols);
      check_rank(kk, std::min(n, p), where, "leverage_rank", "min(n, p)");
      SvdResult s = truncated_svd(x, kk);
      // a zero score can still be drawn once positive ones run out
      at::Tensor lc = s.vh.to(at::kDouble).square().sum(0) + 1e-300;
      at::Tensor lr = s.u.to(at::kDouble).square().sum(1) + 1e-300;
      res.col_index = sample_without_replacement(lc, o.cols, gen);
      res.row_index = sample_without_replacement(lr, o.rows, gen);
      break;
    }
    case CurSelect::Uniform:
      res.col_index = at::randperm(p, gen, at::TensorOptions().dtype(at::kLong)).narrow(0, 0, o.cols).clone();
      res.row_index = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong)).narrow(0, 0, o.rows).clone();
      break;
    case CurSelect::Given:
      check_index(o.row_index, o.rows, n, where, "row_index");
      check_index(o.col_index, o.cols, p, where, "col_index");
      res.row_index = o.row_index.to(at::kLong).clone();
      res.col_index = o.col_index.to(at::kLong).clone();
      break;
  }
  res.c = x.index_select(1, res.col_index).contiguous();
  res.r = x.index_select(0, res.row_index).contiguous();
  if (o.core == CurCore::Intersection) {
    res.u = pinv(res.r.index_select(1, res.col_index), o.rcond);
  } else {
    res.u = at::mm(at::mm(pinv(res.c, o.rcond), x), pinv(res.r, o.rcond));
  }
  res.relative_error = res.best_rank_relative_error = kNaN;
  if (o.compute_error) {
    at::Tensor xd = x.to(at::kDouble);
    const double xn = xd.norm().item<double>();
    const double err = (xd - cur_reconstruct(res).to(at::kDouble)).norm().item<double>();
    at::Tensor s = at::linalg_svdvals(xd);
    res.relative_error = xn > 0 ? err / xn : err;
    const double best = best_rank_error(s, std::min(o.rows, o.cols));
    res.best_rank_relative_error = xn > 0 ? best / xn : best;
  }
  return res;
}

at::Tensor cur_reconstruct(const CurResult& d) { return at::mm(at::mm(d.c, d.u), d.r); }

std::string to_string(CurSelect s) {
  switch (s) {
    case CurSelect::PivotedQR: return "qr";
    case CurSelect::Leverage: return "leverage";
    case CurSelect::Uniform: return "uniform";
    case CurSelect::Given: return "given";
  }
  return "?";
}

std::string to_string(CurCore c) { return c == CurCore::Intersection ? "intersection" : "optimal"; }

CurSelect parse_cur_select(const std::string& s, const std::string& where) {
  for (auto v : {CurSelect::PivotedQR, CurSelect::Leverage, CurSelect::Uniform, CurSelect::Given})
    if (s == to_string(v)) return v;
  throw InvalidInput(where, "select", fmt::format("one of qr, leverage, uniform, given, got \"{}\"", s), "BadOption");
}

CurCore parse_cur_core(const std::string& s, const std::string& where) {
  if (s == "intersection") return CurCore::Intersection;
  if (s == "optimal") return CurCore::Optimal;
  throw InvalidInput(where, "core", fmt::format("intersection or optimal, got \"{}\"", s), "BadOption");
}

}  // namespace factorkit::linalg
