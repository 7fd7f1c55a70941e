// `factorkit svd`: truncated SVD of a matrix in a file, randomized or exact.
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "factorkit/cli/matrix_io.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/svd.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::linalg;

class SvdCommand final : public Command {
 public:
  std::string name() const override { return "svd"; }
  std::string summary() const override {
    return "Truncated SVD A ≈ U diag(S) Vh: randomized (Halko-Martinsson-Tropp, as scikit-learn) or exact";
  }
  std::string doc_page() const override { return "docs/methods/svd.md"; }

  void configure(CLI::App& sub) override {
    in_.add_options(sub);
    sub.add_option("-k,--rank", opts_.rank, "Number of singular triplets k, 1 <= k <= min(n, p)")->required();
    sub.add_option("--method", method_, "randomized or exact (LAPACK gesdd, for small inputs)")
        ->check(CLI::IsMember({"randomized", "exact"}))
        ->capture_default_str();
    sub.add_option("--oversamples", opts_.oversamples, "Extra random columns of the sketch")->capture_default_str();
    sub.add_option("--power-iters", opts_.power_iters, "Power iterations (-1: 7 if k < 0.1 min(n,p), else 4)")
        ->capture_default_str();
    sub.add_option("--normalizer", normalizer_, "Power-iteration normalizer: auto, none, lu, qr, fused (one pass over A per iteration)")
        ->capture_default_str();
    sub.add_flag("--mixed-precision", opts_.mixed_precision,
                 "float64 input: run the power iterations in float32 (faster; see docs/methods/svd.md)");
    sub.add_flag("--no-flip-sign", no_flip_, "Keep LAPACK's signs instead of the svd_flip convention");
    out_.add_options(sub);
  }

  int run(const Context& ctx) override {
    opts_.normalizer = parse_power_normalizer(normalizer_, "--normalizer");
    opts_.seed = ctx.seed;
    opts_.flip_sign = !no_flip_;
    out_.check({"U", "S", "Vh"});
    at::Tensor a = read_matrix(in_);
    const int64_t n = a.size(0), p = a.size(1);
    check_rank(opts_.rank, std::min(n, p), in_.path, "--rank", fmt::format("min(n, p) = min({}, {})", n, p));
    const auto start = std::chrono::steady_clock::now();
    SvdResult s = method_ == "exact" ? truncated_svd(a, opts_.rank, opts_.flip_sign) : randomized_svd(a, opts_);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    at::Tensor ad = a.to(at::kDouble);
    const double anorm = ad.norm().item<double>();
    const double err =
        (ad - at::mm(s.u.to(at::kDouble) * s.s.to(at::kDouble).unsqueeze(0), s.vh.to(at::kDouble))).norm().item<double>();
    at::Tensor sv = s.s.to(at::kDouble).contiguous();
    nlohmann::json summary{{"command", "svd"},
                           {"input", in_.path},
                           {"shape", {n, p}},
                           {"rank", opts_.rank},
                           {"method", method_},
                           {"dtype", a.scalar_type() == at::kDouble ? "f64" : "f32"},
                           {"singular_values", std::vector<double>(sv.data_ptr<double>(), sv.data_ptr<double>() + sv.numel())},
                           {"error", err},
                           {"relative_error", anorm > 0 ? err / anorm : 0.0},
                           {"seconds", secs},
                           {"seed", ctx.seed}};
    if (method_ == "randomized") {
      summary["oversamples"] = opts_.oversamples;
      summary["power_iters"] = opts_.power_iters;
      summary["normalizer"] = to_string(opts_.normalizer);
      summary["mixed_precision"] = opts_.mixed_precision;
    }
    summary["outputs"] = write_factors(out_, {{"U", s.u}, {"S", s.s}, {"Vh", s.vh}}, summary);
    if (ctx.json)
      std::cout << summary.dump() << std::endl;
    else if (!ctx.quiet)
      std::cerr << fmt::format("svd: rank {} of {} x {} ({}): ||A - U S Vh||_F / ||A||_F = {:.6g}; wrote {}\n",
                               opts_.rank, n, p, method_, summary["relative_error"].get<double>(), out_.path);
    return 0;
  }

 private:
  MatrixInput in_;
  FactorOutput out_;
  RsvdOptions opts_;
  std::string method_ = "randomized", normalizer_ = "auto";
  bool no_flip_ = false;
};

FACTORKIT_REGISTER_COMMAND(SvdCommand);

}  // namespace
}  // namespace factorkit::cli
