// `factorkit list`: the registered commands and reproduction entries.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>
#include <memory>

#include "factorkit/cli/registry.h"

namespace factorkit::cli {
namespace {

class ListCommand final : public Command {
 public:
  std::string name() const override { return "list"; }
  std::string summary() const override { return "List the registered commands and reproduction entries"; }
  void configure(CLI::App&) override {}
  int run(const Context& ctx) override {
    nlohmann::json j{{"ok", true}, {"commands", nlohmann::json::array()}, {"reproductions", nlohmann::json::array()}};
    for (const auto& make : commands()) {
      auto c = make();
      j["commands"].push_back({{"name", c->name()}, {"summary", c->summary()}, {"doc", c->doc_page()}});
    }
    for (const auto& e : repro_entries())
      j["reproductions"].push_back({{"method", e.method}, {"name", e.name}, {"claim", e.claim}});
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    std::cout << "commands:\n";
    for (const auto& c : j["commands"])
      std::cout << fmt::format("  {:<12} {}\n", c["name"].get<std::string>(), c["summary"].get<std::string>());
    std::cout << "reproductions:\n";
    if (j["reproductions"].empty()) std::cout << "  (none registered yet)\n";
    for (const auto& e : j["reproductions"])
      std::cout << fmt::format("  {}/{}: {}\n", e["method"].get<std::string>(), e["name"].get<std::string>(),
                               e["claim"].get<std::string>());
    return 0;
  }
};

FACTORKIT_REGISTER_COMMAND(ListCommand);

}  // namespace
}  // namespace factorkit::cli
