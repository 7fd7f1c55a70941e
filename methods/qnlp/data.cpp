// QNLP datasets: reading the labelled line format, and generating MC/RP tasks.
#include "data.h"

#include <algorithm>
#include <cctype>

#include "factorkit/core/error.h"
#include "factorkit/core/source.h"
#include "factorkit/core/utf8.h"

namespace factorkit::qnlp {

std::vector<Example> parse_labelled(std::string_view text, const std::string& where) {
  if (const std::size_t bad = detail::utf8_invalid_at(text); bad != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + std::ptrdiff_t(bad), '\n');
    throw MalformedFile(where, "line " + std::to_string(line), "UTF-8 text", "BadDataset");
  }
  std::vector<Example> out;
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    if (line.empty()) continue;
    const std::string field = "line " + std::to_string(line_no);
    if ((line[0] != '0' && line[0] != '1') || line.size() < 2 || !std::isspace(static_cast<unsigned char>(line[1])))
      throw MalformedFile(where, field, "a label 0 or 1, white space, then the sentence", "BadDataset");
    std::string_view rest = line.substr(2);
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
    if (rest.empty()) throw MalformedFile(where, field, "a sentence after the label", "BadDataset");
    for (char c : rest)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
        throw MalformedFile(where, field, "printable text (found the byte " + printable(c) + ")", "BadDataset");
    out.push_back({line[0] - '0', std::string(rest)});
  }
  return out;
}

std::vector<Example> read_labelled(const std::string& path) {
  const std::vector<std::byte> bytes = read_file_bytes(path, std::size_t(1) << 26);
  return parse_labelled(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

std::string format_labelled(const std::vector<Example>& examples) {
  std::string s;
  for (const Example& e : examples) s += std::to_string(e.label) + " " + e.sentence + "\n";
  return s;
}

namespace {

// splitmix64: a platform-independent generator for the shuffles
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[next() % i]);
  }
};

// Balanced splits from two shuffled pools (label 1, label 0).
Task split(std::string name, std::vector<Example> ones, std::vector<Example> zeros, std::uint64_t seed, std::size_t n_train,
           std::size_t n_dev, std::size_t n_test, std::string lexicon) {
  Rng rng{seed};
  rng.shuffle(ones);
  rng.shuffle(zeros);
  const std::size_t need = n_train + n_dev + n_test;
  if ((need + 1) / 2 > ones.size() || (need + 1) / 2 > zeros.size())
    throw InvalidInput(name + " generator", "split sizes",
                       "at most " + std::to_string(2 * std::min(ones.size(), zeros.size())) + " sentences in all",
                       "TooManySentences");
  Task t;
  t.name = std::move(name);
  t.lexicon = std::move(lexicon);
  std::size_t i1 = 0, i0 = 0;
  auto take = [&](std::size_t n, std::vector<Example>& into) {
    for (std::size_t k = 0; k < n; ++k) into.push_back(k % 2 == 0 ? ones[i1++] : zeros[i0++]);
    rng.shuffle(into);
  };
  take(n_train, t.train);
  take(n_dev, t.dev);
  take(n_test, t.test);
  return t;
}

}  // namespace

Task generate_mc(std::uint64_t seed, std::size_t n_train, std::size_t n_dev, std::size_t n_test) {
  const std::vector<std::string> subjects{"man", "woman", "person"};
  struct Topic {
    int label;
    std::vector<std::string> verbs, objects;
    std::string adjective;
  };
  const std::vector<Topic> topics{{1, {"bakes", "cooks", "prepares"}, {"dinner", "meal", "sauce"}, "tasty"},
                                  {0, {"debugs", "runs", "prepares"}, {"application", "program", "software"}, "useful"}};
  std::vector<Example> ones, zeros;
  for (const Topic& t : topics)
    for (const auto& s : subjects)
      for (const auto& v : t.verbs)
        for (const auto& o : t.objects) {
          auto& pool = t.label ? ones : zeros;
          pool.push_back({t.label, s + " " + v + " " + o + " ."});
          pool.push_back({t.label, s + " " + v + " " + t.adjective + " " + o + " ."});
          pool.push_back({t.label, "skillful " + s + " " + v + " " + o + " ."});
        }
  const std::string lexicon =
      "# meaning classification (food vs IT), generated by factorkit\n"
      "man: n\nwoman: n\nperson: n\n"
      "dinner: n\nmeal: n\nsauce: n\napplication: n\nprogram: n\nsoftware: n\n"
      "bakes: n.r s n.l\ncooks: n.r s n.l\nprepares: n.r s n.l\ndebugs: n.r s n.l\nruns: n.r s n.l\n"
      "tasty: n n.l\nuseful: n n.l\nskillful: n n.l\n";
  return split("mc", std::move(ones), std::move(zeros), seed, n_train, n_dev, n_test, lexicon);
}

Task generate_rp(std::uint64_t seed, std::size_t n_train, std::size_t n_dev, std::size_t n_test) {
  const std::vector<std::string> heads{"organization", "person", "device", "building", "scientist", "vehicle"};
  const std::vector<std::string> nouns{"church", "team", "company", "soldier", "child", "program", "road", "song"};
  const std::vector<std::string> verbs{"establish", "join", "sell", "serve", "support", "use", "build", "play"};
  std::vector<Example> ones, zeros;
  for (const auto& h : heads)
    for (const auto& n : nouns)
      for (const auto& v : verbs) {
        ones.push_back({1, h + " that " + n + " " + v + " ."});   // object relative
        zeros.push_back({0, h + " that " + v + " " + n + " ."});  // subject relative
      }
  std::string lexicon =
      "# relative pronouns (object vs subject relative), generated by factorkit\n"
      "that: n.r n s.l n | n.r n n.l.l s.l\n";
  for (const auto& w : heads) lexicon += w + ": n\n";
  for (const auto& w : nouns) lexicon += w + ": n\n";
  for (const auto& w : verbs) lexicon += w + ": n.r s n.l\n";
  return split("rp", std::move(ones), std::move(zeros), seed, n_train, n_dev, n_test, lexicon);
}

}  // namespace factorkit::qnlp
