// Pregroup grammar: lexicon files, the reduction parser, CCG rules, normal form.
#include "category_test.h"

#include "factorkit/category/pregroup.h"


namespace {

const char* kLexicon = R"(# the running example
Alice: n
Bob: n
loves: n.r s n.l
who: n.r n s.l n      # subject relative pronoun
runs: n.r @ s
saw: n.r s n.l | n.r s
)";

}  // namespace

TEST(Pregroup, TypesAndLexicon) {
  EXPECT_EQ(fc::parse_type("n.r @ s @ n.l", "t"), fc::parse_type("n.r s n.l", "t"));
  EXPECT_EQ(fc::parse_type("n.r s n.l", "t"), Ty(Ob("n", 1)) * Ty("s") * Ty(Ob("n", -1)));
  EXPECT_EQ(fc::parse_type("", "t"), Ty());
  const fc::Lexicon lex = fc::parse_lexicon(kLexicon, "lex.txt");
  ASSERT_NE(lex.find("saw"), nullptr);
  EXPECT_EQ(lex.find("saw")->size(), 2u);
  EXPECT_EQ(lex.find("runs")->at(0), fc::parse_type("n.r s", "t"));
  EXPECT_NE(lex.find("alice"), nullptr);  // case-insensitive fallback
  EXPECT_EQ(lex.find("Carol"), nullptr);
  EXPECT_EQ(fc::tokenize("  Alice loves Bob . "), (std::vector<std::string>{"Alice", "loves", "Bob"}));
  EXPECT_EQ(fc::tokenize("Alice, who runs, loves Bob.!"),
            (std::vector<std::string>{"Alice", "who", "runs", "loves", "Bob"}));
  EXPECT_EQ(fc::tokenize("don't ?"), (std::vector<std::string>{"don't"}));
}

TEST(Pregroup, MalformedLexiconsNameTheLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Alice n\n", "line 1"},
      {"Alice: n\n: s\n", "line 2"},
      {"two words: n\n", "line 1"},
      {"Alice: n\nAlice: s\n", "line 2"},
      {"Alice: n | \n", "line 1"},
      {"Alice: n..l\n", "line 1"},
      {"Alice: .l\n", "line 1"},
      {std::string("Alice: n\x01\n"), "line 1"},
      {"w: a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q\n", "line 1"},
      {"Alice: n\nBob\xff: n\n", "line 2"},
  };
  for (const auto& [text, line] : cases) {
    try {
      (void)fc::parse_lexicon(text, "bad.txt");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const factorkit::MalformedFile& e) {
      EXPECT_EQ(e.where(), "bad.txt");
      EXPECT_EQ(e.field(), line) << e.what();
      EXPECT_EQ(e.code(), "BadLexicon");
    }
  }
}

TEST(Pregroup, ParsesTheRunningExample) {
  const fc::Lexicon lex = fc::parse_lexicon(kLexicon, "lex.txt");
  const Diagram d = fc::parse_sentence(fc::tokenize("Alice loves Bob ."), lex);
  const Ty s("s"), n("n");
  const Diagram expected = (fc::word("Alice", n) * fc::word("loves", n.r() * s * n.l()) * fc::word("Bob", n)) >>
                           (fc::cup(n[0], n.r()[0]) * s * fc::cup(n.l()[0], n[0]));
  EXPECT_EQ(d, expected);
  EXPECT_EQ(d.cod(), s);
  // the second type of "saw" is needed here
  EXPECT_EQ(fc::parse_sentence({"Alice", "saw"}, lex).cod(), s);
  // a relative clause: Alice who loves Bob : n
  EXPECT_EQ(fc::parse_sentence({"Alice", "who", "loves", "Bob"}, lex, n).cod(), n);
}

TEST(Pregroup, FindsReductionsTheEagerScanMisses) {
  // x, x.r, x.r.r to x: cupping the left-most pair first leaves x.r.r
  const Ob x("x");
  const Diagram d = fc::reduce({fc::word("a", Ty(x)), fc::word("b", Ty(x.r())), fc::word("c", Ty(x.r().r()))}, Ty(x));
  EXPECT_EQ(d.cod(), Ty(x));
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d.layers()[3].box, fc::cup(x.r(), x.r().r()));
  EXPECT_EQ(d.layers()[3].offset, 1u);
}

