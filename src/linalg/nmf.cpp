// NMF: the public entry points and the alternating skeleton. The solvers live
// in nmf_cd.cpp and nmf_mu.cpp, the initializations in nmf_init.cpp.
#include "factorkit/linalg/nmf.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/nnls.h"
#include "nmf_solver.h"

namespace factorkit::linalg {
namespace detail {

NmfRegularization nmf_regularization(const NmfOptions& o, int64_t n, int64_t p) {
  const double aw = o.alpha_w, ah = o.alpha_h < 0 ? o.alpha_w : o.alpha_h;
  NmfRegularization r;
  r.l1_w = double(p) * aw * o.l1_ratio;
  r.l1_h = double(n) * ah * o.l1_ratio;
  r.l2_w = double(p) * aw * (1.0 - o.l1_ratio);
  r.l2_h = double(n) * ah * (1.0 - o.l1_ratio);
  return r;
}

double gram_error(double x_sq, const at::Tensor& b, const at::Tensor& xb, const at::Tensor& ata,
                  const at::Tensor& btb_in) {
  at::Tensor bd = b.to(at::kDouble);
  const double cross = (bd * xb.to(at::kDouble)).sum().item<double>();
  at::Tensor btb = btb_in.defined() ? btb_in.to(at::kDouble) : at::mm(bd.t(), bd);
  const double quad = (btb * ata.to(at::kDouble)).sum().item<double>();
  return std::sqrt(std::max(0.0, x_sq - 2 * cross + quad));
}

AlternatingResult run_alternating(NmfState& s, NmfUpdater& u, const NmfOptions& o,
                                  std::vector<NmfIteration>* history) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  u.begin(s);
  AlternatingResult res;
  for (int64_t it = 1; it <= o.max_iter; ++it) {
    double stat = u.update_w(s);
    if (s.update_h) stat += u.update_h(s);
    NmfIteration rec;
    rec.iter = it;
    const bool stop = u.done(s, it, stat, o.tol, rec, &res.stop_statistic);
    rec.seconds = std::chrono::duration<double>(clock::now() - start).count();
    if (history) history->push_back(rec);
    if (o.on_iteration) o.on_iteration(rec);
    res.n_iter = it;
    if (stop) {
      res.converged = true;
      break;
    }
  }
  // scikit-learn warns when max_iter is reached with tol > 0; tol = 0 asks for
  // exactly max_iter iterations, which is not a failure to converge.
  if (!res.converged && o.tol == 0) res.converged = true;
  return res;
}

}  // namespace detail

namespace {

// Calls f(begin, end) over row blocks of about 4M entries, so that float64
// temporaries of a large X stay bounded (32 MiB each) instead of n x p.
template <class F>
void for_row_blocks(int64_t n, int64_t p, F f) {
  const int64_t rows = std::max<int64_t>(1, (int64_t(1) << 22) / std::max<int64_t>(1, p));
  for (int64_t b = 0; b < n; b += rows) f(b, std::min(n, b + rows));
}

void check_options(const NmfOptions& o, const std::string& where) {
  if (o.solver == NmfSolver::CoordinateDescent && o.beta != 2.0)
    throw InvalidInput(where, "beta",
                       fmt::format("2 (frobenius) with the cd solver; beta = {} needs solver mu", o.beta),
                       "BetaNeedsMu");
  if (!std::isfinite(o.beta)) throw InvalidInput(where, "beta", "a finite number", "BadOption");
  if (!(o.tol >= 0)) throw InvalidInput(where, "tol", fmt::format(">= 0, got {}", o.tol), "BadOption");
  if (o.max_iter < 1) throw InvalidInput(where, "max_iter", fmt::format(">= 1, got {}", o.max_iter), "BadOption");
  if (!(o.alpha_w >= 0)) throw InvalidInput(where, "alpha_W", fmt::format(">= 0, got {}", o.alpha_w), "BadOption");
  if (std::isnan(o.alpha_h)) throw InvalidInput(where, "alpha_H", ">= 0, or < 0 for 'same as alpha_W'", "BadOption");
  if (!(o.l1_ratio >= 0 && o.l1_ratio <= 1))
    throw InvalidInput(where, "l1_ratio", fmt::format("in [0, 1], got {}", o.l1_ratio), "BadOption");
}

void check_factor(const at::Tensor& f, int64_t rows, int64_t cols, const std::string& where,
                  const std::string& name) {
  check_matrix(f, where, name, {.nonnegative = true, .allow_empty = true});
  if (f.size(0) != rows || f.size(1) != cols)
    throw InvalidInput(where, name,
                       fmt::format("shape [{}, {}], got [{}, {}]", rows, cols, f.size(0), f.size(1)),
                       "ShapeMismatch");
}

std::unique_ptr<detail::NmfUpdater> make_updater(const NmfOptions& o) {
  return o.solver == NmfSolver::CoordinateDescent ? detail::make_cd_updater(o.shuffle)
                                                  : detail::make_mu_updater();
}

detail::NmfState make_state(const at::Tensor& x, const NmfOptions& o) {
  detail::NmfState s;
  s.x = x;
  s.reg = detail::nmf_regularization(o, x.size(0), x.size(1));
  s.beta = o.beta;
  s.rng.seed(o.seed ^ 0x9e3779b97f4a7c15ull);
  s.x_sq = 0;
  for_row_blocks(x.size(0), x.size(1), [&](int64_t b, int64_t e) {
    at::Tensor xd = x.narrow(0, b, e - b).to(at::kDouble);
    s.x_sq += (xd * xd).sum().item<double>();
  });
  return s;
}

void check_beta_zeros(const at::Tensor& x, double beta, const std::string& where) {
  if (beta <= 0 && x.numel() > 0 && x.min().item<double>() == 0)
    throw InvalidInput(where, "X",
                       fmt::format("strictly positive entries for beta = {} <= 0 (the divergence is "
                                   "undefined at zeros): add a small constant or use beta > 0",
                                   beta),
                       "ZerosWithBetaLeq0");
}

}  // namespace

