// The exact layer: known answers for integers, rationals, GF(p) and balls.
#include <gtest/gtest.h>
#include <atomic>

#include "factorkit/core/error.h"
#include "factorkit/exact/ball.h"
#include "factorkit/exact/integer.h"
#include "factorkit/exact/modp.h"
#include "factorkit/exact/polynomial.h"
#include "factorkit/exact/rational.h"

namespace factorkit::exact {
namespace {

TEST(Integer, ArithmeticBeyondOneWord) {
  Integer a("123456789012345678901234567890");
  Integer b = a * a;
  EXPECT_EQ(b.str(), "15241578753238836750495351562536198787501905199875019052100");
  EXPECT_EQ(divexact(b, a), a);
  EXPECT_EQ((b - b).sign(), 0);
  EXPECT_EQ(pow(Integer(2), 100).str(), "1267650600228229401496703205376");
  EXPECT_EQ(gcd(Integer(84), Integer(-36)), Integer(12));
  EXPECT_TRUE(Integer(-5) < Integer(3));
  EXPECT_EQ(Integer("-17").mod(5), 3u);  // floor convention
  EXPECT_EQ(Integer("+42").to_long(), 42);
}

TEST(Integer, FloorAndCeilingDivision) {
  EXPECT_EQ(fdiv(Integer(-7), Integer(2)), Integer(-4));
  EXPECT_EQ(cdiv(Integer(-7), Integer(2)), Integer(-3));
  EXPECT_EQ(fdiv(Integer(7), Integer(-2)), Integer(-4));
  EXPECT_EQ(cdiv(Integer(7), Integer(2)), Integer(4));
  Integer x(10);
  x.addmul(Integer(3), -4);
  EXPECT_EQ(x, Integer(-2));
  x.submul(Integer(3), Integer(-1));
  EXPECT_EQ(x, Integer(1));
}

TEST(Integer, BadInputIsAnError) {
  EXPECT_THROW(Integer("12a", "--x"), InvalidInput);
  EXPECT_THROW(Integer("", "--x"), InvalidInput);
  EXPECT_THROW(Integer("-", "--x"), InvalidInput);
  EXPECT_THROW(fdiv(Integer(1), Integer(0)), InvalidInput);
}

TEST(Rational, CanonicalForm) {
  Rational r(Integer(6), Integer(-4));
  EXPECT_EQ(r.str(), "-3/2");
  EXPECT_EQ(r.den(), Integer(2));
  EXPECT_EQ((r + Rational(Integer(3), Integer(2))).str(), "0");
  EXPECT_EQ((r / Rational(Integer(-3))).str(), "1/2");
  EXPECT_TRUE((r * Rational(2)).is_integer());
  EXPECT_THROW(Rational(Integer(1), Integer(0)), InvalidInput);
  EXPECT_THROW(r / Rational(0), InvalidInput);
}

TEST(PrimeField, ArithmeticAndLift) {
  PrimeField f(199);
  EXPECT_EQ(f.reduce(-1), 198u);
  EXPECT_EQ(f.reduce(Integer(-400)), 197u);  // -400 + 3 * 199
  EXPECT_EQ(f.mul(f.inv(17), 17), 1u);
  EXPECT_EQ(f.lift(198), -1);
  EXPECT_EQ(f.lift(99), 99);
  EXPECT_EQ(f.lift(100), -99);
  EXPECT_THROW(f.inv(0), NumericalFailure);
  EXPECT_THROW(PrimeField(200), InvalidInput);
  EXPECT_THROW(PrimeField(1), InvalidInput);
}

TEST(Ball, ConstantsToFiftyDigits) {
  const int64_t prec = digits_to_bits(60);
  auto digits = [](const Ball& b) { return round_significant(b, 50)->str(); };
  EXPECT_EQ(digits(const_e(prec)), "2.7182818284590452353602874713526624977572470937");
  EXPECT_EQ(digits(const_pi(prec)), "3.1415926535897932384626433832795028841971693993751");
  EXPECT_EQ(digits(const_euler(prec)), "0.57721566490153286060651209008240243104215933593992");
  EXPECT_EQ(digits(const_catalan(prec)), "0.91596559417721901505460351493238411077414937428167");
  EXPECT_EQ(digits(zeta(3, prec)), "1.2020569031595942853997381615114499907649862923405");
  EXPECT_EQ(digits(const_log2(prec)), "0.69314718055994530941723212145817656807550013436026");
  EXPECT_EQ(digits(tan(Ball(1), prec)), "1.5574077246549022305069748074583601730872507723815");
  EXPECT_EQ(digits(bessel_i(Ball(0), Ball(2), prec)), "2.2795853023360672674372044408115333532858411027855");
  EXPECT_EQ(digits(bessel_i(Ball(1), Ball(2), prec)), "1.5906368546373290633822544249996662479544781594955");
  // Q(5/2, 7/2) = P(chi2_5 > 7) and Q(1, 3) = exp(-3) (mpmath gammainc, regularized)
  EXPECT_EQ(digits(gamma_q(Ball(Rational(Integer(5), Integer(2)), prec), Ball(Rational(Integer(7), Integer(2)), prec), prec)),
            "0.22064030793671079079485175364205573334711183564025");
  EXPECT_EQ(digits(gamma_q(Ball(1), Ball(3), prec)), "0.049787068367863942979342415650061776631699592188423");
  EXPECT_EQ(Ball::from_double(0.1).mid_double(), 0.1);
  EXPECT_TRUE(Ball::from_double(0.1).is_exact());
}

TEST(Ball, RoundingAndDecimalInput) {
  const int64_t prec = 256;
  int64_t ndig = 0;
  Ball x = from_decimal("-0.000123450", prec, "--value", &ndig);
  EXPECT_EQ(ndig, 6);
  ASSERT_TRUE(round_significant(x, 5).has_value());
  EXPECT_EQ(round_significant(x, 5)->str(), "-0.00012345");
  // seven significant digits cannot be decided from six given ones
  EXPECT_FALSE(round_significant(x, 8).has_value());
  EXPECT_EQ(round_significant(from_decimal("9.9999999", prec, "v"), 3)->str(), "10");
  EXPECT_EQ(round_significant(from_decimal("1.50e20", prec, "v"), 2)->str(), "1.5e+20");
  EXPECT_FALSE(round_significant(from_decimal("1.5e20", prec, "v"), 2).has_value());  // 1.5 +/- 0.1
  EXPECT_THROW(from_decimal("2.7x", prec, "--value"), InvalidInput);
  EXPECT_THROW(from_decimal("", prec, "--value"), InvalidInput);
  EXPECT_THROW(from_decimal("1e", prec, "--value"), InvalidInput);
  EXPECT_FALSE(round_significant(Ball(0), 3).has_value());
}

TEST(Ball, FloorOnlyWhenCertain) {
  Ball e = const_e(128);
  EXPECT_EQ(*e.floor_exact(), Integer(2));
  EXPECT_EQ(*e.ceil_exact(), Integer(3));
  Ball wide = from_decimal("3.0", 64, "v");  // [2.9, 3.1]
  EXPECT_FALSE(wide.floor_exact().has_value());
  Integer lo, hi, ex;
  e.interval(lo, hi, ex);
  EXPECT_TRUE(lo < hi);
}

}  // namespace
}  // namespace factorkit::exact

