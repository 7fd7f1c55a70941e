// `factorkit sem` end to end.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

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

TEST(SemCli, SimulateThenFit) {
  TempDir d;
  const std::string graph = "\"y1 ~ x1 + y2; y2 ~ x2 + y1\"";  // non-recursive, instruments x1, x2
  CliRun sim = run("--seed 5 sem simulate --graph " + graph +
                       " --theta \"l(x1,y1)=0.7, l(x2,y2)=-0.6, l(y2,y1)=0.4, l(y1,y2)=0.3\" --n 5000 -o d.csv",
                   d.path().string());
  ASSERT_EQ(sim.code, 0) << sim.err;
  CliRun fit = run("--json sem fit --graph " + graph + " --data d.csv -o fit.json", d.path().string());
  ASSERT_EQ(fit.code, 0) << fit.err;
  auto j = nlohmann::json::parse(fit.out);
  EXPECT_EQ(j["df"], 2);  // 10 covariances, 8 parameters
  EXPECT_FALSE(j["acyclic"].get<bool>());
  std::ifstream saved(d.file("fit.json"));
  EXPECT_EQ(nlohmann::json::parse(saved), j);
  double l21 = 0, se = 0;
  for (const auto& p : j["parameters"])
    if (p["name"] == "l(y2,y1)") l21 = p["estimate"], se = p["se"];
  EXPECT_LT(std::abs(l21 - 0.4), 3 * se) << l21 << " +/- " << se;
  // a covariance matrix instead of data (columns in any order)
  write_bytes(d.file("cov.csv"), "x1,x2,y1,y2\n1,0.2,0.5,0.1\n0.2,1,0.1,-0.4\n0.5,0.1,1.5,0.3\n0.1,-0.4,0.3,1.2\n");
  CliRun c = run("--json sem fit --graph " + graph + " --covariance cov.csv --n 300", d.path().string());
  ASSERT_EQ(c.code, 0) << c.err;
  const auto cj = nlohmann::json::parse(c.out);
  EXPECT_EQ(cj["n"], 300);
  // a larger matrix (an extra variable, columns in another order) divided by n - 1:
  // --unbiased rescales it by (n - 1) / n, so 299/300 of this one gives the same fit
  std::string big = "q,y2,x1,y1,x2\n";
  const double cov[4][4] = {{1, 0.2, 0.5, 0.1}, {0.2, 1, 0.1, -0.4}, {0.5, 0.1, 1.5, 0.3}, {0.1, -0.4, 0.3, 1.2}};
  const int order[4] = {3, 0, 2, 1};  // y2, x1, y1, x2 in the x1, x2, y1, y2 matrix above
  auto entry = [&](int a, int b) { return cov[a][b] * 300.0 / 299.0; };
  big += fmt::format("9,0,0,0,0\n");
  for (int a = 0; a < 4; ++a) {
    big += "0";
    for (int b = 0; b < 4; ++b) big += fmt::format(",{:.17g}", entry(order[a], order[b]));
    big += "\n";
  }
  write_bytes(d.file("big.csv"), big);
  CliRun u = run("--json sem fit --graph " + graph + " --covariance big.csv --n 300 --unbiased", d.path().string());
  ASSERT_EQ(u.code, 0) << u.err;
  EXPECT_NEAR(nlohmann::json::parse(u.out)["chisq"].get<double>(), cj["chisq"].get<double>(), 1e-9);
  // names with blanks inside the parentheses, and a '+' sign, in --start
  CliRun st = run("--json sem fit --graph " + graph + " --covariance cov.csv --n 300 --start \"l(x1, y1) = +0.5\"",
                  d.path().string());
  ASSERT_EQ(st.code, 0) << st.err;
  EXPECT_NEAR(nlohmann::json::parse(st.out)["chisq"].get<double>(), cj["chisq"].get<double>(), 1e-9);
}

TEST(SemCli, FitErrorsNameTheFileAndField) {
  TempDir d;
  write_bytes(d.file("na.csv"), "x,y\n1,2\nNA,3\n2,1\n4,4\n");
  CliRun na = run("sem fit --graph \"x -> y\" --data na.csv", d.path().string());
  EXPECT_EQ(na.code, 2);
  EXPECT_NE(na.err.find("na.csv: line 3, column 1"), std::string::npos) << na.err;
  write_bytes(d.file("miss.csv"), "x,w\n1,2\n2,3\n3,5\n");
  CliRun miss = run("sem fit --graph \"x -> y\" --data miss.csv", d.path().string());
  EXPECT_EQ(miss.code, 2);
  EXPECT_NE(miss.err.find("a column named \"y\""), std::string::npos) << miss.err;
  write_bytes(d.file("const.csv"), "x,y\n1,2\n2,2\n3,2\n5,2\n");
  CliRun cst = run("sem fit --graph \"x -> y\" --data const.csv", d.path().string());
  EXPECT_EQ(cst.code, 2);
  EXPECT_NE(cst.err.find("const.csv: column \"y\": expected a column that varies"), std::string::npos) << cst.err;
  write_bytes(d.file("asym.csv"), "x,y\n1,0.5\n0.4,1\n");
  CliRun asym = run("sem fit --graph \"x -> y\" --covariance asym.csv --n 50", d.path().string());
  EXPECT_EQ(asym.code, 2);
  EXPECT_NE(asym.err.find("symmetric"), std::string::npos) << asym.err;
  CliRun both = run("sem fit --graph \"x -> y\" --data const.csv --covariance asym.csv --n 5", d.path().string());
  EXPECT_EQ(both.code, 2);
  write_bytes(d.file("ok.csv"), "x,y\n1,2\n2,1\n3,5\n5,2\n");
  CliRun many = run("sem fit --graph \"x -> y -> x\" --data ok.csv", d.path().string());
  EXPECT_EQ(many.code, 2);  // 4 parameters, 3 covariances
  EXPECT_NE(many.err.find("not identified"), std::string::npos) << many.err;
  write_bytes(d.file("ok4.csv"), "1,2,3,4\n1,2,0,1\n2,1,1,0\n3,5,-1,2\n5,2,2,2\n0,1,4,-2\n");
  CliRun start = run("sem fit --graph \"1 -> 2 -> 1; 3 -> 1; 4 -> 2\" --data ok4.csv --start \"l12 = 2; l21 = 0.5\"",
                     d.path().string());
  EXPECT_EQ(start.code, 2);  // I - Lambda singular at the start
  EXPECT_NE(start.err.find("--start"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("I - Lambda invertible"), std::string::npos) << start.err;
  CliRun bad = run("sem fit --graph \"x -> y\" --data ok.csv --start \"lxy: 1\"", d.path().string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("name=value"), std::string::npos) << bad.err;
  CliRun theta = run("sem simulate --graph \"x -> y\" --theta \"lzz=1\" --n 10 -o s.csv", d.path().string());
  EXPECT_EQ(theta.code, 2);
  EXPECT_FALSE(std::filesystem::exists(d.file("s.csv")));
}
