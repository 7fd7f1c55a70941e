// The trade-off report and `factorkit optics tradeoff`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "factorkit/core/error.h"
#include "test_util.h"
#include "tradeoff.h"

using factorkit::testing::read_bytes;
using factorkit::testing::run;
using factorkit::testing::TempDir;

TEST(OpticsTradeoff, RowsAgreeAndScale) {
  const auto rows = factorkit::optics::tradeoff(9, 100, factorkit::optics::default_modes(9));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows.back().mode, "checkpoint:3");
  EXPECT_EQ(rows[0].stats.backward_gets, 36u);  // lens: 9·8/2
  EXPECT_EQ(rows[1].stats.backward_gets, 8u);   // lens-right
  EXPECT_EQ(rows[2].stats.backward_gets, 0u);   // optic
  EXPECT_EQ(rows[4].stats.backward_gets, 6u);   // checkpoint:3 recomputes 2 of every 3
  EXPECT_EQ(rows[2].stats.stored_bytes, 9 * 100 * sizeof(double));
  const std::string table = factorkit::optics::tradeoff_table(rows);
  EXPECT_NE(table.find("| lens-right | 9 | 100 | 9 | 8 |"), std::string::npos) << table;
  EXPECT_THROW(factorkit::optics::tradeoff(4, 10, {"tape"}), factorkit::InvalidInput);
}

TEST(OpticsTradeoff, Command) {
  TempDir dir;
  const auto r = run("optics tradeoff --depth 8 --width 64 --svg '" + dir.file("t.svg") + "' -o '" + dir.file("t.json") + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("checkpoint:3"), std::string::npos) << r.out;
  EXPECT_EQ(read_bytes(dir.file("t.svg")).rfind("<svg", 0), 0u);
  const auto j = nlohmann::json::parse(read_bytes(dir.file("t.json")));
  EXPECT_EQ(j.size(), 5u);
  EXPECT_EQ(j[0]["backward_gets"], 28);
  auto bad = run("optics tradeoff --depth 0");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("--depth"), std::string::npos) << bad.err;
  bad = run("optics tradeoff --modes optic,checkpoint:0");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("checkpoint:0"), std::string::npos) << bad.err;
  bad = run("optics tradeoff --depth 1000 --modes lens");
  EXPECT_NE(bad.code, 0);
}

TEST(OpticsTrain, CommandOnFashionMnistAndBadData) {
  TempDir dir;
  const auto r = run("--json optics train --epochs 1 --limit 2000 --hidden 32 --mode checkpoint:2 --results '" +
                     dir.file("r.json") + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["mode"], "checkpoint:2");
  EXPECT_GT(j["test_accuracy"][0].get<double>(), 0.5);  // 2000 images, one epoch: well above chance (0.1)
  EXPECT_EQ(j["stored_per_step"], 2);                    // 3 layers (affine, relu, affine), a checkpoint every 2
  EXPECT_EQ(nlohmann::json::parse(read_bytes(dir.file("r.json")))["mode"], "checkpoint:2");
  // a folder without the data, and a corrupt file
  auto bad = run("optics train --data '" + dir.path().string() + "'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("train-images-idx3-ubyte.gz"), std::string::npos) << bad.err;
  factorkit::testing::write_bytes(dir.file("train-images-idx3-ubyte.gz"), "not gzip");
  bad = run("optics train --data '" + dir.path().string() + "'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("train-images-idx3-ubyte.gz"), std::string::npos) << bad.err;
  bad = run("optics train --mode tape --limit 10");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("--mode"), std::string::npos) << bad.err;
  // widths whose weight matrices would not fit are refused before any allocation
  auto wide = run("optics train --hidden 100000 --epochs 1 --limit 100");
  EXPECT_EQ(wide.code, 2);
  EXPECT_NE(wide.err.find("--hidden"), std::string::npos) << wide.err;
  wide = run("optics train --hidden 60000,60000 --epochs 1 --limit 100");
  EXPECT_EQ(wide.code, 2);
  // a results file in a missing folder is refused before training
  const auto nowhere = run("optics train --epochs 1 --limit 100 --results '" + dir.file("no/such/r.json") + "'");
  EXPECT_EQ(nowhere.code, 2);
  EXPECT_NE(nowhere.err.find("does not exist"), std::string::npos) << nowhere.err;
}
