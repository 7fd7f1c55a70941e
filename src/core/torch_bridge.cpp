#include "factorkit/core/torch_bridge.h"

#include <ATen/ATen.h>
#include <cstring>
#include <fmt/format.h>

#include "factorkit/core/error.h"

namespace factorkit {

at::ScalarType to_scalar_type(DType t, const std::string& where) {
  switch (t) {
    case DType::F64: return at::kDouble;
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::BOOL: return at::kBool;
    default:
      throw InvalidInput(where, "dtype",
                         fmt::format("a dtype LibTorch has; {} has none (cast with --dtype i64)", dtype_long_name(t)),
                         "UnsupportedDType");
  }
}

DType from_scalar_type(at::ScalarType t, const std::string& where) {
  switch (t) {
    case at::kDouble: return DType::F64;
    case at::kFloat: return DType::F32;
    case at::kHalf: return DType::F16;
    case at::kBFloat16: return DType::BF16;
    case at::kLong: return DType::I64;
    case at::kInt: return DType::I32;
    case at::kShort: return DType::I16;
    case at::kChar: return DType::I8;
    case at::kByte: return DType::U8;
    case at::kBool: return DType::BOOL;
    default:
      throw InvalidInput(where, "dtype", fmt::format("a real dtype factorkit files can hold, got {}", at::toString(t)),
                         "UnsupportedDType");
  }
}

at::Tensor to_torch(const RawTensor& t, const std::string& where) {
  const auto st = to_scalar_type(t.dtype, where);
  check_consistent(t, where);
  at::Tensor out = at::empty(t.shape, at::TensorOptions().dtype(st));
  if (!t.data.empty()) std::memcpy(out.data_ptr(), t.data.data(), t.data.size());
  return out;
}

RawTensor from_torch(const at::Tensor& t, const std::string& where) {
  RawTensor out;
  out.dtype = from_scalar_type(t.scalar_type(), where);
  at::Tensor c = t.to(at::kCPU).contiguous();
  out.shape.assign(c.sizes().begin(), c.sizes().end());
  out.data.resize(std::size_t(c.numel()) * c.element_size());
  if (!out.data.empty()) std::memcpy(out.data.data(), c.data_ptr(), out.data.size());
  return out;
}

}  // namespace factorkit
