// The ESMA search end to end: the reference repository's test run in --compat
// mode (exactly 13 results, with the three it names), the corrected default,
// the left-hand-side enumeration and the checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "esma.h"
#include "factorkit/core/error.h"
#include "test_util.h"

namespace factorkit::esma {
namespace {

SearchOptions reference_run(bool compat) { return reference_test_search(compat); }

bool has(const SearchResult& r, const std::string& lhs, std::vector<int> signs, std::vector<long> c,
         bool recurring = false) {
  auto match = [&](const Conjecture& x) { return x.lhs.text == lhs && x.signs == signs && x.recurrence == c; };
  return std::any_of(r.results.begin(), r.results.end(), match) ||
         (recurring && std::any_of(r.recurring.begin(), r.recurring.end(), match));
}

TEST(EsmaSearch, CompatModeGivesTheReferenceThirteen) {
  const SearchResult r = search(reference_run(true));
  // the reference: 114 sympy expressions (two pairs of them are equal values), 196 hits
  EXPECT_EQ(r.stats.lhs_distinct, 112);
  EXPECT_EQ(r.stats.sign_periods, 4);
  ASSERT_EQ(r.results.size(), 13u);
  EXPECT_TRUE(has(r, "e/(e - 1)", {1, -1}, {1, 0, -2, 0, 1}));
  EXPECT_TRUE(has(r, "e - 1", {-1, 1}, {1, 0, -2, 0, 1}));
  EXPECT_TRUE(has(r, "e/(e - 2)", {1, 1}, {1, 0, 0, -1, 0, 0, -1, 0, 0, 1}));
  EXPECT_EQ(r.stats.verified, 14);  // one value found twice (e - 1 with [1, 1] and [-1, 1])
  // every reported value is the left-hand side's own
  for (const Conjecture& c : r.results) {
    const Ball v = exact::div(Expr::parse(c.lhs.text).eval(4000), Ball(1), 4000);
    EXPECT_EQ(exact::round_significant(v, 100)->str(), c.value) << c.lhs.text;
  }
}

TEST(EsmaSearch, DefaultModeUsesTheTrueStartingTerms) {
  const SearchResult r = search(reference_run(false));
  // with L starting terms every hit that passes the filter is approved
  EXPECT_EQ(r.stats.verified, r.stats.pre_hits);
  // the reference's hits re-run with L starting terms and the filter L < 26
  // give 169 approved hits and 85 distinct values (bench/esma/reference_runner.py
  // --corrected --filter L); its 114 expressions hold two duplicate pairs
  EXPECT_EQ(r.results.size(), 85u);
  EXPECT_GT(r.stats.pre_hits, 150);
  // approved, though its value may have been found first with another period
  EXPECT_TRUE(has(r, "e/(e - 1)", {1, -1}, {1, 0, -2, 0, 1}, true));
  // and the formulas the quirk loses are back: e with [1, 1] has L = 7 > deg C = 6
  EXPECT_TRUE(has(r, "e", {1, 1}, {1, 0, 0, -2, 0, 0, 1, 0}, true));
  SearchResult compat = search(reference_run(true));
  EXPECT_FALSE(has(compat, "e", {1, 1}, {1, 0, 0, -2, 0, 0, 1}, true));
  for (const Conjecture& c : r.results) EXPECT_LT(c.rec.L, 105 / 4);
}

TEST(EsmaSearch, TheLeftHandSidesAreCanonicalAndDistinct) {
  SearchOptions o = reference_run(false);
  SearchStats st;
  const int64_t prec = 600;
  const std::vector<Lhs> lhs = enumerate_lhs(o, exact::const_e(prec), "e", prec, &st);
  EXPECT_EQ(st.lhs_total, 24 * 24);
  EXPECT_EQ(lhs.size(), 112u);
  // itertools order: (-2 - 2e)/(-2 - 2e) is rational, then (-2 - 2e)/(-2 - e)
  EXPECT_EQ(lhs[0].text, "(2*e + 2)/(e + 2)");
  for (const Lhs& l : lhs) {
    EXPECT_GT(l.q.back(), 0) << l.text;  // Q's leading coefficient is positive
    const Ball v = exact::div(Expr::parse(l.text).eval(200), Ball(1), 200);
    EXPECT_TRUE(v.is_positive()) << l.text;  // |P/Q|
  }
}

TEST(EsmaSearch, CheckpointResumesToTheSameResult) {
  factorkit::testing::TempDir dir;
  SearchOptions o = reference_run(false);
  o.checkpoint = (dir.path() / "esma.ckpt").string();
  const SearchResult first = search(o);
  ASSERT_TRUE(std::filesystem::exists(o.checkpoint));
  EXPECT_EQ(first.stats.resumed_items, 0);
  // keep only the first half of the finished items, as if the run had stopped
  Checkpoint cp = read_checkpoint(o.checkpoint);
  ASSERT_EQ(cp.done.size(), 112u);
  cp.done.resize(50);
  write_checkpoint(o.checkpoint, cp);
  const SearchResult second = search(o);
  EXPECT_EQ(second.stats.resumed_items, 50);
  EXPECT_EQ(second.stats.pre_hits, first.stats.pre_hits);
  ASSERT_EQ(second.results.size(), first.results.size());
  for (size_t i = 0; i < first.results.size(); ++i) {
    EXPECT_EQ(second.results[i].lhs.text, first.results[i].lhs.text);
    EXPECT_EQ(second.results[i].value, first.results[i].value);
  }
  // a checkpoint of another search is refused, naming the differing field
  SearchOptions other = o;
  other.depth = 100;
  factorkit::testing::expect_error<MalformedFile>([&] { search(other); }, "CheckpointMismatch",
                                                  {"esma.ckpt", "search.depth"});
}

TEST(EsmaSearch, UserDigitsNeedEnoughPrecision) {
  SearchOptions o = reference_run(false);
  o.value = "2.71828182845904523536028747135266249775724709369995";
  factorkit::testing::expect_error<InvalidInput>([&] { search(o); }, "TooFewDigits", {"--value", "51 significant"});
  o.value = "2.7x";
  factorkit::testing::expect_error<InvalidInput>([&] { search(o); }, "NotADecimal", {"--value"});
}

TEST(EsmaSearch, BadOptionsNameTheOption) {
  using factorkit::testing::expect_error;
  SearchOptions o = reference_run(false);
  o.depth = 3;
  expect_error<InvalidInput>([&] { search(o); }, "BadOption", {"--depth"});
  o = reference_run(false);
  o.poly_deg = 3;
  o.coeff_lim = 10;  // 21^8 pairs: refused before the enumeration
  expect_error<InvalidInput>([&] { search(o); }, "BadOption", {"--poly-deg/--coeff-lim", "10^7"});
  o = reference_run(false);
  o.prime = 200;
  expect_error<InvalidInput>([&] { search(o); }, "NotPrime", {"--prime"});
  o = reference_run(false);
  o.constant = "e/(";
  expect_error<InvalidInput>([&] { search(o); }, "ExpressionSyntax", {"--constant"});
  o = reference_run(false);
  o.min_sign_len = 3;
  o.max_sign_len = 2;
  expect_error<InvalidInput>([&] { search(o); }, "BadOption", {"--sign-len"});
}

}  // namespace
}  // namespace factorkit::esma
