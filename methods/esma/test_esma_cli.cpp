// `factorkit esma` end to end: the three subcommands, JSON output, exit codes,
// clear errors, the checkpoint's malformed-file behaviour.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "factorkit/core/error.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;
namespace fs = std::filesystem;

TEST(EsmaCli, ExpandPrintsTermsRecurrenceAndPattern) {
  CliRun r = run("--json esma expand --expr \"e/(e-1)\" --signs 1,-1 --terms 30");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["terms"][4], "5");
  EXPECT_EQ(j["L"], 4);
  EXPECT_EQ(j["bm_polynomial"], (std::vector<long>{1, 0, -2, 0, 1}));
  EXPECT_EQ(j["a_n"], "a_n = n + 1 if n ≡ 0 (mod 2); 2 if n ≡ 1 (mod 2)");
  EXPECT_TRUE(j["complete"].get<bool>());
  CliRun t = run("esma expand --expr \"tan(1)\" --terms 12");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("tan(1) = 1 + 1/(1 + 1/(1 + 1/(3 + 1/(1 + 1/(5 +"), std::string::npos) << t.out;
}

TEST(EsmaCli, ExpandSaysWhenPrecisionRunsOut) {
  CliRun r = run("--json esma expand --value 3.14159265358979 --terms 30");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["complete"].get<bool>());
  EXPECT_LT(j["terms"].size(), 30u);
  EXPECT_NE(j["stop_reason"].get<std::string>().find("known digits"), std::string::npos);
}

TEST(EsmaCli, VerifyHoldsOrExitsOne) {
  CliRun ok = run("esma verify --expr \"e/(e-1)\" --signs 1,-1 --recurrence 1,0,-2,0,1");
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("holds: 1000 terms agree"), std::string::npos) << ok.out;
  // the reference's starting-terms quirk on e: C without its trailing zero, 6 terms
  CliRun quirk = run("--json esma verify --expr e --signs 1 --recurrence 1,0,0,-2,0,0,1");
  EXPECT_EQ(quirk.code, 1) << quirk.err;
  EXPECT_FALSE(nlohmann::json::parse(quirk.out)["holds"].get<bool>());
  CliRun fixed = run("esma verify --expr e --signs 1 --recurrence 1,0,0,-2,0,0,1,0");
  EXPECT_EQ(fixed.code, 0) << fixed.out;
}

TEST(EsmaCli, SearchFindsTheReferenceFormulas) {
  CliRun r = run("--json esma search --constant e --poly-deg 1 --coeff-lim 2 --sign-len 2 --depth 105 --compat");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["results"].size(), 13u);
  EXPECT_EQ(j["distinct_values"], 13);
  bool found = false;
  for (const auto& res : j["results"])
    found = found || (res["lhs"] == "e - 1" && res["signs"] == std::vector<int>{-1, 1});
  EXPECT_TRUE(found);
}

