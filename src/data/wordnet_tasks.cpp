// WordNet tasks: supersense classification, sense linking, a text corpus.
#include "factorkit/data/wordnet_tasks.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <functional>
#include <random>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"

namespace factorkit::data {

namespace {

void check_fractions(double a, double b, const char* where) {
  if (!(a >= 0) || !(b >= 0) || !(a + b < 1))
    throw InvalidInput(where, "split fractions", "non-negative, summing to less than 1", "BadOption");
}

// the first ⌈n·test⌉ to test, the next ⌈n·dev⌉ to dev, the rest to train
// (nothing held out of a group smaller than 3)
void deal(std::vector<std::size_t> items, double dev, double test, std::mt19937_64& rng, Split& out,
          const std::function<void(std::size_t, std::vector<std::size_t>&)>& put) {
  shuffle(items, rng);
  const std::size_t n = items.size();
  const std::size_t nt = n < 3 ? 0 : std::size_t(std::ceil(double(n) * test));
  const std::size_t nd = n < 3 ? 0 : std::size_t(std::ceil(double(n) * dev));
  for (std::size_t i = 0; i < n; ++i) put(items[i], i < nt ? out.test : i < nt + nd ? out.dev : out.train);
}

std::string spaced(const std::string& lemma) {
  std::string s = lemma;
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '\'' || c == '-'; }

// the first occurrence of `needle` in `hay` on word boundaries, case-insensitive
std::size_t find_word(const std::string& hay_lower, const std::string& needle_lower) {
  for (std::size_t p = hay_lower.find(needle_lower); p != std::string::npos; p = hay_lower.find(needle_lower, p + 1)) {
    const bool left = p == 0 || !word_char(hay_lower[p - 1]);
    const std::size_t e = p + needle_lower.size();
    const bool right = e == hay_lower.size() || !word_char(hay_lower[e]);
    if (left && right) return p;
  }
  return std::string::npos;
}

template <class F>
void each_synset(const WordNet& w, F&& f) {
  for (const auto* v : {&w.nouns, &w.verbs, &w.adjectives, &w.adverbs})
    for (const Synset& s : *v) f(s);
}

}  // namespace

SupersenseTask supersense_task(const WordNet& w, std::uint64_t seed, double dev, double test) {
  check_fractions(dev, test, "supersense task");
  SupersenseTask t;
  std::map<int, int> label_of;  // lex_filenum → class index
  for (int f = 0; f < 45; ++f) {
    const std::string name = lexicographer_file(f);
    if (name.rfind("noun.", 0) == 0 || name.rfind("verb.", 0) == 0) {
      label_of[f] = int(t.classes.size());
      t.classes.push_back(name);
    }
  }
  for (const auto* v : {&w.nouns, &w.verbs})
    for (const Synset& s : *v) {
      const auto it = label_of.find(s.lex_filenum);
      if (it == label_of.end())
        throw InvalidInput("supersense task", "synset " + std::to_string(s.offset), "a noun.* or verb.* lexicographer file",
                           "BadWordNet");
      t.examples.push_back({s.definition, it->second, s.offset, s.ss_type});
    }
  std::vector<std::vector<std::size_t>> by_class(t.classes.size());
  for (std::size_t i = 0; i < t.examples.size(); ++i) by_class[std::size_t(t.examples[i].label)].push_back(i);
  std::mt19937_64 rng(seed);
  for (auto& items : by_class)
    deal(items, dev, test, rng, t.split, [](std::size_t i, std::vector<std::size_t>& to) { to.push_back(i); });
  for (auto* part : {&t.split.train, &t.split.dev, &t.split.test}) std::sort(part->begin(), part->end());
  return t;
}

SenseLinkingTask sense_linking_task(const WordNet& w, std::uint64_t seed, double dev, double test) {
  check_fractions(dev, test, "sense linking task");
  SenseLinkingTask t;
  std::vector<std::vector<std::size_t>> examples_of;  // per entity
  each_synset(w, [&](const Synset& s) {
    t.entities.push_back({s.offset, s.ss_type, spaced(s.lemmas.front()), s.definition});
    examples_of.emplace_back();
    for (const std::string& sentence : s.examples) {
      const std::string hay = lower(sentence);
      std::size_t at = std::string::npos, len = 0;
      for (const std::string& l : s.lemmas) {
        const std::size_t p = find_word(hay, lower(spaced(l)));
        if (p != std::string::npos && (at == std::string::npos || p < at)) at = p, len = l.size();
      }
      if (at == std::string::npos) {
        ++t.examples_without_mention;
        continue;
      }
      examples_of.back().push_back(t.examples.size());
      t.examples.push_back({sentence, sentence.substr(at, len), at, t.entities.size() - 1});
    }
  });
  std::vector<std::size_t> with_examples;
  for (std::size_t e = 0; e < t.entities.size(); ++e)
    if (!examples_of[e].empty()) with_examples.push_back(e);
  std::mt19937_64 rng(seed);
  deal(with_examples, dev, test, rng, t.split, [&](std::size_t e, std::vector<std::size_t>& to) {
    to.insert(to.end(), examples_of[e].begin(), examples_of[e].end());
  });
  for (auto* part : {&t.split.train, &t.split.dev, &t.split.test}) std::sort(part->begin(), part->end());
  return t;
}

TextCorpus text_corpus(const WordNet& w, std::uint64_t seed, double valid, double test) {
  check_fractions(valid, test, "text corpus");
  std::vector<const Synset*> all;
  each_synset(w, [&](const Synset& s) { all.push_back(&s); });
  std::vector<std::size_t> idx(all.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  Split split;
  std::mt19937_64 rng(seed);
  deal(idx, valid, test, rng, split, [](std::size_t i, std::vector<std::size_t>& to) { to.push_back(i); });
  TextCorpus c;
  auto lines = [&](std::vector<std::size_t> part, std::vector<std::string>& out) {
    std::sort(part.begin(), part.end());
    for (std::size_t i : part) {
      if (!all[i]->definition.empty()) out.push_back(all[i]->definition);
      for (const std::string& e : all[i]->examples) out.push_back(e);
    }
  };
  lines(split.train, c.train);
  lines(split.dev, c.valid);
  lines(split.test, c.test);
  return c;
}

}  // namespace factorkit::data
