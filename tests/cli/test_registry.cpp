#include <gtest/gtest.h>

#include <filesystem>

#include "factorkit/cli/registry.h"
#include "factorkit/cli/reproduce.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::cli;
using namespace factorkit::testing;

namespace {
std::vector<ReproEntry> toy_entries() {
  return {
      {"toy", "passes", "a claim that holds", [](const ReproContext& c) {
         ReproResult r;
         r.paper = "1.0";
         r.ours = c.quick ? "0.99" : "1.0";
         r.pass = true;
         write_file_atomic(c.out_dir + "/fig.svg", std::string_view("<svg/>"));
         r.figures = {"fig.svg"};
         return r;
       }},
      {"toy", "fails", "a claim that does not hold at this scale", [](const ReproContext&) {
         ReproResult r;
         r.paper = "90%";
         r.ours = "61%";
         r.note = "small data";
         return r;
       }},
      {"other", "throws", "an entry that crashes", [](const ReproContext&) -> ReproResult {
         throw NumericalFailure("other", "solver", "convergence");
       }},
  };
}
}  // namespace

TEST(Reproduce, RunsEntriesAndWritesReport) {
  TempDir d;
  ReproOptions o;
  o.quick = true;
  o.out_dir = d.file("rep");
  auto rows = run_reproductions(toy_entries(), o);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0].result.pass);
  EXPECT_EQ(rows[0].result.ours, "0.99");
  EXPECT_FALSE(rows[1].result.pass);
  EXPECT_NE(rows[2].error.find("convergence"), std::string::npos);
  std::string table = format_table(rows);
  EXPECT_NE(table.find("toy/passes"), std::string::npos);
  EXPECT_NE(table.find("FAIL"), std::string::npos);
  EXPECT_NE(table.find("ERROR"), std::string::npos);
  auto j = nlohmann::json::parse(read_bytes(d.file("rep/results.json")));
  EXPECT_EQ(j["passed"], 1);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["entries"][1]["note"], "small data");
  std::string md = read_bytes(d.file("rep/report.md"));
  EXPECT_NE(md.find("![fig.svg](toy/fig.svg)"), std::string::npos) << md;
  EXPECT_TRUE(std::filesystem::exists(d.file("rep/toy/fig.svg")));
}

TEST(Reproduce, SelectsMethodsAndRejectsUnknown) {
  TempDir d;
  ReproOptions o;
  o.out_dir = d.file("rep");
  o.methods = {"other"};
  EXPECT_EQ(run_reproductions(toy_entries(), o).size(), 1u);
  o.methods = {"nope"};
  expect_error<InvalidInput>([&] { run_reproductions(toy_entries(), o); }, "UnknownMethod", {"other, toy"});
}

TEST(Reproduce, PrepareRunsBeforeEveryEntryWithTheSeed) {
  TempDir d;
  ReproOptions o;
  o.out_dir = d.file("rep");
  o.seed = 77;
  std::vector<std::string> log;
  o.prepare = [&](const ReproContext& c) { log.push_back(std::to_string(c.seed) + "@" + c.out_dir); };
  run_reproductions(toy_entries(), o);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "77@" + d.file("rep") + "/toy");
  EXPECT_EQ(log[2], "77@" + d.file("rep") + "/other");
}

TEST(Registry, StaticRegistrationIsCollected) {
  std::size_t before = repro_entries().size();
  ReproRegistrar r(ReproEntry{"m", "n", "c", [](const ReproContext&) { return ReproResult{}; }});
  EXPECT_EQ(repro_entries().size(), before + 1);
  EXPECT_EQ(repro_entries().back().method, "m");
}
