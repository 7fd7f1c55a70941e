// factorkit/core/dtype.h — element types of tensor files.
//
// The set is the safetensors one (plus the unsigned types numpy and newer
// safetensors have). Names follow safetensors ("F32"); parse_dtype() also takes
// the numpy/torch spellings ("float32", "f4", "uint8").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace factorkit {

enum class DType : uint8_t { F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL };

inline constexpr DType kAllDTypes[] = {DType::F64, DType::F32, DType::F16, DType::BF16,
                                       DType::I64, DType::I32, DType::I16, DType::I8,
                                       DType::U64, DType::U32, DType::U16, DType::U8,
                                       DType::BOOL};

// Bytes per element.
std::size_t dtype_size(DType t) noexcept;
// "F32", "BF16", "BOOL", ... (the safetensors spelling).
std::string_view dtype_name(DType t) noexcept;
// Lower-case numpy-style name: "float32", "bfloat16", "bool", ...
std::string_view dtype_long_name(DType t) noexcept;
bool dtype_is_float(DType t) noexcept;
bool dtype_is_signed_int(DType t) noexcept;
bool dtype_is_unsigned_int(DType t) noexcept;
// Exact safetensors name only ("F32"); nullopt otherwise.
std::optional<DType> dtype_from_safetensors(std::string_view s) noexcept;
// Any accepted spelling, case-insensitive: F32, float32, f4, float, uint8, u8, bool, ...
std::optional<DType> parse_dtype(std::string_view s) noexcept;

// IEEE half and bfloat16 conversions, round to nearest even, NaN kept NaN.
float half_to_float(uint16_t h) noexcept;
uint16_t float_to_half(float f) noexcept;
uint16_t double_to_half(double d) noexcept;  // single rounding from double
float bf16_to_float(uint16_t b) noexcept;
uint16_t float_to_bf16(float f) noexcept;
uint16_t double_to_bf16(double d) noexcept;  // single rounding from double

}  // namespace factorkit
