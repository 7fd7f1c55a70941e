// Pregroup grammar: types, lexicons, the reduction parser, CCG rules, normal form.
#include "factorkit/category/pregroup.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <numeric>

#include "factorkit/category/json.h"
#include "factorkit/core/source.h"
#include "factorkit/core/utf8.h"

namespace factorkit::category {

namespace {

constexpr std::size_t kMaxTypesPerWord = 16;
constexpr std::size_t kMaxCombinations = 4096;  // choices of types per sentence
constexpr std::size_t kMaxSimpleTypes = 1024;  // the parser is O(N³)

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Ty parse_type(std::string_view text, const std::string& where) {
  std::vector<Ob> obs;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == '@')) ++i;
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) && text[j] != '@') ++j;
    if (j > i) obs.push_back(parse_ob(text.substr(i, j - i), where));
    i = j;
  }
  return Ty(std::move(obs));
}

const std::vector<Ty>* Lexicon::find(const std::string& word) const {
  auto it = entries.find(word);
  if (it != entries.end()) return &it->second;
  const std::string w = lower(word);
  for (const auto& [k, v] : entries)
    if (lower(k) == w) return &v;
  return nullptr;
}

Lexicon parse_lexicon(std::string_view text, const std::string& where) {
  if (const std::size_t bad = detail::utf8_invalid_at(text); bad != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + std::ptrdiff_t(bad), '\n');
    throw MalformedFile(where, "line " + std::to_string(line), "UTF-8 text (invalid byte at offset " + std::to_string(bad) + ")",
                        "BadLexicon");
  }
  Lexicon lex;
  std::size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const std::string field = "line " + std::to_string(line_no);
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    for (char c : line)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
        throw MalformedFile(where, field, "printable text (found the byte " + printable(c) + ")", "BadLexicon");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      throw MalformedFile(where, field, "word: type (e.g. \"loves: n.r s n.l\")", "BadLexicon");
    const std::string_view word = trim(line.substr(0, colon));
    if (word.empty() || word.find_first_of(" \t") != std::string_view::npos)
      throw MalformedFile(where, field, "one word (no spaces) before ':'", "BadLexicon");
    std::vector<Ty>& types = lex.entries[std::string(word)];
    if (!types.empty())
      throw MalformedFile(where, field, "each word once (\"" + std::string(word) + "\" was defined before; use | for alternatives)",
                          "BadLexicon");
    std::string_view rest = line.substr(colon + 1);
    for (;;) {
      const std::size_t bar = rest.find('|');
      const std::string_view alt = trim(rest.substr(0, bar));
      if (alt.empty()) throw MalformedFile(where, field, "a non-empty type for \"" + std::string(word) + "\"", "BadLexicon");
      try {
        types.push_back(parse_type(alt, where));
      } catch (const InvalidInput& e) {
        throw MalformedFile(where, field, "a type of objects such as n, n.l, s.r.r (bad object \"" + e.field() + "\")",
                            "BadLexicon");
      }
      if (types.size() > kMaxTypesPerWord)
        throw MalformedFile(where, field, "at most " + std::to_string(kMaxTypesPerWord) + " types per word", "BadLexicon");
      if (bar == std::string_view::npos) break;
      rest = rest.substr(bar + 1);
    }
    if (end == text.size()) break;
  }
  return lex;
}

Lexicon read_lexicon(const std::string& path) {
  return parse_lexicon(read_file_text(path, std::size_t(1) << 26), path);
}

std::vector<std::string> tokenize(std::string_view sentence) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < sentence.size()) {
    while (i < sentence.size() && std::isspace(static_cast<unsigned char>(sentence[i]))) ++i;
    std::size_t j = i;
    while (j < sentence.size() && !std::isspace(static_cast<unsigned char>(sentence[j]))) ++j;
    std::string_view tok = sentence.substr(i, j - i);
    auto punct = [](char c) { return c == '.' || c == ',' || c == ';' || c == '!' || c == '?' || c == ':'; };
    while (!tok.empty() && punct(tok.front())) tok.remove_prefix(1);
    while (!tok.empty() && punct(tok.back())) tok.remove_suffix(1);
    if (!tok.empty()) out.emplace_back(tok);
    i = j;
  }
  return out;
}

