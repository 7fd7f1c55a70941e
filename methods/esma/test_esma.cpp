// ESMA building blocks: the reference note's formula table, OEIS A286016, the
// pi negative control, Berlekamp–Massey, recurrences, patterns, expressions.
#include <gtest/gtest.h>

#include "esma.h"
#include "factorkit/core/error.h"
#include "test_util.h"

namespace factorkit::esma {
namespace {

std::vector<Integer> ints(std::initializer_list<long> v) { return std::vector<Integer>(v.begin(), v.end()); }

Ball value_of(const std::string& expr, int64_t digits) {
  return Expr::parse(expr).eval_accurate(exact::digits_to_bits(digits), "test");
}

struct Row {
  const char* lhs;
  std::vector<int> signs;
  std::vector<long> start;  // a_0.. as in the note's table
  std::vector<long> c;      // BM polynomial mod 199, lifted, length L + 1
};

// The reference note's table (ESMA-detectable formulas; every row approved at
// 100 digits with 1000 regenerated terms from C and the first L terms).
const std::vector<Row>& table() {
  static const std::vector<Row> rows{
      {"I1(2)/I0(2)", {1}, {0, 1, 2, 3, 4}, {1, -2, 1}},
      {"I0(2)/I1(2)", {1}, {1, 2, 3}, {1, -2, 1}},
      {"I1(1)/I0(1)", {1}, {0, 2, 4, 6}, {1, -2, 1}},
      {"tan(1)", {1}, {1, 1, 1, 3, 1, 5, 1, 7}, {1, 0, -2, 0, 1}},
      {"1/tan(1)", {-1}, {1, 3, 5, 7}, {1, -2, 1}},
      {"tan(1)/(tan(1)-1)", {-1}, {3, 5, 7, 9}, {1, -2, 1}},
      {"e", {1}, {2, 1, 2, 1, 1, 4, 1, 1, 6}, {1, 0, 0, -2, 0, 0, 1, 0}},
      {"exp(2)", {1}, {7, 2, 1, 1, 3, 18, 5, 1, 1, 6, 30, 8}, {1, 0, 0, 0, 0, -2, 0, 0, 0, 0, 1, 0}},
      {"(exp(2)+1)/(exp(2)-1)", {1}, {1, 3, 5, 7}, {1, -2, 1}},
      {"tanh(1)", {-1, 1}, {1, 4, 6, 1, 7, 1, 9, 1, 11}, {1, 0, -2, 0, 1, 0, 0, 0}},
      {"e/(e-1)", {1, -1}, {1, 2, 3, 2, 5, 2, 7, 2, 9}, {1, 0, -2, 0, 1}},
      {"e-1", {-1, 1}, {2, 3, 2, 5, 2, 7}, {1, 0, -2, 0, 1}},
      {"e/(e-2)", {1, 1}, {3, 1, 3, 1, 1, 1, 3, 3, 3, 1, 3, 1}, {1, 0, 0, -1, 0, 0, -1, 0, 0, 1}},
      {"1/(e-2)", {1, 1}, {1, 2, 1, 1, 4, 1, 1, 6}, {1, 0, 0, -2, 0, 0, 1}},
      {"I1(2)/I0(2)", {-1, 1}, {1, 3, 4, 1, 4, 1, 5, 1, 6, 1}, {1, 0, -2, 0, 1, 0, 0, 0}},
      {"tan(1)", {1, -1}, {1, 2, 4, 2, 1, 5, 8, 2, 1, 9, 12}, {1, -1, 1, -1, -1, 1, -1, 1, 0, 0}},
  };
  return rows;
}

TEST(EsmaTable, EveryRowExpandsFindsItsRecurrenceAndIsApproved) {
  const exact::PrimeField f199(199);
  SearchOptions opts;  // 1000 terms, 1000 digits, 100-digit match
  for (const Row& row : table()) {
    SCOPED_TRACE(std::string(row.lhs) + " " + format_signs(row.signs));
    const Ball x = value_of(row.lhs, 500);
    const Expansion ex = expand(x, row.signs, 100);
    ASSERT_EQ(ex.stop, ExpandStop::Complete) << ex.reason;
    for (size_t i = 0; i < row.start.size(); ++i) EXPECT_EQ(ex.a[i], Integer(row.start[i])) << "a_" << i;
    const Recurrence rec = berlekamp_massey(ex.a, f199);
    EXPECT_EQ(rec.c, row.c);
    EXPECT_EQ(rec.L, static_cast<int64_t>(row.c.size()) - 1);
    // approval from C and the first L terms
    const std::vector<Integer> initial(ex.a.begin(), ex.a.begin() + rec.L);
    const auto v = approve(rec.c, initial, row.signs, value_of(row.lhs, 1000), opts);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->substr(0, 12), exact::round_significant(x, 100)->str().substr(0, 12));
  }
}

TEST(EsmaTable, TheStartingTermsQuirkFailsExactlyWhenTermsAreIrregular) {
  // The reference drops C's trailing zeros and starts from a[:deg C]: wrong
  // whenever L > deg C (e, e^2, tanh(1), I1(2)/I0(2) [-1,1], tan(1) [1,-1]).
  const exact::PrimeField f199(199);
  SearchOptions opts;
  for (const Row& row : table()) {
    SCOPED_TRACE(row.lhs);
    const Ball x = value_of(row.lhs, 500);
    const Expansion ex = expand(x, row.signs, 100);
    const Recurrence rec = berlekamp_massey(ex.a, f199);
    const std::vector<long> stripped(rec.c.begin(), rec.c.begin() + rec.degree + 1);
    const std::vector<Integer> initial(ex.a.begin(), ex.a.begin() + rec.degree);
    const bool ok = approve(stripped, initial, row.signs, value_of(row.lhs, 1000), opts).has_value();
    EXPECT_EQ(ok, rec.degree == rec.L);
  }
}

TEST(EsmaExpand, TanhOneWithAllMinusSignsIsOeisA286016) {
  // A286016: 1, 5, 2, 2, 2, 2, 9, 2 (x8), 13, 2 (x12), 17, ...
  const Expansion ex = expand(value_of("tanh(1)", 200), std::vector<int>{-1}, 40);
  ASSERT_EQ(ex.stop, ExpandStop::Complete);
  std::vector<long> want{1, 5, 2, 2, 2, 2, 9};
  for (int i = 0; i < 8; ++i) want.push_back(2);
  want.push_back(13);
  for (int i = 0; i < 12; ++i) want.push_back(2);
  want.push_back(17);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(ex.a[i], Integer(want[i])) << i;
}

TEST(EsmaExpand, PiHasNoShortRecurrence) {
  // The reference's negative control: 200 terms of pi's simple continued
  // fraction, p = 5657: the linear complexity is 100 (a random sequence's).
  const Expansion ex = expand(value_of("pi", 600), std::vector<int>{1}, 200);
  ASSERT_EQ(ex.stop, ExpandStop::Complete);
  EXPECT_EQ(ex.a[4], Integer(292));
  const Recurrence rec = berlekamp_massey(ex.a, exact::PrimeField(5657));
  EXPECT_EQ(rec.L, 100);
  const Recurrence rec199 = berlekamp_massey(std::span(ex.a).first(100), exact::PrimeField(199));
  EXPECT_GE(rec199.L, 100 / 4);  // fails the filter at depth 100
}

TEST(EsmaExpand, StopsWithAReasonWhenPrecisionRunsOut) {
  int64_t digits = 0;
  const Ball e20 = exact::from_decimal("2.7182818284590452354", 256, "v", &digits);
  const Expansion ex = expand(e20, std::vector<int>{1}, 100);
  EXPECT_EQ(ex.stop, ExpandStop::PrecisionExhausted);
  EXPECT_GT(ex.a.size(), 10u);
  EXPECT_LT(ex.a.size(), 30u);
  EXPECT_NE(ex.reason.find("known digits"), std::string::npos);
  // every term it gave is right
  const Expansion full = expand(value_of("e", 100), std::vector<int>{1}, 30);
  for (size_t i = 0; i < ex.a.size(); ++i) EXPECT_EQ(ex.a[i], full.a[i]);
  // an exact (dyadic) rational terminates: 11/4 = 2 + 1/(1 + 1/3)
  const Expansion r = expand(Ball(exact::Rational(exact::Integer(11), exact::Integer(4)), 64), std::vector<int>{1}, 10);
  EXPECT_EQ(r.stop, ExpandStop::Terminated);
  EXPECT_EQ(r.a, ints({2, 1, 3}));
  EXPECT_NE(r.reason.find("rational"), std::string::npos);
}

TEST(EsmaExpand, ExtremeMagnitudesStopInsteadOfAllocating) {
  // 2^(2^30): the endpoints would be gigabytes
  const Expansion big = expand(Expr::parse("2^(2^30)").eval(128), std::vector<int>{1}, 10);
  EXPECT_EQ(big.stop, ExpandStop::PrecisionExhausted);
  EXPECT_NE(big.reason.find("out of range"), std::string::npos) << big.reason;
  EXPECT_FALSE(exact::round_significant(Expr::parse("exp(10^12)").eval(128), 10).has_value());
  // an exact rational's convergence rate is defined (no overflow of its "infinite" accuracy)
  const Ball half = Ball(exact::Rational(exact::Integer(3), exact::Integer(2)), 64);
  const Expansion ex = expand(half, std::vector<int>{1}, 5);
  EXPECT_EQ(ex.stop, ExpandStop::Terminated);
  (void)convergence_rate(ex.a, std::vector<int>{1}, half);
  // a recurrence that doubles: the bit budget stops it
  EXPECT_LT(extend(std::vector<long>{1, -2}, ints({1}), 100000, 1000).size(), 1100u);
}

TEST(EsmaExpand, EvaluationInvertsExtraction) {
  const std::vector<int> period{1, -1, -1};
  const Ball x = value_of("zeta(3)", 300);
  const Expansion ex = expand(x, period, 60);
  ASSERT_EQ(ex.stop, ExpandStop::Complete);
  const auto [num, den] = convergent(ex.a, period);
  const Ball back = exact::div(Ball(num), Ball(den), 1000);
  EXPECT_EQ(exact::round_significant(back, 30)->str(), exact::round_significant(x, 30)->str());
  EXPECT_GT(convergence_rate(ex.a, period, x), 0.3);
}

TEST(EsmaMassey, KnownPolynomials) {
  const exact::PrimeField f(199);
  std::vector<Integer> lin, cube;
  for (long n = 0; n < 40; ++n) {
    lin.emplace_back(n);
    cube.emplace_back(n % 3 == 2 ? 2 * (n + 1) / 3 : 1);
  }
  EXPECT_EQ(berlekamp_massey(lin, f).c, (std::vector<long>{1, -2, 1}));
  EXPECT_EQ(berlekamp_massey(cube, f).c, (std::vector<long>{1, 0, 0, -2, 0, 0, 1}));
  // a recurrence with coefficients beyond p/2 is lifted to the wrong integers
  std::vector<Integer> fib{0, 1};
  for (int n = 2; n < 30; ++n) fib.push_back(fib[n - 1] + fib[n - 2]);
  EXPECT_EQ(berlekamp_massey(fib, f).c, (std::vector<long>{1, -1, -1}));
  std::vector<Integer> pw{1};
  for (int n = 1; n < 30; ++n) pw.push_back(pw.back() * Integer(150));
  EXPECT_EQ(berlekamp_massey(pw, f).c, (std::vector<long>{1, 49}));  // -150 = 49 (mod 199)
}

TEST(EsmaMassey, ExtendMatchesTheReferenceRule) {
  EXPECT_EQ(extend(std::vector<long>{1, -2, 1}, ints({1, 3}), 6), ints({1, 3, 5, 7, 9, 11}));
  EXPECT_THROW(extend(std::vector<long>{1, -2, 1}, ints({1}), 6), InvalidInput);
  EXPECT_THROW(extend(std::vector<long>{2, -2}, ints({1}), 6), InvalidInput);
}

TEST(EsmaPattern, ExplicitTermsForTheTableRows) {
  const exact::PrimeField f199(199);
  auto pattern = [&](const char* lhs, std::vector<int> signs) {
    const Expansion ex = expand(value_of(lhs, 500), signs, 100);
    return find_pattern(berlekamp_massey(ex.a, f199), ex.a);
  };
  auto e = pattern("e", {1});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->period, 3);
  EXPECT_EQ(e->order, 2);
  EXPECT_EQ(e->start, 1);
  EXPECT_EQ(e->text, "a_n = 1 if n ≡ 0, 1 (mod 3); (2n + 2)/3 if n ≡ 2 (mod 3) for n >= 1; a_0 = 2");
  auto cot = pattern("1/tan(1)", {-1});
  ASSERT_TRUE(cot);
  EXPECT_EQ(cot->text, "a_n = 2n + 1");
  auto q = pattern("e/(e-1)", {1, -1});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text, "a_n = n + 1 if n ≡ 0 (mod 2); 2 if n ≡ 1 (mod 2)");
  // C = (1 - x^3)(1 - x^6) = (1 - x^3)^2 (1 + x^3): no power of (1 - x^3)
  // has the roots of 1 + x^3, so the smallest is (1 - x^6)^2
  auto r = pattern("e/(e-2)", {1, 1});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->period, 6);
  EXPECT_EQ(r->order, 2);
  auto pi = pattern("pi", {1});
  EXPECT_FALSE(pi.has_value());
}

