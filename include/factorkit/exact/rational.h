// factorkit/exact/rational.h — exact rationals (RAII over FLINT's fmpq).
//
// A Rational is always canonical: numerator and denominator coprime, the
// denominator positive. Operations cost O(M(n) log n) for n-bit parts (one gcd
// to keep the canonical form). Aliasing: inputs may alias outputs.
#pragma once

#include <compare>
#include <string>

#include <flint/fmpq.h>

#include "factorkit/exact/integer.h"

namespace factorkit::exact {

class Rational {
 public:
  Rational() noexcept { fmpq_init(v_); }
  Rational(long x) noexcept { fmpq_init(v_); fmpq_set_si(v_, x, 1); }  // NOLINT: implicit on purpose
  Rational(const Integer& x) noexcept { fmpq_init(v_); fmpz_set(fmpq_numref(v_), x.raw()); }  // NOLINT
  // num / den in canonical form. Throws InvalidInput when den == 0.
  Rational(const Integer& num, const Integer& den);
  Rational(const Rational& o) noexcept { fmpq_init(v_); fmpq_set(v_, o.v_); }
  Rational(Rational&& o) noexcept { fmpq_init(v_); fmpq_swap(v_, o.v_); }
  Rational& operator=(const Rational& o) noexcept { fmpq_set(v_, o.v_); return *this; }
  Rational& operator=(Rational&& o) noexcept { fmpq_swap(v_, o.v_); return *this; }
  ~Rational() { fmpq_clear(v_); }

  fmpq* raw() noexcept { return v_; }
  const fmpq* raw() const noexcept { return v_; }

  Integer num() const;
  Integer den() const;
  int sign() const noexcept { return fmpq_sgn(v_); }
  bool is_zero() const noexcept { return fmpq_is_zero(v_); }
  bool is_integer() const noexcept { return fmpz_is_one(fmpq_denref(v_)); }
  // "p" or "p/q".
  std::string str() const;

  friend Rational operator+(const Rational& a, const Rational& b) { Rational r; fmpq_add(r.v_, a.v_, b.v_); return r; }
  friend Rational operator-(const Rational& a, const Rational& b) { Rational r; fmpq_sub(r.v_, a.v_, b.v_); return r; }
  friend Rational operator*(const Rational& a, const Rational& b) { Rational r; fmpq_mul(r.v_, a.v_, b.v_); return r; }
  // Throws InvalidInput when b == 0.
  friend Rational operator/(const Rational& a, const Rational& b);
  friend Rational operator-(const Rational& a) { Rational r; fmpq_neg(r.v_, a.v_); return r; }
  Rational& operator+=(const Rational& o) noexcept { fmpq_add(v_, v_, o.v_); return *this; }
  Rational& operator-=(const Rational& o) noexcept { fmpq_sub(v_, v_, o.v_); return *this; }
  Rational& operator*=(const Rational& o) noexcept { fmpq_mul(v_, v_, o.v_); return *this; }
  friend bool operator==(const Rational& a, const Rational& b) noexcept { return fmpq_equal(a.v_, b.v_); }
  friend std::strong_ordering operator<=>(const Rational& a, const Rational& b) noexcept {
    const int c = fmpq_cmp(a.v_, b.v_);
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }

 private:
  fmpq_t v_;
};

}  // namespace factorkit::exact
