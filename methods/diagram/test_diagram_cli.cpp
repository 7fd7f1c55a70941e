// `factorkit diagram`: end to end through the program.
#include <gtest/gtest.h>

#include <fstream>

#include <ATen/ATen.h>

#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "test_util.h"

using factorkit::testing::run;
using factorkit::testing::TempDir;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

const char* kLexicon = "Alice: n\nloves: n.r s n.l\nBob: n\n";

}  // namespace

TEST(DiagramCli, ParseDrawNormalFormEval) {
  TempDir dir;
  const std::string lex = dir.file("lex.txt"), json = dir.file("d.json"), svg = dir.file("d.svg");
  write(lex, kLexicon);
  auto r = run("diagram parse --sentence 'Alice loves Bob .' --lexicon " + lex + " -o " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Alice >> n @ loves >> n @ n.r @ s @ n.l @ Bob >> Cup(n, n.r) @ s @ n.l @ n >> s @ Cup(n.l, n)\n");
  r = run("diagram draw " + json + " --pregroup -o " + svg);
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(svg);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("<svg"), std::string::npos);
  r = run("diagram draw --sentence 'Alice loves Bob' --lexicon " + lex + " --normal-form -o " + svg);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("diagram normal-form " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  // DisCoPy 1.2.2's rigid normal form of the same diagram
  EXPECT_EQ(r.out, "Alice >> n @ loves >> Cup(n, n.r) @ s @ n.l >> s @ n.l @ Bob >> s @ Cup(n.l, n)\n");
  // the tensor functor docstring's example: n = 2, s = 1, Alice = [0, 1],
  // loves = [0, 1, 1, 0], Bob = [1, 0] gives 1
  factorkit::TensorFile f;
  f.tensors.emplace_back("Alice", factorkit::from_torch(at::tensor({0.0, 1.0}, at::kDouble)));
  f.tensors.emplace_back("loves", factorkit::from_torch(at::tensor({0.0, 1.0, 1.0, 0.0}, at::kDouble).reshape({2, 1, 2})));
  f.tensors.emplace_back("Bob", factorkit::from_torch(at::tensor({1.0, 0.0}, at::kDouble)));
  const std::string arrays = dir.file("a.safetensors");
  factorkit::write_tensor_file(arrays, f);
  r = run("diagram eval " + json + " --arrays " + arrays + " --dims n=2,s=1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"shape\":[1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"values\":[1.0]"), std::string::npos) << r.out;
  r = run("diagram eval " + json + " --random --dims n=2,s=1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
}

TEST(DiagramCli, BadInputIsNamed) {
  TempDir dir;
  const std::string lex = dir.file("lex.txt"), json = dir.file("d.json");
  write(lex, kLexicon);
  auto r = run("diagram parse --sentence 'Alice Bob loves' --lexicon " + lex);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("reduce at best to"), std::string::npos) << r.err;
  write(json, R"({"format": "factorkit.diagram", "version": 1, "dom": ["x"], "boxes": [], "layers": [[0, 0]]})");
  r = run("diagram normal-form " + json);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("layers[0][0]"), std::string::npos) << r.err;
  write(json, R"({"format": "factorkit.diagram", "version": 1, "dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": ["x"]}], "layers": [[0, 0]]})");
  r = run("diagram eval " + json + " --random");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--dims"), std::string::npos) << r.err;
  r = run("diagram eval " + json + " --random --dims x=2 --path fastest");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--path"), std::string::npos) << r.err;
  // dimensions that would need gigabytes are refused up front, not left to the allocator
  write(json, R"({"format": "factorkit.diagram", "version": 1, "dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": ["x"]}], "layers": [[0, 0]], "dims": {"x": 2000000000}})");
  r = run("diagram eval " + json + " --random");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("TooLarge"), std::string::npos) << r.err;
  write(json, R"({"format": "factorkit.diagram", "version": 1, "dom": ["x"], "boxes": [], "layers": [], "dims": {"x": 2000000000}})");
  r = run("diagram eval " + json + " --random");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("TooLarge"), std::string::npos) << r.err;
  const std::string out = dir.file("out.svg");
  r = run("diagram draw " + json + " --pregroup -o " + out);
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(std::ifstream(out).good()) << "a failed run wrote " << out;
}
