// Round-trip property tests: random shapes, every dtype, every format, with a
// printed and settable seed (FACTORKIT_TEST_SEED) and FACTORKIT_TEST_REPEAT.
// Plus interoperability with numpy (python3-numpy) in both directions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;

namespace {

// Text formats keep every bit except NaN payloads: replace NaNs by 0.5.
void scrub_nan(RawTensor& t) {
  const std::size_t es = dtype_size(t.dtype);
  for (std::size_t i = 0; i < std::size_t(t.numel()); ++i) {
    if (!std::isnan(t.element_as_double(i))) continue;
    if (t.dtype == DType::F64) { double v = 0.5; std::memcpy(t.data.data() + i * es, &v, 8); }
    if (t.dtype == DType::F32) { float v = 0.5f; std::memcpy(t.data.data() + i * es, &v, 4); }
    if (t.dtype == DType::F16) { uint16_t v = 0x3800; std::memcpy(t.data.data() + i * es, &v, 2); }
    if (t.dtype == DType::BF16) { uint16_t v = 0x3f00; std::memcpy(t.data.data() + i * es, &v, 2); }
  }
}

bool idx_has(DType t) {
  return t == DType::U8 || t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::F32 || t == DType::F64;
}

}  // namespace

TEST(RoundTrip, SafetensorsEveryDType) {
  std::mt19937_64 rng(test_seed());
  for (int rep = 0; rep < test_repeat(); ++rep) {
    TensorFile f;
    if (rng() % 2) f.metadata["rep"] = std::to_string(rep);
    for (DType dt : kAllDTypes) f.tensors.emplace_back(std::string(dtype_name(dt)) + "_" + std::to_string(rep), random_tensor(rng, dt));
    auto bytes = encode_safetensors(f);
    MemorySource src(bytes, "rt.safetensors");
    TensorFile g = read_safetensors(src);
    ASSERT_EQ(g.tensors, f.tensors) << "seed " << test_seed() << " rep " << rep;
    ASSERT_EQ(g.metadata, f.metadata);
  }
}

// Encodes and re-reads random tensors of every dtype the format holds.
template <class Holds, class Adjust, class Encode, class Read>
void roundtrip_every_dtype(uint64_t stream, const char* name, Holds holds, Adjust adjust, Encode encode, Read read) {
  std::mt19937_64 rng(test_seed() + stream);
  for (int rep = 0; rep < test_repeat(); ++rep)
    for (DType dt : kAllDTypes) {
      if (!holds(dt)) continue;
      RawTensor t = random_tensor(rng, dt);
      adjust(t);
      auto bytes = encode(t);
      MemorySource src(bytes, name);
      ASSERT_EQ(read(src), t) << dtype_name(dt) << " seed " << test_seed() << " rep " << rep;
    }
}

TEST(RoundTrip, NpyEveryDType) {
  roundtrip_every_dtype(
      1, "rt.npy", [](DType dt) { return dt != DType::BF16; },  // numpy has no bfloat16
      [](RawTensor&) {}, [](const RawTensor& t) { return encode_npy(t); }, [](const Source& s) { return read_npy(s); });
}

TEST(RoundTrip, IdxEveryDType) {
  roundtrip_every_dtype(
      2, "rt.idx", idx_has,
      [](RawTensor& t) {  // IDX needs at least one dimension
        if (t.shape.empty()) t.shape = {int64_t(t.data.size() / dtype_size(t.dtype))};
      },
      [](const RawTensor& t) { return encode_idx(t); }, [](const Source& s) { return read_idx(s); });
}

