// `factorkit optics tradeoff`: the recompute-versus-store trade-off of lens,
// optic and checkpoint compositions, measured (docs/methods/optics.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "factorkit/cli/options.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "tradeoff.h"
#include "train.h"

namespace factorkit::cli {
namespace {

class OpticsCommand final : public Command {
 public:
  std::string name() const override { return "optics"; }
  std::string summary() const override {
    return "Lenses and optics: the recompute-versus-store trade-off of composing backward passes, measured";
  }
  std::string doc_page() const override { return "docs/methods/optics.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    tradeoff_ = sub.add_subcommand("tradeoff", "Run a chain of tanh stages forward and backward in each composition");
    tradeoff_->add_option("--depth", depth_, "Stages in the chain (1 … 1024)")->capture_default_str();
    tradeoff_->add_option("--width", width_, "Doubles per value (1 … 2^24)")->capture_default_str();
    tradeoff_->add_option("--modes", modes_,
                          "Comma-separated: lens, lens-right, optic, closed, checkpoint:K (default: all, K = ceil(sqrt(depth)))")
        ->delimiter(',');
    tradeoff_->add_option("--svg", svg_, "Plot peak held bytes and recomputations against depth (SVG)");
    tradeoff_->add_option("-o,--output", output_, "Write the table as JSON");

    train_ = sub.add_subcommand("train", "Train an MLP on Fashion-MNIST with parametric lenses (no autograd)");
    train_->add_option("--hidden", hidden_, "Hidden widths, e.g. 256,256")->delimiter(',')->capture_default_str();
    train_->add_option("--epochs", topt_.epochs, "Epochs")->capture_default_str();
    train_->add_option("--batch-size", topt_.batch_size, "Images per step")->capture_default_str();
    train_->add_option("--optimizer", topt_.optimizer, "adam, momentum or sgd")->capture_default_str();
    train_->add_option("--lr", topt_.lr, "Learning rate")->capture_default_str();
    train_->add_option("--mode", mode_, "optic, lens, lens-right, closed or checkpoint:K")->capture_default_str();
    train_->add_option("--data", data_, "Fashion-MNIST folder (Debian's dataset-fashion-mnist)")->capture_default_str();
    train_->add_option("--limit", topt_.limit, "Train on the first N images only (0: all)")->capture_default_str();
    train_->add_option("--results", output_, "Write the per-epoch results as JSON");
  }

