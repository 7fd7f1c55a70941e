// `factorkit reproduce [METHOD...] [--quick] [--out DIR]`: the toolkit's main job.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>

#include "factorkit/cli/registry.h"
#include "factorkit/cli/reproduce.h"
#include "factorkit/core/runtime.h"

namespace factorkit::cli {
namespace {

class ReproduceCommand final : public Command {
 public:
  std::string name() const override { return "reproduce"; }
  std::string summary() const override {
    return "Reproduce each method's paper claims at small scale; print a table and write a report folder";
  }
  std::string doc_page() const override { return "docs/architecture.md"; }
  void configure(CLI::App& sub) override {
    sub.add_option("methods", opt_.methods, "Methods (nmf) or single entries (anncur/synthetic) to run (default: all)");
    sub.add_flag("--quick", opt_.quick, "The small version of every entry (minutes in total)");
    sub.add_option("--out", opt_.out_dir, "Report folder (report.md, results.json, figures)")->capture_default_str();
  }
  int run(const Context& ctx) override {
    opt_.seed = ctx.seed;
    opt_.threads = ctx.threads;
    opt_.prepare = [](const ReproContext& c) { seed_everything(c.seed); };
    auto rows = run_reproductions(repro_entries(), opt_);
    int passed = 0;
    for (const auto& r : rows) passed += r.error.empty() && r.result.pass;
    if (ctx.json) {
      auto j = report_json(rows, opt_);
      j["ok"] = passed == int(rows.size());
      j["out_dir"] = opt_.out_dir;
      std::cout << j.dump() << std::endl;
    } else if (rows.empty()) {
      std::cout << "No reproductions are registered yet"
                << (opt_.methods.empty() ? "" : fmt::format(" for {}", fmt::join(opt_.methods, ", ")))
                << ": nothing to run. Methods add their entries as they land.\n"
                << fmt::format("Wrote {}/report.md and {}/results.json.\n", opt_.out_dir, opt_.out_dir);
    } else {
      std::cout << format_table(rows)
                << fmt::format("\n{}/{} claims reproduced. Report: {}/report.md\n", passed, rows.size(), opt_.out_dir);
    }
    return passed == int(rows.size()) ? 0 : 1;
  }

 private:
  ReproOptions opt_;
};

FACTORKIT_REGISTER_COMMAND(ReproduceCommand);

}  // namespace
}  // namespace factorkit::cli
