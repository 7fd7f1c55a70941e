// QNLP data: the labelled line format, and the MC / RP generators.
#include <gtest/gtest.h>

#include <set>

#include "data.h"
#include "factorkit/category/pregroup.h"
#include "factorkit/core/error.h"

namespace fc = factorkit::category;
using factorkit::qnlp::Example;

TEST(QnlpData, ReadsTheLabelledFormat) {
  const auto ex = factorkit::qnlp::parse_labelled("1  skillful man prepares sauce .\n\n0 person runs program .", "mc.txt");
  ASSERT_EQ(ex.size(), 2u);  // a blank line is skipped; no newline at the end is fine
  EXPECT_EQ(ex[0].label, 1);
  EXPECT_EQ(ex[0].sentence, "skillful man prepares sauce .");
  EXPECT_EQ(ex[1].label, 0);
  EXPECT_EQ(factorkit::qnlp::parse_labelled(factorkit::qnlp::format_labelled(ex), "again").size(), 2u);
  EXPECT_EQ(factorkit::qnlp::parse_labelled(factorkit::qnlp::format_labelled(ex), "again")[0].sentence, ex[0].sentence);
}

TEST(QnlpData, MalformedLinesAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1 fine .\n2 bad label .\n", "line 2"},
      {"x sentence .\n", "line 1"},
      {"1\n", "line 1"},
      {"1sentence .\n", "line 1"},
      {"0 ok\n1 \x01 control\n", "line 2"},
      {"0 ok\n0 caf\xc3 .\n", "line 2"},
  };
  for (const auto& [text, line] : cases) {
    try {
      (void)factorkit::qnlp::parse_labelled(text, "bad.txt");
      ADD_FAILURE() << "accepted " << text;
    } catch (const factorkit::MalformedFile& e) {
      EXPECT_EQ(e.where(), "bad.txt");
      EXPECT_EQ(e.field(), line) << e.what();
      EXPECT_EQ(e.code(), "BadDataset");
    }
  }
}

TEST(QnlpData, GeneratedMcIsBalancedDistinctAndParses) {
  const auto task = factorkit::qnlp::generate_mc(0);
  ASSERT_EQ(task.train.size(), 70u);
  ASSERT_EQ(task.dev.size(), 30u);
  ASSERT_EQ(task.test.size(), 30u);
  std::set<std::string> seen;
  const fc::Lexicon lex = fc::parse_lexicon(task.lexicon, "mc lexicon");
  for (const auto* split : {&task.train, &task.dev, &task.test}) {
    int ones = 0;
    for (const Example& e : *split) {
      ones += e.label;
      EXPECT_TRUE(seen.insert(e.sentence).second) << "repeated: " << e.sentence;
      EXPECT_EQ(fc::parse_sentence(fc::tokenize(e.sentence), lex).cod(), fc::Ty("s")) << e.sentence;
    }
    EXPECT_EQ(ones * 2, int(split->size()));
  }
  // the seed decides the split, deterministically
  EXPECT_EQ(factorkit::qnlp::generate_mc(0).train[0].sentence, task.train[0].sentence);
  EXPECT_NE(factorkit::qnlp::format_labelled(factorkit::qnlp::generate_mc(1).train), factorkit::qnlp::format_labelled(task.train));
  EXPECT_THROW(factorkit::qnlp::generate_mc(0, 200, 0, 0), factorkit::InvalidInput);
}

TEST(QnlpData, GeneratedRpParsesWithThePronounOfItsClass) {
  const auto task = factorkit::qnlp::generate_rp(0);
  ASSERT_EQ(task.train.size(), 74u);
  ASSERT_EQ(task.test.size(), 31u);
  const fc::Lexicon lex = fc::parse_lexicon(task.lexicon, "rp lexicon");
  const fc::Ty n("n");
  const fc::Ty subject = fc::parse_type("n.r n s.l n", "t"), object = fc::parse_type("n.r n n.l.l s.l", "t");
  for (const Example& e : task.train) {
    const fc::Diagram d = fc::parse_sentence(fc::tokenize(e.sentence), lex, n);
    EXPECT_EQ(d.cod(), n);
    // the parser picks the pronoun's type from the word order: the label is in the grammar
    EXPECT_EQ(d.layers()[1].box.cod(), e.label == 1 ? object : subject) << e.sentence;
  }
}
