// `factorkit optics tradeoff`: the recompute-versus-store trade-off of lens,
// optic and checkpoint compositions, measured (docs/methods/optics.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "tradeoff.h"

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
    tradeoff_->add_option("--depth", depth_, "Stages in the chain (1 … 4096)")->capture_default_str();
    tradeoff_->add_option("--width", width_, "Doubles per value (1 … 2^24)")->capture_default_str();
    tradeoff_->add_option("--modes", modes_,
                          "Comma-separated: lens, lens-right, optic, closed, checkpoint:K (default: all, K = ceil(sqrt(depth)))")
        ->delimiter(',');
    tradeoff_->add_option("--svg", svg_, "Plot peak held bytes and recomputations against depth (SVG)");
    tradeoff_->add_option("-o,--output", output_, "Write the table as JSON");
  }

  int run(const Context& ctx) override {
    if (depth_ < 1 || depth_ > 4096) throw InvalidInput("--depth", std::to_string(depth_), "1 … 4096", "BadOption");
    if (width_ < 1 || width_ > (std::size_t(1) << 24))
      throw InvalidInput("--width", std::to_string(width_), "1 … 16777216 doubles", "BadOption");
    if (modes_.empty()) modes_ = optics::default_modes(depth_);
    if (depth_ > 512)
      for (const std::string& m : modes_)
        if (m == "lens" || m == "lens-right")
          throw InvalidInput("--modes", m, "depth ≤ 512 for nested lenses (their recursion and n² recomputation)",
                             "BadOption");
    const auto rows = optics::tradeoff(depth_, width_, modes_);
    if (!svg_.empty()) write_file_atomic(svg_, optics::tradeoff_svg(depth_, width_, modes_));
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
  CLI::App* tradeoff_ = nullptr;
  std::size_t depth_ = 16, width_ = 4096;
  std::vector<std::string> modes_;
  std::string svg_, output_;
};

FACTORKIT_REGISTER_COMMAND(OpticsCommand);

}  // namespace
}  // namespace factorkit::cli
