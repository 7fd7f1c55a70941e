// reproduce nmf: recovery of a planted non-negative factorization.
//
// X = W0 H0 + noise with sparse non-negative W0, H0 (sparse factors make the
// factorization unique up to scaling and order, Donoho & Stodden 2003). NMF at
// the planted rank should (a) fit down to the noise floor and (b) find H0's rows
// again: after normalizing rows and matching them by the Hungarian method, the
// cosine similarities should all be close to 1.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "factorkit/cli/registry.h"
#include "factorkit/linalg/assignment.h"
#include "factorkit/linalg/nmf.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::linalg;

ReproResult planted_recovery(const ReproContext& ctx) {
  const int64_t n = ctx.quick ? 600 : 3000, p = ctx.quick ? 240 : 1000, r = ctx.quick ? 8 : 20;
  const double density = 0.35, noise = 0.01;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(ctx.seed + 1);
  auto opts = at::TensorOptions().dtype(at::kDouble);
  auto sparse_factor = [&](int64_t a, int64_t b) {
    at::Tensor v = at::empty({a, b}, opts).uniform_(0.0, 1.0, gen);
    at::Tensor keep = at::empty({a, b}, opts).uniform_(0.0, 1.0, gen) < density;
    return v * keep;
  };
  at::Tensor w0 = sparse_factor(n, r), h0 = sparse_factor(r, p);
  at::Tensor clean = at::mm(w0, h0);
  // zero-mean Gaussian noise, clipped so that X stays non-negative
  at::Tensor x = (clean + at::normal(0.0, noise * clean.mean().item<double>(), {n, p}, gen, opts)).clamp_min(0);
  const double xnorm = x.norm().item<double>();
  const double floor = (x - clean).norm().item<double>() / xnorm;  // the planted model's own error

  NmfOptions o;
  o.rank = r;
  o.tol = 1e-6;
  o.max_iter = ctx.quick ? 1000 : 2000;
  o.seed = ctx.seed;
  NmfResult fit = nmf(x, o);
  const double rel = fit.reconstruction_error / xnorm;

  // match rows of H to rows of H0 by cosine similarity
  auto normalize_rows = [](const at::Tensor& m) { return m / m.norm(2, 1, true).clamp_min(1e-300); };
  at::Tensor sim = at::mm(normalize_rows(h0), normalize_rows(fit.h).t());
  Assignment as = linear_sum_assignment(sim, /*maximize=*/true);
  at::Tensor matched = sim.index({as.rows, as.cols});
  const double mean_cos = matched.mean().item<double>(), min_cos = matched.min().item<double>();

  ReproResult res;
  res.paper = "planted factors recovered (unique for sparse factors, Donoho & Stodden 2003)";
  res.ours = fmt::format("rel. error {:.4f} (noise floor {:.4f}); matched cosine mean {:.4f}, min {:.4f}", rel, floor,
                         mean_cos, min_cos);
  res.pass = rel <= 1.02 * floor && min_cos >= 0.98;
  res.note = fmt::format(
      "X = max(W0 H0 + N(0, s^2), 0), {} x {}, rank {}, factor density {}, s = {:.0f}% of mean(W0 H0); cd solver, nndsvda, tol {:g}, "
      "{} iterations. Pass: relative error <= 1.02 x the noise floor and every matched H row at cosine >= 0.98.",
      n, p, r, density, noise * 100, o.tol, fit.n_iter);
  res.details = {{"n", n},          {"p", p},         {"rank", r},       {"relative_error", rel},
                 {"noise_floor", floor}, {"mean_cosine", mean_cos}, {"min_cosine", min_cos},
                 {"n_iter", fit.n_iter}, {"converged", fit.converged}};
  return res;
}

FACTORKIT_REGISTER_REPRO(ReproEntry{"nmf", "planted-recovery",
                                    "NMF recovers a planted sparse non-negative rank-r factorization from noisy data",
                                    planted_recovery});

}  // namespace
}  // namespace factorkit::cli
