// `factorkit cur`: CUR decomposition of a matrix in a file.
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "factorkit/cli/matrix_io.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/linalg/check.h"
#include "factorkit/linalg/cur.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::linalg;

class CurCommand final : public Command {
 public:
  std::string name() const override { return "cur"; }
  std::string summary() const override {
    return "CUR decomposition X ≈ C U R from selected columns and rows (pivoted QR, leverage scores or uniform)";
  }
  std::string doc_page() const override { return "docs/methods/cur.md"; }

  void configure(CLI::App& sub) override {
    in_.add_options(sub);
    sub.add_option("--rows", opts_.rows, "Number of rows to select (R)")->required();
    sub.add_option("--cols", opts_.cols, "Number of columns to select (C)")->required();
    sub.add_option("--select", select_, "qr (column-pivoted QR), leverage or uniform")
        ->check(CLI::IsMember({"qr", "leverage", "uniform"}))
        ->capture_default_str();
    sub.add_option("--core", core_, "intersection (U = pinv(X[I,J]), ANNCUR) or optimal (U = pinv(C) X pinv(R))")
        ->check(CLI::IsMember({"intersection", "optimal"}))
        ->capture_default_str();
    sub.add_option("--rcond", opts_.rcond, "pinv cutoff relative to the largest singular value (numpy's)")
        ->capture_default_str();
    sub.add_option("--leverage-rank", opts_.leverage_rank, "Rank of the leverage scores (0: min(rows, cols))")
        ->capture_default_str();
    sub.add_flag("--no-error", no_error_, "Skip the error report (it needs a full SVD of X)");
    out_.add_options(sub);
  }

  int run(const Context& ctx) override {
    opts_.select = parse_cur_select(select_, "--select");
    opts_.core = parse_cur_core(core_, "--core");
    opts_.seed = ctx.seed;
    opts_.compute_error = !no_error_;
    out_.check({"C", "U", "R", "row_index", "col_index"});
    at::Tensor x = read_matrix(in_);
    const int64_t n = x.size(0), p = x.size(1);
    check_rank(opts_.rows, n, in_.path, "--rows", fmt::format("the number of rows, {}", n));
    check_rank(opts_.cols, p, in_.path, "--cols", fmt::format("the number of columns, {}", p));
    const auto start = std::chrono::steady_clock::now();
    CurResult d = cur(x, opts_);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json summary{{"command", "cur"},
                           {"input", in_.path},
                           {"shape", {n, p}},
                           {"rows", opts_.rows},
                           {"cols", opts_.cols},
                           {"select", select_},
                           {"core", core_},
                           {"rcond", opts_.rcond},
                           {"relative_error", num(d.relative_error)},
                           {"best_rank_relative_error", num(d.best_rank_relative_error)},
                           {"seconds", secs},
                           {"seed", ctx.seed}};
    summary["outputs"] = write_factors(
        out_, {{"C", d.c}, {"U", d.u}, {"R", d.r}, {"row_index", d.row_index}, {"col_index", d.col_index}}, summary);
    if (ctx.json)
      std::cout << summary.dump() << std::endl;
    else if (!ctx.quiet)
      std::cerr << fmt::format("cur: {} rows, {} columns of {} x {}: relative error {:.3g} (best rank-{}: {:.3g}); wrote {}\n",
                               opts_.rows, opts_.cols, n, p, d.relative_error, std::min(opts_.rows, opts_.cols),
                               d.best_rank_relative_error, out_.path);
    return 0;
  }

 private:
  MatrixInput in_;
  FactorOutput out_;
  CurOptions opts_;
  std::string select_ = "qr", core_ = "intersection";
  bool no_error_ = false;
};

FACTORKIT_REGISTER_COMMAND(CurCommand);

}  // namespace
}  // namespace factorkit::cli