TEST(Pregroup, FailuresSayWhatIsLeftOver) {
  const fc::Lexicon lex = fc::parse_lexicon(kLexicon, "lex.txt");
  try {
    (void)fc::parse_sentence({"Alice", "Bob", "loves"}, lex);
    FAIL();
  } catch (const fc::ParseError& e) {
    EXPECT_EQ(e.code(), "NoReduction");
    const std::string m = e.what();
    EXPECT_NE(m.find("reduce at best to n @ s @ n.l"), std::string::npos) << m;
    EXPECT_NE(m.find("n of \"Alice\""), std::string::npos) << m;
    EXPECT_NE(m.find("n.l of \"loves\""), std::string::npos) << m;
  }
  try {
    (void)fc::parse_sentence({"Alice", "hates", "Bob"}, lex);
    FAIL();
  } catch (const fc::ParseError& e) {
    EXPECT_EQ(e.code(), "UnknownWord");
    EXPECT_NE(std::string(e.what()).find("word 2 \"hates\""), std::string::npos) << e.what();
  }
}

TEST(Pregroup, CcgRules) {
  const Ty x("x"), y("y"), z("z");
  EXPECT_EQ(fc::fa(x, y).dom(), x * y.l() * y);
  EXPECT_EQ(fc::fa(x, y).cod(), x);
  EXPECT_EQ(fc::ba(x, y).dom(), x * x.r() * y);
  EXPECT_EQ(fc::ba(x, y).cod(), y);
  EXPECT_EQ(fc::fc(x, y, z).dom(), x * y.l() * y * z.l());
  EXPECT_EQ(fc::fc(x, y, z).cod(), x * z.l());
  EXPECT_EQ(fc::bc(x, y, z).dom(), x.r() * y * y.r() * z);
  EXPECT_EQ(fc::bc(x, y, z).cod(), x.r() * z);
  EXPECT_EQ(fc::fx(x, y, z).dom(), x * y.l() * z.r() * y);
  EXPECT_EQ(fc::fx(x, y, z).cod(), z.r() * x);
  EXPECT_EQ(fc::bx(x, y, z).dom(), y * x.l() * y.r() * z);
  EXPECT_EQ(fc::bx(x, y, z).cod(), z * x.l());
}

TEST(Pregroup, NormalFormKeepsTheWordsOnTop) {
  const fc::Lexicon lex = fc::parse_lexicon(kLexicon, "lex.txt");
  const Diagram d = fc::parse_sentence({"Alice", "loves", "Bob"}, lex);
  const Diagram nf = fc::pregroup_normal_form(d);
  EXPECT_EQ(nf.cod(), d.cod());
  for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(nf.layers()[k].box.kind(), fc::BoxKind::Word);
  // the plain rigid normal form interleaves them (a cup moves above Bob)
  const Diagram rigid = d.normal_form();
  bool interleaved = false;
  for (std::size_t k = 0; k < 3; ++k) interleaved |= rigid.layers()[k].box.kind() != fc::BoxKind::Word;
  EXPECT_TRUE(interleaved);
}

TEST(Pregroup, RemoveCupsBendsStatesIntoEffects) {
  const fc::Lexicon lex = fc::parse_lexicon(
      "Alice: n\nBob: n\nloves: n.r s n.l\nskillful: n n.l\nman: n\nprepares: n.r s n.l\nsauce: n\n", "lex");
  const Ty n("n"), s("s");
  const Box alice = fc::word("Alice", n), bob = fc::word("Bob", n), loves = fc::word("loves", n.r() * s * n.l());
  // lambeq's example: the nouns become effects on the verb's wires
  const Diagram alb = fc::parse_sentence({"Alice", "loves", "Bob"}, lex);
  EXPECT_EQ(fc::remove_cups(alb), Diagram(loves) >> (alice.r() * s * bob.l()));
  // a noun bent onto its adjective, then the pair onto the verb
  const Box skillful = fc::word("skillful", n * n.l()), man = fc::word("man", n), prepares = fc::word("prepares", n.r() * s * n.l()),
            sauce = fc::word("sauce", n);
  const Diagram smps = fc::parse_sentence({"skillful", "man", "prepares", "sauce"}, lex);
  const Diagram pair = Diagram(skillful) >> (n * man.l());
  EXPECT_EQ(fc::remove_cups(smps), Diagram(prepares) >> (pair.r() * s * sauce.l()));
  // anything not `states >> cups` is returned as it is
  const Diagram other = Diagram(Box("f", n, n));
  EXPECT_EQ(fc::remove_cups(other), other);
  const Diagram with_swap = Diagram(alice) * bob >> fc::swap(n[0], n[0]);
  EXPECT_EQ(fc::remove_cups(with_swap), with_swap);
  // inputs: a cup reaching an input wire is left alone (not a `states >> cups` diagram)
  const Diagram with_input = (Diagram::id(n) * fc::word("x", n.r())) >> fc::cup(n[0], n.r()[0]);
  EXPECT_EQ(fc::remove_cups(with_input), with_input);
}
