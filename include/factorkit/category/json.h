// factorkit/category/json.h — diagrams as JSON documents (docs/formats.md).
//
//   {"format": "factorkit.diagram", "version": 1,
//    "dom": ["n", "s.l"],
//    "boxes": [{"name": "f", "dom": ["n"], "cod": ["n", "n.r"]},
//              {"kind": "cup", "dom": ["n", "n.r"]}, ...],
//    "layers": [[0, 0], [1, 1]],          // [box index, offset], top to bottom
//    "cod": [...],                         // optional: checked when present
//    "dims": {"n": 2, "s": 1}}             // optional: dimensions for `eval`
//
// Objects are strings ("n", "n.l", "n.r.r": a name and its winding number) or
// {"name": ..., "z": ...} when the name itself ends in ".l" or ".r". A box has
// "kind" (box, word, cup, cap, swap, spider; default box), "name", "dom", "cod"
// (a word has no "dom"), and optionally "data" (numbers), "dagger" and "z": the
// types are the generator's, and the box is its dagger (if "dagger") rotated z
// half-turns (f.l() for z = -1). Cups name their domain, caps their codomain,
// swaps their domain; spiders give "legs": [in, out] and "ob".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

struct DiagramDocument {
  Diagram diagram;
  std::map<std::string, std::int64_t> dims;  // may be empty
};

// Parses a document; errors are MalformedFile naming `where` (the file), the
// field ("boxes[2].dom[0]", "layers[5]") and what was expected.
DiagramDocument parse_diagram_json(std::string_view text, const std::string& where);
DiagramDocument read_diagram_json(const std::string& path);

// indent < 0: one line; indent >= 0: one line per key and per box, indented.
std::string diagram_to_json(const Diagram& d, const std::map<std::string, std::int64_t>& dims = {},
                            int indent = -1);
// Written whole to a temporary name, then renamed.
void write_diagram_json(const std::string& path, const Diagram& d,
                        const std::map<std::string, std::int64_t>& dims = {});

// "n", "n.l", "n.r.r" → an object (throws InvalidInput naming `where` on "" or ".l")
Ob parse_ob(std::string_view text, const std::string& where);

}  // namespace factorkit::category
