#include <gtest/gtest.h>

#include <cstring>

#include "core/malformed_corpus.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;

namespace {
RawTensor read(const std::string& bytes) {
  MemorySource src(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "t.npy");
  return read_npy(src);
}
}  // namespace

TEST(Npy, BigEndianIsSwapped) {
  std::string data = std::string("\x00\x00\x00\x01\x00\x00\x01\x00", 8);  // >i4: 1, 256
  RawTensor t = read(npy_bytes("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }\n", data));
  EXPECT_EQ(t.dtype, DType::I32);
  EXPECT_EQ(t.element_as_double(0), 1);
  EXPECT_EQ(t.element_as_double(1), 256);
}

TEST(Npy, FortranOrderIsTransposedToC) {
  // 2x3 matrix [[1,2,3],[4,5,6]] stored column-major: 1 4 2 5 3 6
  uint8_t col[6] = {1, 4, 2, 5, 3, 6};
  RawTensor t = read(npy_bytes("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }\n",
                               std::string(reinterpret_cast<char*>(col), 6)));
  ASSERT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.element_as_double(std::size_t(i)), i + 1);
}

TEST(Npy, FortranOrder3D) {
  // shape (2,2,2), element (i,j,k) = 100i+10j+k; Fortran offset i + 2j + 4k
  uint16_t f[8];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) f[i + 2 * j + 4 * k] = uint16_t(100 * i + 10 * j + k);
  RawTensor t = read(npy_bytes("{'descr': '<u2', 'fortran_order': True, 'shape': (2, 2, 2), }\n",
                               std::string(reinterpret_cast<char*>(f), 16)));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) EXPECT_EQ(t.element_as_double(std::size_t(4 * i + 2 * j + k)), 100 * i + 10 * j + k);
}

TEST(Npy, Versions2And3AndPython2Longs) {
  std::string hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (1L,), }\n";
  double v = 2.5;
  std::string d(reinterpret_cast<char*>(&v), 8);
  EXPECT_EQ(read(npy_bytes(hdr, d, 2)).element_as_double(0), 2.5);
  EXPECT_EQ(read(npy_bytes(hdr, d, 3)).element_as_double(0), 2.5);
  EXPECT_EQ(read(npy_bytes(hdr, d, 1)).shape, (std::vector<int64_t>{1}));
}

TEST(Npy, ScalarAndEmpty) {
  EXPECT_TRUE(read(npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (), }\n", std::string(8, '\0'))).shape.empty());
  EXPECT_EQ(read(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (0, 5), }\n", "")).numel(), 0);
}

TEST(Npy, WriterHeaderIsAlignedTo64AndNewlineTerminated) {
  RawTensor t = zero_tensor(DType::F32, {3, 4});
  auto b = encode_npy(t);
  std::size_t hlen = std::size_t(b[8]) | std::size_t(b[9]) << 8;
  EXPECT_EQ((10 + hlen) % 64, 0u);
  EXPECT_EQ(char(b[10 + hlen - 1]), '\n');
  std::string header(reinterpret_cast<const char*>(b.data()) + 10, hlen);
  EXPECT_NE(header.find("'shape': (3, 4)"), std::string::npos) << header;
  t.shape = {12};
  auto b1 = encode_npy(t);
  EXPECT_NE(std::string(reinterpret_cast<const char*>(b1.data()), b1.size()).find("(12,)"), std::string::npos);
}

TEST(Npy, WriterRefusesBf16) {
  RawTensor t = zero_tensor(DType::BF16, {1});
  expect_error<InvalidInput>([&] { encode_npy(t, "out.npy"); }, "UnsupportedDType", {"out.npy", "bfloat16"});
}
