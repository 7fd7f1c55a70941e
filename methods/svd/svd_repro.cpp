// reproduce svd: randomized SVD reaches the exact truncated SVD's error.
//
// Halko, Martinsson & Tropp (2011) bound the expected error of the randomized
// range finder with q power iterations by a factor that tends to 1 as q grows
// (their Corollary 10.10); with scikit-learn's defaults (10 oversamples, 4 or 7
// iterations) the rank-k error should be within 1% of the optimal
// (Eckart–Young) error of the exact SVD.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "factorkit/cli/registry.h"
#include "factorkit/linalg/svd.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::linalg;

ReproResult rsvd_vs_exact(const ReproContext& ctx) {
  const int64_t n = ctx.quick ? 2000 : 8000, p = ctx.quick ? 500 : 2000, k = ctx.quick ? 20 : 50;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(ctx.seed + 2);
  auto opts = at::TensorOptions().dtype(at::kDouble);
  // A = U diag(s) V^T with a slowly decaying spectrum s_i = 1/sqrt(i): the hard
  // case for sketching (a fast decay makes any method look exact)
  const int64_t m = std::min(n, p);
  at::Tensor u = std::get<0>(at::linalg_qr(at::normal(0.0, 1.0, {n, m}, gen, opts)));
  at::Tensor v = std::get<0>(at::linalg_qr(at::normal(0.0, 1.0, {p, m}, gen, opts)));
  at::Tensor s = at::pow(at::arange(1, m + 1, opts), -0.5);
  at::Tensor a = at::mm(u * s.unsqueeze(0), v.t());
  const double best = best_rank_error(s, k);

  RsvdOptions o;
  o.rank = k;
  o.seed = ctx.seed;
  SvdResult r = randomized_svd(a, o);
  const double err = (a - at::mm(r.u * r.s.unsqueeze(0), r.vh)).norm().item<double>();
  const double ratio = err / best;
  ReproResult res;
  res.paper = "error -> optimal rank-k error with power iterations (Halko et al. 2011, Cor. 10.10)";
  res.ours = fmt::format("||A - A_k||_F: randomized {:.6f} vs exact {:.6f} (ratio {:.5f})", err, best, ratio);
  res.pass = ratio <= 1.01;
  res.note = fmt::format(
      "{} x {}, s_i = i^-1/2, k = {}, 10 oversamples, {} power iterations with LU normalization (scikit-learn's "
      "defaults). Pass: within 1% of the Eckart-Young error.",
      n, p, k, double(k) < 0.1 * double(m) ? 7 : 4);
  res.details = {{"n", n}, {"p", p}, {"k", k}, {"randomized_error", err}, {"exact_error", best}, {"ratio", ratio}};
  return res;
}

FACTORKIT_REGISTER_REPRO(ReproEntry{"svd", "randomized-vs-exact",
                                    "Randomized SVD's rank-k error is within 1% of the exact truncated SVD's",
                                    rsvd_vs_exact});

}  // namespace
}  // namespace factorkit::cli
