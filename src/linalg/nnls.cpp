// Non-negative least squares on the normal equations, column by column in
// parallel. See include/factorkit/linalg/nnls.h.
#include "factorkit/linalg/nnls.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"

namespace factorkit::linalg {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Lawson–Hanson active set for one right-hand side of the Gram form:
// min_x>=0 1/2 x'Gx - c'x. Returns the number of outer steps; sets *ok.
struct ActiveSet {
  const RowMat& g;
  int r;
  std::vector<char> passive, banned;
  std::vector<int> idx;
  Eigen::MatrixXd gp;
  Eigen::VectorXd cp, z, w;

  ActiveSet(const RowMat& g_) : g(g_), r(int(g_.rows())), passive(r), banned(r), w(r) {}

  // z_P = G_PP^{-1} c_P over the current passive set.
  void solve(const double* c) {
    idx.clear();
    for (int i = 0; i < r; ++i)
      if (passive[i]) idx.push_back(i);
    const int q = int(idx.size());
    gp.resize(q, q);
    cp.resize(q);
    for (int a = 0; a < q; ++a) {
      cp[a] = c[idx[a]];
      for (int b = 0; b < q; ++b) gp(a, b) = g(idx[a], idx[b]);
    }
    Eigen::LLT<Eigen::MatrixXd> llt(gp);
    if (llt.info() == Eigen::Success) {
      z = llt.solve(cp);
      if (z.allFinite()) return;
    }
    // singular passive block (dependent columns of A): minimum-norm solution
    z = gp.completeOrthogonalDecomposition().solve(cp);
  }

  int64_t run(const double* c, double* x, int64_t max_outer, bool* ok) {
    std::fill(passive.begin(), passive.end(), 0);
    std::fill(banned.begin(), banned.end(), 0);
    std::fill(x, x + r, 0.0);
    double cmax = 0, gmax = 0;
    for (int i = 0; i < r; ++i) cmax = std::max(cmax, std::abs(c[i]));
    for (int i = 0; i < r; ++i) gmax = std::max(gmax, std::abs(g(i, i)));
    int64_t outer = 0;
    *ok = true;
    for (;;) {
      double xmax = 0;
      for (int i = 0; i < r; ++i) xmax = std::max(xmax, x[i]);
      const double tol = 64 * kEps * r * (gmax * xmax + cmax);
      // w = c - G x: the negative gradient
      for (int i = 0; i < r; ++i) {
        double s = c[i];
        for (int j = 0; j < r; ++j) s -= g(i, j) * x[j];
        w[i] = s;
      }
      int best = -1;
      double wbest = tol;
      for (int i = 0; i < r; ++i)
        if (!passive[i] && !banned[i] && w[i] > wbest) wbest = w[i], best = i;
      if (best < 0) break;
      if (outer >= max_outer) {
        *ok = false;
        break;
      }
      ++outer;
      passive[best] = 1;
      bool first = true;
      for (;;) {
        solve(c);
        const int q = int(idx.size());
        bool feasible = true;
        for (int a = 0; a < q; ++a)
          if (z[a] <= 0) feasible = false;
        if (feasible) {
          for (int a = 0; a < q; ++a) x[idx[a]] = z[a];
          std::fill(banned.begin(), banned.end(), 0);
          break;
        }
        if (first) {
          // the entering variable itself came out non-positive: rounding made
          // its gradient look positive. Take it out and do not pick it again
          // until x changes (Lawson–Hanson's safeguard against cycling).
          int a_best = int(std::find(idx.begin(), idx.end(), best) - idx.begin());
          if (z[a_best] <= 0) {
            passive[best] = 0;
            banned[best] = 1;
            --outer;  // no progress was made: not an outer step
            break;
          }
        }
        first = false;
        // step from x towards z until the first passive variable hits zero
        double alpha = 1.0;
        int blocking = -1;  // the variable that reaches zero first
        for (int a = 0; a < q; ++a)
          if (z[a] <= 0) {
            const double xi = x[idx[a]];
            const double t = xi / (xi - z[a]);
            if (blocking < 0 || t < alpha) alpha = t, blocking = a;
          }
        for (int a = 0; a < q; ++a) {
          double& xi = x[idx[a]];
          xi += alpha * (z[a] - xi);
          // the blocking variable leaves exactly (rounding would leave it at
          // a tiny positive value); others that reached zero leave too
          if (a == blocking || xi <= 0 || (z[a] <= 0 && std::abs(xi) <= 16 * kEps * std::max(1.0, std::abs(z[a])))) {
            xi = 0;
            passive[idx[a]] = 0;
          }
        }
        std::fill(banned.begin(), banned.end(), 0);
        if (std::none_of(passive.begin(), passive.end(), [](char p) { return p != 0; })) break;
      }
    }
    return outer;
  }
};

// HALS: cyclic exact coordinate minimization, all columns of one thread's block.
int64_t hals(const RowMat& g, const RowMat& ct, RowMat& xt, int64_t begin, int64_t end,
             int64_t max_sweeps, double tol, bool* ok) {
  const int r = int(g.rows());
  int64_t sweeps = 0;
  *ok = true;
  for (int64_t col = begin; col < end; ++col) {
    const double* c = ct.row(col).data();
    double* x = xt.row(col).data();
    double pg0 = -1;
    bool col_ok = false;
    int64_t s = 0;
    for (; s < max_sweeps; ++s) {
      double pg = 0;
      for (int t = 0; t < r; ++t) {
        double grad = -c[t];
        for (int j = 0; j < r; ++j) grad += g(t, j) * x[j];
        const double p = x[t] == 0 ? std::min(0.0, grad) : grad;
        pg += p * p;
        if (g(t, t) > 0) x[t] = std::max(0.0, x[t] - grad / g(t, t));
      }
      if (pg0 < 0) pg0 = pg;
      if (pg <= tol * tol * pg0 || pg == 0) {
        col_ok = true;
        ++s;
        break;
      }
    }
    sweeps = std::max(sweeps, s);
    if (!col_ok) *ok = false;
  }
  return sweeps;
}

RowMat to_rowmat(const at::Tensor& t) {
  at::Tensor d = t.to(at::kDouble).contiguous();
  RowMat m(d.size(0), d.size(1));
  std::copy_n(d.data_ptr<double>(), d.numel(), m.data());
  return m;
}

}  // namespace

