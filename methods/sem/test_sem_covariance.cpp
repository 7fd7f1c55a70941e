// The one-connection parametrization against the reference note's closed forms
// and exact rational inversion; the Jacobian rank table.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <random>
#include <set>

#include "covariance.h"
#include "factorkit/core/error.h"
#include "test_util.h"

namespace factorkit::sem {
namespace {

using exact::QPoly;
using exact::Rational;
using exact::Integer;

QPoly v(const Parametrization& p, const std::string& name) {
  const auto& n = p.ring.names();
  const auto it = std::find(n.begin(), n.end(), name);
  EXPECT_NE(it, n.end()) << name;
  return QPoly::var(p.ring, it - n.begin());
}
QPoly k(const Parametrization& p, long c) { return QPoly(p.ring, Rational(c)); }

TEST(SemCovariance, ThreeCycleClosedForms) {
  const Parametrization p = parametrize(parse_graph("1 -> 2 -> 3 -> 1"));
  const QPoly a = v(p, "l12"), b = v(p, "l23"), c = v(p, "l31"), w1 = v(p, "w11"), w2 = v(p, "w22"), w3 = v(p, "w33");
  EXPECT_EQ(p.det, k(p, 1) - a * b * c);
  // adj = [[1, a, ab], [bc, 1, b], [c, ca, 1]]
  const std::vector<QPoly> adj{k(p, 1), a, a * b, b * c, k(p, 1), b, c, c * a, k(p, 1)};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(p.adj_at(i, j), adj[static_cast<size_t>(3 * i + j)]) << i << j;
  EXPECT_EQ(p.numer_at(0, 0), w1 + b * b * c * c * w2 + c * c * w3);
  EXPECT_EQ(p.numer_at(0, 1), a * w1 + b * c * w2 + a * c * c * w3);
  EXPECT_EQ(p.numer_at(0, 2), a * b * w1 + b * b * c * w2 + c * w3);
  EXPECT_EQ(p.numer_at(1, 1), a * a * w1 + w2 + a * a * c * c * w3);
  EXPECT_EQ(p.numer_at(1, 2), a * a * b * w1 + b * w2 + a * c * w3);
  EXPECT_EQ(p.numer_at(2, 2), a * a * b * b * w1 + b * b * w2 + w3);
  EXPECT_EQ(p.numer_at(2, 1), p.numer_at(1, 2));
}

TEST(SemCovariance, DeterminantWithTwoCycles) {
  // D = {1 <-> 2 as a 2-cycle, 2 -> 3, 3 -> 4, 4 -> 2, 1 -> 4}
  const Parametrization p = parametrize(parse_graph("1 -> 2; 2 -> 1; 2 -> 3; 3 -> 4; 4 -> 2; 1 -> 4"));
  EXPECT_EQ(p.det, k(p, 1) - v(p, "l12") * v(p, "l21") - v(p, "l14") * v(p, "l21") * v(p, "l42") -
                       v(p, "l23") * v(p, "l34") * v(p, "l42"));
}

std::vector<Rational> point_of(const Parametrization& p, std::map<std::string, Rational> values) {
  std::vector<Rational> pt;
  for (const auto& name : p.ring.names()) pt.push_back(values.count(name) ? values[name] : Rational(0));
  return pt;
}

TEST(SemCovariance, TheFourNodeExampleExactly) {
  const Parametrization p = parametrize(parse_graph("1 -> 2 -> 3 -> 4 -> 2"));
  EXPECT_EQ(p.det, k(p, 1) - v(p, "l23") * v(p, "l34") * v(p, "l42"));
  const Rational half(Integer(1), Integer(2)), fifth(Integer(1), Integer(5));
  const auto pt = point_of(p, {{"l12", Rational(2)}, {"l23", Rational(3)}, {"l34", half}, {"l42", fifth},
                               {"w11", Rational(1)}, {"w22", Rational(1)}, {"w33", Rational(1)}, {"w44", Rational(1)}});
  const auto s = covariance_by_formula(p, pt);
  const std::vector<std::string> want{"1",     "20/7",     "60/7",     "30/7",     "20/7",   "505/49",
                                      "1522/49", "775/49", "60/7",     "1522/49", "4636/49", "2360/49",
                                      "30/7",  "775/49",   "2360/49",  "1250/49"};
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(s[i].str(), want[i]) << i;
  EXPECT_EQ(covariance_by_inversion(p, pt), s);
}

TEST(SemCovariance, FormulaEqualsInversionAtRandomPoints) {
  std::mt19937_64 rng(factorkit::testing::test_seed());
  std::uniform_int_distribution<long> num(-9, 9), den(1, 7);
  for (const char* text : {"1 -> 2 -> 3 -> 1; 1 <-> 3", "1 -> 2; 2 -> 1; 2 -> 3; 3 -> 4; 4 -> 2; 1 -> 4; 1 <-> 4",
                           "1 -> 2 -> 3 -> 4 -> 1; 1 <-> 3; 2 <-> 4", "a -> b -> c; a -> c; c -> d -> b; a <-> d",
                           "1 -> 2 -> 3 -> 4 -> 5 -> 1; 2 -> 5; 4 -> 1; 3 <-> 5"}) {
    SCOPED_TRACE(text);
    const Parametrization p = parametrize(parse_graph(text));
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<Rational> pt;
      for (int64_t i = 0; i < p.params(); ++i) pt.emplace_back(Integer(num(rng)), Integer(den(rng)));
      if (p.det.evaluate(pt).is_zero()) continue;
      EXPECT_EQ(covariance_by_formula(p, pt), covariance_by_inversion(p, pt));
    }
  }
}

TEST(SemCovariance, AcyclicChainHasTheTetradRelation) {
  // 1 -> 2 -> 3: sigma13 sigma22 - sigma12 sigma23 = 0 (also for the numerators: det = 1)
  const Parametrization p = parametrize(parse_graph("1 -> 2 -> 3"));
  EXPECT_TRUE((p.numer_at(0, 2) * p.numer_at(1, 1) - p.numer_at(0, 1) * p.numer_at(1, 2)).is_zero());
  // and not for the cyclic four-node graph (note: -l12 l34 l42 w1 w3 det^2 before division)
  const Parametrization q = parametrize(parse_graph("1 -> 2 -> 3 -> 4 -> 2"));
  const QPoly rel = q.numer_at(0, 2) * q.numer_at(1, 1) - q.numer_at(0, 1) * q.numer_at(1, 2);
  EXPECT_EQ(rel, -(v(q, "l12") * v(q, "l34") * v(q, "l42") * v(q, "w11") * v(q, "w33") * q.det * q.det));
}

TEST(SemIdentify, JacobianRankTable) {
  struct Row {
    const char* graph;
    int64_t rank, params, entries;
  };
  const std::vector<Row> rows{
      {"1 -> 2 -> 3 -> 1", 6, 6, 6},
      {"1 -> 2 -> 3 -> 4 -> 2", 8, 8, 10},
      {"1 -> 2 -> 3 -> 4 -> 1; 1 <-> 3; 2 <-> 4", 10, 10, 10},
      {"1 -> 2; 2 -> 1", 3, 4, 3},
      {"1 -> 2; 2 -> 1; 2 -> 3", 5, 6, 6},
      {"1 -> 2 -> 3 -> 1; 1 <-> 2", 6, 7, 6},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.graph);
    const MixedGraph g = parse_graph(r.graph);
    const JacobianRank j = jacobian_rank(parametrize(g), 3, factorkit::testing::test_seed());
    EXPECT_EQ(j.rank, r.rank);
    EXPECT_EQ(j.params, r.params);
    EXPECT_EQ(j.entries, r.entries);
    EXPECT_EQ(j.points, 3);
    // the paper's claim: simple graphs are generically finite-to-one
    if (g.is_simple()) {
      EXPECT_TRUE(j.finite_to_one());
    }
  }
}