namespace factorkit::exact {
namespace {
TEST(IntPoly, GcdAndExactDivision) {
  // (2x + 2)(x - 3) and (4x + 4)(x + 5): gcd 2x + 2
  IntPoly a(std::vector<long>{-6, -4, 2}), b(std::vector<long>{20, 24, 4});
  IntPoly g = gcd(a, b);
  EXPECT_EQ(g, IntPoly(std::vector<long>{2, 2}));
  EXPECT_EQ(divexact(a, g), IntPoly(std::vector<long>{-3, 1}));
  EXPECT_EQ(g.degree(), 1);
  EXPECT_EQ(IntPoly().degree(), -1);
  EXPECT_EQ(g.leading(), Integer(2));
  // 1 - 2x^3 + x^6 = (1 - x^3)^2 divides (1 - x^6)^2 but not (1 - x^6)
  IntPoly c(std::vector<long>{1, 0, 0, -2, 0, 0, 1});
  IntPoly d(std::vector<long>{1, 0, 0, 0, 0, 0, -1});
  EXPECT_TRUE(exact_quotient(d * d, c).has_value());
  EXPECT_FALSE(exact_quotient(d, c).has_value());
  // 1 - x^6 = -(x - 1)(x + 1)(x^2 + x + 1)(x^2 - x + 1): Phi_1 Phi_2 Phi_3 Phi_6 up to sign
  IntPoly prod = cyclotomic(1) * cyclotomic(2) * cyclotomic(3) * cyclotomic(6);
  EXPECT_EQ(-prod, d);
  EXPECT_EQ(cyclotomic(12), IntPoly(std::vector<long>{1, 0, -1, 0, 1}));
  EXPECT_EQ(euler_phi(12), 4u);
}
}  // namespace
}  // namespace factorkit::exact

