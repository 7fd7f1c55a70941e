// QNLP datasets: the `<label> <sentence> .` line format of lambeq's MC and RP
// files, and generators of sentences of the same kinds with their lexicons, so
// the pipeline runs with nothing downloaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace factorkit::qnlp {

struct Example {
  int label = 0;          // 0 or 1
  std::string sentence;   // the words after the label, trimmed
};

// One example per non-empty line: an integer label 0 or 1, white space, the
// sentence (a final " ." is kept; the tokenizer drops it). UTF-8 only.
// MalformedFile (code BadDataset) naming the line otherwise.
std::vector<Example> parse_labelled(std::string_view text, const std::string& where);
std::vector<Example> read_labelled(const std::string& path);
std::string format_labelled(const std::vector<Example>& examples);

struct Task {
  std::string name;       // "mc" or "rp"
  std::vector<Example> train, dev, test;
  std::string lexicon;    // a lexicon file's text (category/pregroup.h)
};

// Meaning classification in the style of lambeq's MC task: food (1) vs IT (0);
// "noun verb noun", "noun verb adj noun", "skillful noun verb noun" over
// lambeq's 17 words. All 162 distinct sentences, shuffled with `seed`, split
// into train/dev/test with the two labels balanced in each split.
Task generate_mc(std::uint64_t seed, std::size_t train = 70, std::size_t dev = 30, std::size_t test = 30);

// Relative pronouns in the style of lambeq's RP task: object relative
// "HEAD that NOUN VERB" (1) vs subject relative "HEAD that VERB NOUN" (0), over a
// small vocabulary of our own; "that" has both pronoun types in the lexicon.
Task generate_rp(std::uint64_t seed, std::size_t train = 74, std::size_t dev = 0, std::size_t test = 31);

}  // namespace factorkit::qnlp
