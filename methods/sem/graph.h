// methods/sem/graph.h — mixed graphs G = (V, D, B) for linear structural
// equation models: directed edges i -> j (lambda_ij, may form cycles) and
// bidirected edges i <-> j (omega_ij, correlated errors).
//
// Text syntax, statements separated by ';' or new lines, '#' starts a comment:
//   arrows   1 -> 2; 2 -> 3 -> 1; x <- y; 1 <-> 3     (chains allowed)
//   lavaan   y ~ x1 + x2   (x1 -> y, x2 -> y);   x ~~ y   (x <-> y)
//   a bare name declares a vertex without edges.
// Names are letters, digits, '_' and '.'. When every name is an integer (no
// leading zeros) the vertices are ordered numerically, otherwise in order of
// first appearance.
// `x ~~ x` (a variance) is accepted and ignored: every omega_ii is in the model.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace factorkit::sem {

struct MixedGraph {
  std::vector<std::string> names;              // vertex i is names[i]
  std::vector<std::pair<int, int>> directed;   // (i, j): i -> j, sorted
  std::vector<std::pair<int, int>> bidirected; // (i, j) with i < j, sorted

  int size() const noexcept { return static_cast<int>(names.size()); }
  bool has_directed(int i, int j) const;
  bool has_bidirected(int i, int j) const;
  // No directed cycle (the usual "recursive" SEM).
  bool is_acyclic() const;
  // No pair of vertices joined by both a directed and a bidirected edge, and no
  // 2-cycle i -> j -> i (at most one edge between any two vertices).
  bool is_simple() const;
  // Every vertex name is one character: variable names may then drop separators
  // ("l12" rather than "l(1,2)").
  bool short_names() const;
  // The vertex index of a name; -1 when absent.
  int index(std::string_view name) const;
  // Canonical arrow text: "1 -> 2; 2 -> 3; 1 <-> 3". With non-integer names
  // the vertices are listed first ("y; x; z; x -> y; ..."), so the text parses
  // back to the same numbering.
  std::string str() const;
};

// Parses the syntax above. Throws InvalidInput naming `where`, the line and
// column and what was expected: bad tokens, self-loops, duplicate edges, a
// statement with no edge and more than one name.
MixedGraph parse_graph(std::string_view text, std::string_view where = "--graph");

}  // namespace factorkit::sem
