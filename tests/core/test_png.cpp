// PNG writer: the file's structure (signature, chunk CRCs) and its pixels read
// back by inflating IDAT.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "factorkit/core/error.h"
#include "factorkit/core/png.h"

namespace {

std::uint32_t get32(const std::vector<std::byte>& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | std::uint32_t(b[at + std::size_t(i)]);
  return v;
}

}  // namespace

TEST(Png, ChunksAreWellFormedAndPixelsRoundTrip) {
  const std::int64_t w = 5, h = 3;
  for (const int ch : {1, 3, 4}) {
    std::vector<std::uint8_t> px(std::size_t(w * h * ch));
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = std::uint8_t(i * 37 + 11);
    const auto png = factorkit::encode_png(w, h, ch, px);
    const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    ASSERT_EQ(std::memcmp(png.data(), sig, 8), 0);
    std::size_t at = 8;
    std::vector<Bytef> idat;
    std::vector<std::string> types;
    while (at < png.size()) {
      const std::uint32_t len = get32(png, at);
      const std::string type(reinterpret_cast<const char*>(png.data() + at + 4), 4);
      types.push_back(type);
      const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(png.data() + at + 4), len + 4);
      EXPECT_EQ(get32(png, at + 8 + len), std::uint32_t(crc)) << type;
      if (type == "IHDR") {
        EXPECT_EQ(get32(png, at + 8), std::uint32_t(w));
        EXPECT_EQ(get32(png, at + 12), std::uint32_t(h));
        EXPECT_EQ(int(png[at + 16]), 8);
        EXPECT_EQ(int(png[at + 17]), ch == 1 ? 0 : ch == 3 ? 2 : 6);
      }
      if (type == "IDAT")
        idat.insert(idat.end(), reinterpret_cast<const Bytef*>(png.data() + at + 8),
                    reinterpret_cast<const Bytef*>(png.data() + at + 8 + len));
      at += 12 + len;
    }
    EXPECT_EQ(at, png.size());
    EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
    std::vector<Bytef> raw(std::size_t((w * ch + 1) * h));
    uLongf size = uLongf(raw.size());
    ASSERT_EQ(uncompress(raw.data(), &size, idat.data(), uLong(idat.size())), Z_OK);
    ASSERT_EQ(size, raw.size());
    for (std::int64_t y = 0; y < h; ++y) {
      EXPECT_EQ(raw[std::size_t(y * (w * ch + 1))], 0);  // filter none
      EXPECT_EQ(std::memcmp(raw.data() + y * (w * ch + 1) + 1, px.data() + y * w * ch, std::size_t(w * ch)), 0);
    }
  }
}

TEST(Png, BadSizesAreRefused) {
  std::vector<std::uint8_t> px(12);
  EXPECT_THROW(factorkit::encode_png(3, 2, 3, px), factorkit::InvalidInput);
  EXPECT_THROW(factorkit::encode_png(0, 2, 3, {}), factorkit::InvalidInput);
  EXPECT_THROW(factorkit::encode_png(2, 2, 2, px), factorkit::InvalidInput);
  EXPECT_NO_THROW(factorkit::encode_png(2, 2, 3, px));
}
