// Internal: byte-order helpers shared by the readers and writers.
#pragma once
#include <algorithm>
#include <cstddef>
#include <span>

namespace factorkit::detail {

// Reverses the bytes of each `element_size`-byte element (big <-> little endian).
inline void byteswap_elements(std::span<std::byte> data, std::size_t element_size) noexcept {
  if (element_size <= 1) return;
  for (std::size_t i = 0; i + element_size <= data.size(); i += element_size)
    std::reverse(data.begin() + i, data.begin() + i + element_size);
}

}  // namespace factorkit::detail
