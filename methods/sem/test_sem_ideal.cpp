// The vanishing-ideal explorer on the reference note's examples.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "factorkit/core/error.h"
#include "ideal.h"
#include "test_util.h"

namespace factorkit::sem {
namespace {

using exact::QPoly;
using exact::Rational;

QPoly s(const Ideal& I, const std::string& name) {
  const auto& n = I.ring.names();
  return QPoly::var(I.ring, std::find(n.begin(), n.end(), name) - n.begin());
}

// Is q in the span of the basis? (Both over Q; the basis is in echelon form
// over the monomials, so reduce q by it.)
bool in_span(const std::vector<QPoly>& basis, const QPoly& q) {
  // compare via evaluation-free linear algebra: q - sum c_i b_i = 0 with c_i read
  // off q's coefficient at each basis element's leading (pivot) monomial
  QPoly rest = q;
  for (const QPoly& b : basis) {
    const auto bt = b.terms();
    // pivot: the first monomial of b in the monomial order used to build it is
    // its term with the smallest column; here: find a term of b that occurs in
    // rest and no earlier basis element, by trying each
    for (const auto& t : bt) {
      Rational c(0);
      for (const auto& rt : rest.terms())
        if (rt.exps == t.exps) c = rt.coeff / t.coeff;
      if (!c.is_zero()) {
        QPoly trial = rest - QPoly(q.ring(), c) * b;
        if (trial.length() < rest.length()) {
          rest = trial;
          break;
        }
      }
    }
  }
  return rest.is_zero();
}

// The ideal up to degree 3, without a progress bar, at the test seed.
Ideal ideal_to_degree_3(const std::string& graph) {
  IdealOptions o;
  o.max_degree = 3;
  o.progress = false;
  o.seed = factorkit::testing::test_seed();
  return vanishing_ideal(parametrize(parse_graph(graph)), o);
}

TEST(SemIdeal, FourNodeCycleHasTwoCubicsAndNothingBelow) {
  const Ideal I = ideal_to_degree_3("1 -> 2 -> 3 -> 4 -> 2");
  ASSERT_EQ(I.parts.size(), 3u);
  EXPECT_EQ(I.parts[0].dimension, 0);
  EXPECT_EQ(I.parts[1].dimension, 0);
  EXPECT_EQ(I.parts[2].monomials, 220);
  EXPECT_EQ(I.parts[2].blocks, 84);  // multidegrees of degree 3 on 4 vertices
  EXPECT_EQ(I.parts[2].largest_block, 6);
  EXPECT_EQ(I.parts[2].dimension, 2);
  EXPECT_TRUE(I.parts[2].verified);
  EXPECT_EQ(I.parts[2].new_generators.size(), 2u);
  // f1 = s12 s13 s34 - s12 s14 s33 - s13^2 s24 + s13 s14 s23, f2 = det Sigma[{1,2,4},{3,2,4}]
  const QPoly f1 = s(I, "s12") * s(I, "s13") * s(I, "s34") - s(I, "s12") * s(I, "s14") * s(I, "s33") -
                   s(I, "s13") * s(I, "s13") * s(I, "s24") + s(I, "s13") * s(I, "s14") * s(I, "s23");
  auto e = [&](int i, int j) { return s(I, fmt::format("s{}{}", std::min(i, j), std::max(i, j))); };
  // rows 1,2,4; columns 3,2,4
  const int R[3] = {1, 2, 4}, C[3] = {3, 2, 4};
  QPoly f2(I.ring);
  const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  const int sign[6] = {1, -1, -1, 1, 1, -1};
  for (int k = 0; k < 6; ++k) {
    QPoly t = e(R[0], C[perm[k][0]]) * e(R[1], C[perm[k][1]]) * e(R[2], C[perm[k][2]]);
    f2 += sign[k] > 0 ? t : -t;
  }
  EXPECT_TRUE(in_span(I.parts[2].basis, f1)) << I.parts[2].basis[0].str() << " | " << I.parts[2].basis[1].str();
  EXPECT_TRUE(in_span(I.parts[2].basis, f2));
}

// An acyclic mixed graph, where Macaulay2's GraphicalModels (gaussianVanishingIdeal)
// applies: its ideal has 6 quadrics, and its degree-3 part has dimension 84
// (bench/sem/run.py checks the spans agree). Here the degree-3 part is all
// sigma * I_2 plus new cubics, and every polynomial is verified exactly.
TEST(SemIdeal, AcyclicMixedGraphAgreesWithGraphicalModels) {
  const Ideal I = ideal_to_degree_3("1->2; 1->3; 2->4; 3->4; 4->5; 2<->3");
  EXPECT_EQ(I.parts[0].dimension, 0);
  EXPECT_EQ(I.parts[1].dimension, 6);
  EXPECT_EQ(I.parts[1].new_generators.size(), 6u);
  EXPECT_EQ(I.parts[2].dimension, 84);
  EXPECT_EQ(I.parts[2].from_lower + static_cast<int64_t>(I.parts[2].new_generators.size()), 84);
  EXPECT_EQ(I.parts[2].new_generators.size(), 2u);  // the two cubics M2 lists
  for (const auto& part : I.parts) EXPECT_TRUE(part.verified);
  // s15 s44 - s14 s45: 1 and 5 are separated by 4 (1 _||_ 5 | 4)
  const QPoly ci = s(I, "s15") * s(I, "s44") - s(I, "s14") * s(I, "s45");
  EXPECT_TRUE(in_span(I.parts[1].basis, ci));
}

TEST(SemIdeal, ThreeCycleIsFullDimensional) {
  const Ideal I = ideal_to_degree_3("1 -> 2 -> 3 -> 1");
  for (const IdealPart& part : I.parts) EXPECT_EQ(part.dimension, 0) << "degree " << part.degree;
}

TEST(SemIdeal, ChainHasTheTetradRelation) {
  const Ideal I = ideal_to_degree_3("1 -> 2 -> 3");
  EXPECT_EQ(I.parts[0].dimension, 0);
  ASSERT_EQ(I.parts[1].dimension, 1);
  const QPoly tetrad = s(I, "s13") * s(I, "s22") - s(I, "s12") * s(I, "s23");
  EXPECT_TRUE(in_span(I.parts[1].basis, tetrad)) << I.parts[1].basis[0].str();
  // degree 3: the 6 multiples s_ij * tetrad, nothing new
  EXPECT_EQ(I.parts[2].dimension, 6);
  EXPECT_EQ(I.parts[2].from_lower, 6);
  EXPECT_TRUE(I.parts[2].new_generators.empty());
  EXPECT_TRUE(I.parts[2].verified);
}

TEST(SemIdeal, Limits) {
  IdealOptions o;
  o.max_degree = 9;
  factorkit::testing::expect_error<InvalidInput>([&] { vanishing_ideal(parametrize(parse_graph("1 -> 2")), o); },
                                                 "BadOption", {"--max-degree"});
  o.max_degree = 3;
  // degree 3 in the 10 covariances of 4 vertices: 220 monomials in 84
  // multidegrees (vertex counts), the largest with 6
  o.progress = false;
  o.max_monomials = 5;
  factorkit::testing::expect_error<InvalidInput>([&] { vanishing_ideal(parametrize(parse_graph("1 -> 2 -> 3 -> 4")), o); },
                                                 "TooManyMonomials", {"degree 3 in 10 covariances has 6"});
  o.max_monomials = 6;
  EXPECT_EQ(vanishing_ideal(parametrize(parse_graph("1 -> 2 -> 3 -> 4")), o).parts.size(), 3u);
}

}  // namespace
}  // namespace factorkit::sem
