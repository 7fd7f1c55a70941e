// `factorkit svd` end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;
namespace fs = std::filesystem;

namespace {
RawTensor matrix(int64_t n, int64_t p) {
  return f64_matrix(n, p, [](int64_t i, int64_t j) {
    return std::sin(0.3 * double(i) * double(j + 1)) + 0.1 * std::cos(1.7 * double(i) + double(j));
  });
}
}  // namespace

TEST(SvdCli, RandomizedAndExactAgree) {
  TempDir d;
  write_npy(d.file("a.npy"), matrix(40, 25));
  CliRun r = run("--json svd a.npy -k 5 -o r.safetensors", d.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  CliRun e = run("--json svd a.npy -k 5 --method exact -o e", d.path().string());
  ASSERT_EQ(e.code, 0) << e.err;
  auto jr = nlohmann::json::parse(r.out), je = nlohmann::json::parse(e.out);
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(jr["singular_values"][i].get<double>(), je["singular_values"][i].get<double>(), 1e-8);
  EXPECT_LE(jr["relative_error"].get<double>(), 1.01 * je["relative_error"].get<double>());
  TensorFile f = read_tensor_file(d.file("r.safetensors"));
  EXPECT_EQ(f.find("U")->shape, (std::vector<int64_t>{40, 5}));
  EXPECT_EQ(f.find("S")->shape, (std::vector<int64_t>{5}));
  EXPECT_EQ(f.find("Vh")->shape, (std::vector<int64_t>{5, 25}));
  EXPECT_TRUE(fs::exists(d.file("e/Vh.npy")));
}

TEST(SvdCli, CsvInputAndErrors) {
  TempDir d;
  write_bytes(d.file("a.csv"), "a,b,c\n1,2,3\n4,5,6\n7,8,10\n");
  CliRun r = run("--json svd a.csv -k 2 -o o", d.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["shape"], nlohmann::json::array({3, 3}));
  CliRun big = run("svd a.csv -k 4 -o o2", d.path().string());
  EXPECT_EQ(big.code, 2);
  EXPECT_NE(big.err.find("a.csv: --rank: expected an integer in [1, 3]"), std::string::npos) << big.err;
  write_bytes(d.file("inf.csv"), "1,2\ninf,4\n");
  CliRun inf = run("svd inf.csv -k 1 -o o3", d.path().string());
  EXPECT_EQ(inf.code, 2);
  EXPECT_FALSE(fs::exists(d.file("o3")));
  CliRun norm = run("svd a.csv -k 1 --normalizer cholesky -o o4", d.path().string());
  EXPECT_EQ(norm.code, 2);
  EXPECT_NE(norm.err.find("auto, none, lu, qr"), std::string::npos) << norm.err;
}
