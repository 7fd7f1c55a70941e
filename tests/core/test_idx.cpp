#include <gtest/gtest.h>

#include <filesystem>

#include "core/malformed_corpus.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;

namespace {
RawTensor read(const std::string& bytes, std::size_t cap = std::size_t(8) << 30) {
  MemorySource src(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "t.idx");
  return read_idx(src, cap);
}
}  // namespace

TEST(Idx, PlainAndGzipBigEndian) {
  std::string raw = idx_bytes(0x0B, {2, 2}, std::string("\x00\x01\x01\x00\xff\xff\x80\x00", 8));  // i16: 1, 256, -1, -32768
  for (const std::string& bytes : {raw, gzip(raw)}) {
    RawTensor t = read(bytes);
    EXPECT_EQ(t.dtype, DType::I16);
    EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(t.element_as_double(0), 1);
    EXPECT_EQ(t.element_as_double(1), 256);
    EXPECT_EQ(t.element_as_double(2), -1);
    EXPECT_EQ(t.element_as_double(3), -32768);
  }
}

TEST(Idx, DecompressionCapIsEnforced) {
  // A valid 1 MB gzip'ed file is refused under a 64 KB cap, before inflating it.
  std::string raw = idx_bytes(0x08, {1024, 1024}, std::string(1 << 20, 'a'));
  expect_error<MalformedFile>([&] { read(gzip(raw), 1 << 16); }, "ValidationOverflow", {"at most 65536 bytes"});
  EXPECT_EQ(read(gzip(raw)).numel(), 1 << 20);
}

TEST(Idx, WriterRoundTripsPlainAndGz) {
  TempDir dir;
  RawTensor t;
  t.dtype = DType::F64;
  t.shape = {3, 1};
  double v[3] = {1.5, -0.0, 1e-310};
  t.data.assign(reinterpret_cast<std::byte*>(v), reinterpret_cast<std::byte*>(v) + 24);
  for (std::string name : {"a.idx", "b-ubyte.gz"}) {
    write_idx(dir.file(name), t);
    EXPECT_EQ(read_idx_file(dir.file(name)), t) << name;
  }
  RawTensor b = zero_tensor(DType::BF16, {1});
  EXPECT_THROW(write_idx(dir.file("c.idx"), b), InvalidInput);
  EXPECT_FALSE(std::filesystem::exists(dir.file("c.idx")));
}

TEST(Idx, FashionMnistFromDebian) {
  const std::string path = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/install-deps.sh)";
  RawTensor t = read_idx_file(path);
  EXPECT_EQ(t.dtype, DType::U8);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{10000}));
  TensorStats s = tensor_stats(t);
  EXPECT_EQ(s.min, 0);
  EXPECT_EQ(s.max, 9);
  EXPECT_DOUBLE_EQ(s.mean, 4.5);  // 1000 test images per class
}
