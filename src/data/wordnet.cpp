// WordNet 3.0 data files.
#include "factorkit/data/wordnet.h"

#include <algorithm>
#include <charconv>

#include "factorkit/core/error.h"
#include "factorkit/core/source.h"

namespace factorkit::data {

namespace {

constexpr std::array<const char*, 45> kLexFiles = {
    "adj.all",          "adj.pert",          "adv.all",          "noun.Tops",       "noun.act",
    "noun.animal",      "noun.artifact",     "noun.attribute",   "noun.body",       "noun.cognition",
    "noun.communication", "noun.event",      "noun.feeling",     "noun.food",       "noun.group",
    "noun.location",    "noun.motive",       "noun.object",      "noun.person",     "noun.phenomenon",
    "noun.plant",       "noun.possession",   "noun.process",     "noun.quantity",   "noun.relation",
    "noun.shape",       "noun.state",        "noun.substance",   "noun.time",       "verb.body",
    "verb.change",      "verb.cognition",    "verb.communication", "verb.competition", "verb.consumption",
    "verb.contact",     "verb.creation",     "verb.emotion",     "verb.motion",     "verb.perception",
    "verb.possession",  "verb.social",       "verb.stative",     "verb.weather",    "adj.ppl"};

// Reads space-separated fields of one line, each checked as it is taken.
class Fields {
 public:
  Fields(std::string_view text, const std::string& file, std::size_t line_no)
      : text_(text), file_(file), line_("line " + std::to_string(line_no)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw MalformedFile(file_, line_ + ": " + field, expected, "BadWordNetLine");
  }
  std::string_view next(const std::string& field) {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ' ') ++pos_;
    if (start == pos_) fail(field, "present (the line ended early)");
    return text_.substr(start, pos_ - start);
  }
  // exactly `digits` digits (0: any count ≥ 1) in `base`
  std::uint64_t number(const std::string& field, int base, std::size_t digits) {
    const std::string_view t = next(field);
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
    if (ec != std::errc() || p != t.data() + t.size() || (digits != 0 && t.size() != digits) || t.size() > 12)
      fail(field + " \"" + std::string(t) + "\"", (digits ? std::to_string(digits) + " " : std::string()) +
                                                       (base == 16 ? "hexadecimal" : "decimal") + " digits");
    return v;
  }
  std::string_view rest() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    return text_.substr(pos_);
  }

 private:
  std::string_view text_;
  const std::string& file_;
  std::string line_;
  std::size_t pos_ = 0;
};

bool is_pos(char c) { return c == 'n' || c == 'v' || c == 'a' || c == 's' || c == 'r'; }

// the definition (before the first quote) and the quoted examples of a gloss
void split_gloss(Synset& s) {
  const std::string& g = s.gloss;
  const std::size_t q = g.find('"');
  std::string def = g.substr(0, q == std::string::npos ? g.size() : q);
  while (!def.empty() && (def.back() == ' ' || def.back() == ';')) def.pop_back();
  s.definition = def;
  for (std::size_t i = q; i != std::string::npos && i < g.size();) {
    const std::size_t end = g.find('"', i + 1);
    if (end == std::string::npos) break;  // an unbalanced quote: not an example
    if (end > i + 1) s.examples.push_back(g.substr(i + 1, end - i - 1));
    i = g.find('"', end + 1);
  }
}

}  // namespace

const std::array<const char*, 45>& lexicographer_files() { return kLexFiles; }

std::string lexicographer_file(int n) {
  if (n < 0 || n >= int(kLexFiles.size()))
    throw InvalidInput("lexicographer file", std::to_string(n), "a number from 0 to 44", "BadOption");
  return kLexFiles[std::size_t(n)];
}