double nnls_kkt_residual(const at::Tensor& gram, const at::Tensor& c, const at::Tensor& x) {
  at::Tensor g = gram.to(at::kDouble), cc = c.to(at::kDouble), xx = x.to(at::kDouble);
  if (cc.dim() == 1) cc = cc.unsqueeze(1), xx = xx.reshape({-1, 1});
  if (xx.numel() == 0) return 0.0;
  at::Tensor grad = at::mm(g, xx) - cc;
  return at::minimum(xx, grad).abs().max().item<double>();
}

NnlsResult nnls_gram(const at::Tensor& gram, const at::Tensor& c_in, const NnlsOptions& opts) {
  const std::string where = "nnls";
  check_matrix(gram, where, "G", {.allow_empty = true});
  at::Tensor c = c_in;
  const bool vector = c.defined() && c.dim() == 1;
  if (vector) c = c.unsqueeze(1);
  check_matrix(c, where, "C", {.allow_empty = true});
  const int64_t r = gram.size(0), k = c.size(1);
  if (gram.size(1) != r)
    throw InvalidInput(where, "G", fmt::format("a square r x r matrix, got {} x {}", r, gram.size(1)), "NotSquare");
  if (c.size(0) != r)
    throw InvalidInput(where, "C", fmt::format("{} rows (the order of G), got {}", r, c.size(0)), "ShapeMismatch");
  const at::ScalarType out_dtype = working_dtype(c_in.defined() ? c_in : gram);
  NnlsResult res;
  if (r == 0 || k == 0) {
    res.x = at::zeros({r, k}, at::TensorOptions().dtype(out_dtype));
    if (vector) res.x = res.x.reshape({r});
    return res;
  }
  const RowMat g = to_rowmat(gram);
  const RowMat ct = to_rowmat(c.t());
  RowMat xt = RowMat::Zero(k, r);
  std::atomic<int64_t> iters{0};
  std::atomic<bool> all_ok{true};
  auto note_iters = [&](int64_t it) {
    int64_t cur = iters.load();
    while (it > cur && !iters.compare_exchange_weak(cur, it)) {
    }
  };
  if (opts.solver == NnlsSolver::ActiveSet) {
    const int64_t max_outer = opts.max_iter > 0 ? opts.max_iter : std::max<int64_t>(3 * r, 10);
    at::parallel_for(0, k, 8, [&](int64_t b, int64_t e) {
      ActiveSet as(g);
      int64_t most = 0;
      for (int64_t j = b; j < e; ++j) {
        bool ok;
        most = std::max(most, as.run(ct.row(j).data(), xt.row(j).data(), max_outer, &ok));
        if (!ok) all_ok = false;
      }
      note_iters(most);
    });
  } else {
    const int64_t sweeps = opts.max_iter > 0 ? opts.max_iter : 1000;
    at::parallel_for(0, k, 8, [&](int64_t b, int64_t e) {
      bool ok;
      note_iters(hals(g, ct, xt, b, e, sweeps, opts.tol, &ok));
      if (!ok) all_ok = false;
    });
  }
  at::Tensor xd = at::from_blob(xt.data(), {k, r}, at::TensorOptions().dtype(at::kDouble)).t().clone();
  res.kkt_residual = nnls_kkt_residual(gram, c, xd);
  res.x = xd.to(out_dtype);
  if (vector) res.x = res.x.reshape({r});
  res.iterations = iters.load();
  res.converged = all_ok.load();
  return res;
}

NnlsResult nnls(const at::Tensor& a, const at::Tensor& b_in, const NnlsOptions& opts) {
  const std::string where = "nnls";
  check_matrix(a, where, "A", {.allow_empty = true});
  at::Tensor b = b_in;
  const bool vector = b.defined() && b.dim() == 1;
  if (vector) b = b.unsqueeze(1);
  check_matrix(b, where, "B", {.allow_empty = true});
  if (b.size(0) != a.size(0))
    throw InvalidInput(where, "B", fmt::format("{} rows (as A), got {}", a.size(0), b.size(0)), "ShapeMismatch");
  at::Tensor ad = a.to(at::kDouble), bd = b.to(at::kDouble);
  NnlsResult res = nnls_gram(at::mm(ad.t(), ad), at::mm(ad.t(), bd), opts);
  res.x = res.x.to(working_dtype(b_in));
  if (vector) res.x = res.x.reshape({a.size(1)});
  return res;
}

}  // namespace factorkit::linalg
