#include "factorkit/core/raw_tensor.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <fmt/format.h>

#include "factorkit/core/error.h"
#include "element.h"

static_assert(std::endian::native == std::endian::little,
              "factorkit stores tensors little-endian and assumes a little-endian host");

namespace factorkit {

namespace {

template <class T>
T load(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T>
void store(std::byte* p, T v) noexcept {
  std::memcpy(p, &v, sizeof(T));
}

}  // namespace

namespace detail {

Value load_value(DType t, const std::byte* p) noexcept {
  switch (t) {
    case DType::F64: return {Value::Float, load<double>(p)};
    case DType::F32: return {Value::Float, load<float>(p)};
    case DType::F16: return {Value::Float, half_to_float(load<uint16_t>(p))};
    case DType::BF16: return {Value::Float, bf16_to_float(load<uint16_t>(p))};
    case DType::I64: return {Value::Signed, 0, load<int64_t>(p)};
    case DType::I32: return {Value::Signed, 0, load<int32_t>(p)};
    case DType::I16: return {Value::Signed, 0, load<int16_t>(p)};
    case DType::I8: return {Value::Signed, 0, load<int8_t>(p)};
    case DType::U64: return {Value::Unsigned, 0, 0, load<uint64_t>(p)};
    case DType::U32: return {Value::Unsigned, 0, 0, load<uint32_t>(p)};
    case DType::U16: return {Value::Unsigned, 0, 0, load<uint16_t>(p)};
    case DType::U8: return {Value::Unsigned, 0, 0, load<uint8_t>(p)};
    case DType::BOOL: return {Value::Unsigned, 0, 0, uint64_t(load<uint8_t>(p) != 0)};
  }
  return {Value::Float};
}

double as_double(const Value& v) noexcept {
  switch (v.kind) {
    case Value::Float: return v.f;
    case Value::Signed: return double(v.i);
    case Value::Unsigned: return double(v.u);
  }
  return 0;
}

std::string value_text(const Value& v) {
  switch (v.kind) {
    case Value::Float: return fmt::format("{}", v.f);
    case Value::Signed: return fmt::format("{}", v.i);
    case Value::Unsigned: return fmt::format("{}", v.u);
  }
  return "?";
}

}  // namespace detail

namespace {
using detail::Value;

// double -> float with IEEE rounding and overflow to infinity (a plain
// conversion of an out-of-range double is undefined behaviour in C++).
float double_to_float(double d) noexcept {
  constexpr double fmax = std::numeric_limits<float>::max();
  if (std::isfinite(d) && std::fabs(d) > fmax) {
    // halfway between FLT_MAX and 2^128 rounds (to even) up to infinity
    const double half_way = std::ldexp(1.0, 128) - std::ldexp(1.0, 103);
    float r = std::fabs(d) >= half_way ? std::numeric_limits<float>::infinity() : float(fmax);
    return d < 0 ? -r : r;
  }
  return float(d);
}

// Integer range of an integer dtype, as signed/unsigned 64-bit bounds.
struct IntRange { bool is_signed; int64_t smin, smax; uint64_t umax; };
IntRange int_range(DType t) noexcept {
  switch (t) {
    case DType::I64: return {true, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0};
    case DType::I32: return {true, INT32_MIN, INT32_MAX, 0};
    case DType::I16: return {true, INT16_MIN, INT16_MAX, 0};
    case DType::I8: return {true, INT8_MIN, INT8_MAX, 0};
    case DType::U64: return {false, 0, 0, std::numeric_limits<uint64_t>::max()};
    case DType::U32: return {false, 0, 0, UINT32_MAX};
    case DType::U16: return {false, 0, 0, UINT16_MAX};
    case DType::U8: return {false, 0, 0, UINT8_MAX};
    case DType::BOOL: return {false, 0, 0, 1};
    default: return {true, 0, 0, 0};
  }
}

// Exact conversion of v to an integer of range r; false if impossible.
bool to_integer(const Value& v, const IntRange& r, int64_t& si, uint64_t& ui) noexcept {
  if (v.kind == Value::Float) {
    double d = v.f;
    if (!std::isfinite(d) || std::trunc(d) != d) return false;
    if (r.is_signed) {
      if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
      si = int64_t(d);
      return si >= r.smin && si <= r.smax;
    }
    if (d < 0 || d >= 18446744073709551616.0) return false;
    ui = uint64_t(d);
    return ui <= r.umax;
  }
  if (v.kind == Value::Signed) {
    if (r.is_signed) {
      si = v.i;
      return si >= r.smin && si <= r.smax;
    }
    if (v.i < 0) return false;
    ui = uint64_t(v.i);
    return ui <= r.umax;
  }
  if (r.is_signed) {
    if (v.u > uint64_t(std::numeric_limits<int64_t>::max())) return false;
    si = int64_t(v.u);
    return si <= r.smax;
  }
  ui = v.u;
  return ui <= r.umax;
}

}  // namespace

int64_t RawTensor::numel() const noexcept {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

double RawTensor::element_as_double(std::size_t i) const noexcept {
  return detail::as_double(detail::load_value(dtype, data.data() + i * dtype_size(dtype)));
}

std::optional<std::size_t> nbytes_of(const std::vector<int64_t>& shape, DType dtype, std::size_t limit) noexcept {
  std::size_t n = dtype_size(dtype);
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, std::size_t(d), &n) || n > limit) return std::nullopt;
  return n;
}

void check_consistent(const RawTensor& t, const std::string& where, const std::string& field) {
  const auto expect = nbytes_of(t.shape, t.dtype);
  if (!expect)
    throw InvalidInput(where, "shape",
                       fmt::format("non-negative dimensions whose size in bytes fits in 2^62 (got [{}])",
                                   fmt::join(t.shape, ", ")),
                       "ValidationOverflow");
  if (*expect != t.data.size())
    throw InvalidInput(where, field, fmt::format("{} bytes for the shape, got {}", *expect, t.data.size()),
                       "TensorInvalidInfo");
}

const RawTensor* TensorFile::find(const std::string& name) const noexcept {
  for (const auto& [n, t] : tensors)
    if (n == name) return &t;
  return nullptr;
}

TensorStats tensor_stats(const RawTensor& t) noexcept {
  TensorStats s;
  const std::size_t es = dtype_size(t.dtype);
  const std::size_t n = es ? t.data.size() / es : 0;
  s.count = int64_t(n);
  long double sum = 0, comp = 0;  // Kahan on top of extended precision
  bool first = true;
  for (std::size_t i = 0; i < n; ++i) {
    Value v = detail::load_value(t.dtype, t.data.data() + i * es);
    double d = detail::as_double(v);
    if (v.kind == Value::Float) {
      if (std::isnan(d)) { ++s.nan; continue; }
      if (std::isinf(d)) { (d > 0 ? s.pos_inf : s.neg_inf)++; continue; }
    }
    ++s.finite;
    if (first) { s.min = s.max = d; first = false; }
    else { if (d < s.min) s.min = d; if (d > s.max) s.max = d; }
    long double y = (long double)(v.kind == Value::Signed ? (long double)v.i
                                  : v.kind == Value::Unsigned ? (long double)v.u : (long double)d) - comp;
    long double tsum = sum + y;
    comp = (tsum - sum) - y;
    sum = tsum;
  }
  if (s.finite > 0) s.mean = double(sum / (long double)s.finite);
  return s;
}

namespace detail {

bool store_value(DType to, const Value& v, std::byte* p) noexcept {
  switch (to) {
    // Integers go to float directly (one rounding); floats via double (exact).
    case DType::F64:
      store<double>(p, v.kind == Value::Float ? v.f : v.kind == Value::Signed ? double(v.i) : double(v.u));
      return true;
    case DType::F32:
      store<float>(p, v.kind == Value::Float ? double_to_float(v.f) : v.kind == Value::Signed ? float(v.i) : float(v.u));
      return true;
    case DType::F16: store<uint16_t>(p, double_to_half(as_double(v))); return true;
    case DType::BF16: store<uint16_t>(p, double_to_bf16(as_double(v))); return true;
    default: break;
  }
  int64_t si = 0;
  uint64_t ui = 0;
  if (!to_integer(v, int_range(to), si, ui)) return false;
  switch (to) {
    case DType::I64: store<int64_t>(p, si); break;
    case DType::I32: store<int32_t>(p, int32_t(si)); break;
    case DType::I16: store<int16_t>(p, int16_t(si)); break;
    case DType::I8: store<int8_t>(p, int8_t(si)); break;
    case DType::U64: store<uint64_t>(p, ui); break;
    case DType::U32: store<uint32_t>(p, uint32_t(ui)); break;
    case DType::U16: store<uint16_t>(p, uint16_t(ui)); break;
    default: store<uint8_t>(p, uint8_t(ui)); break;  // U8, BOOL
  }
  return true;
}

}  // namespace detail

RawTensor cast(const RawTensor& t, DType to, const std::string& where) {
  if (t.dtype == to) return t;
  RawTensor out;
  out.dtype = to;
  out.shape = t.shape;
  const std::size_t in_es = dtype_size(t.dtype), out_es = dtype_size(to);
  const std::size_t n = t.data.size() / in_es;
  out.data.resize(n * out_es);
  for (std::size_t i = 0; i < n; ++i) {
    const Value v = detail::load_value(t.dtype, t.data.data() + i * in_es);
    if (!detail::store_value(to, v, out.data.data() + i * out_es))
      throw InvalidInput(where, fmt::format("element {}", i),
                         fmt::format("a value representable exactly as {} (got {}); cast refuses to "
                                     "round, wrap or truncate",
                                     dtype_long_name(to), detail::value_text(v)),
                         "LossyCast");
  }
  return out;
}

}  // namespace factorkit