TEST(EsmaPattern, PolynomialText) {
  using exact::Rational;
  EXPECT_EQ(format_polynomial(std::vector<Rational>{Rational(1), Rational(0), Rational(1)}), "n^2 + 1");
  EXPECT_EQ(format_polynomial(std::vector<Rational>{Rational(Integer(-1), Integer(2))}), "-1/2");
  EXPECT_EQ(format_polynomial(std::vector<Rational>{Rational(3), Rational(-1)}), "-n + 3");
  EXPECT_EQ(format_polynomial(std::vector<Rational>{Rational(0), Rational(Integer(2), Integer(3))}), "2n/3");
}

TEST(EsmaExpression, ParsesAndEvaluates) {
  EXPECT_EQ(exact::round_significant(value_of("2^-2 + 1.5", 30), 10)->str(), "1.75");
  EXPECT_TRUE(Expr::parse("e**2 - exp(2)").eval(200).contains_zero());
  EXPECT_EQ(exact::round_significant(value_of("besseli(1, 2)/I0(2)", 40), 15)->str(), "0.697774657964008");
  EXPECT_EQ(exact::round_significant(value_of("phi^2 - phi", 40), 15)->str(), "1");
  EXPECT_TRUE(Expr::parse("tan(1)").is_atom());
  EXPECT_FALSE(Expr::parse("e - 1").is_atom());
}

