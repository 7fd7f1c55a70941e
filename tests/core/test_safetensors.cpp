#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/malformed_corpus.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;

namespace {
MemorySource mem(const std::string& s) {
  return MemorySource(reinterpret_cast<const uint8_t*>(s.data()), s.size(), "t.safetensors");
}
}  // namespace

// Every rejection rule of every reader, with its own code and message.
class Malformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(Malformed, RejectedWithNamedError) {
  const MalformedCase& c = GetParam();
  MemorySource src(reinterpret_cast<const uint8_t*>(c.bytes.data()), c.bytes.size(), c.name);
  try {
    if (c.name.find(".safetensors") != std::string::npos) read_safetensors(src);
    else if (c.name.find(".npy") != std::string::npos) read_npy(src);
    else if (c.name.find(".idx") != std::string::npos) read_idx(src);
    else read_csv(src);
    FAIL() << c.name << " was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), c.code) << c.name << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
        << c.name << ": message lacks \"" << c.message << "\": " << e.what();
    EXPECT_NE(std::string(e.what()).find(c.name), std::string::npos) << "message must name the file";
    EXPECT_EQ(exit_code(e), 2);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Malformed, ::testing::ValuesIn(malformed_corpus()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(Safetensors, ReadsValidFileWithMetadataScalarAndEmpty) {
  std::string header = R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                       R"("s":{"dtype":"I64","shape":[],"data_offsets":[8,16]},"e":{"dtype":"BF16","shape":[0,3],"data_offsets":[16,16]}})";
  float w[2] = {1.5f, -2.0f};
  int64_t s = 42;
  std::string data(reinterpret_cast<char*>(w), 8);
  data += std::string(reinterpret_cast<char*>(&s), 8);
  std::string bytes = safetensors_bytes(header, data);
  auto src = mem(bytes);
  TensorFile f = read_safetensors(src);
  ASSERT_EQ(f.tensors.size(), 3u);
  EXPECT_EQ(f.metadata.at("format"), "pt");
  EXPECT_EQ(f.tensors[0].first, "w");  // data order
  EXPECT_EQ(f.tensors[0].second.element_as_double(1), -2.0);
  EXPECT_EQ(f.tensors[1].first, "s");
  EXPECT_TRUE(f.tensors[1].second.shape.empty());
  EXPECT_EQ(f.tensors[1].second.element_as_double(0), 42);
  EXPECT_EQ(f.tensors[2].second.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(f.tensors[2].second.nbytes(), 0u);
}

TEST(Safetensors, OrderIsByOffsetNotByName) {
  std::string header = R"({"z":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})";
  std::string bytes = safetensors_bytes(header, "\x07\x09");
  auto src = mem(bytes);
  TensorFile f = read_safetensors(src);
  EXPECT_EQ(f.tensors[0].first, "z");
  EXPECT_EQ(f.tensors[1].first, "a");
}

// MLX-style files have no header padding: the data starts at an odd offset.
// The reader copies, so the result is aligned and exact (UBSan checks the rest).
TEST(Safetensors, MisalignedDataIsCopied) {
  std::string header = R"({"x":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}})";  // 57 bytes, unpadded
  ASSERT_NE((8 + header.size()) % 8, 0u);
  double v[3] = {1.0 / 3, -7.25, 1e300};
  std::string bytes = safetensors_bytes(header, std::string(reinterpret_cast<char*>(v), 24));
  auto src = mem(bytes);
  TensorFile f = read_safetensors(src);
  const RawTensor& t = f.tensors[0].second;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data.data()) % alignof(double), 0u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.element_as_double(std::size_t(i)), v[i]);
}

TEST(Safetensors, UnsupportedButKnownDTypeSaysSo) {
  std::string bytes = safetensors_bytes(R"({"x":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "a");
  auto src = mem(bytes);
  expect_error<MalformedFile>([&] { read_safetensors(src); }, "UnsupportedDType", {"F8_E4M3"});
}

TEST(Safetensors, WriterPadsHeaderAndKeepsOffsetsContiguous) {
  std::mt19937_64 rng(test_seed());
  TensorFile f;
  f.metadata["who"] = "factorkit";
  for (int i = 0; i < 5; ++i) f.tensors.emplace_back("t" + std::to_string(i), random_tensor(rng, kAllDTypes[i * 2]));
  std::vector<std::byte> b = encode_safetensors(f);
  uint64_t n = 0;
  std::memcpy(&n, b.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  std::string header(reinterpret_cast<const char*>(b.data()) + 8, n);
  auto j = nlohmann::json::parse(header);
  EXPECT_EQ(j["__metadata__"]["who"], "factorkit");
  uint64_t expect = 0;
  for (const auto& [name, t] : f.tensors) {
    EXPECT_EQ(j[name]["data_offsets"][0].get<uint64_t>(), expect);
    expect += t.nbytes();
    EXPECT_EQ(j[name]["data_offsets"][1].get<uint64_t>(), expect);
  }
  EXPECT_EQ(b.size(), 8 + n + expect);
}

TEST(Safetensors, WriterRefusesDuplicateAndReservedNames) {
  TensorFile f;
  RawTensor t = zero_tensor(DType::U8, {1});
  f.tensors = {{"a", t}, {"a", t}};
  EXPECT_THROW(encode_safetensors(f), InvalidInput);
  f.tensors = {{"__metadata__", t}};
  EXPECT_THROW(encode_safetensors(f), InvalidInput);
}
