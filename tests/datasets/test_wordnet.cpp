// The WordNet 3.0 reader: Debian's wordnet-base read whole (synset counts per
// part of speech, offsets, lexicographer files, glosses and examples), and
// malformed lines refused naming the file, the line and the field.
#include <gtest/gtest.h>

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
