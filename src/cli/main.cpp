// The factorkit program: global options, then one registered subcommand.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/core/runtime.h"

using namespace factorkit;

namespace {

void report_error(const std::exception& e, bool json) {
  const int code = exit_code(e);
  std::fprintf(stderr, "factorkit: error: %s\n", e.what());
  if (!json) return;
  nlohmann::json j;
  j["ok"] = false;
  j["exit_code"] = code;
  j["error"]["message"] = e.what();
  if (auto* fe = dynamic_cast<const Error*>(&e)) {
    const char* kinds[] = {"invalid_input", "malformed_file", "numerical_failure"};
    j["error"]["kind"] = kinds[int(fe->kind())];
    j["error"]["where"] = fe->where();
    j["error"]["field"] = fe->field();
    j["error"]["expected"] = fe->expected();
    j["error"]["code"] = fe->code();
  } else {
    j["error"]["kind"] = "internal";
  }
  // a message may quote raw bytes of the user's input: never let JSON's UTF-8
  // check turn an error report into a crash
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"factorkit: factorization methods from recent research, as one fast, dependable toolkit.\n"
               "Run `factorkit COMMAND --help` for a command's options.",
               "factorkit"};
  app.set_version_flag("--version", std::string("factorkit ") + FACTORKIT_VERSION);
  app.require_subcommand(0, 1);
  cli::Context ctx;
  app.add_option("--seed", ctx.seed, "Seed for every random draw (default 0)")->capture_default_str();
  app.add_option("--threads", ctx.threads, "Threads for LibTorch/BLAS (0 = all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--quiet", ctx.quiet, "No progress bars or chatter on stderr");
  app.add_flag("--json", ctx.json, "Print one machine-readable JSON result on stdout");

  std::vector<std::unique_ptr<cli::Command>> cmds;
  std::vector<CLI::App*> subs;
  for (const auto& make : cli::commands()) {
    cmds.push_back(make());
    std::string desc = cmds.back()->summary();
    if (!cmds.back()->doc_page().empty()) desc += " (docs: " + cmds.back()->doc_page() + ")";
    CLI::App* sub = app.add_subcommand(cmds.back()->name(), desc);
    sub->fallthrough();  // global options may also follow the subcommand
    cmds.back()->configure(*sub);
    subs.push_back(sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    app.exit(e);
    return kExitBadInput;
  }

  for (std::size_t i = 0; i < cmds.size(); ++i) {
    if (!subs[i]->parsed()) continue;
    try {
      apply(RuntimeOptions{ctx.seed, ctx.threads, ctx.quiet});
      return cmds[i]->run(ctx);
    } catch (const std::bad_alloc&) {
      std::runtime_error e("out of memory");
      report_error(e, ctx.json);
      return kExitInternal;
    } catch (const std::exception& e) {
      report_error(e, ctx.json);
      return exit_code(e);
    }
  }
  std::fputs(app.help().c_str(), stderr);
  return kExitBadInput;
}
