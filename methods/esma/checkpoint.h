// methods/esma/checkpoint.h — the resumable state of an ESMA search.
//
// The search's expensive phase is a list of work items (one per left-hand
// side); the checkpoint stores the finished ones with their Berlekamp–Massey
// hits, plus the search parameters so a checkpoint is never applied to another
// search. Format (JSON, written atomically):
//   {"format": "factorkit-esma-checkpoint", "version": 1,
//    "search": {...parameters...}, "items": N,
//    "done": [{"i": 3, "candidates": 4, "zero_terms": 0, "precision_stops": 0,
//              "hits": [{"period": 1, "c": [1, 0, -2, 0, 1], "L": 4,
//                        "terms": ["1", "2", "3", ...]}]}]}
// This file needs no FLINT and no LibTorch, so its reader is fuzzed alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace factorkit::esma {

struct CheckpointHit {
  int64_t period = 0;              // index into the search's sign periods
  std::vector<long> c;             // Berlekamp–Massey polynomial, length L + 1
  int64_t L = 0;
  std::vector<std::string> terms;  // a_n as decimal integers
  bool operator==(const CheckpointHit&) const = default;
};

struct CheckpointItem {
  int64_t index = 0;
  int64_t candidates = 0, zero_terms = 0, precision_stops = 0;
  std::vector<CheckpointHit> hits;
  bool operator==(const CheckpointItem&) const = default;
};

struct Checkpoint {
  nlohmann::json search = nlohmann::json::object();
  int64_t items = 0;
  std::vector<CheckpointItem> done;  // sorted by index, no repeats
  bool operator==(const Checkpoint&) const = default;
};

// Parses checkpoint text. Throws MalformedFile naming `name`, the field and
// what was expected. Limits (a search's own bounds): 10^9 items, 2^17 hits per
// item, 10^5 terms, terms of at most 2 10^6 digits.
Checkpoint parse_checkpoint(std::string_view text, const std::string& name);
Checkpoint read_checkpoint(const std::string& path);
std::string format_checkpoint(const Checkpoint& c);
// Writes to a temporary name and renames when whole.
void write_checkpoint(const std::string& path, const Checkpoint& c);

}  // namespace factorkit::esma