// ---- the reduction parser --------------------------------------------------

namespace {

// A planar reduction of T (concatenated simple types) to the target: `cups`
// pairs (i, j) with T[j] == T[i].r(), non-crossing, and the unmatched positions,
// none of them under a cup, reading the target.
struct Reduction {
  std::vector<std::pair<std::size_t, std::size_t>> cups;
  bool ok = false;
};

Reduction find_reduction(const std::vector<Ob>& T, const Ty& target) {
  const std::size_t N = T.size(), m = target.size();
  // R[i][j]: T[i, j) reduces to the unit; K[i][j]: the partner of T[i]
  std::vector<std::vector<char>> R(N + 1, std::vector<char>(N + 1, 0));
  std::vector<std::vector<std::size_t>> K(N + 1, std::vector<std::size_t>(N + 1, 0));
  for (std::size_t i = 0; i <= N; ++i) R[i][i] = 1;
  for (std::size_t len = 2; len <= N; len += 2)
    for (std::size_t i = 0; i + len <= N; ++i) {
      const std::size_t j = i + len;
      for (std::size_t k = i + 1; k < j; k += 2)
        if (T[k] == T[i].r() && R[i + 1][k] && R[k + 1][j]) {
          R[i][j] = 1;
          K[i][j] = k;
          break;
        }
    }
  // F[p][q]: T[0, p) reduces to target[0, q), the last kept type at p - 1 or a block
  std::vector<std::vector<char>> F(N + 1, std::vector<char>(m + 1, 0));
  std::vector<std::vector<std::size_t>> from(N + 1, std::vector<std::size_t>(m + 1, 0));  // block start, or N+1 for kept
  F[0][0] = 1;
  for (std::size_t p = 0; p < N; ++p)
    for (std::size_t q = 0; q <= m; ++q) {
      if (!F[p][q]) continue;
      if (q < m && T[p] == target[q] && !F[p + 1][q + 1]) {
        F[p + 1][q + 1] = 1;
        from[p + 1][q + 1] = N + 1;
      }
      for (std::size_t e = p + 2; e <= N; e += 2)
        if (R[p][e] && !F[e][q]) {
          F[e][q] = 1;
          from[e][q] = p;
        }
    }
  Reduction red;
  if (!F[N][m]) return red;
  red.ok = true;
  std::vector<std::pair<std::size_t, std::size_t>> blocks;
  for (std::size_t p = N, q = m; p > 0;) {
    if (from[p][q] == N + 1) {
      --p, --q;
    } else {
      blocks.emplace_back(from[p][q], p);
      p = from[p][q];
    }
  }
  std::vector<std::pair<std::size_t, std::size_t>> stack = blocks;
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (i == j) continue;
    const std::size_t k = K[i][j];
    red.cups.emplace_back(i, k);
    stack.emplace_back(i + 1, k);
    stack.emplace_back(k + 1, j);
  }
  return red;
}

// The largest planar set of cups (for the error message): which types remain.
std::vector<std::size_t> leftover(const std::vector<Ob>& T) {
  const std::size_t N = T.size();
  std::vector<std::vector<std::size_t>> M(N + 1, std::vector<std::size_t>(N + 1, 0));
  std::vector<std::vector<std::size_t>> choice(N + 1, std::vector<std::size_t>(N + 1, 0));  // 0: T[i] unmatched
  for (std::size_t len = 2; len <= N; ++len)
    for (std::size_t i = 0; i + len <= N; ++i) {
      const std::size_t j = i + len;
      M[i][j] = M[i + 1][j];
      choice[i][j] = 0;
      for (std::size_t k = i + 1; k < j; ++k)
        if (T[k] == T[i].r() && 1 + M[i + 1][k] + M[k + 1][j] > M[i][j]) {
          M[i][j] = 1 + M[i + 1][k] + M[k + 1][j];
          choice[i][j] = k;
        }
    }
  std::vector<std::size_t> left;
  std::vector<std::pair<std::size_t, std::size_t>> stack{{0, N}};
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (i >= j) continue;
    if (choice[i][j] == 0 || j - i < 2) {
      left.push_back(i);
      stack.emplace_back(i + 1, j);
    } else {
      stack.emplace_back(i + 1, choice[i][j]);
      stack.emplace_back(choice[i][j] + 1, j);
    }
  }
  std::sort(left.begin(), left.end());
  return left;
}

