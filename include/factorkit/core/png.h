// factorkit/core/png.h — writing 8-bit PNG images (grey or RGB), for concept
// galleries and attribution overlays. Compression through zlib; no reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace factorkit {

// `pixels`: height rows of width × channels bytes (channels 1 = grey, 3 = RGB,
// 4 = RGBA), row-major. InvalidInput when the sizes disagree or are zero.
std::vector<std::byte> encode_png(std::int64_t width, std::int64_t height, int channels,
                                  std::span<const std::uint8_t> pixels);
// Written atomically (a failed write leaves no file).
void write_png(const std::string& path, std::int64_t width, std::int64_t height, int channels,
               std::span<const std::uint8_t> pixels);

}  // namespace factorkit
