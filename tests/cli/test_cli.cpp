// End-to-end tests of the factorkit program: exit codes, messages, JSON output,
// bit-exact conversions and "nothing written on failure".
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/malformed_corpus.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;
namespace fs = std::filesystem;

namespace {

RawTensor load1(const std::string& path) {
  ReadOptions ro;
  ro.csv.allow_nonfinite = true;
  TensorFile f = read_tensor_file(path, nullptr, ro);
  EXPECT_EQ(f.tensors.size(), 1u) << path;
  return f.tensors.at(0).second;
}

}  // namespace

TEST(Cli, VersionHelpAndUsage) {
  CliRun v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("factorkit 0."), std::string::npos) << v.out;
  CliRun h = run("--help");
  EXPECT_EQ(h.code, 0);
  for (const char* c : {"inspect", "convert", "reproduce", "--seed", "--threads", "--quiet", "--json"})
    EXPECT_NE(h.out.find(c), std::string::npos) << c;
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("no-such-command").code, 2);
  EXPECT_EQ(run("convert --help").code, 0);
  EXPECT_EQ(run("--threads -3 list").code, 2);
}

TEST(Cli, InspectFashionMnist) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  if (!fs::exists(dir + "train-images-idx3-ubyte.gz")) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  CliRun r = run("--json inspect " + dir + "train-images-idx3-ubyte.gz " + dir + "train-labels-idx1-ubyte.gz " + dir +
              "t10k-images-idx3-ubyte.gz " + dir + "t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::vector<int64_t>> shapes = {{60000, 28, 28}, {60000}, {10000, 28, 28}, {10000}};
  ASSERT_EQ(j["files"].size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const auto& t = j["files"][i]["tensors"][0];
    EXPECT_EQ(j["files"][i]["format"], "idx");
    EXPECT_EQ(t["dtype"], "uint8");
    EXPECT_EQ(t["shape"].get<std::vector<int64_t>>(), shapes[std::size_t(i)]);
    EXPECT_EQ(t["nan"], 0);
    EXPECT_EQ(t["min"], 0.0);
  }
  EXPECT_EQ(j["files"][0]["tensors"][0]["max"], 255.0);
  EXPECT_EQ(j["files"][1]["tensors"][0]["max"], 9.0);
  CliRun human = run("inspect " + dir + "t10k-labels-idx1-ubyte.gz");
  EXPECT_NE(human.out.find("uint8  10000  10000 bytes"), std::string::npos) << human.out;
}

// npy -> safetensors -> csv -> npy/safetensors, bit-exact, for every dtype.
TEST(Cli, ConvertRoundTripsEveryDTypeBitExact) {
  TempDir d;
  std::mt19937_64 rng(test_seed() + 11);
  for (DType dt : kAllDTypes) {
    RawTensor t;
    t.dtype = dt;
    t.shape = {int64_t(rng() % 4 + 1), int64_t(rng() % 4 + 1)};
    t.data.resize(std::size_t(t.numel()) * dtype_size(dt));
    for (auto& b : t.data) b = std::byte(rng() & (dt == DType::BOOL ? 1 : 0xff));
    for (std::size_t i = 0; i < std::size_t(t.numel()); ++i)  // NaN payloads do not survive text
      if (std::isnan(t.element_as_double(i))) std::memset(t.data.data() + i * dtype_size(dt), 0, dtype_size(dt));
    const std::string n(dtype_name(dt));
    const std::string lower(dtype_long_name(dt));
    std::string first;
    if (dt == DType::BF16) {
      first = d.file(n + "_0.safetensors");
      TensorFile f;
      f.tensors.emplace_back("x", t);
      write_safetensors(first, f);
    } else {
      first = d.file(n + "_0.npy");
      write_npy(first, t);
      CliRun a = run("convert " + first + " " + d.file(n + "_1.safetensors"));
      ASSERT_EQ(a.code, 0) << a.err;
      EXPECT_EQ(load1(d.file(n + "_1.safetensors")), t) << n;
      first = d.file(n + "_1.safetensors");
    }
    CliRun b = run("convert " + first + " " + d.file(n + "_2.csv"));
    ASSERT_EQ(b.code, 0) << b.err;
    const std::string back = dt == DType::BF16 ? d.file(n + "_3.safetensors") : d.file(n + "_3.npy");
    CliRun c = run("convert " + d.file(n + "_2.csv") + " " + back + " --dtype " + lower);
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_EQ(load1(back), t) << n << " via csv:\n" << read_bytes(d.file(n + "_2.csv"));
  }
}

