// The space–time trade-off report: a chain of `depth` tanh stages on vectors
// of `width` doubles, run forward and backward in each composition mode.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "factorkit/category/chain.h"

namespace factorkit::optics {

struct TradeoffRow {
  std::string mode;
  std::size_t depth = 0, width = 0;
  category::optics::PassStats stats;
};

// The chain of `depth` tanh stages (get = tanh, put = (1 − tanh²) · feedback).
std::vector<category::optics::Stage<std::vector<double>>> tanh_chain(std::size_t depth);

// Each mode at this depth and width; the gradient of sum(output) is checked
// to agree across modes (InvalidInput-free: a disagreement throws
// NumericalFailure, which would be a bug).
std::vector<TradeoffRow> tradeoff(std::size_t depth, std::size_t width, const std::vector<std::string>& modes);

// The default modes: lens, lens-right (up to depth 256), optic, closed,
// checkpoint:⌈√depth⌉.
std::vector<std::string> default_modes(std::size_t depth);

// A table (markdown) and an SVG plot of peak held bytes and backward
// recomputations against depth (1, 2, 4, … and `depth`) for each mode. With
// `sqrt_checkpoint` the last mode is the default checkpoint:⌈√n⌉, swept with
// its own K at each depth.
std::string tradeoff_table(const std::vector<TradeoffRow>& rows);
std::string tradeoff_svg(std::size_t depth, std::size_t width, const std::vector<std::string>& modes,
                         bool sqrt_checkpoint);

}  // namespace factorkit::optics