  int run(const Context& ctx) override {
    if (train_->parsed()) return run_train(ctx);
    if (depth_ < 1 || depth_ > 1024) throw InvalidInput("--depth", std::to_string(depth_), "1 … 1024", "BadOption");
    if (width_ < 1 || width_ > (std::size_t(1) << 24))
      throw InvalidInput("--width", std::to_string(width_), "1 … 16777216 doubles", "BadOption");
    if (depth_ * width_ > (std::size_t(1) << 26))
      throw InvalidInput("--depth × --width", std::to_string(depth_ * width_),
                         "at most 2^26 doubles in the chain's values (512 MB)", "BadOption");
    const bool defaulted = modes_.empty();
    if (defaulted) modes_ = optics::default_modes(depth_);
    for (const std::string& m : modes_) {
      category::optics::Mode mode;
      try {
        mode = category::optics::Mode::parse(m);
      } catch (const std::invalid_argument&) {
        throw InvalidInput("--modes", m, "lens, lens-right, optic, closed or checkpoint:K with K >= 1", "BadOption");
      }
      const bool nested = mode.kind == category::optics::Mode::LeftLens || mode.kind == category::optics::Mode::RightLens;
      if (nested && (depth_ > 256 || depth_ * depth_ * width_ > (std::size_t(1) << 30)))
        throw InvalidInput("--modes", m, "depth ≤ 256 and depth² × width ≤ 2^30 for nested lenses (n² recomputation)",
                           "BadOption");
    }
    const auto rows = optics::tradeoff(depth_, width_, modes_);
    if (!svg_.empty()) write_file_atomic(svg_, optics::tradeoff_svg(depth_, width_, modes_, defaulted));
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : rows)
      j.push_back({{"mode", r.mode},
                   {"depth", r.depth},
                   {"width", r.width},
                   {"forward_gets", r.stats.forward_gets},
                   {"backward_gets", r.stats.backward_gets},
                   {"stored", r.stats.stored},
                   {"stored_bytes", r.stats.stored_bytes},
                   {"peak_bytes", r.stats.peak_bytes},
                   {"seconds", r.stats.seconds}});
    if (!output_.empty()) write_file_atomic(output_, j.dump(1) + "\n");
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "optics tradeoff"}, {"rows", j}}.dump() << std::endl;
    else
      std::cout << optics::tradeoff_table(rows);
    return 0;
  }

 private:
  int run_train(const Context& ctx) {
    try {
      topt_.mode = category::optics::Mode::parse(mode_);
    } catch (const std::invalid_argument&) {
      throw InvalidInput("--mode", mode_, "optic, lens, lens-right, closed or checkpoint:K (K >= 1)", "BadOption");
    }
    if (hidden_.size() > 64)
      throw InvalidInput("--hidden", std::to_string(hidden_.size()) + " widths", "at most 64 hidden layers", "BadOption");
    std::int64_t previous = 784;
    for (const std::int64_t h : hidden_) {
      // each weight matrix (previous x h floats) must fit: at most 2^26 entries
      if (h < 1 || h > 65536 || previous * h > (std::int64_t(1) << 26))
        throw InvalidInput("--hidden", std::to_string(h),
                           "widths from 1 to 65536 with at most 2^26 weights between consecutive layers", "BadOption");
      previous = h;
    }
    if (!output_.empty()) check_output_file(output_, "--results");
    topt_.hidden = hidden_;
    topt_.seed = ctx.seed;
    const auto [train, test] = optics::load_fashion_mnist(data_);
    if (!ctx.quiet && !ctx.json)
      topt_.on_epoch = [&](std::size_t e, double loss, double acc, double secs) {
        std::cerr << fmt::format("epoch {}/{}  loss {:.4f}  test accuracy {:.4f}  {:.1f} s", e, topt_.epochs, loss, acc, secs)
                  << std::endl;
      };
    const auto rep = optics::train_mlp(train, test, topt_);
    const nlohmann::json j{{"command", "optics train"},  {"mode", topt_.mode.str()},
                           {"hidden", hidden_},           {"epochs", topt_.epochs},
                           {"optimizer", topt_.optimizer}, {"lr", topt_.lr},
                           {"loss", rep.epoch_loss},      {"test_accuracy", rep.epoch_test_accuracy},
                           {"seconds", rep.epoch_seconds}, {"peak_bytes_per_step", rep.peak_bytes},
                           {"backward_gets_per_step", rep.backward_gets}, {"stored_per_step", rep.stored}};
    if (!output_.empty()) write_file_atomic(output_, j.dump(1) + "\n");
    if (ctx.json) std::cout << j.dump() << std::endl;
    else
      std::cout << fmt::format("test accuracy {:.4f} after {} epochs ({}; {} recomputed layers and {} stored residuals "
                               "per step, at most {:.1f} MB of activations held)\n",
                               rep.test_accuracy, topt_.epochs, topt_.mode.str(), rep.backward_gets, rep.stored,
                               double(rep.peak_bytes) / 1e6);
    return 0;
  }

  CLI::App* train_ = nullptr;
  std::vector<std::int64_t> hidden_{256, 256};
  std::string mode_ = "optic", data_ = "/usr/share/datasets/fashion-mnist";
  optics::TrainOptions topt_;
  CLI::App* tradeoff_ = nullptr;
  std::size_t depth_ = 16, width_ = 4096;
  std::vector<std::string> modes_;
  std::string svg_, output_;
};

FACTORKIT_REGISTER_COMMAND(OpticsCommand);

}  // namespace
}  // namespace factorkit::cli
