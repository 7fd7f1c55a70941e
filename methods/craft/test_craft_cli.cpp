// `factorkit craft` end to end on a small untrained CNN folder and generated
// images: outputs written, layers listed, and bad input refused with exit 2 and
// a message naming the file or option.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/models.h"
#include "test_util.h"

namespace fs = std::filesystem;
using factorkit::testing::run;
using factorkit::testing::TempDir;

namespace {

// A CNN folder as `factorkit train cnn` writes it (random weights) and 12 images.
void make_inputs(const TempDir& d) {
  at::manual_seed(3);
  factorkit::nn::CnnOptions o;
  o.width = 4;
  o.hidden = 8;
  factorkit::nn::Cnn cnn(o);
  cnn->eval();
  fs::create_directories(d.file("model"));
  factorkit::nn::save_module(*cnn, d.file("model/model.safetensors"));
  std::ofstream(d.file("model/model.json"))
      << nlohmann::json{{"architecture", factorkit::nn::to_json(o)}, {"data", {{"mean", 0.3}, {"std", 0.35}}}}.dump();
  const at::Tensor img = (at::rand({12, 28, 28}) * 255).to(at::kByte);
  factorkit::write_idx(d.file("images.idx"), factorkit::from_torch(img));
  const at::Tensor labels = at::tensor({0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0}, at::kByte);
  factorkit::write_idx(d.file("labels.idx"), factorkit::from_torch(labels));
}

}  // namespace

TEST(CraftCli, WritesTheBundleAndPictures) {
  TempDir d;
  make_inputs(d);
  const auto r = run("--json craft --model model --layer features.6 --images images.idx --labels labels.idx --class 0 "
                     "--concepts 3 --patch-size 14 --designs 8 --overlays 2 --bootstrap 20 --out out",
                     d.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images_used"], 7);  // the class-0 images
  EXPECT_EQ(j["importance_total"].size(), 3u);
  for (const char* f : {"concepts.safetensors", "concepts.json", "gallery.png", "importance.svg", "attribution.png"})
    EXPECT_TRUE(fs::exists(d.file(std::string("out/") + f))) << f;
  const auto t = factorkit::read_tensor_file(d.file("out/concepts.safetensors"));
  ASSERT_NE(t.find("concepts"), nullptr);
  EXPECT_EQ(t.find("concepts")->shape, (std::vector<std::int64_t>{3, 8}));  // r x channels of features.6 (2 × width)
  EXPECT_EQ(t.find("crop_coefficients")->shape, (std::vector<std::int64_t>{7 * 4, 3}));  // 2 × 2 crops per image
  // Recursivity: concept 0 refined at the first ReLU.
  const auto rf = run("--json craft --model model --layer features.6 --images images.idx --class 0 --concepts 2 "
                      "--patch-size 14 --designs 8 --overlays 0 --refine 0 --refine-layer features.2 --sub-concepts 2 "
                      "--out out2", d.path().string());
  ASSERT_EQ(rf.code, 0) << rf.err;
  EXPECT_TRUE(fs::exists(d.file("out2/refine_gallery.png")));
  EXPECT_FALSE(fs::exists(d.file("out2/attribution.png")));
  const auto jr = nlohmann::json::parse(std::ifstream(d.file("out2/concepts.json")));
  EXPECT_EQ(jr["refinement"]["importance_total"].size(), 2u);
  // Layers are listed with their sign.
  const auto l = run("craft --model model --images images.idx --class 0 --list-layers", d.path().string());
  ASSERT_EQ(l.code, 0) << l.err;
  EXPECT_NE(l.out.find("features.6  (>= 0)"), std::string::npos) << l.out;
}

TEST(CraftCli, BadInputIsRefusedWithTheFileOrOption) {
  TempDir d;
  make_inputs(d);
  auto expect_error = [&](const std::string& args, const std::string& needle) {
    const auto r = run("craft " + args, d.path().string());
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
    EXPECT_FALSE(fs::exists(d.file("bad"))) << args << ": nothing is written when the input is refused";
  };
  const std::string base = "--images images.idx --class 0 --out bad ";
  expect_error("--model model --layer features.9 " + base, "features.9");        // unknown layer
  expect_error("--model model --layer features.4 " + base, "features.6");        // negative: names the good ones
  expect_error("--model nope.pt --layer x " + base, "nope.pt");                   // missing model
  factorkit::testing::write_bytes(d.file("junk.pt"), "not a zip");
  expect_error("--model junk.pt --layer x " + base, "junk.pt");                   // not TorchScript
  expect_error("--model model --layer features.6 --images missing.idx --class 0 --out bad", "missing.idx");
  factorkit::testing::write_bytes(d.file("trunc.idx"), std::string("\0\0\x08\x03\0\0\0\x0c", 8));
  expect_error("--model model --layer features.6 --images trunc.idx --class 0 --out bad", "trunc.idx");
  expect_error("--model model --layer features.6 --images images.idx --labels labels.idx --class 7 --out bad",
               "--class");
  factorkit::write_idx(d.file("few.idx"), factorkit::from_torch(at::zeros({3}, at::kByte)));
  expect_error("--model model --layer features.6 --images images.idx --labels few.idx --class 0 --out bad",
               "few.idx");
  expect_error("--model model --layer features.6 --images images.idx --class 0 --patch-size 40 --out bad",
               "patch");
  expect_error("--model model --layer features.6 --images images.idx --class 0 --sampler grid --out bad",
               "sampler");
  expect_error("--model model --layer features.6 --images images.idx --class 10 --out bad", "--class");  // 10 outputs
  expect_error("--model model --layer features.6 --images images.idx --class 0 --concepts 3 --refine 3 "
               "--refine-layer features.2 --out bad", "--refine");
  expect_error("--model model --layer features.6 --images images.idx --class 0 --refine 0 --refine-layer features.6 "
               "--out bad", "--refine-layer");
  expect_error("--model model --layer features.6 --images images.idx --class 0 --attribution-layer head.1 --out bad",
               "--attribution-layer");
  expect_error("--model model --layer features.6 --images images.idx --class 0 --stride -1 --out bad", "--stride");
  // images the model cannot take: 3 channels, or another size
  factorkit::write_idx(d.file("rgb.idx"), factorkit::from_torch((at::rand({4, 28, 28, 3}) * 255).to(at::kByte)));
  expect_error("--model model --layer features.6 --images rgb.idx --class 0 --out bad", "rgb.idx");
  factorkit::write_idx(d.file("big.idx"), factorkit::from_torch((at::rand({4, 32, 32}) * 255).to(at::kByte)));
  expect_error("--model model --layer features.6 --images big.idx --class 0 --out bad", "big.idx");
  // the model folder's normalization must be numbers
  fs::create_directories(d.file("badmodel"));
  fs::copy_file(d.file("model/model.safetensors"), d.file("badmodel/model.safetensors"));
  auto j = nlohmann::json::parse(std::ifstream(d.file("model/model.json")));
  j["data"]["mean"] = {0.1, 0.2};
  std::ofstream(d.file("badmodel/model.json")) << j.dump();
  expect_error("--model badmodel --layer features.6 --images images.idx --class 0 --out bad", "data.mean");
}
