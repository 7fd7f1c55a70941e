// factorkit/category/pregroup.h — pregroup grammar: lexicons, a parser, CCG rules.
//
// A sentence's diagram is its words (states `word: I → type`) side by side,
// followed by cups that reduce the concatenated type to the target (usually s).
// The parser finds a planar reduction by dynamic programming over the simple
// types (O(N³) for N simple types), not by DisCoPy's eager left-most scan, which
// misses reductions that need a later cup first. Words with several types are
// tried in lexicon order, the last word varying fastest, up to 4096 choices or
// a few seconds of work; a parse that needs an early word's later type in a
// long, very ambiguous sentence can be missed (the error says so). When no
// reduction exists, ParseError says which types are left over at best, and by
// which word.
//
// Lexicon files (docs/formats.md), one word per line, alternatives with `|`:
//
//   # comment
//   Alice: n
//   loves: n.r s n.l          (or n.r @ s @ n.l)
//   saw:   n.r s n.l | n.r s
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

// "n.r @ s @ n.l" or "n.r s n.l"; the empty string is the unit.
Ty parse_type(std::string_view text, const std::string& where);

struct Lexicon {
  std::map<std::string, std::vector<Ty>> entries;  // word -> its types, in file order
  // the types of `word`: exact match first, then case-insensitive; nullptr if unknown
  const std::vector<Ty>* find(const std::string& word) const;
};

Lexicon parse_lexicon(std::string_view text, const std::string& where);  // MalformedFile on bad lines
Lexicon read_lexicon(const std::string& path);

struct ParseError : InvalidInput {
  using InvalidInput::InvalidInput;
};

// Splits on white space, strips the punctuation . , ; : ! ? around each token
// ("Bob." -> "Bob") and drops tokens that were only punctuation.
std::vector<std::string> tokenize(std::string_view sentence);

// The diagram `w1 * w2 * ... >> cups` of a sentence, or ParseError (unknown
// word; no reduction to `target`).
Diagram parse_sentence(const std::vector<std::string>& words, const Lexicon& lexicon, const Ty& target = Ty("s"));
// The same for given word boxes (each a state I → type).
Diagram reduce(const std::vector<Box>& words, const Ty& target = Ty("s"));

// CCG rules as pregroup diagrams (DisCoPy's pregroup.Diagram.fa, ... bx):
Diagram fa(const Ty& left, const Ty& right);                     // left @ right.l @ right → left
Diagram ba(const Ty& left, const Ty& right);                     // left @ left.r @ right → right
Diagram fc(const Ty& left, const Ty& middle, const Ty& right);   // left @ middle.l @ middle @ right.l → left @ right.l
Diagram bc(const Ty& left, const Ty& middle, const Ty& right);   // left.r @ middle @ middle.r @ right → left.r @ right
Diagram fx(const Ty& left, const Ty& middle, const Ty& right);   // crossed composition, with swaps
Diagram bx(const Ty& left, const Ty& middle, const Ty& right);

// DisCoPy's pregroup normal form: a diagram `words >> wiring` (words tensored
// left to right, then only cups, caps and swaps) normalises the two parts apart,
// so the words stay on top; anything else gets the rigid normal form.
Diagram pregroup_normal_form(const Diagram& d);

// lambeq's RemoveCupsRewriter, on diagrams `states >> cups` (states tensored
// left to right — words, or any boxes with no inputs — then only cups): a group
// of states whose open wires are all cupped, in nested order, to one other
// group is bent round into an effect on that group's wires (its rotation:
// f.r() when it sat on the left, f.l() on the right), repeatedly, so the
// sentence becomes a few states with effects on them. The snake equations make
// the result equal to the input under every rigid functor; a circuit ansatz
// then needs fewer qubits and post-selections. Other diagrams come back as
// they are.
Diagram remove_cups(const Diagram& d);

}  // namespace factorkit::category
