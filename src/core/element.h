// Internal: one tensor element in a lossless intermediate form, and the single
// conversion rule that cast() and the CSV parser share: floats round to nearest
// even once; integer and bool targets must be exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "factorkit/core/dtype.h"

namespace factorkit::detail {

struct Value {
  enum Kind { Float, Signed, Unsigned } kind = Float;
  double f = 0;
  int64_t i = 0;
  uint64_t u = 0;
  static Value of(double x) noexcept { return {Float, x, 0, 0}; }
  static Value of(int64_t x) noexcept { return {Signed, 0, x, 0}; }
  static Value of(uint64_t x) noexcept { return {Unsigned, 0, 0, x}; }
};

Value load_value(DType t, const std::byte* p) noexcept;
double as_double(const Value& v) noexcept;
std::string value_text(const Value& v);
// Writes v as `to` at p. Returns false, writing nothing, when `to` is an
// integer or bool type that cannot hold v exactly (fraction, range, NaN/Inf).
bool store_value(DType to, const Value& v, std::byte* p) noexcept;

}  // namespace factorkit::detail
