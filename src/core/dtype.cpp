#include "factorkit/core/dtype.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace factorkit {

std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::F64: case DType::I64: case DType::U64: return 8;
    case DType::F32: case DType::I32: case DType::U32: return 4;
    case DType::F16: case DType::BF16: case DType::I16: case DType::U16: return 2;
    case DType::I8: case DType::U8: case DType::BOOL: return 1;
  }
  return 1;
}

std::string_view dtype_name(DType t) noexcept {
  switch (t) {
    case DType::F64: return "F64";
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U64: return "U64";
    case DType::U32: return "U32";
    case DType::U16: return "U16";
    case DType::U8: return "U8";
    case DType::BOOL: return "BOOL";
  }
  return "?";
}

std::string_view dtype_long_name(DType t) noexcept {
  switch (t) {
    case DType::F64: return "float64";
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::BF16: return "bfloat16";
    case DType::I64: return "int64";
    case DType::I32: return "int32";
    case DType::I16: return "int16";
    case DType::I8: return "int8";
    case DType::U64: return "uint64";
    case DType::U32: return "uint32";
    case DType::U16: return "uint16";
    case DType::U8: return "uint8";
    case DType::BOOL: return "bool";
  }
  return "?";
}

bool dtype_is_float(DType t) noexcept {
  return t == DType::F64 || t == DType::F32 || t == DType::F16 || t == DType::BF16;
}
bool dtype_is_signed_int(DType t) noexcept {
  return t == DType::I64 || t == DType::I32 || t == DType::I16 || t == DType::I8;
}
bool dtype_is_unsigned_int(DType t) noexcept {
  return t == DType::U64 || t == DType::U32 || t == DType::U16 || t == DType::U8;
}

std::optional<DType> dtype_from_safetensors(std::string_view s) noexcept {
  for (DType t : kAllDTypes)
    if (dtype_name(t) == s) return t;
  return std::nullopt;
}

std::optional<DType> parse_dtype(std::string_view s) noexcept {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  struct Alias { const char* name; DType t; };
  static constexpr Alias aliases[] = {
      {"f64", DType::F64},  {"float64", DType::F64}, {"double", DType::F64}, {"f8", DType::F64},
      {"f32", DType::F32},  {"float32", DType::F32}, {"float", DType::F32},  {"f4", DType::F32},
      {"f16", DType::F16},  {"float16", DType::F16}, {"half", DType::F16},   {"f2", DType::F16},
      {"bf16", DType::BF16}, {"bfloat16", DType::BF16},
      {"i64", DType::I64},  {"int64", DType::I64},   {"long", DType::I64},
      {"i32", DType::I32},  {"int32", DType::I32},   {"int", DType::I32},
      {"i16", DType::I16},  {"int16", DType::I16},   {"short", DType::I16},
      {"i8", DType::I8},    {"int8", DType::I8},
      {"u64", DType::U64},  {"uint64", DType::U64},
      {"u32", DType::U32},  {"uint32", DType::U32},
      {"u16", DType::U16},  {"uint16", DType::U16},
      {"u8", DType::U8},    {"uint8", DType::U8},
      {"bool", DType::BOOL}, {"b1", DType::BOOL},
  };
  for (const auto& a : aliases)
    if (l == a.name) return a.t;
  return std::nullopt;
}

float half_to_float(uint16_t h) noexcept {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  float out;
  if (exp == 0x1f) {  // inf / nan
    uint32_t bits = sign | 0x7f800000u | (man << 13);
    std::memcpy(&out, &bits, 4);
    return out;
  }
  if (exp == 0) {  // zero / subnormal: man * 2^-24, exact in float
    float v = std::ldexp(float(man), -24);
    return sign ? -v : v;
  }
  uint32_t bits = sign | ((exp + 112u) << 23) | (man << 13);
  std::memcpy(&out, &bits, 4);
  return out;
}

namespace {
// Round |a| (finite, non-negative) to a binary format with `mant` explicit
// mantissa bits and exponent range [emin, emax], to nearest even, in one step.
// Returns the biased bit pattern without the sign, or the infinity pattern.
uint32_t round_to_small_float(double a, int mant, int emin, int emax) {
  const uint32_t inf = uint32_t(emax - emin + 2) << mant;
  if (a == 0) return 0;
  int e = std::ilogb(a);
  if (e < emin) {  // subnormal: multiples of 2^(emin - mant)
    double q = std::nearbyint(std::ldexp(a, mant - emin));
    return uint32_t(q);  // q == 2^mant becomes the smallest normal, as wanted
  }
  double q = std::nearbyint(std::ldexp(a, mant - e));  // in [2^mant, 2^(mant+1)]
  if (q == std::ldexp(1.0, mant + 1)) {
    q = std::ldexp(1.0, mant);
    ++e;
  }
  if (e > emax) return inf;
  return (uint32_t(e - emin + 1) << mant) | (uint32_t(q) - (1u << mant));
}
}  // namespace

uint16_t double_to_half(double d) noexcept {
  const uint16_t sign = std::signbit(d) ? 0x8000 : 0;
  if (std::isnan(d)) return sign | 0x7e00;
  if (std::isinf(d)) return sign | 0x7c00;
  return sign | uint16_t(round_to_small_float(std::fabs(d), 10, -14, 15));
}
uint16_t float_to_half(float f) noexcept { return double_to_half(double(f)); }

float bf16_to_float(uint16_t b) noexcept {
  uint32_t bits = uint32_t(b) << 16;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}
uint16_t double_to_bf16(double d) noexcept {
  const uint16_t sign = std::signbit(d) ? 0x8000 : 0;
  if (std::isnan(d)) return sign | 0x7fc0;
  if (std::isinf(d)) return sign | 0x7f80;
  return sign | uint16_t(round_to_small_float(std::fabs(d), 7, -126, 127));
}
uint16_t float_to_bf16(float f) noexcept { return double_to_bf16(double(f)); }

}  // namespace factorkit
