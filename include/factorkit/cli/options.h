// factorkit/cli/options.h — option syntaxes that several commands share.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace factorkit::cli {

// "n=2, s=1" → {n: 2, s: 1}: comma-separated name=integer pairs, each value in
// [lo, hi], at least one pair. InvalidInput naming `option`, the offending
// item and `example` otherwise.
std::map<std::string, std::int64_t> parse_name_values(const std::string& text, const std::string& option,
                                                      std::int64_t lo, std::int64_t hi, const std::string& example);

// Checks before a (possibly long) computation that its output can be written,
// so a bad path fails first, not after the work. InvalidInput naming `option`
// and the path otherwise.
//   check_writable_folder: `dir` exists as a writable directory or can be
//   created (its nearest existing ancestor is one).
//   check_output_file: `path`'s folder exists and is writable.
void check_writable_folder(const std::string& dir, const std::string& where, const std::string& option);
void check_output_file(const std::string& path, const std::string& option);

}  // namespace factorkit::cli