NmfResult nmf(const at::Tensor& x_in, const NmfOptions& o, const at::Tensor& w0, const at::Tensor& h0) {
  const std::string where = "nmf";
  check_matrix(x_in, where, "X", {.nonnegative = true});
  check_options(o, where);
  const int64_t n = x_in.size(0), p = x_in.size(1);
  if (o.rank < 1)
    throw InvalidInput(where, "rank", fmt::format("an integer >= 1, got {}", o.rank), "BadRank");
  at::Tensor x = x_in.to(working_dtype(x_in)).contiguous();
  check_beta_zeros(x, o.beta, where);

  NmfFactors f;
  if (o.init == NmfInit::Custom) {
    if (!w0.defined() || !h0.defined())
      throw InvalidInput(where, "init", "W and H for init = custom", "MissingInit");
    check_factor(w0, n, o.rank, where, "W (initial)");
    check_factor(h0, o.rank, p, where, "H (initial)");
    f.w = w0.to(x.scalar_type());
    f.h = h0.to(x.scalar_type());
  } else {
    f = nmf_initialize(x, o.rank, o.init, o.seed, o.init_eps);
  }

  detail::NmfState s = make_state(x, o);
  // private copies: the solvers update them in place
  s.w = f.w.clone(at::MemoryFormat::Contiguous);
  s.ht = f.h.t().clone(at::MemoryFormat::Contiguous);
  s.update_h = true;
  auto updater = make_updater(o);
  NmfResult r;
  detail::AlternatingResult ar = detail::run_alternating(s, *updater, o, &r.history);
  r.w = s.w;
  r.h = s.ht.t().contiguous();
  r.n_iter = ar.n_iter;
  r.converged = ar.converged;
  r.stop_statistic = ar.stop_statistic;
  r.reconstruction_error = nmf_error(x, r.w, r.h, o.beta);
  return r;
}

at::Tensor nmf_transform(const at::Tensor& x_in, const at::Tensor& h, const NmfOptions& o, NmfTransform how) {
  const std::string where = "nmf_transform";
  check_matrix(x_in, where, "X", {.nonnegative = true, .allow_empty = true});
  check_options(o, where);
  check_matrix(h, where, "H", {.nonnegative = true, .allow_empty = true});
  if (h.size(1) != x_in.size(1))
    throw InvalidInput(where, "H", fmt::format("{} columns (the features of X), got {}", x_in.size(1), h.size(1)),
                       "ShapeMismatch");
  at::Tensor x = x_in.to(working_dtype(x_in)).contiguous();
  const int64_t n = x.size(0), r = h.size(0);
  at::Tensor hh = h.to(x.scalar_type()).contiguous();
  const detail::NmfRegularization reg = detail::nmf_regularization(o, n, x.size(1));
  if (how == NmfTransform::Exact) {
    if (o.beta != 2.0)
      throw InvalidInput(where, "transform", "method solver for beta != 2 (exact NNLS is for the Frobenius loss)",
                         "ExactNeedsFrobenius");
    at::Tensor hd = hh.to(at::kDouble);
    at::Tensor g = at::mm(hd, hd.t());
    if (reg.l2_w != 0) g.diagonal().add_(reg.l2_w);
    at::Tensor c = at::mm(hd, x.to(at::kDouble).t());
    if (reg.l1_w != 0) c.sub_(reg.l1_w);
    return nnls_gram(g, c).x.t().to(x.scalar_type()).contiguous();
  }
  check_beta_zeros(x, o.beta, where);
  detail::NmfState s = make_state(x, o);
  s.ht = hh.t().contiguous();
  if (o.solver == NmfSolver::MultiplicativeUpdate) {
    const double avg = r > 0 && x.numel() > 0 ? std::sqrt(x.mean().item<double>() / double(r)) : 0.0;
    s.w = at::full({n, r}, avg, x.options());
  } else {
    s.w = at::zeros({n, r}, x.options());
  }
  s.update_h = false;
  if (n == 0 || r == 0) return s.w;
  auto updater = make_updater(o);
  detail::run_alternating(s, *updater, o, nullptr);
  return s.w;
}

