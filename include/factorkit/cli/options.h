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

}  // namespace factorkit::cli
