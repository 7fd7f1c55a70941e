#include "graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>

#include "factorkit/core/error.h"

namespace factorkit::sem {

namespace {

struct Tok {
  enum Kind { Name, To, From, Bi, Tilde, Tilde2, Plus, End } kind;
  std::string text;
  int line, col;
};

const char* kind_text(Tok::Kind k) {
  switch (k) {
    case Tok::Name: return "a name";
    case Tok::To: return "'->'";
    case Tok::From: return "'<-'";
    case Tok::Bi: return "'<->'";
    case Tok::Tilde: return "'~'";
    case Tok::Tilde2: return "'~~'";
    case Tok::Plus: return "'+'";
    case Tok::End: return "the end of the statement";
  }
  return "?";
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

bool is_integer(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
// numeric order of integer names of any length (no leading zeros: refused)
bool numeric_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view where) : s_(text), where_(where) {}

  MixedGraph run() {
    if (s_.size() > (1u << 24)) fail(1, 1, "the graph text is longer than 16 MiB", "a shorter graph");
    std::vector<Tok> stmt;
    for (;;) {
      Tok t = next();
      if (t.kind == Tok::End) {
        statement(stmt, t);
        stmt.clear();
        if (pos_ >= s_.size()) break;
        continue;
      }
      stmt.push_back(std::move(t));
    }
    return finish();
  }

 private:
  [[noreturn]] void fail(int line, int col, const std::string& what, const std::string& expected) const {
    throw InvalidInput(std::string(where_), fmt::format("line {}, column {}: {}", line, col, what), expected,
                       "GraphSyntax");
  }

  // The next token; End at ';', a new line, a comment's end or the text's end.
  Tok next() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r')) advance();
    const int line = line_, col = col_;
    if (pos_ >= s_.size()) return {Tok::End, "", line, col};
    const char c = s_[pos_];
    if (c == '#') {
      while (pos_ < s_.size() && s_[pos_] != '\n') advance();
      return next();
    }
    if (c == ';' || c == '\n') {
      advance();
      return {Tok::End, "", line, col};
    }
    auto starts = [&](std::string_view p) { return s_.substr(pos_, p.size()) == p; };
    auto take = [&](Tok::Kind k, size_t n) {
      Tok t{k, std::string(s_.substr(pos_, n)), line, col};
      for (size_t i = 0; i < n; ++i) advance();
      return t;
    };
    if (starts("<->")) return take(Tok::Bi, 3);
    if (starts("->")) return take(Tok::To, 2);
    if (starts("<-")) return take(Tok::From, 2);
    if (starts("~~")) return take(Tok::Tilde2, 2);
    if (c == '~') return take(Tok::Tilde, 1);
    if (c == '+') return take(Tok::Plus, 1);
    if (name_char(c)) {
      size_t n = 0;
      while (pos_ + n < s_.size() && name_char(s_[pos_ + n])) ++n;
      if (n > 256) fail(line, col, "a name longer than 256 characters", "a shorter name");
      return take(Tok::Name, n);
    }
    fail(line, col, fmt::format("unexpected '{}'", printable(c)),
         "a name, an edge (-> <- <->), a lavaan formula (~ ~~ +), ';' or a new line");
  }

