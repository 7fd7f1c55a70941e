#include "factorkit/cli/registry.h"

namespace factorkit::cli {

namespace {
std::vector<CommandFactory>& command_list() {
  static std::vector<CommandFactory> v;
  return v;
}
std::vector<ReproEntry>& repro_list() {
  static std::vector<ReproEntry> v;
  return v;
}
}  // namespace

void register_command(CommandFactory f) { command_list().push_back(std::move(f)); }
void register_repro(ReproEntry e) { repro_list().push_back(std::move(e)); }
const std::vector<CommandFactory>& commands() { return command_list(); }
const std::vector<ReproEntry>& repro_entries() { return repro_list(); }

}  // namespace factorkit::cli