TEST(EsmaCli, BadInputIsAClearError) {
  CliRun expr = run("esma expand --expr \"e/(e-\"");
  EXPECT_EQ(expr.code, 2);
  EXPECT_NE(expr.err.find("--expr"), std::string::npos) << expr.err;
  EXPECT_NE(expr.err.find("column"), std::string::npos) << expr.err;
  CliRun signs = run("esma expand --expr e --signs 1,0");
  EXPECT_EQ(signs.code, 2);
  EXPECT_NE(signs.err.find("--signs"), std::string::npos) << signs.err;
  CliRun both = run("esma expand --expr e --value 2.718");
  EXPECT_EQ(both.code, 2);
  CliRun range = run("esma search --sign-len 3-x");
  EXPECT_EQ(range.code, 2);
  EXPECT_NE(range.err.find("--sign-len"), std::string::npos) << range.err;
  CliRun digits = run("esma search --value 2.718281828");
  EXPECT_EQ(digits.code, 2);
  EXPECT_NE(digits.err.find("at least 110 digits"), std::string::npos) << digits.err;
  CliRun rec = run("esma verify --expr e --recurrence 2,1");
  EXPECT_EQ(rec.code, 2);
  CliRun zero = run("esma expand --expr \"e - e\"");
  EXPECT_EQ(zero.code, 3);
  CliRun rational = run("--json esma expand --expr 3/2");
  EXPECT_EQ(rational.code, 0) << rational.err;
  EXPECT_NE(rational.out.find("rational"), std::string::npos) << rational.out;
  CliRun huge = run("esma verify --expr e --recurrence 1,-9223372036854775808");
  EXPECT_EQ(huge.code, 2);
  EXPECT_NE(huge.err.find("2^62"), std::string::npos) << huge.err;
  CliRun few = run("esma verify --value 2.718281828459045 --signs 1 --recurrence 1,0,0,-2,0,0,1,0");
  EXPECT_EQ(few.code, 2);
  EXPECT_NE(few.err.find("TooFewDigits"), std::string::npos) << few.err;
  CliRun dps = run("esma search --verify-dps 100000000");
  EXPECT_EQ(dps.code, 2);
  EXPECT_NE(dps.err.find("--verify-dps"), std::string::npos) << dps.err;
  CliRun ckpt = run("esma search --checkpoint /nonexistent-dir/ck.json");
  EXPECT_EQ(ckpt.code, 2);
  EXPECT_NE(ckpt.err.find("/nonexistent-dir"), std::string::npos) << ckpt.err;
}

TEST(EsmaCli, MalformedCheckpointsAreRefusedAndKept) {
  TempDir d;
  const std::string args = "esma search --constant e --poly-deg 1 --coeff-lim 1 --sign-len 1 --checkpoint ck.json";
  CliRun first = run(args, d.path().string());
  ASSERT_EQ(first.code, 0) << first.err;
  const std::string good = read_bytes(d.file("ck.json"));
  struct Case {
    std::string text, fragment;
  };
  const std::vector<Case> cases{
      {good.substr(0, good.size() / 2), "valid JSON"},
      {"[]", "a JSON object"},
      {R"({"format": "other", "version": 1})", "format"},
      {R"({"format": "factorkit-esma-checkpoint", "version": 2})", "version"},
      {R"({"format": "factorkit-esma-checkpoint", "version": 1, "search": {}, "items": -1, "done": []})", "items"},
      {R"({"format": "factorkit-esma-checkpoint", "version": 1, "search": {}, "items": 2, "done": [{"i": 5}]})",
       "done[0].i"},
      {R"({"format": "factorkit-esma-checkpoint", "version": 1, "search": {}, "items": 2, "done": [{"i": 0, "candidates": 1, "zero_terms": 0, "precision_stops": 0, "hits": [{"period": 0, "L": 1, "c": [1, -1], "terms": ["1x"]}]}]})",
       "hits[0].terms[0]"},
      {R"({"format": "factorkit-esma-checkpoint", "version": 1, "search": {}, "items": 2, "done": [{"i": 0, "candidates": 1, "zero_terms": 0, "precision_stops": 0, "hits": [{"period": 0, "L": 2, "c": [1, -1], "terms": []}]}]})",
       "hits[0].c"},
  };
  for (const Case& c : cases) {
    write_bytes(d.file("ck.json"), c.text);
    CliRun r = run(args, d.path().string());
    EXPECT_EQ(r.code, 2) << c.fragment;
    EXPECT_NE(r.err.find("ck.json"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.fragment << ": " << r.err;
    EXPECT_EQ(read_bytes(d.file("ck.json")), c.text);  // a bad checkpoint is never overwritten
  }
  // the good one parses and round-trips
  esma::Checkpoint cp = esma::parse_checkpoint(good, "ck.json");
  EXPECT_EQ(esma::parse_checkpoint(esma::format_checkpoint(cp), "again"), cp);
}
