// `factorkit train`: a small run end to end, the model folder it leaves, a
// halted run resumed by rerunning the command, the summary, bad options.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/reference.h"
#include "test_util.h"

using factorkit::testing::read_bytes;
using factorkit::testing::run;
using factorkit::testing::TempDir;

TEST(TrainCli, SmallCnnRunLeavesALoadableModelAndResumes) {
  TempDir dir;
  const std::string out = dir.file("cnn");
  const std::string cmd = "--json --threads 2 train cnn --limit 1024 --epochs 2 --batch-size 128 --warmup 2 --out '" + out + "'";
  // halted after 5 of 16 steps, then continued by the same command
  auto r = run(cmd + " --halt-after 5");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.at("halted").get<bool>());
  EXPECT_EQ(j.at("steps"), 5);
  EXPECT_FALSE(std::filesystem::exists(out + "/model.json"));
  r = run(cmd);
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  const auto& info = j.at("model");
  EXPECT_EQ(info.at("training").at("steps"), 16);
  EXPECT_EQ(info.at("training").at("resumed_from"), 5);
  EXPECT_EQ(info.at("data").at("train_images"), 1024);
  EXPECT_GT(info.at("metrics").at("test_accuracy").get<double>(), 0.5);  // 1024 images: well above chance
  EXPECT_EQ(info.at("training").at("history").size(), 2u);               // one evaluation per epoch
  // the folder loads, and its weights give the recorded accuracy's model
  factorkit::nn::Cnn m = factorkit::nn::load_cnn(out);
  EXPECT_EQ(m->options.width, 32);
  // a finished run rerun returns at once with the same model
  const std::string before = read_bytes(out + "/model.safetensors");
  r = run(cmd);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("model").at("training").at("resumed_from"), 16);
  EXPECT_EQ(read_bytes(out + "/model.safetensors"), before);
  // other settings with the same folder are refused, not mixed
  r = run("train cnn --limit 1024 --epochs 2 --batch-size 128 --lr 0.5 --out '" + out + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("checkpoint"), std::string::npos) << r.err;
  r = run(cmd + " --flip");  // the task's settings count too (augmentation)
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("CheckpointMismatch"), std::string::npos) << r.err;
}

TEST(TrainCli, SummaryAndBadOptions) {
  auto r = run("--json train cnn --summary");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto s = nlohmann::json::parse(r.out).at("summary");
  EXPECT_EQ(s.at("params"), 421834);
  EXPECT_EQ(s.at("flops_by_op").at("conv").get<std::int64_t>() / 64, 2 * 28 * 28 * 32 * 9 + 2 * 14 * 14 * 64 * 288);
  r = run("train lm --summary --dim 64 --layers 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("blocks.0.ffn.gate_proj"), std::string::npos) << r.out;
  TempDir dir;
  EXPECT_EQ(run("train cnn --batch-size 0 --out '" + dir.file("x") + "'").code, 2);
  EXPECT_EQ(run("train cnn --epochs -1 --out '" + dir.file("x") + "'").code, 2);
  EXPECT_EQ(run("train lm --dim 30 --heads 4 --summary").code, 2);  // 30 not divisible by 4
  factorkit::testing::write_bytes(dir.file("file"), "x");
  r = run("train cnn --out '" + dir.file("file") + "/sub'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
  r = run("train cnn --data '" + dir.path().string() + "' --out '" + dir.file("y") + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("dataset-fashion-mnist"), std::string::npos) << r.err;
}