TEST(RoundTrip, CsvEveryDTypeBitExact) {
  std::mt19937_64 rng(test_seed() + 3);
  for (int rep = 0; rep < test_repeat(); ++rep)
    for (DType dt : kAllDTypes) {
      RawTensor t = random_tensor(rng, dt, 2, /*allow_empty=*/false);
      while (t.shape.size() < 2) t.shape.push_back(1);
      t.data.resize(std::size_t(t.numel()) * dtype_size(dt));
      for (auto& b : t.data) b = std::byte(rng() & 0xff);
      if (dt == DType::BOOL) for (auto& b : t.data) b = std::byte(uint8_t(b) & 1);
      scrub_nan(t);
      std::string text = encode_csv(t);
      CsvOptions o;
      o.dtype = dt;
      o.header = false;
      o.allow_nonfinite = true;
      MemorySource src(reinterpret_cast<const uint8_t*>(text.data()), text.size(), "rt.csv");
      ASSERT_EQ(read_csv(src, o).values, t) << dtype_name(dt) << " seed " << test_seed() << " rep " << rep << "\n" << text;
    }
}

TEST(RoundTrip, ThroughFilesByExtension) {
  TempDir dir;
  std::mt19937_64 rng(test_seed() + 4);
  RawTensor t = random_tensor(rng, DType::F32, 2, false);
  while (t.shape.size() < 2) t.shape.push_back(2);
  t.data.resize(std::size_t(t.numel()) * 4);
  for (auto& b : t.data) b = std::byte(rng() & 0xff);
  scrub_nan(t);
  TensorFile f;
  f.tensors.emplace_back("x", t);
  for (std::string name : {"x.safetensors", "x.npy", "x.idx", "x.idx.gz"}) {
    write_tensor_file(dir.file(name), f);
    Format fmt_;
    TensorFile g = read_tensor_file(dir.file(name), &fmt_);
    ASSERT_EQ(g.tensors.size(), 1u);
    EXPECT_EQ(g.tensors[0].second, t) << name;
  }
}

// ---- numpy interoperability ------------------------------------------------

namespace {
bool have_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}
std::string script() { return std::string(FACTORKIT_SOURCE_DIR) + "/tests/py/interop.py"; }
}  // namespace

TEST(Numpy, FilesWrittenByNumpyReadBackIdentically) {
  if (!have_numpy()) GTEST_SKIP() << "python3-numpy is not installed (scripts/install-deps.sh installs it)";
  TempDir dir;
  ASSERT_EQ(std::system(("/usr/bin/python3 " + script() + " write " + dir.path().string() + " >/dev/null").c_str()), 0);
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().extension() != ".npy") continue;
    std::string raw = read_bytes(std::filesystem::path(e.path()).replace_extension(".raw").string());
    FileSource src(e.path().string());
    RawTensor t = read_npy(src);
    ASSERT_EQ(t.data.size(), raw.size()) << e.path();
    ASSERT_TRUE(std::equal(raw.begin(), raw.end(), reinterpret_cast<const char*>(t.data.data()))) << e.path();
    ++n;
  }
  EXPECT_EQ(n, 12 * 2 * 2 * 3 + 2);  // dtypes x byte orders x memory orders x versions + 2 corners
}

TEST(Numpy, FilesWeWriteLoadInNumpyAndSafetensorsLayout) {
  if (!have_numpy()) GTEST_SKIP() << "python3-numpy is not installed (scripts/install-deps.sh installs it)";
  TempDir dir;
  std::mt19937_64 rng(test_seed() + 5);
  TensorFile all;
  for (DType dt : kAllDTypes) {
    RawTensor t = random_tensor(rng, dt);
    std::string name(dtype_name(dt));
    if (dt != DType::BF16) {
      write_npy(dir.file(name + ".npy"), t);
      write_bytes(dir.file(name + ".raw"), std::string(reinterpret_cast<const char*>(t.data.data()), t.data.size()));
    }
    write_bytes(dir.file("all." + name + ".raw"), std::string(reinterpret_cast<const char*>(t.data.data()), t.data.size()));
    all.tensors.emplace_back(name, t);
  }
  all.metadata["source"] = "factorkit test";
  write_safetensors(dir.file("all.safetensors"), all);
  std::string cmd = "/usr/bin/python3 " + script() + " check " + dir.path().string();
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[256] = {};
  std::string out;
  while (fgets(buf, sizeof buf, p)) out += buf;
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "checked 13\n");  // 12 npy + 1 safetensors
}
