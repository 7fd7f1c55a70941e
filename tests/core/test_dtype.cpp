#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "factorkit/core/dtype.h"
#include "factorkit/core/error.h"
#include "factorkit/core/raw_tensor.h"
#include "test_util.h"

using namespace factorkit;

TEST(DType, SizesAndNames) {
  EXPECT_EQ(dtype_size(DType::BF16), 2u);
  EXPECT_EQ(dtype_size(DType::U64), 8u);
  EXPECT_EQ(dtype_size(DType::BOOL), 1u);
  for (DType t : kAllDTypes) EXPECT_EQ(dtype_from_safetensors(dtype_name(t)), t);
  EXPECT_EQ(parse_dtype("float32"), DType::F32);
  EXPECT_EQ(parse_dtype("F16"), DType::F16);
  EXPECT_EQ(parse_dtype("bf16"), DType::BF16);
  EXPECT_EQ(parse_dtype("uint8"), DType::U8);
  EXPECT_FALSE(parse_dtype("complex64").has_value());
  EXPECT_FALSE(dtype_from_safetensors("f32").has_value());  // safetensors names are exact
}

// Known answers for IEEE binary16.
TEST(DType, HalfKnownAnswers) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);                 // largest finite
  EXPECT_EQ(float_to_half(65519.99f), 0x7bff);                // below the halfway point
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);                 // tie rounds to even: infinity
  EXPECT_EQ(double_to_half(std::ldexp(1.0, -24)), 0x0001);    // smallest subnormal
  EXPECT_EQ(double_to_half(std::ldexp(1.0, -25)), 0x0000);    // tie to even: zero
  EXPECT_EQ(double_to_half(3 * std::ldexp(1.0, -25)), 0x0002);  // tie to even: 2
  EXPECT_EQ(double_to_half(std::ldexp(1.0, -14)), 0x0400);    // smallest normal
  EXPECT_EQ(double_to_half(1.0 + std::ldexp(1.0, -11)), 0x3c00);  // tie to even (down)
  EXPECT_EQ(double_to_half(1.0 + 3 * std::ldexp(1.0, -11)), 0x3c02);  // tie to even (up)
  // single rounding from double: just above the tie must round up
  EXPECT_EQ(double_to_half(1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)), 0x3c01);
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
}

TEST(DType, HalfAndBf16RoundTripEveryPattern) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = half_to_float(uint16_t(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_half(f), h) << "half pattern " << h;
    float b = bf16_to_float(uint16_t(h));
    if (std::isnan(b)) continue;
    ASSERT_EQ(float_to_bf16(b), h) << "bf16 pattern " << h;
  }
}

TEST(DType, Bf16KnownAnswers) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(3.0e38f), 0x7f62);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // rounds up to inf
  EXPECT_EQ(double_to_bf16(1.0 + std::ldexp(1.0, -8)), 0x3f80);     // tie to even
  EXPECT_EQ(double_to_bf16(1.0 + 3 * std::ldexp(1.0, -8)), 0x3f82);
}

namespace {
RawTensor make(DType t, std::vector<double> vals) {
  RawTensor r;
  r.dtype = DType::F64;
  r.shape = {int64_t(vals.size())};
  r.data.resize(vals.size() * 8);
  std::memcpy(r.data.data(), vals.data(), r.data.size());
  return t == DType::F64 ? r : cast(r, t, "test");
}
}  // namespace

TEST(Cast, ExactIntegersAndRoundedFloats) {
  RawTensor a = make(DType::I16, {-3, 0, 32767});
  EXPECT_EQ(a.element_as_double(2), 32767);
  RawTensor f = make(DType::F32, {0.1, 1e300, -1e300});
  float v;
  std::memcpy(&v, f.data.data(), 4);
  EXPECT_EQ(v, 0.1f);
  EXPECT_TRUE(std::isinf(f.element_as_double(1)));
  EXPECT_LT(f.element_as_double(2), 0);
  // a float just above FLT_MAX but below the halfway point rounds to FLT_MAX
  RawTensor g = make(DType::F32, {double(std::numeric_limits<float>::max()) * (1 + 1e-9)});
  EXPECT_EQ(g.element_as_double(0), double(std::numeric_limits<float>::max()));
}

TEST(Cast, RefusesLossyIntegerCasts) {
  auto expect_lossy = [](DType t, double v) {
    SCOPED_TRACE(std::string(dtype_name(t)) + " <- " + std::to_string(v));
    factorkit::testing::expect_error<InvalidInput>([&] { make(t, {1, v}); }, "LossyCast", {"element 1"});
  };
  expect_lossy(DType::U8, 256);
  expect_lossy(DType::U8, -1);
  expect_lossy(DType::I8, 1.5);
  expect_lossy(DType::I32, std::nan(""));
  expect_lossy(DType::I64, std::ldexp(1.0, 63));
  expect_lossy(DType::BOOL, 2);
  RawTensor big;
  big.dtype = DType::U64;
  big.shape = {1};
  uint64_t x = ~uint64_t(0);
  big.data.resize(8);
  std::memcpy(big.data.data(), &x, 8);
  EXPECT_THROW(cast(big, DType::I64, "t"), InvalidInput);
  RawTensor back = cast(cast(big, DType::U64, "t"), DType::U64, "t");
  EXPECT_EQ(back, big);
}

TEST(Stats, CountsNanInfAndMean) {
  RawTensor t = make(DType::F32, {1, 2, std::nan(""), INFINITY, -INFINITY, 3});
  TensorStats s = tensor_stats(t);
  EXPECT_EQ(s.count, 6);
  EXPECT_EQ(s.nan, 1);
  EXPECT_EQ(s.pos_inf, 1);
  EXPECT_EQ(s.neg_inf, 1);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  RawTensor i = make(DType::I64, {-5, 5, 7});
  EXPECT_DOUBLE_EQ(tensor_stats(i).mean, 7.0 / 3);
}

TEST(Errors, ExitCodes) {
  EXPECT_EQ(exit_code(InvalidInput("x", "y", "z")), 2);
  EXPECT_EQ(exit_code(MalformedFile("x", "y", "z")), 2);
  EXPECT_EQ(exit_code(NumericalFailure("x", "y", "z")), 3);
  EXPECT_EQ(exit_code(std::runtime_error("boom")), 1);
  MalformedFile e("a.npy", "header.shape", "a tuple", "InvalidHeader");
  EXPECT_STREQ(e.what(), "a.npy: header.shape: expected a tuple [InvalidHeader]");
}
