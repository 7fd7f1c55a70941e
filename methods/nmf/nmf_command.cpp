// `factorkit nmf`: X ≈ W H for a non-negative matrix in a file.
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>

#include "factorkit/cli/matrix_io.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/core/progress.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/nmf.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::linalg;

class NmfCommand final : public Command {
 public:
  std::string name() const override { return "nmf"; }
  std::string summary() const override {
    return "Non-negative matrix factorization X ≈ W H (scikit-learn's cd/Fast HALS and mu solvers)";
  }
  std::string doc_page() const override { return "docs/methods/nmf.md"; }

  void configure(CLI::App& sub) override {
    in_.add_options(sub);
    sub.add_option("-r,--rank", rank_, "Number of components r, 1 <= r <= min(n, p)")->required();
    sub.add_option("--solver", solver_, "cd (coordinate descent, Fast HALS) or mu (multiplicative updates)")
        ->capture_default_str();
    sub.add_option("--beta", beta_,
                   "Loss: frobenius, kullback-leibler, itakura-saito or a number (beta != 2 needs --solver mu)")
        ->capture_default_str();
    sub.add_option("--init", init_, "auto, random, nndsvd, nndsvda, nndsvdar, custom (with --init-w/--init-h)")
        ->capture_default_str();
    sub.add_option("--init-w", init_w_, "Initial W (n x r) for --init custom");
    sub.add_option("--init-h", init_h_, "Initial H (r x p) for --init custom");
    sub.add_option("--components", components_,
                   "Fixed H (r x p): only solve for W >= 0 (transform; exact NNLS for frobenius)");
    sub.add_option("--tol", opts_.tol, "Stopping tolerance (0: run --max-iter iterations)")->capture_default_str();
    sub.add_option("--max-iter", opts_.max_iter, "Maximum iterations")->capture_default_str();
    sub.add_option("--alpha-w", opts_.alpha_w, "Regularization of W (scaled by the number of features)")
        ->capture_default_str();
    sub.add_option("--alpha-h", alpha_h_, "Regularization of H (scaled by the number of samples); default: same as W");
    sub.add_option("--l1-ratio", opts_.l1_ratio, "Share of L1 in the regularization, in [0, 1]")->capture_default_str();
    sub.add_flag("--shuffle", opts_.shuffle, "cd: visit the components in a random order each sweep (uses --seed)");
    out_.add_options(sub);
  }