TEST(SemCovariance, NamesWithUnderscoresStayDistinct) {
  const Parametrization p = parametrize(parse_graph("a_b -> c; a -> b_c"));
  const auto& n = p.ring.names();
  EXPECT_EQ(std::set<std::string>(n.begin(), n.end()).size(), n.size());
  EXPECT_NE(std::find(n.begin(), n.end(), "l(a_b,c)"), n.end());
}

TEST(SemCovariance, Limits) {
  factorkit::testing::expect_error<InvalidInput>([] { parametrize(parse_graph("")); }, "EmptyGraph", {"--graph"});
  // a complete digraph on 12 vertices has far more than 10^6 simple cycles
  std::string text;
  for (int i = 1; i <= 12; ++i)
    for (int j = 1; j <= 12; ++j)
      if (i != j) text += std::to_string(i) + " -> " + std::to_string(j) + "; ";
  factorkit::testing::expect_error<InvalidInput>([&] { parametrize(parse_graph(text)); }, "GraphTooLarge",
                                                 {"10^6 simple paths"});
  // few cycles but a huge determinant: 22 disjoint 2-cycles give det with 2^22 terms
  std::string disjoint;
  for (int i = 0; i < 22; ++i) disjoint += fmt::format("{} -> {}; {} -> {}; ", 2 * i + 1, 2 * i + 2, 2 * i + 2, 2 * i + 1);
  factorkit::testing::expect_error<InvalidInput>([&] { parametrize(parse_graph(disjoint)); }, "GraphTooLarge",
                                                 {"terms"});
}

}  // namespace
}  // namespace factorkit::sem
