// factorkit/category/drawing.h — SVG drawings of diagrams.
//
// Layout (`layout()`): layer k is row k, top to bottom. Every wire segment (from
// the port that creates it to the port that consumes it) is one vertical line at
// one x, so wires are straight except where a box gathers or spreads them. A box
// spans its input wires; its outputs continue straight below its inputs when it
// has as many of each, and spread evenly otherwise; a state sits in the gap
// between its neighbours. When a box needs more room, everything to one side of
// it — above it too — moves over (DisCoPy's make_space), so neighbours stay
// straight. Cups and caps are drawn as arcs, swaps as crossings, spiders as dots.
//
// Pregroup style (`pregroup_svg()`): for a diagram `words >> wiring` (words
// tensored left to right, then cups and swaps, no caps), the words in a row at the top
// with their types, and the cups nested underneath, as in DisCoPy's
// pregroup.draw.
#pragma once

#include <string>
#include <vector>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

struct DrawOptions {
  double unit = 48;          // pixels between adjacent wires
  double row = 56;           // pixels between rows
  bool wire_labels = true;   // type labels on the boundary wires
  std::string title;         // drawn above the diagram when not empty
};

struct Layout {
  struct Wire {
    double x;                // the segment's column
    std::size_t top, bottom; // rows: created below row `top` (0 for the domain), consumed at row `bottom`
    Ob ob;
  };
  struct Placed {
    double left = 0, right = 0;  // extent of the box's ports (equal for one port)
    std::vector<std::size_t> inputs, outputs;  // wire indices, left to right
  };
  std::vector<Wire> wires;
  std::vector<Placed> boxes;  // one per layer
  std::vector<std::size_t> dom, cod;  // boundary wires
  double min_x = 0, max_x = 0;
};

Layout layout(const Diagram& d);
std::string to_svg(const Diagram& d, const DrawOptions& options = {});
// Throws InvalidInput when `d` is not of the form words >> (cups, swaps).
std::string pregroup_svg(const Diagram& d, const DrawOptions& options = {});

}  // namespace factorkit::category
