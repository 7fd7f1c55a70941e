// The WordNet 3.0 reader: Debian's wordnet-base read whole (synset counts per
// part of speech, offsets, lexicographer files, glosses and examples), and
// malformed lines refused naming the file, the line and the field.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "factorkit/core/error.h"
#include "factorkit/data/wordnet.h"

namespace fd = factorkit::data;

namespace {

const fd::WordNet& wordnet() {
  static const fd::WordNet w = fd::read_wordnet();
  return w;
}

const fd::Synset* find(const std::vector<fd::Synset>& v, std::uint32_t offset) {
  for (const auto& s : v)
    if (s.offset == offset) return &s;
  return nullptr;
}

}  // namespace

TEST(WordNet, SynsetCountsPerPartOfSpeech) {
  const fd::WordNet& w = wordnet();
  EXPECT_EQ(w.nouns.size(), 82115u);
  EXPECT_EQ(w.verbs.size(), 13767u);
  EXPECT_EQ(w.adjectives.size(), 18156u);
  EXPECT_EQ(w.adverbs.size(), 3621u);
  // every noun in a noun.* file, every verb in a verb.* file; 26 + 15 = 41 such files
  std::set<int> noun_files, verb_files;
  std::size_t wrong_type = 0;
  for (const auto& s : w.nouns) noun_files.insert(s.lex_filenum), wrong_type += s.ss_type != 'n';
  for (const auto& s : w.verbs) verb_files.insert(s.lex_filenum), wrong_type += s.ss_type != 'v';
  EXPECT_EQ(wrong_type, 0u);
  EXPECT_EQ(noun_files.size(), 26u);
  EXPECT_EQ(verb_files.size(), 15u);
  for (int f : noun_files) EXPECT_EQ(fd::lexicographer_file(f).rfind("noun.", 0), 0u) << f;
  for (int f : verb_files) EXPECT_EQ(fd::lexicographer_file(f).rfind("verb.", 0), 0u) << f;
  std::size_t satellites = 0;
  for (const auto& s : w.adjectives) satellites += s.ss_type == 's';
  EXPECT_GT(satellites, 0u);
}

TEST(WordNet, KnownSynsetsWithGlossesExamplesAndFrames) {
  const fd::WordNet& w = wordnet();
  const fd::Synset* dog = find(w.nouns, 2084071);
  ASSERT_NE(dog, nullptr);
  EXPECT_EQ(dog->lemmas, (std::vector<std::string>{"dog", "domestic_dog", "Canis_familiaris"}));
  EXPECT_EQ(fd::lexicographer_file(dog->lex_filenum), "noun.animal");
  EXPECT_EQ(dog->pointers.size(), 23u);
  EXPECT_EQ(dog->pointers[0].symbol, "@");
  EXPECT_EQ(dog->pointers[0].offset, 2083346u);
  EXPECT_EQ(dog->definition.rfind("a member of the genus Canis", 0), 0u) << dog->definition;
  ASSERT_EQ(dog->examples.size(), 1u);
  EXPECT_EQ(dog->examples[0], "the dog barked all night");
  const fd::Synset* breathe = find(w.verbs, 1740);
  ASSERT_NE(breathe, nullptr);
  EXPECT_EQ(breathe->lemmas.size(), 4u);
  EXPECT_EQ(breathe->lex_ids[3], 3);
  EXPECT_EQ(fd::lexicographer_file(breathe->lex_filenum), "verb.body");
  EXPECT_FALSE(breathe->frames.empty());
  // adjective markers are removed from the lemma
  bool marker_left = false;
  for (const auto& s : w.adjectives)
    for (const auto& l : s.lemmas) marker_left = marker_left || l.find('(') != std::string::npos;
  EXPECT_FALSE(marker_left);
}

