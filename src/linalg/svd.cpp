// Truncated SVD (randomized and exact), svd_flip, pinv. See
// include/factorkit/linalg/svd.h.
#include "factorkit/linalg/svd.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "kernels/dispatch.h"

namespace factorkit::linalg {
namespace {

// scipy.linalg.lu(a, permute_l=True)[0]: P L for a = P L U with partial
// pivoting, a: m x q, m >= q. Applies the row permutation without forming P.
at::Tensor lu_permuted_l(const at::Tensor& a) {
  auto [lu, piv, info] = at::linalg_lu_factor_ex(a);
  const int64_t m = a.size(0), q = std::min(a.size(0), a.size(1));
  at::Tensor l = at::tril(lu.narrow(1, 0, q), -1);
  l.diagonal().fill_(1);
  // LAPACK pivots: row i was swapped with row piv[i]-1, in order.
  at::Tensor pv = piv.to(at::kLong).contiguous();
  const int64_t* p = pv.data_ptr<int64_t>();
  std::vector<int64_t> perm(m);
  for (int64_t i = 0; i < m; ++i) perm[i] = i;
  for (int64_t i = 0; i < pv.numel(); ++i) std::swap(perm[i], perm[p[i] - 1]);
  // a[perm] = L U  =>  (P L)[perm[i]] = L[i]
  at::Tensor index = at::from_blob(perm.data(), {m}, at::TensorOptions().dtype(at::kLong)).clone();
  return at::empty_like(l).index_copy_(0, index, l);
}

at::Tensor orthonormal_basis(const at::Tensor& a) { return std::get<0>(at::linalg_qr(a, "reduced")); }

}  // namespace

void svd_flip(at::Tensor& u, at::Tensor& vh, bool u_based) {
  if (u.numel() == 0 || vh.numel() == 0) return;
  at::Tensor signs;
  if (u_based) {
    at::Tensor rows = u.abs().argmax(0);  // per column of u
    signs = at::sign(u.gather(0, rows.unsqueeze(0)).squeeze(0));
  } else {
    at::Tensor cols = vh.abs().argmax(1);  // per row of vh
    signs = at::sign(vh.gather(1, cols.unsqueeze(1)).squeeze(1));
  }
  signs = at::where(signs == 0, at::ones_like(signs), signs);  // an all-zero vector keeps its sign
  u = u * signs.unsqueeze(0);
  vh = vh * signs.unsqueeze(1);
}

SvdResult truncated_svd(const at::Tensor& a_in, int64_t k, bool flip_sign) {
  check_matrix(a_in, "svd", "A", {.allow_empty = true});
  at::Tensor a = a_in.to(working_dtype(a_in));
  const int64_t kmax = std::min(a.size(0), a.size(1));
  if (k < 0) k = kmax;
  if (k > kmax)
    throw InvalidInput("svd", "rank", fmt::format("at most min(n, p) = {}, got {}", kmax, k), "BadRank");
  SvdResult r;
  if (kmax == 0) {
    r.u = at::zeros({a.size(0), 0}, a.options());
    r.s = at::zeros({0}, a.options());
    r.vh = at::zeros({0, a.size(1)}, a.options());
    return r;
  }
  auto [u, s, vh] = at::linalg_svd(a, /*full_matrices=*/false);
  if (flip_sign) svd_flip(u, vh, true);
  r.u = u.narrow(1, 0, k).contiguous();
  r.s = s.narrow(0, 0, k).contiguous();
  r.vh = vh.narrow(0, 0, k).contiguous();
  return r;
}

SvdResult randomized_svd(const at::Tensor& a_in, const RsvdOptions& o) {
  const std::string where = "randomized_svd";
  check_matrix(a_in, where, "A");
  at::Tensor m = a_in.to(working_dtype(a_in));
  const int64_t kmax = std::min(m.size(0), m.size(1));
  check_rank(o.rank, kmax, where, "rank", "min(n, p)");
  if (o.oversamples < 0)
    throw InvalidInput(where, "oversamples", fmt::format(">= 0, got {}", o.oversamples), "BadOption");
  if (o.power_iters < -1)
    throw InvalidInput(where, "power_iters", fmt::format(">= 0, or -1 for automatic, got {}", o.power_iters),
                       "BadOption");
  int64_t iters = o.power_iters;
  if (iters < 0) iters = (double(o.rank) < 0.1 * double(kmax)) ? 7 : 4;
  PowerNormalizer norm = o.normalizer;
  if (norm == PowerNormalizer::Auto) norm = iters <= 2 ? PowerNormalizer::None : PowerNormalizer::LU;
  const bool transpose = o.transpose == Transpose::Auto ? m.size(0) < m.size(1) : o.transpose == Transpose::Yes;
  if (transpose) m = m.t();
  // the one-pass kernels stream rows: a transposed view would be copied on
  // every pass, so copy it once
  if (norm == PowerNormalizer::Fused && !m.is_contiguous()) m = m.contiguous();
  const int64_t size = std::min(o.rank + o.oversamples, kmax);

  // Gaussian test matrix, seeded; drawn in float64 so float32 and float64 runs
  // start from the same numbers.
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  at::Tensor q = at::normal(0.0, 1.0, {m.size(1), size}, gen, at::TensorOptions().dtype(at::kDouble));
  const bool mixed = o.mixed_precision && m.scalar_type() == at::kDouble;
  at::Tensor mp = mixed ? m.to(at::kFloat) : m;
  q = q.to(mp.scalar_type());
  const at::Tensor mpt = mp.t();
  for (int64_t i = 0; i < iters; ++i) {
    switch (norm) {
      case PowerNormalizer::None:
        q = at::mm(mpt, at::mm(mp, q));
        break;
      case PowerNormalizer::LU:
        q = lu_permuted_l(at::mm(mp, q));
        q = lu_permuted_l(at::mm(mpt, q));
        break;
      case PowerNormalizer::Fused:
        q = orthonormal_basis(detail::fused_gram_supported(mp, size) ? detail::fused_gram_product(mp, q)
                                                                     : at::mm(mpt, at::mm(mp, q)));
        break;
      case PowerNormalizer::QR:
      case PowerNormalizer::Auto:
        q = orthonormal_basis(at::mm(mp, q));
        q = orthonormal_basis(at::mm(mpt, q));
        break;
    }
  }
  at::Tensor b;
  q = q.to(m.scalar_type());
  if (norm == PowerNormalizer::Fused && detail::fused_gram_supported(m, size)) {
    // one more pass gives Y = A Q and Z = A^T Y together; with Y = Q' R,
    // B = Q'^T A = R^-T Y^T A = R^-T Z^T, so the projection needs no second
    // pass over A. Safe while R is well conditioned (Y has full column rank
    // after the power iterations); otherwise B is formed directly.
    at::Tensor y;
    at::Tensor z = detail::fused_gram_product(m, q, &y);
    auto [qq, rr] = at::linalg_qr(y, "reduced");
    // Z carries rounding of order eps * sigma_1^2 and R^-T magnifies it by
    // cond(R) ~ sigma_1 / sigma_l: keep this form only while eps * cond(R) is
    // negligible (1e-10 of sigma_1). In float32 that never holds.
    q = qq;
    const double eps = m.scalar_type() == at::kDouble ? 2.220446049250313e-16 : 1.1920928955078125e-07;
    const double kappa = at::linalg_cond(rr.to(at::kDouble)).item<double>();
    if (std::isfinite(kappa) && kappa * eps <= 1e-10)
      b = at::linalg_solve_triangular(rr.t(), z.t(), /*upper=*/false);
    else
      b = at::mm(q.t(), m);
  } else {
    q = orthonormal_basis(at::mm(m, q));
    b = at::mm(q.t(), m);
  }
  auto [uhat, s, vh] = at::linalg_svd(b, /*full_matrices=*/false);
  at::Tensor u = at::mm(q, uhat);
  if (o.flip_sign) svd_flip(u, vh, /*u_based=*/!transpose);
  SvdResult r;
  if (transpose) {
    r.u = vh.narrow(0, 0, o.rank).t().contiguous();
    r.s = s.narrow(0, 0, o.rank).contiguous();
    r.vh = u.narrow(1, 0, o.rank).t().contiguous();
  } else {
    r.u = u.narrow(1, 0, o.rank).contiguous();
    r.s = s.narrow(0, 0, o.rank).contiguous();
    r.vh = vh.narrow(0, 0, o.rank).contiguous();
  }
  return r;
}

at::Tensor pinv(const at::Tensor& a_in, double rcond) {
  check_matrix(a_in, "pinv", "A", {.allow_empty = true});
  at::Tensor a = a_in.to(working_dtype(a_in));
  if (a.numel() == 0) return at::zeros({a.size(1), a.size(0)}, a.options());
  auto [u, s, vh] = at::linalg_svd(a, false);
  const double cutoff = rcond * s.max().item<double>();
  at::Tensor inv = at::where(s > cutoff, s.reciprocal(), at::zeros_like(s));
  return at::mm(vh.t() * inv.unsqueeze(0), u.t());
}

double best_rank_error(const at::Tensor& s, int64_t k) {
  if (k >= s.numel()) return 0.0;
  at::Tensor tail = s.narrow(0, k, s.numel() - k).to(at::kDouble);
  return std::sqrt((tail * tail).sum().item<double>());
}

std::string to_string(PowerNormalizer n) {
  switch (n) {
    case PowerNormalizer::Auto: return "auto";
    case PowerNormalizer::None: return "none";
    case PowerNormalizer::LU: return "lu";
    case PowerNormalizer::QR: return "qr";
    case PowerNormalizer::Fused: return "fused";
  }
  return "?";
}

PowerNormalizer parse_power_normalizer(const std::string& s, const std::string& where) {
  for (auto n : {PowerNormalizer::Auto, PowerNormalizer::None, PowerNormalizer::LU, PowerNormalizer::QR,
                 PowerNormalizer::Fused})
    if (s == to_string(n)) return n;
  throw InvalidInput(where, "power-normalizer", fmt::format("one of auto, none, lu, qr, fused, got \"{}\"", s),
                     "BadOption");
}

}  // namespace factorkit::linalg
