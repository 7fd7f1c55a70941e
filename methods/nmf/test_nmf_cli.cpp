// `factorkit nmf` end to end: outputs, summary, errors with exit codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;
namespace fs = std::filesystem;

namespace {

// a non-negative 30 x 12 float64 matrix of rank <= 3 plus a little noise
RawTensor planted() {
  return f64_matrix(30, 12, [](int64_t i, int64_t j) {
    return double((1 + i % 3) * (1 + j % 4) + (i % 5) * ((j + 1) % 3)) + 0.01 * double((i * 7 + j * 3) % 11);
  });
}

}  // namespace

TEST(NmfCli, FitWritesFactorsAndSummary) {
  TempDir d;
  write_npy(d.file("x.npy"), planted());
  CliRun r = run("--json nmf x.npy --rank 3 -o out.safetensors --summary s.json", d.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rank"], 3);
  EXPECT_EQ(j["solver"], "cd");
  EXPECT_EQ(j["init"], "nndsvda");
  EXPECT_LT(j["relative_error"].get<double>(), 0.1);
  EXPECT_FALSE(j.contains("history"));  // stdout stays short; the summary file has it
  TensorFile f = read_tensor_file(d.file("out.safetensors"));
  ASSERT_NE(f.find("W"), nullptr);
  EXPECT_EQ(f.find("W")->shape, (std::vector<int64_t>{30, 3}));
  EXPECT_EQ(f.find("H")->shape, (std::vector<int64_t>{3, 12}));
  EXPECT_EQ(f.find("W")->dtype, DType::F64);
  auto s = nlohmann::json::parse(read_bytes(d.file("s.json")));
  EXPECT_EQ(s["history"].size(), s["n_iter"].get<size_t>());
  EXPECT_TRUE(f.metadata.count("factorkit"));
}

TEST(NmfCli, MuToDirectoryAndTransform) {
  TempDir d;
  write_npy(d.file("x.npy"), planted());
  CliRun r = run("--json nmf x.npy -r 2 --solver mu --beta kullback-leibler --dtype f32 -o fit", d.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_tensor_file(d.file("fit/W.npy")).tensors[0].second.dtype, DType::F32);
  // transform with the fitted H fixed (the KL loss: the mu solver with H fixed)
  CliRun t = run("--json nmf x.npy -r 2 --solver mu --beta 1 --dtype f32 --components fit/H.npy -o tr",
                 d.path().string());
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(nlohmann::json::parse(t.out)["mode"], "transform");
  EXPECT_TRUE(fs::exists(d.file("tr/W.npy")));
  EXPECT_FALSE(fs::exists(d.file("tr/H.npy")));
}

TEST(NmfCli, NonConvergenceIsAWarningNotAnError) {
  TempDir d;
  write_npy(d.file("x.npy"), planted());
  CliRun r = run("--json nmf x.npy -r 3 --max-iter 2 --tol 1e-12 -o o.safetensors", d.path().string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["converged"], false);
  EXPECT_NE(r.err.find("did not converge within --max-iter 2"), std::string::npos) << r.err;
}

TEST(NmfCli, BadInputsExitTwoAndWriteNothing) {
  TempDir d;
  RawTensor neg = planted();
  reinterpret_cast<double*>(neg.data.data())[5 * 12 + 7] = -1;
  write_npy(d.file("neg.npy"), neg);
  RawTensor nan = planted();
  reinterpret_cast<double*>(nan.data.data())[3] = std::nan("");
  write_npy(d.file("nan.npy"), nan);
  RawTensor vec;
  vec.dtype = DType::F64;
  vec.shape = {4};
  vec.data.resize(32);
  write_npy(d.file("vec.npy"), vec);
  RawTensor empty;
  empty.dtype = DType::F64;
  empty.shape = {0, 3};
  write_npy(d.file("empty.npy"), empty);
  write_npy(d.file("x.npy"), planted());
  struct Case {
    std::string args, fragment;
  };
  const Case cases[] = {
      {"nmf neg.npy -r 2 -o o.safetensors", "neg.npy: matrix[5, 7]: expected non-negative values"},
      {"nmf nan.npy -r 2 -o o.safetensors", "nan.npy: matrix[0, 3]: expected finite values"},
      {"nmf vec.npy -r 2 -o o.safetensors", "expected a 2-D matrix, got 1-D"},
      {"nmf empty.npy -r 2 -o o.safetensors", "expected a non-empty matrix"},
      {"nmf x.npy -r 0 -o o.safetensors", "--rank: expected an integer in [1, 12]"},
      {"nmf x.npy -r 13 -o o.safetensors", "min(n, p) = min(30, 12)"},
      {"nmf x.npy -r 2 --beta 1 -o o.safetensors", "needs solver mu"},
      {"nmf x.npy -r 2 --solver als -o o.safetensors", "cd or mu"},
      {"nmf x.npy -r 2 --init custom -o o.safetensors", "--init-w FILE and --init-h FILE"},
      {"nmf x.npy -r 2 -o o.npy", "a .npy or .csv file holds one tensor"},
      {"nmf x.npy -r 2 -o x.npy/sub", "x.npy is not a directory"},
      {"nmf x.npy -r 2 -o nodir/o.safetensors", "nodir does not exist"},
      {"nmf x.npy -r 2 -o o.safetensors --summary nodir/s.json", "nodir does not exist"},
  };
  for (const Case& c : cases) {
    CliRun r = run(c.args, d.path().string());
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(d.file("o.safetensors")));
  EXPECT_FALSE(fs::exists(d.file("o.npy")));
  // an existing output is kept unless --force
  write_bytes(d.file("keep.safetensors"), "precious");
  CliRun k = run("nmf x.npy -r 2 -o keep.safetensors", d.path().string());
  EXPECT_EQ(k.code, 2);
  EXPECT_EQ(read_bytes(d.file("keep.safetensors")), "precious");
}

TEST(NmfCli, CustomInitFromFilesIsChecked) {
  TempDir d;
  write_npy(d.file("x.npy"), planted());
  RawTensor w = f64_matrix(30, 2, [](int64_t, int64_t) { return 1.0; });
  RawTensor h = f64_matrix(2, 12, [](int64_t, int64_t) { return 1.0; });
  write_npy(d.file("w.npy"), w);
  write_npy(d.file("h.npy"), h);
  CliRun ok = run("--json nmf x.npy -r 2 --init custom --init-w w.npy --init-h h.npy -o o", d.path().string());
  EXPECT_EQ(ok.code, 0) << ok.err;
  CliRun bad = run("nmf x.npy -r 3 --init custom --init-w w.npy --init-h h.npy -o o2", d.path().string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("w.npy: W: expected shape [30, 3], got [30, 2]"), std::string::npos) << bad.err;
}
