// NMF solver "mu": multiplicative updates for the beta-divergences (Lee & Seung
// 2001; Févotte & Idier 2011), in scikit-learn's form: the same floors
// (float32 eps where a denominator or W H is zero, float64 eps below which W and
// H entries are set to zero for beta < 1 / beta <= 1), the same exponent gamma,
// and the error check every 10 iterations.
#include <ATen/ATen.h>

#include <cmath>
#include <limits>

#include "factorkit/linalg/nmf.h"
#include "kernels/dispatch.h"
#include "nmf_solver.h"

namespace factorkit::linalg::detail {
namespace {

constexpr double kEps64 = std::numeric_limits<double>::epsilon();

// numerator and denominator of the update of `f` in Y ≈ f other^T
// (Y = X for W, X^T for Ht). `for_h` selects the two places where scikit-learn
// treats H differently from W (the zero floor of the beta = 1 denominator).
void beta_terms(const at::Tensor& y, const at::Tensor& f, const at::Tensor& other, double beta, bool for_h,
                at::Tensor* num, at::Tensor* den) {
  at::Tensor wh = at::mm(f, other.t());  // ≈ Y
  at::Tensor wh_floor;                   // W H with zeros replaced, for beta < 1
  if (beta < 1) wh_floor = at::where(wh == 0, at::full_like(wh, kNmfEps), wh);
  at::Tensor q = beta < 2 ? at::where(wh == 0, at::full_like(wh, kNmfEps), wh) : wh.clone();
  if (beta == 1)
    q = y / q;
  else if (beta == 0)
    q = y * q.reciprocal().square();
  else
    q = y * q.pow(beta - 2);
  *num = at::mm(q, other);
  if (beta == 1) {
    at::Tensor sum = other.sum(0, /*keepdim=*/true);  // 1 x r
    if (for_h) sum = at::where(sum == 0, at::ones_like(sum), sum);
    *den = sum;
  } else {
    at::Tensor base = beta < 1 ? wh_floor : wh;
    *den = at::mm(base.pow(beta - 1), other);
  }
}

class MultiplicativeUpdate final : public NmfUpdater {
 public:
  void begin(NmfState& s) override {
    const double b = s.beta;
    gamma_ = b < 1 ? 1.0 / (2.0 - b) : b > 2 ? 1.0 / (b - 1.0) : 1.0;
    error_init_ = nmf_error(s.x, s.w, s.ht.t(), b);
    previous_ = error_init_;
    fused_ = b == 2.0 && fused_supported(s.x, s.w.size(1));
  }

  double update_w(NmfState& s) override {
    if (fused_) {
      // one pass over X: X Ht for this update, X^T W_new and W_new^T W_new for the next
      if (!hht_.defined()) hht_ = at::mm(s.ht.t(), s.ht);
      FusedUpdate u;
      u.mu = true;
      u.l1 = s.reg.l1_w;
      u.l2 = s.reg.l2_w;
      u.eps = kNmfEps;
      FusedOut o = fused_pass(s.x, s.ht, hht_, s.w, u, /*accumulate=*/s.update_h);
      xtw_ = o.xtf;
      wtw_ = o.ftf;
      return 0;
    }
    if (s.beta == 2.0) {
      // with H fixed (transform) its products are computed once
      if (s.update_h || !xht_.defined()) {
        xht_ = at::mm(s.x, s.ht);
        hht_ = at::mm(s.ht.t(), s.ht);
      }
      at::Tensor den = at::mm(s.w, hht_);
      apply(s.w, xht_, den, s.reg.l1_w, s.reg.l2_w);
    } else {
      at::Tensor num, den;
      beta_terms(s.x, s.w, s.ht, s.beta, false, &num, &den);
      apply(s.w, num, den, s.reg.l1_w, s.reg.l2_w);
    }
    if (s.beta < 1) s.w.masked_fill_(s.w < kEps64, 0.0);
    return 0;
  }

  double update_h(NmfState& s) override {
    if (fused_) {
      FusedUpdate u;
      u.mu = true;
      u.l1 = s.reg.l1_h;
      u.l2 = s.reg.l2_h;
      u.eps = kNmfEps;
      hht_ = fused_rows(xtw_, wtw_, s.ht, u).ftf;
      return 0;
    }
    if (s.beta == 2.0) {
      xtw_ = at::mm(s.x.t(), s.w);
      wtw_ = at::mm(s.w.t(), s.w);
      at::Tensor den = at::mm(s.ht, wtw_);
      apply(s.ht, xtw_, den, s.reg.l1_h, s.reg.l2_h);
    } else {
      at::Tensor num, den;
      beta_terms(s.x.t(), s.ht, s.w, s.beta, true, &num, &den);
      apply(s.ht, num, den, s.reg.l1_h, s.reg.l2_h);
    }
    if (s.beta <= 1) s.ht.masked_fill_(s.ht < kEps64, 0.0);
    return 0;
  }

  bool done(NmfState& s, int64_t iter, double, double tol, NmfIteration& rec, double* stop) override {
    rec.violation = kNaN;
    rec.error = kNaN;
    if (s.beta == 2.0) {
      if (s.update_h)
        rec.error = gram_error(s.x_sq, s.ht, xtw_, wtw_, fused_ ? hht_ : at::Tensor());
      else if (!fused_)
        rec.error = gram_error(s.x_sq, s.w, xht_, hht_);
    }
    if (tol > 0 && iter % 10 == 0) {
      const double err = nmf_error(s.x, s.w, s.ht.t(), s.beta);
      rec.error = err;
      *stop = (previous_ - err) / error_init_;
      if (*stop < tol) return true;
      previous_ = err;
    }
    return false;
  }

 private:
  // f *= ((num / den') ^ gamma), den' = den + l1 + l2 f with exact zeros floored
  void apply(at::Tensor& f, const at::Tensor& num, at::Tensor den, double l1, double l2) {
    if (l1 > 0) den = den + l1;
    if (l2 > 0) den = den + l2 * f;
    den = at::where(den == 0, at::full_like(den, kNmfEps), den);
    at::Tensor delta = num / den;
    if (gamma_ != 1.0) delta = delta.pow(gamma_);
    f.mul_(delta);
  }

  bool fused_ = false;
  double gamma_ = 1.0, error_init_ = 0.0, previous_ = 0.0;
  at::Tensor xht_, hht_, xtw_, wtw_;
};

}  // namespace

std::unique_ptr<NmfUpdater> make_mu_updater() { return std::make_unique<MultiplicativeUpdate>(); }

}  // namespace factorkit::linalg::detail
