// libFuzzer target: the SEM mixed-graph syntax. Whatever it accepts must parse
// back from its canonical text to the same named edges.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "factorkit/core/error.h"
#include "graph.h"

namespace {
using Named = std::set<std::pair<std::string, std::string>>;
Named named(const std::vector<std::pair<int, int>>& edges, const factorkit::sem::MixedGraph& g) {
  Named out;
  for (const auto& [i, j] : edges) out.insert({g.names[static_cast<size_t>(i)], g.names[static_cast<size_t>(j)]});
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  sem::MixedGraph g;
  try {
    g = sem::parse_graph(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const Error&) {
    return 0;
  }
  (void)g.is_acyclic();
  (void)g.is_simple();
  const sem::MixedGraph h = sem::parse_graph(g.str(), "again");
  if (h.names != g.names || named(h.directed, h) != named(g.directed, g)) std::abort();
  // bidirected edges are unordered pairs: compare both orientations
  Named gb = named(g.bidirected, g), hb = named(h.bidirected, h), gb2, hb2;
  for (const auto& [a, b] : gb) gb2.insert({std::min(a, b), std::max(a, b)});
  for (const auto& [a, b] : hb) hb2.insert({std::min(a, b), std::max(a, b)});
  if (gb2 != hb2) std::abort();
  return 0;
}