TEST(Cli, SelectTensorsAndCast) {
  TempDir d;
  TensorFile f;
  RawTensor a;
  a.dtype = DType::I32;
  a.shape = {2};
  int32_t av[2] = {7, -300};
  a.data.assign(reinterpret_cast<std::byte*>(av), reinterpret_cast<std::byte*>(av) + 8);
  f.tensors = {{"a", a}, {"b", a}};
  write_safetensors(d.file("m.safetensors"), f);

  CliRun one = run("convert " + d.file("m.safetensors") + " " + d.file("x.npy"));
  EXPECT_EQ(one.code, 2);
  EXPECT_NE(one.err.find("OneTensorOnly"), std::string::npos) << one.err;
  EXPECT_NE(one.err.find("a, b"), std::string::npos) << one.err;

  CliRun sel = run("--json convert " + d.file("m.safetensors") + " " + d.file("x.npy") + " --tensor b --dtype f64");
  ASSERT_EQ(sel.code, 0) << sel.err;
  EXPECT_EQ(nlohmann::json::parse(sel.out)["tensors"][0]["dtype"], "float64");
  EXPECT_EQ(load1(d.file("x.npy")).element_as_double(1), -300);

  CliRun missing = run("convert " + d.file("m.safetensors") + " " + d.file("y.npy") + " --tensor zz");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("TensorNotFound"), std::string::npos);

  CliRun lossy = run("convert " + d.file("m.safetensors") + " " + d.file("y.safetensors") + " --dtype u8");
  EXPECT_EQ(lossy.code, 2);
  EXPECT_NE(lossy.err.find("LossyCast"), std::string::npos) << lossy.err;
  EXPECT_NE(lossy.err.find("-300"), std::string::npos) << lossy.err;
  EXPECT_FALSE(fs::exists(d.file("y.safetensors")));

  CliRun exists = run("convert " + d.file("m.safetensors") + " " + d.file("x.npy") + " --tensor a");
  EXPECT_EQ(exists.code, 2);
  EXPECT_NE(exists.err.find("--force"), std::string::npos);
  EXPECT_EQ(load1(d.file("x.npy")).dtype, DType::F64);  // untouched
  EXPECT_EQ(run("convert " + d.file("m.safetensors") + " " + d.file("x.npy") + " --tensor a --force").code, 0);
  EXPECT_EQ(load1(d.file("x.npy")).dtype, DType::I32);

  EXPECT_EQ(run("convert " + d.file("m.safetensors") + " " + d.file("x.txt")).code, 2);
  EXPECT_EQ(run("convert " + d.file("m.safetensors") + " " + d.file("y.npy") + " --tensor a --dtype complex").code, 2);
}

// Every malformed file: exit code 2, the rule's code and message on stderr, a
// JSON error on stdout, and no output (or temporary) file left behind. One
// process per case (LibTorch makes each start cost ~0.5 s); the output format
// rotates over the cases.
TEST(Cli, MalformedCorpusExitsTwoAndWritesNothing) {
  const std::string outs[] = {"out.npy", "out.safetensors", "out.csv", "out.idx"};
  int n = 0;
  for (const auto& c : malformed_corpus()) {
    if (!c.cli) continue;
    TempDir d;
    write_bytes(d.file(c.name), c.bytes);
    const std::string& out = outs[std::size_t(n) % 4];
    CliRun r = run("--json convert " + c.name + " " + out, d.path().string());
    EXPECT_EQ(r.code, 2) << c.name << " -> " << out << ": " << r.err;
    EXPECT_NE(r.err.find(c.code), std::string::npos) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(d.count(), 1u) << c.name << ": something was left behind";
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << c.name << ": " << r.out;
    EXPECT_EQ(doc["error"]["code"], c.code) << c.name;
    EXPECT_EQ(doc["error"]["kind"], "malformed_file") << c.name;
    EXPECT_EQ(doc["error"]["where"], c.name) << c.name;
    EXPECT_EQ(doc["exit_code"], 2);
    ++n;
  }
  EXPECT_GE(n, 50);
}

TEST(Cli, InspectRejectsMalformedToo) {
  TempDir d;
  const auto corpus = malformed_corpus();
  write_bytes(d.file(corpus[0].name), corpus[0].bytes);
  CliRun r = run("inspect " + corpus[0].name, d.path().string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(corpus[0].code), std::string::npos) << r.err;
}

TEST(Cli, ReproduceRunsTheChosenMethods) {
  TempDir d;
  CliRun r = run("reproduce cur --quick --out rep", d.path().string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("cur/exact-rank"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("nmf/"), std::string::npos) << r.out;  // only what was asked for
  EXPECT_TRUE(fs::exists(d.file("rep/report.md")));
  auto j = nlohmann::json::parse(read_bytes(d.file("rep/results.json")));
  EXPECT_EQ(j["total"], 1);
  EXPECT_EQ(j["mode"], "quick");
  EXPECT_EQ(j["entries"][0]["method"], "cur");
  CliRun bad = run("reproduce nosuchmethod --out rep2", d.path().string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("UnknownMethod"), std::string::npos) << bad.err;
}

TEST(Cli, ReadmeAndCiRunTheSameTestCommand) {
  std::string readme = read_bytes(std::string(FACTORKIT_SOURCE_DIR) + "/README.md");
  std::string ci = read_bytes(std::string(FACTORKIT_SOURCE_DIR) + "/.ci/run");
  const std::string marker = "TEST_COMMAND=";
  auto p = ci.find(marker);
  ASSERT_NE(p, std::string::npos) << ".ci/run must define TEST_COMMAND";
  auto q = ci.find('\n', p);
  std::string cmd = ci.substr(p + marker.size() + 1, q - p - marker.size() - 2);  // strip quotes
  EXPECT_NE(readme.find(cmd), std::string::npos) << "README.md lacks the CI test command: " << cmd;
}

TEST(Cli, CsvHeaderWithCommasSurvivesConversion) {
  TempDir d;
  write_bytes(d.file("h.csv"), "\"x, the first\",y\n1,2\n3,4\n");
  CliRun r = run("convert " + d.file("h.csv") + " " + d.file("out.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_bytes(d.file("out.csv")), "\"x, the first\",y\n1,2\n3,4\n");
}

// A FIFO (or any non-regular file) is refused at once, never waited on.
TEST(Cli, FifoInputIsRefusedNotWaitedOn) {
  TempDir d;
  ASSERT_EQ(::mkfifo(d.file("pipe.npy").c_str(), 0600), 0);
  CliRun r = run("inspect " + d.file("pipe.npy"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("NotARegularFile"), std::string::npos) << r.err;
}