TEST(WordNet, MalformedLinesNameTheFileLineAndField) {
  const std::string good = "00000000 05 n 01 dog 0 001 @ 00000042 n 0000 | a canine; \"the dog barked\"";
  const fd::Synset s = fd::parse_data_line(good, 0, "data.test", 1);
  EXPECT_EQ(s.lemmas, std::vector<std::string>{"dog"});
  EXPECT_EQ(s.definition, "a canine");
  EXPECT_EQ(s.examples, std::vector<std::string>{"the dog barked"});
  auto refused = [](const std::string& line, const std::string& field, std::uint64_t offset = 0) {
    try {
      fd::parse_data_line(line, offset, "data.test", 7);
      ADD_FAILURE() << "accepted: " << line;
    } catch (const factorkit::MalformedFile& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("data.test"), std::string::npos) << m;
      EXPECT_NE(m.find("line 7"), std::string::npos) << m;
      EXPECT_NE(m.find(field), std::string::npos) << m;
    }
  };
  refused("00000000 05 n 01 dog 0 000 a canine", "gloss");
  refused("00000012 05 n 01 dog 0 000 | a canine", "synset_offset");           // not the line's offset
  refused("0000000x 05 n 01 dog 0 000 | a canine", "synset_offset");
  refused(" 00000000 05 n 01 dog 0 000 | a canine", "synset_offset");  // found by fuzz_wordnet
  refused("00000000 45 n 01 dog 0 000 | a canine", "lex_filenum");
  refused("00000000 05 q 01 dog 0 000 | a canine", "ss_type");
  refused("00000000 05 n 00 000 | a canine", "w_cnt");
  refused("00000000 05 n 02 dog 0 000 | a canine", "lex_id of word 2");        // a word missing
  refused("00000000 05 n 01 dog g 000 | a canine", "lex_id");
  refused("00000000 05 n 01 dog 0 002 @ 00000042 n 0000 | a canine", "pointer 2");
  refused("00000000 05 n 01 dog 0 001 @ 00000042 x 0000 | a canine", "pointer 1 pos");
  refused("00000000 05 n 01 dog 0 001 @ 00000042 n 0500 | a canine", "source word");
  refused("00000000 29 v 01 run 0 000 01 - 01 00 | move fast", "frame 1");
  refused("00000000 29 v 01 run 0 000 01 + 99 00 | move fast", "f_num");
  refused("00000000 05 n 01 dog 0 000 extra | a canine", "after the pointers");
  // a whole file: licence lines skipped, offsets checked line by line
  const std::string text = "  licence line\n  another\n" + std::string("00000025 05 n 01 dog 0 000 | a canine\n");
  const auto all = fd::read_data_text(text, "data.test");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].offset, 25u);
  EXPECT_THROW(fd::read_data_text("00000001 05 n 01 dog 0 000 | x\n", "data.test"), factorkit::MalformedFile);
  EXPECT_THROW(fd::lexicographer_file(45), factorkit::InvalidInput);
}

#include "factorkit/data/wordnet_tasks.h"

namespace {

template <class T>
bool disjoint_and_complete(const fd::Split& s, std::size_t n) {
  std::vector<int> seen(n, 0);
  for (const auto* part : {&s.train, &s.dev, &s.test})
    for (std::size_t i : *part) {
      if (i >= n) return false;
      ++seen[i];
    }
  return std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; });
}

}  // namespace

TEST(WordNetTasks, SupersenseIsStratifiedDeterministicAndDisjoint) {
  const auto t = fd::supersense_task(wordnet(), 0);
  EXPECT_EQ(t.classes.size(), 41u);
  EXPECT_EQ(t.examples.size(), 82115u + 13767u);
  EXPECT_TRUE(disjoint_and_complete<void>(t.split, t.examples.size()));
  // every class in every part (the smallest classes have a few dozen synsets)
  for (const auto* part : {&t.split.train, &t.split.dev, &t.split.test}) {
    std::set<int> labels;
    for (std::size_t i : *part) labels.insert(t.examples[i].label);
    EXPECT_EQ(labels.size(), 41u);
  }
  EXPECT_NEAR(double(t.split.test.size()) / double(t.examples.size()), 0.1, 0.01);
  const auto again = fd::supersense_task(wordnet(), 0), other = fd::supersense_task(wordnet(), 1);
  EXPECT_EQ(again.split.test, t.split.test);
  EXPECT_NE(other.split.test, t.split.test);
  EXPECT_THROW(fd::supersense_task(wordnet(), 0, 0.6, 0.5), factorkit::InvalidInput);
}

TEST(WordNetTasks, SenseLinkingTestSensesAreUnseenInTraining) {
  const auto t = fd::sense_linking_task(wordnet(), 0);
  EXPECT_EQ(t.entities.size(), 82115u + 13767u + 18156u + 3621u);
  EXPECT_GT(t.examples.size(), 30000u);
  EXPECT_TRUE(disjoint_and_complete<void>(t.split, t.examples.size()));
  std::set<std::size_t> train_entities;
  for (std::size_t i : t.split.train) train_entities.insert(t.examples[i].entity);
  for (std::size_t i : t.split.test) EXPECT_EQ(train_entities.count(t.examples[i].entity), 0u);
  // the mention is where it says, a lemma of the linked synset
  for (std::size_t i = 0; i < t.examples.size(); i += 997) {
    const auto& e = t.examples[i];
    EXPECT_EQ(e.context.compare(e.begin, e.mention.size(), e.mention), 0) << e.context;
  }
  EXPECT_EQ(fd::sense_linking_task(wordnet(), 0).split.test, t.split.test);
}

TEST(WordNetTasks, TextCorpusSplitsBySynset) {
  const auto c = fd::text_corpus(wordnet(), 0);
  const std::size_t total = c.train.size() + c.valid.size() + c.test.size();
  EXPECT_GT(total, 117659u);  // at least one definition per synset
  EXPECT_NEAR(double(c.test.size()) / double(total), 0.05, 0.01);
  EXPECT_EQ(fd::text_corpus(wordnet(), 0).test, c.test);
}
