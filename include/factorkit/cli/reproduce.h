// factorkit/cli/reproduce.h — running registered reproductions and writing the report.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "factorkit/cli/registry.h"

namespace factorkit::cli {

struct ReproRow {
  std::string method, name, claim;
  ReproResult result;
  double seconds = 0;
  std::string error;  // non-empty if the entry threw
};

struct ReproOptions {
  std::vector<std::string> methods;  // empty: all
  bool quick = false;
  std::string out_dir = "factorkit-report";
  uint64_t seed = 0;
  int threads = 0;
  // Called before every entry, so each entry starts from the same random state
  // whichever entries ran before it (the program passes seed_everything).
  std::function<void(const ReproContext&)> prepare;
};

// Runs the selected entries (unknown method names throw InvalidInput) and
// writes out_dir/report.md and out_dir/results.json atomically.
std::vector<ReproRow> run_reproductions(const std::vector<ReproEntry>& entries, const ReproOptions& o);

std::string format_table(const std::vector<ReproRow>& rows);
std::string report_markdown(const std::vector<ReproRow>& rows, const ReproOptions& o);
nlohmann::json report_json(const std::vector<ReproRow>& rows, const ReproOptions& o);

}  // namespace factorkit::cli
