// `factorkit qnlp` end to end: generate, train, predict, draw, and bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

using factorkit::testing::read_bytes;
using factorkit::testing::run;
using factorkit::testing::TempDir;
using factorkit::testing::write_bytes;

TEST(QnlpCli, GenerateTrainPredictDraw) {
  TempDir dir;
  const std::string d = dir.path().string();
  ASSERT_EQ(run("qnlp generate --task mc --out '" + d + "/mc'").code, 0);
  const std::string files = " --train '" + d + "/mc/train.txt' --dev '" + d + "/mc/dev.txt' --test '" + d +
                            "/mc/test.txt' --lexicon '" + d + "/mc/lexicon.txt'";
  const auto t = run("qnlp train" + files + " --epochs 40 -o '" + d + "/m.json' --results '" + d + "/r.json'");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("test acc"), std::string::npos) << t.out;
  const auto r = nlohmann::json::parse(read_bytes(d + "/r.json"));
  EXPECT_EQ(r["history"].size(), 40u);
  EXPECT_EQ(r["sentences"]["train"], 70);
  const double test_acc = r["test"]["accuracy"];
  // predicting the test file with the saved model gives the training run's test accuracy
  const auto p = run("--json qnlp predict --model '" + d + "/m.json' --labelled --input '" + d + "/mc/test.txt'");
  ASSERT_EQ(p.code, 0) << p.err;
  const auto pj = nlohmann::json::parse(p.out);
  EXPECT_DOUBLE_EQ(pj["accuracy"].get<double>(), test_acc);
  EXPECT_EQ(pj["predictions"].size(), 30u);
  const auto one = run("qnlp predict --model '" + d + "/m.json' --sentence 'woman cooks tasty meal .'");
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(one.out.substr(0, 2), "1 ") << one.out;  // food
  // drawings of the diagram and the circuit
  const auto dr = run("qnlp draw 'skillful man prepares sauce .' --task mc --ansatz sim14 --diagram '" + d +
                      "/d.svg' --circuit '" + d + "/c.svg'");
  ASSERT_EQ(dr.code, 0) << dr.err;
  EXPECT_NE(read_bytes(d + "/c.svg").find("CRx"), std::string::npos);
  EXPECT_NE(read_bytes(d + "/d.svg").find("prepares"), std::string::npos);
}

TEST(QnlpCli, BadInputSaysWhatAndWritesNothing) {
  TempDir dir;
  const std::string d = dir.path().string();
  ASSERT_EQ(run("qnlp generate --task mc --out '" + d + "/mc'").code, 0);
  const std::string files = " --train '" + d + "/mc/train.txt' --lexicon '" + d + "/mc/lexicon.txt'";
  auto bad = run("qnlp train" + files + " --ansatz qaoa -o '" + d + "/m.json'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("qaoa"), std::string::npos) << bad.err;
  write_bytes(d + "/dev.txt", "1 man prepares sauce .\n2 woman runs program .\n");
  bad = run("qnlp train" + files + " --dev '" + d + "/dev.txt' -o '" + d + "/m.json'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos) << bad.err;
  write_bytes(d + "/dev.txt", "1 man prepares pizza .\n");
  bad = run("qnlp train" + files + " --dev '" + d + "/dev.txt' -o '" + d + "/m.json'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("pizza"), std::string::npos) << bad.err;
  bad = run("qnlp train" + files + " --qubits n=1,s=2 -o '" + d + "/m.json'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("one qubit"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(d + "/m.json"));
  write_bytes(d + "/broken.json", "{\"format\": \"factorkit-qnlp-model\", \"version\": 1}");
  bad = run("qnlp predict --model '" + d + "/broken.json' --sentence 'man prepares sauce'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("broken.json"), std::string::npos) << bad.err;
  EXPECT_NE(run("qnlp draw 'man prepares sauce' --task mc").code, 0);  // no output named
  bad = run("qnlp train --task mc --dev '" + d + "/mc/dev.txt'");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("not both"), std::string::npos) << bad.err;
  bad = run("qnlp train --task mc --layers 65");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("64"), std::string::npos) << bad.err;
  bad = run("qnlp train --task mc --resume");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("checkpoint"), std::string::npos) << bad.err;
  bad = run("qnlp train --task mc --qubits n=1,s=x");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("--qubits"), std::string::npos) << bad.err;
}
