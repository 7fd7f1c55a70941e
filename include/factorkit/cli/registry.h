// factorkit/cli/registry.h — how a method plugs into the `factorkit` program.
//
// A method registers, from a .cpp in its own folder and without touching any
// central list:
//   * a subcommand (class derived from Command) with its one-line summary and
//     its doc page, via FACTORKIT_REGISTER_COMMAND(Type);
//   * one or more reproductions of its paper's claims, via
//     FACTORKIT_REGISTER_REPRO(entry-expression).
// The registration objects are static; the build links each method's CLI part
// as a whole archive (cmake/factorkit_method.cmake) so the linker keeps them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace CLI {
class App;
}

namespace factorkit::cli {

// What every command receives after the global options are parsed.
struct Context {
  uint64_t seed = 0;
  int threads = 0;
  bool quiet = false;
  bool json = false;  // print one machine-readable JSON document on stdout
};

class Command {
 public:
  virtual ~Command() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;   // one line, shown by --help and `list`
  virtual std::string doc_page() const { return {}; }  // e.g. docs/methods/nmf.md
  // Declare options and positionals on the subcommand; bind them to members.
  virtual void configure(CLI::App& sub) = 0;
  // Run; return the exit code. Throw factorkit::Error for bad input.
  virtual int run(const Context& ctx) = 0;
};

// ---- reproductions -----------------------------------------------------------
struct ReproContext {
  bool quick = true;       // the small, minutes-long version
  std::string out_dir;     // a folder of the entry's own for figures (exists)
  uint64_t seed = 0;
  int threads = 0;
};

struct ReproResult {
  std::string paper;   // the published figure, as text ("top-1 71.8%")
  std::string ours;    // what we measured, as text
  bool pass = false;   // did our figure meet the acceptance check?
  std::string note;    // why it differs, scale caveats, the acceptance rule
  std::vector<std::string> figures;  // files written under out_dir (relative names)
  nlohmann::json details = nlohmann::json::object();  // anything else worth keeping
};

struct ReproEntry {
  std::string method;  // "nmf"
  std::string name;    // short id unique within the method ("planted-rank")
  std::string claim;   // one sentence: what the paper claims
  std::function<ReproResult(const ReproContext&)> run;
};

// ---- the registry ---------------------------------------------------------------
using CommandFactory = std::function<std::unique_ptr<Command>()>;

void register_command(CommandFactory f);
void register_repro(ReproEntry e);
const std::vector<CommandFactory>& commands();
const std::vector<ReproEntry>& repro_entries();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandFactory f) { register_command(std::move(f)); }
};
struct ReproRegistrar {
  explicit ReproRegistrar(ReproEntry e) { register_repro(std::move(e)); }
};

}  // namespace factorkit::cli

#define FACTORKIT_CLI_CONCAT_(a, b) a##b
#define FACTORKIT_CLI_CONCAT(a, b) FACTORKIT_CLI_CONCAT_(a, b)

#define FACTORKIT_REGISTER_COMMAND(Type)                                                   \
  static ::factorkit::cli::CommandRegistrar FACTORKIT_CLI_CONCAT(fk_cmd_registrar_, __LINE__)( \
      [] { return std::unique_ptr<::factorkit::cli::Command>(new Type()); })

#define FACTORKIT_REGISTER_REPRO(...)                                                     \
  static ::factorkit::cli::ReproRegistrar FACTORKIT_CLI_CONCAT(fk_repro_registrar_, __LINE__)( \
      __VA_ARGS__)
