// `factorkit cur` end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;
namespace fs = std::filesystem;

namespace {
// rank 2: a_ij = (i+1)(j+1) + (i mod 3)(j mod 2)
RawTensor rank2(int64_t n, int64_t p) {
  return f64_matrix(n, p, [](int64_t i, int64_t j) { return double((i + 1) * (j + 1) + (i % 3) * (j % 2)); });
}
}  // namespace

TEST(CurCli, ExactRankAndOutputs) {
  TempDir d;
  write_npy(d.file("m.npy"), rank2(20, 15));
  CliRun r = run("--json cur m.npy --rows 3 --cols 3 -o out.safetensors", d.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_LT(j["relative_error"].get<double>(), 1e-10);
  TensorFile f = read_tensor_file(d.file("out.safetensors"));
  EXPECT_EQ(f.find("C")->shape, (std::vector<int64_t>{20, 3}));
  EXPECT_EQ(f.find("U")->shape, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(f.find("R")->shape, (std::vector<int64_t>{3, 15}));
  EXPECT_EQ(f.find("row_index")->dtype, DType::I64);
  CliRun u = run("--json --seed 3 cur m.npy --rows 4 --cols 5 --select uniform --core optimal --no-error -o dir",
                 d.path().string());
  ASSERT_EQ(u.code, 0) << u.err;
  EXPECT_TRUE(nlohmann::json::parse(u.out)["relative_error"].is_null());
  EXPECT_TRUE(fs::exists(d.file("dir/col_index.npy")));
}

TEST(CurCli, Errors) {
  TempDir d;
  write_npy(d.file("m.npy"), rank2(5, 4));
  CliRun r = run("cur m.npy --rows 6 --cols 2 -o o", d.path().string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("m.npy: --rows: expected an integer in [1, 5]"), std::string::npos) << r.err;
  CliRun s = run("cur m.npy --rows 2 --cols 2 --select random -o o", d.path().string());
  EXPECT_EQ(s.code, 2);
  CliRun missing = run("cur nothere.npy --rows 2 --cols 2 -o o", d.path().string());
  EXPECT_EQ(missing.code, 2);
  EXPECT_FALSE(fs::exists(d.file("o")));
}
