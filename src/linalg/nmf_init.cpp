// NMF initializations: random and NNDSVD (Boutsidis & Gallopoulos 2008) with
// scikit-learn's variants for the zeros (a: mean of X, ar: small random).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/nmf.h"
#include "factorkit/linalg/svd.h"

namespace factorkit::linalg {

NmfInit resolve_init(NmfInit init, int64_t rank, int64_t n, int64_t p) {
  if (init != NmfInit::Auto) return init;
  return rank <= std::min(n, p) ? NmfInit::Nndsvda : NmfInit::Random;
}

NmfFactors nmf_initialize(const at::Tensor& x_in, int64_t rank, NmfInit init, uint64_t seed, double eps) {
  const std::string where = "nmf_initialize";
  check_matrix(x_in, where, "X", {.nonnegative = true});
  at::Tensor x = x_in.to(working_dtype(x_in));
  const int64_t n = x.size(0), p = x.size(1), kmax = std::min(n, p);
  if (rank < 1) throw InvalidInput(where, "rank", fmt::format("an integer >= 1, got {}", rank), "BadRank");
  if (init == NmfInit::Custom)
    throw InvalidInput(where, "init", "random or nndsvd* (custom factors come from the caller)", "BadOption");
  init = resolve_init(init, rank, n, p);
  if (init != NmfInit::Random && rank > kmax)
    throw InvalidInput(where, "rank",
                       fmt::format("at most min(n, p) = {} for init = {} (use init = random), got {}", kmax,
                                   to_string(init), rank),
                       "BadRank");
  const auto opts = x.options();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto dopts = at::TensorOptions().dtype(at::kDouble);
  NmfFactors f;
  if (init == NmfInit::Random) {
    const double avg = std::sqrt(x.mean().item<double>() / double(rank));
    f.h = (at::normal(0.0, 1.0, {rank, p}, gen, dopts).abs() * avg).to(opts.dtype()).contiguous();
    f.w = (at::normal(0.0, 1.0, {n, rank}, gen, dopts).abs() * avg).to(opts.dtype()).contiguous();
    return f;
  }
  RsvdOptions ro;
  ro.rank = rank;
  ro.seed = seed;
  SvdResult svd = randomized_svd(x, ro);
  at::Tensor u = svd.u, s = svd.s, v = svd.vh;
  at::Tensor w = at::zeros({n, rank}, opts), h = at::zeros({rank, p}, opts);
  // the leading singular pair of a non-negative matrix is non-negative
  const double s0 = std::sqrt(s[0].item<double>());
  w.select(1, 0).copy_(u.select(1, 0).abs() * s0);
  h.select(0, 0).copy_(v.select(0, 0).abs() * s0);
  for (int64_t j = 1; j < rank; ++j) {
    at::Tensor a = u.select(1, j), b = v.select(0, j);
    at::Tensor ap = a.clamp_min(0), bp = b.clamp_min(0);
    at::Tensor an = a.clamp_max(0).abs(), bn = b.clamp_max(0).abs();
    const double apn = ap.norm().item<double>(), bpn = bp.norm().item<double>();
    const double ann = an.norm().item<double>(), bnn = bn.norm().item<double>();
    const double mp = apn * bpn, mn = ann * bnn;
    // keep the dominant sign pattern of the rank-one term
    at::Tensor uu, vv;
    double sigma;
    if (mp > mn) {
      uu = ap / apn, vv = bp / bpn, sigma = mp;
    } else {
      uu = an / ann, vv = bn / bnn, sigma = mn;
    }
    const double lbd = std::sqrt(s[j].item<double>() * sigma);
    w.select(1, j).copy_(uu * lbd);
    h.select(0, j).copy_(vv * lbd);
  }
  // a sign part that is all zero gives 0/0 above: such a component starts at zero
  w = at::nan_to_num(w, 0.0, 0.0, 0.0);
  h = at::nan_to_num(h, 0.0, 0.0, 0.0);
  w.masked_fill_(w < eps, 0.0);
  h.masked_fill_(h < eps, 0.0);
  if (init == NmfInit::Nndsvda) {
    const double avg = x.mean().item<double>();
    w.masked_fill_(w == 0, avg);
    h.masked_fill_(h == 0, avg);
  } else if (init == NmfInit::Nndsvdar) {
    const double avg = x.mean().item<double>();
    at::Tensor wz = w == 0, hz = h == 0;
    at::Tensor rw = (at::normal(0.0, 1.0, {n, rank}, gen, dopts) * (avg / 100)).abs().to(opts.dtype());
    at::Tensor rh = (at::normal(0.0, 1.0, {rank, p}, gen, dopts) * (avg / 100)).abs().to(opts.dtype());
    w = at::where(wz, rw, w);
    h = at::where(hz, rh, h);
  }
  f.w = w.contiguous();
  f.h = h.contiguous();
  return f;
}

}  // namespace factorkit::linalg