  int run(const Context& ctx) override {
    opts_.solver = parse_nmf_solver(solver_, "--solver");
    opts_.beta = parse_beta(beta_, "--beta");
    opts_.init = parse_nmf_init(init_, "--init");
    opts_.seed = ctx.seed;
    if (alpha_h_) opts_.alpha_h = *alpha_h_;
    const bool transform = !components_.empty();
    if (opts_.init == NmfInit::Custom && transform)
      throw InvalidInput("--components", "options", "either --components or --init custom, not both", "BadOption");
    if (opts_.init == NmfInit::Custom && (init_w_.empty() || init_h_.empty()))
      throw InvalidInput("--init", "custom", "--init-w FILE and --init-h FILE", "MissingInit");
    if (opts_.init != NmfInit::Custom && (!init_w_.empty() || !init_h_.empty()))
      throw InvalidInput("--init-w/--init-h", "options", "--init custom to use initial factors", "BadOption");
    out_.check(transform ? std::vector<std::string>{"W"} : std::vector<std::string>{"W", "H"});

    at::Tensor x = read_matrix(in_, /*nonnegative=*/true);
    const int64_t n = x.size(0), p = x.size(1);
    check_rank(rank_, std::min(n, p), in_.path, "--rank", fmt::format("min(n, p) = min({}, {})", n, p));
    opts_.rank = rank_;

    const auto start = std::chrono::steady_clock::now();
    nlohmann::json summary{{"command", "nmf"},       {"input", in_.path},
                           {"shape", {n, p}},         {"rank", rank_},
                           {"dtype", x.scalar_type() == at::kDouble ? "f64" : "f32"},
                           {"solver", to_string(opts_.solver)}, {"beta", opts_.beta},
                           {"tol", opts_.tol},        {"max_iter", opts_.max_iter},
                           {"alpha_w", opts_.alpha_w}, {"alpha_h", opts_.alpha_h < 0 ? opts_.alpha_w : opts_.alpha_h},
                           {"l1_ratio", opts_.l1_ratio}, {"seed", ctx.seed}};
    std::vector<std::pair<std::string, at::Tensor>> factors;
    const double xnorm = x.to(at::kDouble).norm().item<double>();
    if (transform) {
      at::Tensor h = read_factor(components_, "H", rank_, p, x.scalar_type(), true);
      at::Tensor w = nmf_transform(x, h, opts_, opts_.beta == 2.0 ? NmfTransform::Exact : NmfTransform::Solver);
      const double err = nmf_error(x, w, h, opts_.beta);
      summary["mode"] = "transform";
      summary["components"] = components_;
      summary["reconstruction_error"] = err;
      summary["relative_error"] = xnorm > 0 ? err / xnorm : 0.0;
      factors.emplace_back("W", w);
    } else {
      at::Tensor w0, h0;
      if (opts_.init == NmfInit::Custom) {
        w0 = read_factor(init_w_, "W", n, rank_, x.scalar_type(), true);
        h0 = read_factor(init_h_, "H", rank_, p, x.scalar_type(), true);
      }
      Progress bar("nmf", opts_.max_iter);
      opts_.on_iteration = [&](const NmfIteration& it) { bar.set(it.iter); };
      NmfResult r = nmf(x, opts_, w0, h0);
      bar.finish();
      summary["mode"] = "fit";
      summary["init"] = to_string(resolve_init(opts_.init, rank_, n, p));
      summary["reconstruction_error"] = r.reconstruction_error;
      summary["relative_error"] = xnorm > 0 ? r.reconstruction_error / xnorm : 0.0;
      summary["n_iter"] = r.n_iter;
      summary["converged"] = r.converged;
      summary["stop_statistic"] = std::isfinite(r.stop_statistic) ? nlohmann::json(r.stop_statistic) : nullptr;
      nlohmann::json hist = nlohmann::json::array();
      for (const auto& it : r.history)
        hist.push_back({{"iter", it.iter},
                        {"error", std::isfinite(it.error) ? nlohmann::json(it.error) : nullptr},
                        {"violation", std::isfinite(it.violation) ? nlohmann::json(it.violation) : nullptr},
                        {"seconds", it.seconds}});
      summary["history"] = hist;
      if (!r.converged && !ctx.quiet)
        std::cerr << fmt::format(
            "warning: nmf did not converge within --max-iter {}: stop statistic {:.3g} > --tol {:g}; the factors of "
            "the last iteration are written (raise --max-iter or --tol)\n",
            opts_.max_iter, r.stop_statistic, opts_.tol);
      factors.emplace_back("W", r.w);
      factors.emplace_back("H", r.h);
    }
    summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary["outputs"] = write_factors(out_, factors, summary);
    if (ctx.json) {
      nlohmann::json brief = summary;
      brief.erase("history");
      std::cout << brief.dump() << std::endl;
    } else if (!ctx.quiet) {
      std::cerr << fmt::format("nmf: rank {} of {} x {}: ||X - WH||_F = {:.6g} (relative {:.4g}){}; wrote {}\n", rank_,
                               n, p, summary["reconstruction_error"].get<double>(),
                               summary["relative_error"].get<double>(),
                               summary.contains("n_iter") ? fmt::format(" after {} iterations", summary["n_iter"].get<int64_t>()) : "",
                               out_.path);
    }
    return 0;
  }

 private:
  MatrixInput in_;
  FactorOutput out_;
  NmfOptions opts_;
  int64_t rank_ = 0;
  std::string solver_ = "cd", beta_ = "frobenius", init_ = "auto", init_w_, init_h_, components_;
  std::optional<double> alpha_h_;
};

FACTORKIT_REGISTER_COMMAND(NmfCommand);

}  // namespace
}  // namespace factorkit::cli
