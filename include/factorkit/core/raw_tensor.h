// factorkit/core/raw_tensor.h — the plain tensor buffer that file readers produce.
//
// Readers parse into RawTensor (dtype, shape, little-endian C-order bytes)
// without LibTorch, so the parsers, their fuzz targets and their sanitizer
// builds stay light. factorkit/core/torch_bridge.h turns one into a
// torch::Tensor and back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "factorkit/core/dtype.h"

namespace factorkit {

struct RawTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;     // empty = scalar (one element)
  std::vector<std::byte> data;    // numel * dtype_size bytes, little-endian, C order

  // Product of the dimensions (1 for a scalar). Shapes are validated on
  // construction by the readers, so this cannot overflow for a RawTensor they made.
  int64_t numel() const noexcept;
  std::size_t nbytes() const noexcept { return data.size(); }

  // Element i as a double (exact for all but 64-bit integers beyond 2^53).
  double element_as_double(std::size_t i) const noexcept;

  bool operator==(const RawTensor& o) const = default;
};

// Product of the dimensions times the element size; nullopt on a negative
// dimension or when the product overflows or exceeds `limit` bytes. Readers turn
// nullopt into their own MalformedFile; writers use check_consistent.
std::optional<std::size_t> nbytes_of(const std::vector<int64_t>& shape, DType dtype,
                                     std::size_t limit = std::size_t(1) << 62) noexcept;

// Throws InvalidInput (code TensorInvalidInfo) unless data.size() equals the
// shape's element count times the dtype size (and that product does not overflow).
void check_consistent(const RawTensor& t, const std::string& where, const std::string& field = "data");

// A named collection, as in a safetensors file. Order is the file order.
struct TensorFile {
  std::vector<std::pair<std::string, RawTensor>> tensors;
  std::map<std::string, std::string> metadata;  // safetensors __metadata__

  const RawTensor* find(const std::string& name) const noexcept;
};

// Summary statistics for `factorkit inspect`.
struct TensorStats {
  int64_t count = 0;        // elements
  int64_t finite = 0;       // finite elements (all, for integer dtypes)
  int64_t nan = 0;
  int64_t pos_inf = 0;
  int64_t neg_inf = 0;
  double min = 0, max = 0;  // over finite elements; 0 when there is none
  double mean = 0;          // over finite elements
};
TensorStats tensor_stats(const RawTensor& t) noexcept;

// Cast to another dtype. Float -> float rounds to nearest even. Every other
// conversion must be exact: a value that is not integral or does not fit the
// target (or NaN/Inf to an integer, or anything but 0/1 to BOOL) throws
// InvalidInput naming `where`, the element index and the value.
RawTensor cast(const RawTensor& t, DType to, const std::string& where);

}  // namespace factorkit