// words * ... >> cups, each cup applied as soon as both its wires are adjacent,
// left-most first (the layout of DisCoPy's eager_parse).
Diagram build(const std::vector<Box>& words, const std::vector<Ob>& T,
              const std::vector<std::pair<std::size_t, std::size_t>>& cups) {
  Diagram d = Diagram::id(Ty());
  for (const Box& w : words) d = d * w;
  std::vector<std::size_t> partner(T.size(), T.size());
  for (auto [i, j] : cups) partner[i] = j, partner[j] = i;
  std::vector<std::size_t> wires(T.size());  // positions of T still open, in order
  for (std::size_t k = 0; k < T.size(); ++k) wires[k] = k;
  for (bool again = true; again;) {
    again = false;
    for (std::size_t k = 0; k + 1 < wires.size(); ++k)
      if (partner[wires[k]] == wires[k + 1]) {
        const Ty cod = d.cod();
        d = d >> (cod.slice(0, k) * cup(T[wires[k]], T[wires[k + 1]]) * cod.slice(k + 2, cod.size()));
        wires.erase(wires.begin() + std::ptrdiff_t(k), wires.begin() + std::ptrdiff_t(k + 2));
        again = true;
        break;
      }
  }
  return d;
}

std::string join_types(const std::vector<Ob>& T, const std::vector<std::size_t>& idx) {
  std::string s;
  for (std::size_t k : idx) s += (s.empty() ? "" : " @ ") + T[k].str();
  return s.empty() ? "Ty()" : s;
}

}  // namespace

namespace {

struct Sentence {
  std::vector<Ob> T;               // the simple types, concatenated
  std::vector<std::size_t> owner;  // the word of each
};

Sentence simple_types(const std::vector<Box>& words) {
  Sentence s;
  for (std::size_t w = 0; w < words.size(); ++w) {
    if (!words[w].dom().empty())
      throw InvalidInput("sentence", "word " + words[w].str(), "a state (a box with empty domain)", "NotAWord");
    for (const Ob& o : words[w].cod()) s.T.push_back(o), s.owner.push_back(w);
  }
  if (s.T.size() > kMaxSimpleTypes)
    throw InvalidInput("sentence", "length", "at most " + std::to_string(kMaxSimpleTypes) + " simple types",
                       "SentenceTooLong");
  return s;
}

// What is left over at best, and from which words (only for the error message).
ParseError no_reduction(const std::vector<Box>& words, const Sentence& s, const Ty& target, const std::string& prefix) {
  const std::vector<std::size_t> left = leftover(s.T);
  std::string who;
  for (std::size_t k : left) who += (who.empty() ? "" : ", ") + s.T[k].str() + " of \"" + words[s.owner[k]].name() + "\"";
  return ParseError("sentence", "reduction to " + target.str(),
                    prefix + "a reduction; the types " + Ty(s.T).str() + " reduce at best to " + join_types(s.T, left) +
                        (who.empty() ? "" : " (unmatched: " + who + ")"),
                    "NoReduction");
}

}  // namespace

Diagram reduce(const std::vector<Box>& words, const Ty& target) {
  const Sentence s = simple_types(words);
  const Reduction red = find_reduction(s.T, target);
  if (!red.ok) throw no_reduction(words, s, target, "");
  return build(words, s.T, red.cups);
}