Synset parse_data_line(std::string_view line, std::uint64_t offset, const std::string& file, std::size_t line_no) {
  Synset s;
  const std::size_t bar = line.find(" | ");
  Fields f(line.substr(0, bar == std::string_view::npos ? line.size() : bar), file, line_no);
  if (bar == std::string_view::npos) f.fail("gloss", "\" | \" followed by the gloss");
  if (!line.empty() && line[0] == ' ') f.fail("synset_offset", "at the very start of the line (no leading space)");
  s.offset = std::uint32_t(f.number("synset_offset", 10, 8));
  if (s.offset != offset)
    f.fail("synset_offset " + std::to_string(s.offset), "the line's byte offset in the file, " + std::to_string(offset));
  s.lex_filenum = int(f.number("lex_filenum", 10, 2));
  if (s.lex_filenum > 44) f.fail("lex_filenum " + std::to_string(s.lex_filenum), "00 to 44");
  const std::string_view type = f.next("ss_type");
  if (type.size() != 1 || !is_pos(type[0])) f.fail("ss_type \"" + std::string(type) + "\"", "one of n v a s r");
  s.ss_type = type[0];
  const auto words = f.number("w_cnt", 16, 2);
  if (words == 0) f.fail("w_cnt", "at least one word");
  for (std::uint64_t w = 0; w < words; ++w) {
    std::string word(f.next("word " + std::to_string(w + 1)));
    // adjectives may carry a syntactic marker: (a), (p) or (ip)
    if (s.ss_type == 'a' || s.ss_type == 's')
      for (const char* m : {"(a)", "(p)", "(ip)"}) {
        const std::string_view mv(m);
        if (word.size() > mv.size() && word.compare(word.size() - mv.size(), mv.size(), mv) == 0) {
          word.resize(word.size() - mv.size());
          break;
        }
      }
    s.lemmas.push_back(std::move(word));
    s.lex_ids.push_back(int(f.number("lex_id of word " + std::to_string(w + 1), 16, 1)));
  }
  const auto pointers = f.number("p_cnt", 10, 3);
  for (std::uint64_t p = 0; p < pointers; ++p) {
    const std::string field = "pointer " + std::to_string(p + 1);
    WordNetPointer ptr;
    ptr.symbol = std::string(f.next(field + " symbol"));
    if (ptr.symbol.size() > 2) f.fail(field + " symbol \"" + ptr.symbol + "\"", "a pointer symbol of 1 or 2 characters");
    ptr.offset = std::uint32_t(f.number(field + " synset_offset", 10, 8));
    const std::string_view pos = f.next(field + " pos");
    if (pos.size() != 1 || !is_pos(pos[0])) f.fail(field + " pos \"" + std::string(pos) + "\"", "one of n v a s r");
    ptr.pos = pos[0];
    const auto st = f.number(field + " source/target", 16, 4);
    ptr.source = std::uint8_t(st >> 8), ptr.target = std::uint8_t(st & 0xff);
    if (ptr.source > words) f.fail(field + " source word " + std::to_string(ptr.source), "0 or a word of this synset");
    s.pointers.push_back(std::move(ptr));
  }
  if (s.ss_type == 'v') {
    const auto frames = f.number("f_cnt", 10, 2);
    for (std::uint64_t k = 0; k < frames; ++k) {
      const std::string field = "frame " + std::to_string(k + 1);
      if (f.next(field) != "+") f.fail(field, "\"+ f_num w_num\"");
      const int fnum = int(f.number(field + " f_num", 10, 2));
      const int wnum = int(f.number(field + " w_num", 16, 2));
      if (fnum < 1 || fnum > 35) f.fail(field + " f_num " + std::to_string(fnum), "01 to 35");
      if (std::uint64_t(wnum) > words) f.fail(field + " w_num " + std::to_string(wnum), "0 or a word of this synset");
      s.frames.emplace_back(fnum, wnum);
    }
  }
  if (!f.rest().empty()) f.fail("after the pointers", "\" | \" and the gloss (found \"" + std::string(f.rest().substr(0, 20)) + "\")");
  s.gloss = std::string(line.substr(bar + 3));
  while (!s.gloss.empty() && (s.gloss.back() == ' ' || s.gloss.back() == '\r')) s.gloss.pop_back();
  split_gloss(s);
  return s;
}

std::vector<Synset> read_data_text(std::string_view text, const std::string& file) {
  std::vector<Synset> out;
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    const std::string_view line = text.substr(pos, end - pos);
    if (!(line.size() >= 2 && line[0] == ' ' && line[1] == ' ') && !line.empty())
      out.push_back(parse_data_line(line, pos, file, line_no));
    pos = end + 1;
  }
  return out;
}

std::vector<Synset> read_data_file(const std::string& path) {
  return read_data_text(read_file_text(path, std::size_t(1) << 28), path);
}

WordNet read_wordnet(const std::string& dir) {
  WordNet w;
  w.nouns = read_data_file(dir + "/data.noun");
  w.verbs = read_data_file(dir + "/data.verb");
  w.adjectives = read_data_file(dir + "/data.adj");
  w.adverbs = read_data_file(dir + "/data.adv");
  return w;
}

}  // namespace factorkit::data
