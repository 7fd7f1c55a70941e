// `factorkit sem` end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

using namespace factorkit::testing;

TEST(SemCli, CovarianceIdentifyIdeal) {
  CliRun c = run("--json sem covariance --graph \"1->2->3->1\"");
  ASSERT_EQ(c.code, 0) << c.err;
  auto j = nlohmann::json::parse(c.out);
  EXPECT_EQ(j["det"], "-l12*l23*l31 + 1");
  EXPECT_EQ(j["entries"].size(), 6u);
  EXPECT_FALSE(j["acyclic"].get<bool>());
  CliRun id = run("--json sem identify --graph \"1 -> 2 -> 3 -> 4 -> 2\"");
  ASSERT_EQ(id.code, 0) << id.err;
  auto k = nlohmann::json::parse(id.out);
  EXPECT_EQ(k["rank"], 8);
  EXPECT_EQ(k["parameters_count"], 8);
  EXPECT_TRUE(k["finite_to_one"].get<bool>());
  CliRun ideal = run("--json sem ideal --graph \"1 -> 2 -> 3\" --max-degree 2");
  ASSERT_EQ(ideal.code, 0) << ideal.err;
  auto l = nlohmann::json::parse(ideal.out);
  EXPECT_EQ(l["degrees"][1]["dimension"], 1);
  EXPECT_EQ(l["degrees"][1]["new_generators"][0], "s13*s22 - s12*s23");
  CliRun tex = run("sem covariance --graph \"x -> y\" --latex");
  ASSERT_EQ(tex.code, 0) << tex.err;
  EXPECT_NE(tex.out.find("\\sigma_{xy} = \\lambda_{xy}\\omega_{xx}"), std::string::npos) << tex.out;
}

TEST(SemCli, GraphFromAFileAndErrors) {
  TempDir d;
  write_bytes(d.file("g.txt"), "# lavaan\ny ~ x\nz ~ y\n");
  CliRun f = run("--json sem identify --graph-file g.txt", d.path().string());
  ASSERT_EQ(f.code, 0) << f.err;
  EXPECT_EQ(nlohmann::json::parse(f.out)["graph"], "y; x; z; y -> z; x -> y");  // vertices y, x, z as they appear
  write_bytes(d.file("bad.txt"), "y ~ x\nz ~ z\n");
  CliRun bad = run("sem identify --graph-file bad.txt", d.path().string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("bad.txt: line 2, column 3: a self-loop z -> z"), std::string::npos) << bad.err;
  CliRun none = run("sem identify");
  EXPECT_EQ(none.code, 2);
  CliRun missing = run("sem identify --graph-file nothere.txt", d.path().string());
  EXPECT_EQ(missing.code, 2);
  CliRun utf = run("--json sem identify --graph \"\xce\xb1 -> b\"");
  EXPECT_EQ(utf.code, 2);  // a clean JSON error, not a crash on non-UTF-8 bytes in the message
  EXPECT_EQ(nlohmann::json::parse(utf.out)["error"]["code"], "GraphSyntax");
  CliRun empty = run("sem identify --graph \"\"");
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("EmptyGraph"), std::string::npos) << empty.err;
  CliRun deg = run("sem ideal --graph \"1->2\" --max-degree 0");
  EXPECT_EQ(deg.code, 2);
  EXPECT_NE(deg.err.find("--max-degree"), std::string::npos) << deg.err;
}