Diagram parse_sentence(const std::vector<std::string>& words, const Lexicon& lexicon, const Ty& target) {
  if (words.empty()) throw ParseError("sentence", "words", "at least one word", "EmptySentence");
  std::vector<const std::vector<Ty>*> choices;
  double combos = 1;
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (detail::utf8_invalid_at(words[k]) != std::string_view::npos)
      throw ParseError("sentence", "word " + std::to_string(k + 1), "UTF-8 text", "BadText");
    const std::vector<Ty>* t = lexicon.find(words[k]);
    if (t && t->empty()) t = nullptr;  // a hand-made lexicon entry without types
    if (!t) throw ParseError("sentence", "word " + std::to_string(k + 1) + " \"" + words[k] + "\"", "a word of the lexicon", "UnknownWord");
    choices.push_back(t);
    combos *= double(t->size());
  }
  // Every choice of types, last word fastest, until one reduces or the work
  // (N³ per choice for N simple types) passes a budget of a few seconds.
  constexpr double kWorkBudget = 4e9;
  std::vector<std::size_t> pick(words.size(), 0);
  std::vector<Box> first;
  double work = 0;
  std::size_t tried = 0;
  for (; tried < kMaxCombinations && double(tried) < combos && work < kWorkBudget; ++tried) {
    std::vector<Box> boxes;
    for (std::size_t k = 0; k < words.size(); ++k) boxes.push_back(word(words[k], (*choices[k])[pick[k]]));
    const Sentence s = simple_types(boxes);
    const Reduction red = find_reduction(s.T, target);
    if (red.ok) return build(boxes, s.T, red.cups);
    if (first.empty()) first = boxes;
    const double n = double(s.T.size());
    work += n * n * n / 6 + 1;
    for (std::size_t k = words.size(); k-- > 0;) {
      if (++pick[k] < choices[k]->size()) break;
      pick[k] = 0;
    }
  }
  const std::string prefix =
      double(tried) < combos ? "(tried " + std::to_string(tried) + " of the lexicon's choices of types, the first " +
                                   "failing as follows) "
                             : "";
  throw no_reduction(first, simple_types(first), target, prefix);
}

Diagram fa(const Ty& left, const Ty& right) { return left * cups(right.l(), right); }
Diagram ba(const Ty& left, const Ty& right) { return cups(left, left.r()) * right; }
Diagram fc(const Ty& left, const Ty& middle, const Ty& right) { return left * cups(middle.l(), middle) * right.l(); }
Diagram bc(const Ty& left, const Ty& middle, const Ty& right) { return left.r() * cups(middle, middle.r()) * right; }
Diagram fx(const Ty& left, const Ty& middle, const Ty& right) {
  return (left * swap(middle.l(), right.r()) * middle) >> (swap(left, right.r()) * cups(middle.l(), middle));
}
Diagram bx(const Ty& left, const Ty& middle, const Ty& right) {
  return (middle * swap(left.l(), middle.r()) * right) >> (cups(middle, middle.r()) * swap(left.l(), right));
}

Diagram pregroup_normal_form(const Diagram& d) {
  std::size_t n_words = 0;
  std::size_t width = 0;
  for (const Layer& l : d.layers()) {
    if (l.box.kind() != BoxKind::Word) break;
    if (l.offset != width) return d.normal_form();  // words must be tensored left to right
    width += l.box.cod().size();
    ++n_words;
  }
  const Diagram words = d.slice(0, n_words), wires = d.slice(n_words, d.size());
  for (const Layer& l : wires.layers())
    if (l.box.kind() != BoxKind::Cup && l.box.kind() != BoxKind::Cap && l.box.kind() != BoxKind::Swap)
      return d.normal_form();
  if (words.cod().empty()) return d.normal_form();
  return words.normal_form() >> wires.normal_form();
}

