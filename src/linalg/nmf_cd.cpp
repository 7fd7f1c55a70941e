// NMF solver "cd": Fast HALS (Cichocki & Phan 2009) in scikit-learn's form.
//
// One half-iteration updates W with H fixed: with HHt = H H^T (+ l2 on the
// diagonal) and XHt = X H^T (- l1), each coordinate W[i,t], in the order of the
// (optionally shuffled) components t, moves to
//   max(0, W[i,t] - (W[i,:] HHt[:,t] - XHt[i,t]) / HHt[t,t]).
// Rows of W are independent (a row's update reads only that row), so rows are
// processed in parallel and row-major, which gives the same iterates as
// scikit-learn's component-major loop. The returned violation is the sum over
// coordinates of |projected gradient| before each move.
//
// Fast path (kernels/): the W half is one streaming pass over the rows of X that
// also accumulates X^T W and W^T W for the H half, so an iteration reads X once
// (scikit-learn's two GEMMs read it twice, plus BLAS packing copies). The H half
// then needs no pass over X at all. The general path below (two GEMMs) serves
// r > 64 and very wide X.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "kernels/dispatch.h"
#include "nmf_solver.h"

namespace factorkit::linalg::detail {
namespace {

template <typename T>
double sweep(T* w, const T* hht, const T* xht, const int64_t* perm, int64_t n, int64_t r) {
  return at::parallel_reduce(
      0, n, 128, 0.0,
      [&](int64_t b, int64_t e, double acc) {
        for (int64_t i = b; i < e; ++i) {
          T* wi = w + i * r;
          const T* xi = xht + i * r;
          T viol = 0;
          for (int64_t s = 0; s < r; ++s) {
            const int64_t t = perm[s];
            const T* ht = hht + t * r;
            T grad = -xi[t];
            for (int64_t j = 0; j < r; ++j) grad += ht[j] * wi[j];
            const T pg = wi[t] == 0 ? std::min(T(0), grad) : grad;
            viol += std::abs(pg);
            const T hess = ht[t];
            if (hess != 0) wi[t] = std::max(wi[t] - grad / hess, T(0));
          }
          acc += double(viol);
        }
        return acc;
      },
      std::plus<double>());
}

at::Tensor with_l2(const at::Tensor& gram, double l2) {
  if (l2 == 0) return gram;
  at::Tensor g = gram.clone();
  g.diagonal().add_(l2);
  return g;
}

class CoordinateDescent final : public NmfUpdater {
 public:
  explicit CoordinateDescent(bool shuffle) : shuffle_(shuffle) {}

  void begin(NmfState& s) override { fused_ = fused_supported(s.x, s.w.size(1)); }

  double update_w(NmfState& s) override {
    if (!fused_) return half(s, s.x, s.w, s.ht, s.reg.l1_w, s.reg.l2_w, xb_w_, ata_w_);
    next_perm(s, s.w.size(1));
    if (!hht_.defined()) hht_ = at::mm(s.ht.t(), s.ht);
    FusedUpdate u;
    u.perm = perm_.data();
    u.l1 = s.reg.l1_w;
    FusedOut o = fused_pass(s.x, s.ht, with_l2(hht_, s.reg.l2_w), s.w, u, /*accumulate=*/s.update_h);
    xb_h_ = o.xtf;  // X^T W_new and W_new^T W_new: the H half's products
    ata_h_ = o.ftf;
    return o.stat;
  }

  double update_h(NmfState& s) override {
    if (!fused_) return half(s, s.x.t(), s.ht, s.w, s.reg.l1_h, s.reg.l2_h, xb_h_, ata_h_);
    next_perm(s, s.ht.size(1));
    FusedUpdate u;
    u.perm = perm_.data();
    u.l1 = s.reg.l1_h;
    FusedOut o = fused_rows(xb_h_, with_l2(ata_h_, s.reg.l2_h), s.ht, u);
    hht_ = o.ftf;  // Ht^T Ht for the next W half
    return o.stat;
  }

  bool done(NmfState& s, int64_t iter, double viol, double tol, NmfIteration& rec, double* stop) override {
    rec.violation = viol;
    if (s.update_h)
      rec.error = gram_error(s.x_sq, s.ht, xb_h_, ata_h_, fused_ ? hht_ : at::Tensor());
    else
      rec.error = fused_ ? kNaN : gram_error(s.x_sq, s.w, xb_w_, ata_w_);
    if (iter == 1) viol_init_ = viol;
    if (viol_init_ == 0) {
      *stop = 0;
      return true;
    }
    *stop = viol / viol_init_;
    return *stop <= tol;
  }

 private:
  void next_perm(NmfState& s, int64_t r) {
    perm_.resize(r);
    std::iota(perm_.begin(), perm_.end(), 0);
    if (shuffle_) std::shuffle(perm_.begin(), perm_.end(), s.rng);
  }

  // General path: updates `f` (rows x r) for the problem Y ≈ f other^T with
  // Y = X or X^T, from two BLAS products. Keeps the raw products (before
  // regularization) for the Gram-form error.
  double half(NmfState& s, const at::Tensor& y, at::Tensor& f, const at::Tensor& other, double l1, double l2,
              at::Tensor& xb_raw, at::Tensor& ata_raw) {
    const int64_t r = f.size(1);
    ata_raw = at::mm(other.t(), other);
    xb_raw = at::mm(y, other);
    at::Tensor hht = with_l2(ata_raw, l2).contiguous();
    at::Tensor xht = (l1 != 0 ? xb_raw - l1 : xb_raw).contiguous();
    next_perm(s, r);
    double v = 0;
    AT_DISPATCH_FLOATING_TYPES(f.scalar_type(), "nmf_cd", [&] {
      v = sweep<scalar_t>(f.data_ptr<scalar_t>(), hht.data_ptr<scalar_t>(), xht.data_ptr<scalar_t>(), perm_.data(),
                          f.size(0), r);
    });
    return v;
  }

  bool shuffle_, fused_ = false;
  double viol_init_ = 0;
  std::vector<int64_t> perm_;
  at::Tensor xb_w_, ata_w_, xb_h_, ata_h_, hht_;
};

}  // namespace

std::unique_ptr<NmfUpdater> make_cd_updater(bool shuffle) { return std::make_unique<CoordinateDescent>(shuffle); }

}  // namespace factorkit::linalg::detail
