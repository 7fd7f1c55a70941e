// Mixed graphs: both syntaxes, the structural checks, and errors with positions.
#include <gtest/gtest.h>

#include "factorkit/core/error.h"
#include "graph.h"
#include "test_util.h"

namespace factorkit::sem {
namespace {

using factorkit::testing::expect_error;
using Edges = std::vector<std::pair<int, int>>;

TEST(SemGraph, ArrowSyntax) {
  const MixedGraph g = parse_graph("1->2; 2->3; 3->1; 1<->3");
  EXPECT_EQ(g.names, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(g.directed, (Edges{{0, 1}, {1, 2}, {2, 0}}));
  EXPECT_EQ(g.bidirected, (Edges{{0, 2}}));
  EXPECT_FALSE(g.is_acyclic());
  EXPECT_FALSE(g.is_simple());  // 3 -> 1 and 1 <-> 3 join the same pair
  EXPECT_TRUE(g.has_directed(2, 0));
  EXPECT_FALSE(g.has_directed(0, 2));
  EXPECT_TRUE(g.has_bidirected(2, 0));
  EXPECT_EQ(g.str(), "1 -> 2; 2 -> 3; 3 -> 1; 1 <-> 3");
  EXPECT_EQ(parse_graph(g.str()).directed, g.directed);
}

TEST(SemGraph, ChainsBackArrowsCommentsAndOrder) {
  const MixedGraph g = parse_graph("# a chain\n3 -> 1 -> 2\n4 <- 2  # back arrow\n5");
  EXPECT_EQ(g.names, (std::vector<std::string>{"1", "2", "3", "4", "5"}));  // numeric order
  EXPECT_EQ(g.directed, (Edges{{0, 1}, {1, 3}, {2, 0}}));
  EXPECT_TRUE(g.is_acyclic());
  EXPECT_EQ(g.str(), "1 -> 2; 2 -> 4; 3 -> 1; 5");
  const MixedGraph named = parse_graph("income -> health; age -> income; age -> health");
  EXPECT_EQ(named.names, (std::vector<std::string>{"income", "health", "age"}));  // first appearance
  EXPECT_EQ(named.index("age"), 2);
  EXPECT_EQ(named.index("none"), -1);
}

TEST(SemGraph, LavaanSyntax) {
  const MixedGraph g = parse_graph("y ~ x1 + x2\nx1 ~~ x2\ny ~~ y\nx2 ~ y");
  EXPECT_EQ(g.names, (std::vector<std::string>{"y", "x1", "x2"}));
  EXPECT_EQ(g.directed, (Edges{{0, 2}, {1, 0}, {2, 0}}));  // y -> x2, x1 -> y, x2 -> y
  EXPECT_EQ(g.bidirected, (Edges{{1, 2}}));                // the variance y ~~ y adds nothing
  EXPECT_FALSE(g.is_acyclic());
  EXPECT_FALSE(g.is_simple());  // y and x2 form a 2-cycle
}

TEST(SemGraph, SimpleMeansAtMostOneEdgePerPair) {
  EXPECT_FALSE(parse_graph("1 -> 2; 2 -> 1").is_simple());            // the 2-cycle
  EXPECT_FALSE(parse_graph("1 -> 2; 2 -> 1; 2 -> 3").is_simple());
  EXPECT_FALSE(parse_graph("1 -> 2 -> 3 -> 1; 1 <-> 2").is_simple());  // a bow
  EXPECT_TRUE(parse_graph("1 -> 2 -> 3 -> 4 -> 1; 1 <-> 3; 2 <-> 4").is_simple());
  EXPECT_TRUE(parse_graph("1 -> 2 -> 3 -> 4 -> 2").is_simple());
}

TEST(SemGraph, ErrorsNameLineAndColumn) {
  expect_error<InvalidInput>([] { parse_graph("1 -> 2; 2 -> 2"); }, "GraphSyntax",
                             {"--graph", "line 1, column 11", "self-loop 2 -> 2"});
  expect_error<InvalidInput>([] { parse_graph("1 -> 2\n3 -> 1\n1 -> 2"); }, "GraphSyntax",
                             {"line 3, column 3", "duplicate edge 1 -> 2 (first at line 1, column 3)"});
  expect_error<InvalidInput>([] { parse_graph("1 <-> 2; 2 <-> 1"); }, "GraphSyntax", {"duplicate edge 2 <-> 1"});
  expect_error<InvalidInput>([] { parse_graph("1 <-> 1"); }, "GraphSyntax", {"bidirected self-loop"});
  expect_error<InvalidInput>([] { parse_graph("1 -> "); }, "GraphSyntax", {"line 1, column 6", "the statement ends"});
  expect_error<InvalidInput>([] { parse_graph("1 => 2", "g.txt"); }, "GraphSyntax", {"g.txt", "column 3", "unexpected '='"});
  expect_error<InvalidInput>([] { parse_graph("a b"); }, "GraphSyntax", {"column 3", "'b' where an edge was expected"});
  expect_error<InvalidInput>([] { parse_graph("y ~ "); }, "GraphSyntax", {"a regressor"});
  expect_error<InvalidInput>([] { parse_graph("y ~ x z"); }, "GraphSyntax", {"column 7", "between regressors"});
  expect_error<InvalidInput>([] { parse_graph("y -> x ~ z"); }, "GraphSyntax", {"'->' where '~' or '~~'"});
  expect_error<InvalidInput>([] { parse_graph("-> 2"); }, "GraphSyntax", {"column 1", "to start the statement"});
  expect_error<InvalidInput>([] { parse_graph("01 -> 2"); }, "GraphSyntax", {"leading zero", "'1'"});
  // integer names of any length sort numerically; other names keep their order in str()
  EXPECT_EQ(parse_graph("123456789012345678901 -> 3").names,
            (std::vector<std::string>{"3", "123456789012345678901"}));
  const MixedGraph named = parse_graph("b; y ~ x; a");
  EXPECT_EQ(named.str(), "b; y; x; a; x -> y");
  EXPECT_EQ(parse_graph(named.str()).names, named.names);
  // an empty text is an empty graph, not an error
  EXPECT_EQ(parse_graph("  ;\n# nothing\n").size(), 0);
}

}  // namespace
}  // namespace factorkit::sem
