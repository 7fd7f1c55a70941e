#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;

namespace {
CsvTable parse(const std::string& text, CsvOptions o = {}) {
  MemorySource src(reinterpret_cast<const uint8_t*>(text.data()), text.size(), "t.csv");
  return read_csv(src, o);
}
}  // namespace

TEST(Csv, HeaderAutoDetectedAndQuoted) {
  CsvTable t = parse("\"x, the first\",y\r\n1,2\r\n3.5,-4e2\r\n\r\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"x, the first", "y"}));
  EXPECT_EQ(t.values.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t.values.element_as_double(2), 3.5);
  EXPECT_EQ(t.values.element_as_double(3), -400);
}

TEST(Csv, HeaderForcedOnOrOff) {
  CsvOptions on;
  on.header = true;
  EXPECT_EQ(parse("1,2\n3,4\n", on).values.shape[0], 1);
  CsvOptions off;
  off.header = false;
  EXPECT_THROW(parse("a,b\n3,4\n", off), MalformedFile);
}

TEST(Csv, IntegersParsedExactly) {
  CsvOptions o;
  o.dtype = DType::I64;
  CsvTable t = parse("9223372036854775807,-9223372036854775808,+5,2.0\n", o);
  int64_t v[4];
  std::memcpy(v, t.values.data.data(), 32);
  EXPECT_EQ(v[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(v[1], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(v[2], 5);
  EXPECT_EQ(v[3], 2);
  o.dtype = DType::U8;
  expect_error<MalformedFile>([&] { parse("1,256\n", o); }, "OutOfRange", {"line 1, column 2"});
  o.dtype = DType::BOOL;
  EXPECT_EQ(parse("true,0,1,FALSE\n", o).values.element_as_double(0), 1);
}

TEST(Csv, NonFiniteOnlyWhenAllowed) {
  CsvOptions o;
  o.allow_nonfinite = true;
  CsvTable t = parse("nan,inf,-inf\n", o);
  EXPECT_TRUE(std::isnan(t.values.element_as_double(0)));
  EXPECT_TRUE(std::isinf(t.values.element_as_double(1)));
  EXPECT_THROW(parse("nan,inf,-inf\n"), MalformedFile);
}

TEST(Csv, Float32ParsesCorrectlyRounded) {
  CsvOptions o;
  o.dtype = DType::F32;
  CsvTable t = parse("0.1,16777217\n", o);
  float v[2];
  std::memcpy(v, t.values.data.data(), 8);
  EXPECT_EQ(v[0], 0.1f);
  EXPECT_EQ(v[1], 16777216.0f);
}

TEST(Csv, WriterShortestRoundTripForms) {
  RawTensor t;
  t.dtype = DType::F64;
  t.shape = {1, 3};
  double v[3] = {0.1, -0.0, 5e-324};
  t.data.assign(reinterpret_cast<std::byte*>(v), reinterpret_cast<std::byte*>(v) + 24);
  EXPECT_EQ(encode_csv(t), "0.1,-0,5e-324\n");
  EXPECT_EQ(encode_csv(t, {"a", "b,c", "d\"e"}), "a,\"b,c\",\"d\"\"e\"\n0.1,-0,5e-324\n");
  t.shape = {1, 1, 3};
  EXPECT_THROW(encode_csv(t), InvalidInput);
}

TEST(Csv, EmptyInputIsAnEmptyTable) {
  EXPECT_EQ(parse("").values.shape, (std::vector<int64_t>{0, 0}));
  CsvTable h = parse("a,b,c\n");
  EXPECT_EQ(h.values.shape, (std::vector<int64_t>{0, 3}));
}