#include "factorkit/exact/mpoly.h"
#include "factorkit/exact/parallel.h"

namespace factorkit::exact {
namespace {
TEST(QPoly, ArithmeticDerivativesAndEvaluation) {
  PolyRing R({"a", "b", "c"});
  const QPoly a = QPoly::var(R, 0), b = QPoly::var(R, 1), c = QPoly::var(R, 2);
  const QPoly one(R, Rational(1));
  const QPoly p = (a + b).pow(2) - QPoly(R, Rational(Integer(3), Integer(2))) * c;
  EXPECT_EQ(p.str(), "a^2 + 2*a*b + b^2 - 3/2*c");
  EXPECT_EQ(p.length(), 4);
  EXPECT_EQ(p.total_degree(), 2);
  EXPECT_EQ(p.derivative(0), QPoly(R, Rational(2)) * (a + b));
  EXPECT_TRUE((p - p).is_zero());
  // at (1, 2, 1/3): 9 - 1/2 = 17/2
  const std::vector<Rational> pt{Rational(1), Rational(2), Rational(Integer(1), Integer(3))};
  EXPECT_EQ(p.evaluate(pt).str(), "17/2");
  // mod 101 at (1, 2, 34 = 1/3): 17/2 = 17 * 51 = 867 = 59 (mod 101)
  PrimeField f(101);
  EXPECT_EQ(p.evaluate_mod(std::vector<uint64_t>{1, 2, f.inv(3)}, f), f.mul(17, f.inv(2)));
  EXPECT_EQ((one - a * b * c).str(), "-a*b*c + 1");
  PolyRing other({"x"});
  EXPECT_THROW(a + QPoly::var(other, 0), InvalidInput);
  EXPECT_THROW(QPoly::var(R, 3), InvalidInput);
  const auto t = p.terms();
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].exps, (std::vector<uint64_t>{2, 0, 0}));
}

TEST(QPoly, FromTermsAndComposition) {
  PolyRing R({"a", "b"});
  // terms in any order, like terms combined, zero sums dropped
  const std::vector<QPoly::Term> terms{{Rational(2), {0, 1}}, {Rational(Integer(1), Integer(2)), {2, 0}},
                                       {Rational(-2), {0, 1}}, {Rational(3), {1, 1}}, {Rational(1), {1, 1}}};
  EXPECT_EQ(QPoly::from_terms(R, terms).str(), "1/2*a^2 + 4*a*b");
  EXPECT_THROW(QPoly::from_terms(R, std::vector<QPoly::Term>{{Rational(1), {1}}}), InvalidInput);
  // (1/2 a^2 + 4 a b) at a = x + y, b = x - y, in Q[x, y]: 9/2 x^2 + x y - 7/2 y^2
  PolyRing S({"x", "y"});
  const QPoly x = QPoly::var(S, 0), y = QPoly::var(S, 1);
  const std::vector<QPoly> values{x + y, x - y};
  EXPECT_EQ(QPoly::from_terms(R, terms).compose(values, S).str(), "9/2*x^2 + x*y - 7/2*y^2");
  EXPECT_THROW(QPoly::from_terms(R, terms).compose(std::vector<QPoly>{x}, S), InvalidInput);
  EXPECT_THROW(QPoly::from_terms(R, terms).compose(values, R), InvalidInput);
  // evaluate_mod with a non-integer content: (2/3 a + 4/3 b) mod 7 at (1, 1) = 2
  const QPoly q = QPoly::from_terms(R, std::vector<QPoly::Term>{{Rational(Integer(2), Integer(3)), {1, 0}},
                                                               {Rational(Integer(4), Integer(3)), {0, 1}}});
  PrimeField f(7);
  EXPECT_EQ(q.evaluate_mod(std::vector<uint64_t>{1, 1}, f), 2u);
  EXPECT_THROW(q.evaluate_mod(std::vector<uint64_t>{1, 1}, PrimeField(3)), NumericalFailure);
}