  void advance() {
    if (s_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }

  int vertex(const Tok& t) {
    auto it = ids_.find(t.text);
    if (it != ids_.end()) return it->second;
    if (t.text.size() > 1 && t.text[0] == '0' && is_integer(t.text))
      fail(t.line, t.col, fmt::format("the vertex name '{}' has a leading zero", t.text),
           fmt::format("'{}' (01 and 1 would be two different vertices)", t.text.substr(t.text.find_first_not_of('0') == std::string::npos ? t.text.size() - 1 : t.text.find_first_not_of('0'))));
    if (ids_.size() >= 10000) fail(t.line, t.col, "more than 10000 vertices", "at most 10000 vertices");
    const int id = static_cast<int>(order_.size());
    ids_.emplace(t.text, id);
    order_.push_back(t.text);
    return id;
  }

  void expect(const Tok& t, Tok::Kind k, const char* context) const {
    if (t.kind != k)
      fail(t.line, t.col, fmt::format("{} where {} was expected{}", t.kind == Tok::End ? "the statement ends" : "'" + t.text + "'",
                                      kind_text(k), context),
           fmt::format("{}{}", kind_text(k), context));
  }

  void add(bool directed, int a, int b, const Tok& at) {
    if (a == b)
      fail(at.line, at.col,
           directed ? fmt::format("a self-loop {} -> {}", order_[a], order_[a])
                    : fmt::format("a bidirected self-loop {} <-> {} (every error variance is in the model already)",
                                  order_[a], order_[a]),
           "edges between two different vertices");
    std::pair<int, int> e = directed ? std::pair{a, b} : std::pair{std::min(a, b), std::max(a, b)};
    auto& seen = directed ? directed_ : bidirected_;
    auto it = seen.find(e);
    if (it != seen.end())
      fail(at.line, at.col,
           fmt::format("duplicate edge {} {} {} (first at line {}, column {})", order_[a], directed ? "->" : "<->",
                       order_[b], it->second.first, it->second.second),
           "each edge once");
    seen.emplace(e, std::pair{at.line, at.col});
  }

  void statement(const std::vector<Tok>& t, const Tok& end) {
    if (t.empty()) return;
    auto at = [&](size_t i) -> const Tok& { return i < t.size() ? t[i] : end; };
    const bool lavaan = std::any_of(t.begin(), t.end(), [](const Tok& k) { return k.kind == Tok::Tilde || k.kind == Tok::Tilde2; });
    if (lavaan) {
      expect(at(0), Tok::Name, " before '~' or '~~'");
      const Tok& op = at(1);
      if (op.kind != Tok::Tilde && op.kind != Tok::Tilde2)
        fail(op.line, op.col, fmt::format("'{}' where '~' or '~~' was expected", op.text),
             "a lavaan formula: y ~ x1 + x2 or x ~~ y");
      const int lhs = vertex(t[0]);
      size_t i = 2;
      for (;;) {
        expect(at(i), Tok::Name, op.kind == Tok::Tilde ? " (a regressor)" : "");
        const int rhs = vertex(t[i]);
        if (op.kind == Tok::Tilde)
          add(true, rhs, lhs, op);
        else if (rhs != lhs)
          add(false, lhs, rhs, op);
        ++i;
        if (i == t.size()) break;
        expect(at(i), Tok::Plus, " between regressors");
        ++i;
      }
      return;
    }
    expect(at(0), Tok::Name, " to start the statement");
    int prev = vertex(t[0]);
    size_t i = 1;
    while (i < t.size()) {
      const Tok& op = t[i];
      if (op.kind != Tok::To && op.kind != Tok::From && op.kind != Tok::Bi)
        fail(op.line, op.col, fmt::format("'{}' where an edge was expected", op.text), "'->', '<-' or '<->'");
      expect(at(i + 1), Tok::Name, " after the edge");
      const int cur = vertex(t[i + 1]);
      if (op.kind == Tok::To)
        add(true, prev, cur, op);
      else if (op.kind == Tok::From)
        add(true, cur, prev, op);
      else
        add(false, prev, cur, op);
      prev = cur;
      i += 2;
    }
  }

  MixedGraph finish() {
    const int n = static_cast<int>(order_.size());
    std::vector<int> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    if (std::all_of(order_.begin(), order_.end(), is_integer))
      std::stable_sort(perm.begin(), perm.end(), [&](int a, int b) {
        return numeric_less(order_[static_cast<size_t>(a)], order_[static_cast<size_t>(b)]);
      });
    std::vector<int> where(static_cast<size_t>(n));
    MixedGraph g;
    for (int k = 0; k < n; ++k) {
      where[static_cast<size_t>(perm[static_cast<size_t>(k)])] = k;
      g.names.push_back(order_[static_cast<size_t>(perm[static_cast<size_t>(k)])]);
    }
    for (const auto& [e, pos] : directed_) g.directed.push_back({where[static_cast<size_t>(e.first)], where[static_cast<size_t>(e.second)]});
    for (const auto& [e, pos] : bidirected_) {
      const int a = where[static_cast<size_t>(e.first)], b = where[static_cast<size_t>(e.second)];
      g.bidirected.push_back({std::min(a, b), std::max(a, b)});
    }
    std::sort(g.directed.begin(), g.directed.end());
    std::sort(g.bidirected.begin(), g.bidirected.end());
    return g;
  }

  std::string_view s_, where_;
  size_t pos_ = 0;
  int line_ = 1, col_ = 1;
  std::map<std::string, int, std::less<>> ids_;
  std::vector<std::string> order_;
  std::map<std::pair<int, int>, std::pair<int, int>> directed_, bidirected_;  // edge -> (line, column)
};

}  // namespace

MixedGraph parse_graph(std::string_view text, std::string_view where) { return Parser(text, where).run(); }

bool MixedGraph::has_directed(int i, int j) const {
  return std::binary_search(directed.begin(), directed.end(), std::pair{i, j});
}
bool MixedGraph::has_bidirected(int i, int j) const {
  return std::binary_search(bidirected.begin(), bidirected.end(), std::pair{std::min(i, j), std::max(i, j)});
}

bool MixedGraph::is_acyclic() const {
  // Kahn's algorithm
  const int n = size();
  std::vector<int> indeg(static_cast<size_t>(n), 0);
  std::vector<std::vector<int>> out(static_cast<size_t>(n));
  for (const auto& [i, j] : directed) {
    out[static_cast<size_t>(i)].push_back(j);
    ++indeg[static_cast<size_t>(j)];
  }
  std::vector<int> ready;
  for (int v = 0; v < n; ++v)
    if (indeg[static_cast<size_t>(v)] == 0) ready.push_back(v);
  int seen = 0;
  while (!ready.empty()) {
    const int v = ready.back();
    ready.pop_back();
    ++seen;
    for (int w : out[static_cast<size_t>(v)])
      if (--indeg[static_cast<size_t>(w)] == 0) ready.push_back(w);
  }
  return seen == n;
}

bool MixedGraph::is_simple() const {
  std::map<std::pair<int, int>, int> edges;
  for (const auto& [i, j] : directed) ++edges[{std::min(i, j), std::max(i, j)}];
  for (const auto& e : bidirected) ++edges[e];
  return std::all_of(edges.begin(), edges.end(), [](const auto& kv) { return kv.second == 1; });
}

bool MixedGraph::short_names() const {
  return std::all_of(names.begin(), names.end(), [](const std::string& s) { return s.size() == 1; });
}

int MixedGraph::index(std::string_view name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

std::string MixedGraph::str() const {
  std::vector<std::string> parts;
  // names that are not all integers are numbered by first appearance: list the
  // vertices first so that the text parses back to the same numbering
  if (!std::all_of(names.begin(), names.end(), is_integer))
    for (const std::string& v : names) parts.push_back(v);
  for (const auto& [i, j] : directed) parts.push_back(names[static_cast<size_t>(i)] + " -> " + names[static_cast<size_t>(j)]);
  for (const auto& [i, j] : bidirected) parts.push_back(names[static_cast<size_t>(i)] + " <-> " + names[static_cast<size_t>(j)]);
  if (std::all_of(names.begin(), names.end(), is_integer)) {
    std::vector<bool> used(names.size(), false);
    for (const auto& [i, j] : directed) used[static_cast<size_t>(i)] = used[static_cast<size_t>(j)] = true;
    for (const auto& [i, j] : bidirected) used[static_cast<size_t>(i)] = used[static_cast<size_t>(j)] = true;
    for (size_t v = 0; v < names.size(); ++v)
      if (!used[v]) parts.push_back(names[v]);
  }
  std::string s;
  for (size_t k = 0; k < parts.size(); ++k) s += (k ? "; " : "") + parts[k];
  return s;
}

}  // namespace factorkit::sem