double nmf_error(const at::Tensor& x_in, const at::Tensor& w, const at::Tensor& h, double beta) {
  if (beta == 2.0) {
    // block by block: no n x p temporaries
    at::Tensor hd = h.to(at::kDouble);
    double sq = 0;
    for_row_blocks(x_in.size(0), x_in.size(1), [&](int64_t b, int64_t e) {
      at::Tensor diff = x_in.narrow(0, b, e - b).to(at::kDouble) - at::mm(w.narrow(0, b, e - b).to(at::kDouble), hd);
      sq += diff.square().sum().item<double>();
    });
    return std::sqrt(sq);
  }
  at::Tensor x = x_in.to(at::kDouble);
  at::Tensor wh = at::mm(w.to(at::kDouble), h.to(at::kDouble));
  at::Tensor xf = x.reshape(-1), whf = wh.reshape(-1);
  at::Tensor keep = xf > detail::kNmfEps;
  at::Tensor xd = xf.masked_select(keep), whd = whf.masked_select(keep);
  whd = at::where(whd == 0, at::full_like(whd, detail::kNmfEps), whd);
  double res;
  if (beta == 1.0) {
    const double sum_wh = at::dot(w.to(at::kDouble).sum(0), h.to(at::kDouble).sum(1)).item<double>();
    res = at::dot(xd, at::log(xd / whd)).item<double>() + sum_wh - xd.sum().item<double>();
  } else if (beta == 0.0) {
    at::Tensor div = xd / whd;
    res = div.sum().item<double>() - double(x.numel()) - at::log(div).sum().item<double>();
  } else {
    const double sum_wh_beta = wh.pow(beta).sum().item<double>();
    const double sum_x_wh = at::dot(xd, whd.pow(beta - 1)).item<double>();
    res = xd.pow(beta).sum().item<double>() - beta * sum_x_wh + sum_wh_beta * (beta - 1);
    res /= beta * (beta - 1);
  }
  return std::sqrt(2 * std::max(res, 0.0));
}

std::string to_string(NmfSolver s) { return s == NmfSolver::CoordinateDescent ? "cd" : "mu"; }

std::string to_string(NmfInit i) {
  switch (i) {
    case NmfInit::Auto: return "auto";
    case NmfInit::Random: return "random";
    case NmfInit::Nndsvd: return "nndsvd";
    case NmfInit::Nndsvda: return "nndsvda";
    case NmfInit::Nndsvdar: return "nndsvdar";
    case NmfInit::Custom: return "custom";
  }
  return "?";
}

NmfSolver parse_nmf_solver(const std::string& s, const std::string& where) {
  if (s == "cd") return NmfSolver::CoordinateDescent;
  if (s == "mu") return NmfSolver::MultiplicativeUpdate;
  throw InvalidInput(where, "solver", fmt::format("cd or mu, got \"{}\"", s), "BadOption");
}

NmfInit parse_nmf_init(const std::string& s, const std::string& where) {
  for (auto i : {NmfInit::Auto, NmfInit::Random, NmfInit::Nndsvd, NmfInit::Nndsvda, NmfInit::Nndsvdar,
                 NmfInit::Custom})
    if (s == to_string(i)) return i;
  throw InvalidInput(where, "init",
                     fmt::format("one of auto, random, nndsvd, nndsvda, nndsvdar, custom, got \"{}\"", s),
                     "BadOption");
}

double parse_beta(const std::string& s, const std::string& where) {
  if (s == "frobenius") return 2.0;
  if (s == "kullback-leibler" || s == "kl") return 1.0;
  if (s == "itakura-saito" || s == "is") return 0.0;
  try {
    std::size_t pos = 0;
    double b = std::stod(s, &pos);
    if (pos == s.size() && std::isfinite(b)) return b;
  } catch (const std::exception&) {
  }
  throw InvalidInput(where, "beta", fmt::format("frobenius, kullback-leibler, itakura-saito or a number, got \"{}\"", s),
                     "BadOption");
}

}  // namespace factorkit::linalg