Diagram remove_cups(const Diagram& d) {
  if (!d.dom().empty()) return d;
  // the states on top, left to right
  std::size_t n_states = 0, width = 0;
  for (const Layer& l : d.layers()) {
    if (!l.box.dom().empty()) break;
    if (l.offset != width) return d;
    width += l.box.cod().size();
    ++n_states;
  }
  if (n_states == 0) return d;
  // wire ids 0 … width − 1 by owner; the cups as pairs of ids, in order
  std::vector<std::size_t> owner;
  std::vector<Ob> type;
  for (std::size_t k = 0; k < n_states; ++k)
    for (const Ob& x : d.layers()[k].box.cod()) {
      owner.push_back(k);
      type.push_back(x);
    }
  std::vector<std::pair<std::size_t, std::size_t>> cups;
  std::vector<std::size_t> live(width);
  std::iota(live.begin(), live.end(), std::size_t(0));
  for (std::size_t k = n_states; k < d.size(); ++k) {
    const Layer& l = d.layers()[k];
    if (l.box.kind() != BoxKind::Cup) return d;
    cups.emplace_back(live[l.offset], live[l.offset + 1]);
    live.erase(live.begin() + std::ptrdiff_t(l.offset), live.begin() + std::ptrdiff_t(l.offset + 2));
  }
  std::vector<std::size_t> partner(width, width);
  for (const auto& [a, b] : cups) partner[a] = b, partner[b] = a;
  // groups: a state diagram and its open wires (ids, in order)
  struct Group {
    Diagram diagram;
    std::vector<std::size_t> open;
    bool absorbed = false;
  };
  std::vector<Group> groups;
  for (std::size_t k = 0; k < n_states; ++k) {
    Group g{Diagram(d.layers()[k].box), {}, false};
    for (std::size_t w = 0; w < width; ++w)
      if (owner[w] == k) g.open.push_back(w);
    groups.push_back(std::move(g));
  }
  std::vector<std::size_t> group_of(owner);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t a = 0; a < groups.size() && !changed; ++a) {
      Group& ga = groups[a];
      if (ga.absorbed || ga.open.empty()) continue;
      // every open wire of a cupped to one other group b, in nested order
      const std::size_t first = partner[ga.open.front()];
      if (first == width) continue;
      const std::size_t b = group_of[first];
      if (b == a) continue;
      Group& gb = groups[b];
      std::vector<std::size_t> partners;
      bool ok = true;
      for (std::size_t w : ga.open) {
        if (partner[w] == width || group_of[partner[w]] != b) ok = false;
        else partners.push_back(partner[w]);
      }
      if (!ok) continue;
      // the partners, reversed, must be consecutive open wires of b
      std::reverse(partners.begin(), partners.end());
      auto at = std::find(gb.open.begin(), gb.open.end(), partners.front());
      if (std::size_t(gb.open.end() - at) < partners.size() || !std::equal(partners.begin(), partners.end(), at)) continue;
      const bool a_left = ga.open.front() < gb.open.front();
      const std::size_t pos = std::size_t(at - gb.open.begin());
      const Diagram effect = a_left ? ga.diagram.r() : ga.diagram.l();
      const Ty cod = gb.diagram.cod();
      gb.diagram = gb.diagram >> (Diagram::id(cod.slice(0, pos)) * effect *
                                  Diagram::id(cod.slice(pos + partners.size(), cod.size())));
      gb.open.erase(at, at + std::ptrdiff_t(partners.size()));
      for (std::size_t w : ga.open) partner[w] = width;
      for (std::size_t w : partners) partner[w] = width;
      ga.open.clear();
      ga.absorbed = true;
      changed = true;
    }
  }
  // the remaining groups side by side (each one's open wires are consecutive), then the remaining cups
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < groups.size(); ++k)
    if (!groups[k].absorbed) order.push_back(k);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const std::size_t fx = groups[x].open.empty() ? 0 : groups[x].open.front() + 1;
    const std::size_t fy = groups[y].open.empty() ? 0 : groups[y].open.front() + 1;
    return fx < fy;
  });
  Diagram out;
  live.clear();
  for (std::size_t k : order) {
    out = out * groups[k].diagram;
    live.insert(live.end(), groups[k].open.begin(), groups[k].open.end());
  }
  for (const auto& [a, b] : cups) {
    if (partner[a] != b) continue;  // bent away
    const auto it = std::find(live.begin(), live.end(), a);
    const std::size_t off = std::size_t(it - live.begin());
    const Ty& wires = out.cod();
    out = out >> (Diagram::id(wires.slice(0, off)) * cup(type[a], type[b]) * Diagram::id(wires.slice(off + 2, wires.size())));
    live.erase(it, it + 2);
  }
  return out;
}

}  // namespace factorkit::category
