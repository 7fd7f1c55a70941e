// factorkit/data/wordnet_tasks.h — three tasks built from WordNet 3.0, with
// fixed, seeded, documented splits (docs/formats.md, "WordNet tasks"):
//
//   supersense     a gloss → its lexicographer category (noun.* and verb.*,
//                  41 classes); split stratified by class
//   sense linking  an example sentence that mentions one of the synset's
//                  lemmas → that synset, among all synsets (mention in context →
//                  entity description, the shape of zero-shot entity linking);
//                  split by synset, so test senses are never seen in training
//   text           glosses and examples as a language-modelling corpus; split
//                  by synset
//
// Splits draw from std::mt19937_64 through a platform-independent shuffle, so
// a seed gives the same split everywhere. No LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "factorkit/data/wordnet.h"

namespace factorkit::data {

struct Split {
  std::vector<std::size_t> train, dev, test;  // indices into the task's items
};

struct SupersenseExample {
  std::string text;      // the definition (the gloss without its examples)
  int label = 0;         // index into SupersenseTask::classes
  std::uint32_t offset;  // the synset
  char pos;              // n or v
};
struct SupersenseTask {
  std::vector<std::string> classes;  // "noun.Tops" … "verb.weather", 41
  std::vector<SupersenseExample> examples;
  Split split;
};
// `dev` and `test` are fractions of each class (at least one item each when the
// class has three or more).
SupersenseTask supersense_task(const WordNet& w, std::uint64_t seed = 0, double dev = 0.1, double test = 0.1);

struct Entity {
  std::uint32_t offset;
  char pos;
  std::string name;         // the first lemma, underscores as spaces
  std::string description;  // the definition
};
struct LinkingExample {
  std::string context;      // the example sentence
  std::string mention;      // the lemma as it appears in the sentence
  std::size_t begin = 0;    // its byte position in the sentence
  std::size_t entity = 0;   // index into SenseLinkingTask::entities
};
struct SenseLinkingTask {
  std::vector<Entity> entities;          // every synset of the four parts of speech
  std::vector<LinkingExample> examples;  // examples whose sentence contains a lemma of their synset
  Split split;                           // of examples, by their entity
  std::size_t examples_without_mention = 0;  // quoted examples with no lemma found (left out)
};
// Entities are split into train/dev/test (by `dev`, `test` fractions of the
// synsets that have examples); each example goes where its entity went.
SenseLinkingTask sense_linking_task(const WordNet& w, std::uint64_t seed = 0, double dev = 0.1, double test = 0.1);

struct TextCorpus {
  std::vector<std::string> train, valid, test;  // one line per gloss definition or example
};
TextCorpus text_corpus(const WordNet& w, std::uint64_t seed = 0, double valid = 0.05, double test = 0.05);

}  // namespace factorkit::data