TEST(ModMatrix, RankAndKernel) {
  PrimeField f(7);
  // [[1, 2, 3], [2, 4, 6]] has rank 1 and a 2-dimensional kernel
  const std::vector<uint64_t> m{1, 2, 3, 2, 4, 6};
  EXPECT_EQ(rank_mod(m, 2, 3, f), 1);
  const auto k = kernel_mod(m, 2, 3, f);
  ASSERT_EQ(k.size(), 2u);
  for (const auto& v : k) EXPECT_EQ((v[0] + 2 * v[1] + 3 * v[2]) % 7, 0u);
  EXPECT_THROW(rank_mod(m, 2, 2, f), InvalidInput);
  // reduced row echelon form: (1, 0, -1/3) and (0, 1, -2/3), i.e. (1, 0, 2), (0, 1, 4) mod 7
  EXPECT_EQ(k[0], (std::vector<uint64_t>{1, 0, 2}));
  EXPECT_EQ(k[1], (std::vector<uint64_t>{0, 1, 4}));
  PrimeField big((uint64_t{1} << 61) - 1);
  EXPECT_EQ(rational_reconstruct(big.mul(big.reduce(-22), big.inv(7)), big)->str(), "-22/7");
}

TEST(ModMatrix, EchelonAddsOnlyIndependentVectors) {
  PrimeField f(7);
  EchelonMod e(3, f);
  EXPECT_TRUE(e.add({0, 2, 4}));
  EXPECT_FALSE(e.add({0, 1, 2}));    // 4 * (0, 2, 4) mod 7
  EXPECT_TRUE(e.add({1, 1, 1}));
  EXPECT_FALSE(e.add({2, 4, 6}));    // 2 (1, 1, 1) + (0, 2, 4)
  EXPECT_FALSE(e.add({0, 0, 0}));
  EXPECT_EQ(e.rank(), 2);
  EXPECT_TRUE(e.add({0, 0, 3}));
  EXPECT_FALSE(e.add({5, 6, 1}));    // full rank now
  EXPECT_EQ(e.rank(), 3);
  EXPECT_THROW(e.add({1, 2}), InvalidInput);
  // against rank_mod on a larger random matrix, row by row
  PrimeField big((uint64_t{1} << 61) - 1);
  std::vector<uint64_t> m;
  EchelonMod g(6, big);
  for (int r = 0; r < 9; ++r) {
    std::vector<uint64_t> row(6);
    for (int c = 0; c < 6; ++c) row[static_cast<size_t>(c)] = r < 4 ? (r * 7 + c * c * 3 + 1) % 11 : m[static_cast<size_t>(c)] + 2 * m[static_cast<size_t>(6 + c)];
    m.insert(m.end(), row.begin(), row.end());
    g.add(row);
    EXPECT_EQ(g.rank(), rank_mod(m, r + 1, 6, big)) << r;
  }
}
}  // namespace
}  // namespace factorkit::exact

TEST(ParallelFor, EveryIndexOnceAndTheFirstErrorRethrown) {
  using factorkit::InvalidInput;
  using factorkit::exact::parallel_for;
  for (int threads : {1, 2, 4}) {
    std::vector<std::atomic<int>> hits(1000);
    int64_t last_tick = -1;
    parallel_for(1000, threads, [&](int64_t i) { ++hits[static_cast<size_t>(i)]; },
                 [&](int64_t done) {
                   EXPECT_GE(done, last_tick);  // never goes back
                   last_tick = done;
                 });
    EXPECT_EQ(last_tick, 1000) << threads;
    for (const auto& h : hits) EXPECT_EQ(h.load(), 1) << threads;
    std::atomic<int64_t> ran{0};
    EXPECT_THROW(parallel_for(1000, threads,
                              [&](int64_t i) {
                                ++ran;
                                if (i == 10) throw InvalidInput("fn", "i", "not 10");
                              }),
                 InvalidInput);
    EXPECT_LT(ran.load(), 1000 + threads) << threads;  // stops handing out work
  }
  parallel_for(0, 2, [](int64_t) { FAIL(); });  // nothing to do
}