TEST(EsmaExpression, BadExpressionsNameTheColumn) {
  using factorkit::testing::expect_error;
  expect_error<InvalidInput>([] { Expr::parse("e/(e-1", "--expr"); }, "ExpressionSyntax", {"--expr", "missing ')'"});
  expect_error<InvalidInput>([] { Expr::parse("foo(2)", "--expr"); }, "ExpressionSyntax", {"column 1", "unknown function 'foo'"});
  expect_error<InvalidInput>([] { Expr::parse("2 * y", "--expr"); }, "ExpressionSyntax", {"column 5", "unknown name 'y'"});
  expect_error<InvalidInput>([] { Expr::parse("besseli(1)", "--expr"); }, "ExpressionSyntax", {"2 argument"});
  expect_error<InvalidInput>([] { Expr::parse("", "--expr"); }, "ExpressionSyntax", {"empty"});
  expect_error<InvalidInput>([] { Expr::parse("1 +* 2", "--expr"); }, "ExpressionSyntax", {"column 4"});
  expect_error<InvalidInput>([] { Expr::parse("e e", "--expr"); }, "ExpressionSyntax", {"column 3"});
  expect_error<NumericalFailure>([] { Expr::parse("e - e").eval_accurate(100, "--expr"); }, "NoValue", {"--expr"});
  expect_error<NumericalFailure>([] { Expr::parse("log(0 - 1)").eval_accurate(100, "--expr"); }, "NoValue", {});
  expect_error<InvalidInput>([] { Expr::parse("zeta(1)").eval(64); }, "ZetaArgument", {});
  EXPECT_THROW(Expr::parse(std::string(1000, '(') + "1" + std::string(1000, ')')), InvalidInput);
  std::string chain = "1";
  for (int i = 0; i < 5000; ++i) chain += "+1";
  expect_error<InvalidInput>([&] { Expr::parse(chain, "--expr"); }, "ExpressionSyntax", {"too long"});
  expect_error<InvalidInput>([] { exact::from_decimal("1e999999999", 64, "--value"); }, "NotADecimal", {"exponent"});
  expect_error<InvalidInput>([] { exact::from_decimal("1e99999999999999999999", 64, "--value"); }, "NotADecimal", {});
}

TEST(EsmaSigns, ParsingAndPeriods) {
  EXPECT_EQ(parse_signs("1,-1", "--signs"), (std::vector<int>{1, -1}));
  EXPECT_EQ(parse_signs("+-+", "--signs"), (std::vector<int>{1, -1, 1}));
  EXPECT_EQ(parse_signs("[-1, 1]", "--signs"), (std::vector<int>{-1, 1}));
  EXPECT_THROW(parse_signs("1,2", "--signs"), InvalidInput);
  EXPECT_THROW(parse_signs("", "--signs"), InvalidInput);
  // lengths 1..2: (-1), (1), then (-1,1), (1,-1); (-1,-1) and (1,1) repeat shorter ones
  EXPECT_EQ(sign_periods(1, 2), (std::vector<std::vector<int>>{{-1}, {1}, {-1, 1}, {1, -1}}));
  // only length 2: nothing shorter was tried, so all four stay (the reference's rule)
  EXPECT_EQ(sign_periods(2, 2).size(), 4u);
  EXPECT_EQ(sign_periods(1, 4).size(), 2u + 2u + 6u + 12u);
}

}  // namespace
}  // namespace factorkit::esma
