// factorkit/exact/polynomial.h — univariate polynomials over Z (FLINT's fmpz_poly).
//
// Coefficients are indexed by degree: coeff(0) is the constant term. The zero
// polynomial has degree -1. Complexities are for degree d and n-bit
// coefficients. Aliasing: inputs may alias outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <flint/fmpz_poly.h>

#include "factorkit/exact/integer.h"

namespace factorkit::exact {

class IntPoly {
 public:
  IntPoly() noexcept { fmpz_poly_init(v_); }
  // From coefficients in increasing degree. O(d).
  explicit IntPoly(std::span<const long> coeffs);
  explicit IntPoly(std::span<const Integer> coeffs);
  IntPoly(const IntPoly& o) noexcept { fmpz_poly_init(v_); fmpz_poly_set(v_, o.v_); }
  IntPoly(IntPoly&& o) noexcept { fmpz_poly_init(v_); fmpz_poly_swap(v_, o.v_); }
  IntPoly& operator=(const IntPoly& o) noexcept { fmpz_poly_set(v_, o.v_); return *this; }
  IntPoly& operator=(IntPoly&& o) noexcept { fmpz_poly_swap(v_, o.v_); return *this; }
  ~IntPoly() { fmpz_poly_clear(v_); }

  fmpz_poly_struct* raw() noexcept { return v_; }
  const fmpz_poly_struct* raw() const noexcept { return v_; }

  int64_t degree() const noexcept { return fmpz_poly_degree(v_); }
  bool is_zero() const noexcept { return fmpz_poly_is_zero(v_); }
  // The coefficient of x^i (0 beyond the degree). O(1).
  Integer coeff(int64_t i) const;
  // All coefficients, constant term first (empty for zero).
  std::vector<Integer> coeffs() const;
  Integer leading() const { return coeff(degree()); }

  friend bool operator==(const IntPoly& a, const IntPoly& b) noexcept { return fmpz_poly_equal(a.v_, b.v_); }
  friend IntPoly operator*(const IntPoly& a, const IntPoly& b);
  friend IntPoly operator-(const IntPoly& a);

 private:
  fmpz_poly_t v_;
};

// The greatest common divisor in Z[x], with positive leading coefficient (it
// includes the gcd of the contents). gcd(0, 0) = 0. O(d^2 n) heuristically.
IntPoly gcd(const IntPoly& a, const IntPoly& b);
// a / b when b divides a exactly in Z[x] (undefined otherwise). O(d^2).
IntPoly divexact(const IntPoly& a, const IntPoly& b);
// a / b when b divides a in Z[x], empty otherwise (b != 0). O(d^2).
std::optional<IntPoly> exact_quotient(const IntPoly& a, const IntPoly& b);
// The n-th cyclotomic polynomial (n >= 1), of degree phi(n).
IntPoly cyclotomic(uint64_t n);
// Euler's totient phi(n).
uint64_t euler_phi(uint64_t n);

}  // namespace factorkit::exact
