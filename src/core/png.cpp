// PNG (ISO/IEC 15948): signature, IHDR, one zlib-compressed IDAT with filter
// type 0 on every row, IEND; chunk CRCs by zlib's crc32.
#include "factorkit/core/png.h"

#include <fmt/format.h>
#include <zlib.h>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"

namespace factorkit {
namespace {

void put32(std::vector<std::byte>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(std::byte((v >> s) & 0xFF));
}

void chunk(std::vector<std::byte>& out, const char type[4], const std::vector<std::byte>& data) {
  put32(out, std::uint32_t(data.size()));
  const std::size_t start = out.size();
  for (int i = 0; i < 4; ++i) out.push_back(std::byte(type[i]));
  out.insert(out.end(), data.begin(), data.end());
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + start), uInt(out.size() - start));
  put32(out, std::uint32_t(crc));
}

}  // namespace

std::vector<std::byte> encode_png(std::int64_t width, std::int64_t height, int channels,
                                  std::span<const std::uint8_t> pixels) {
  if (width < 1 || height < 1 || width > (1 << 24) || height > (1 << 24))
    throw InvalidInput("png", "size", fmt::format("1 .. 2^24 pixels per side (got {} x {})", width, height));
  if (channels != 1 && channels != 3 && channels != 4)
    throw InvalidInput("png", "channels", fmt::format("1, 3 or 4 (got {})", channels));
  const std::size_t row = std::size_t(width) * std::size_t(channels);
  if (pixels.size() != row * std::size_t(height))
    throw InvalidInput("png", "pixels", fmt::format("{} bytes (got {})", row * std::size_t(height), pixels.size()));
  std::vector<Bytef> raw;
  raw.reserve((row + 1) * std::size_t(height));
  for (std::int64_t y = 0; y < height; ++y) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), pixels.begin() + std::ptrdiff_t(row * std::size_t(y)),
               pixels.begin() + std::ptrdiff_t(row * std::size_t(y + 1)));
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::vector<std::byte> z(size);
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &size, raw.data(), uLong(raw.size()), 6) != Z_OK)
    throw std::runtime_error("png: zlib compression failed");
  z.resize(size);
  std::vector<std::byte> out;
  for (const int c : {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}) out.push_back(std::byte(c));
  std::vector<std::byte> ihdr;
  put32(ihdr, std::uint32_t(width));
  put32(ihdr, std::uint32_t(height));
  const unsigned char colour = channels == 1 ? 0 : channels == 3 ? 2 : 6;
  for (const unsigned char c : {(unsigned char)8, colour, (unsigned char)0, (unsigned char)0, (unsigned char)0})
    ihdr.push_back(std::byte(c));
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", {});
  return out;
}

void write_png(const std::string& path, std::int64_t width, std::int64_t height, int channels,
               std::span<const std::uint8_t> pixels) {
  write_file_atomic(path, encode_png(width, height, channels, pixels));
}

}  // namespace factorkit
