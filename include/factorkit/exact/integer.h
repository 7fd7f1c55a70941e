// factorkit/exact/integer.h — arbitrary-size integers (RAII over FLINT's fmpz).
//
// An Integer is one machine word while its value fits in 62 bits and a GMP
// integer beyond, exactly as fmpz: small values cost no allocation. Every
// operation is exact. Complexities are for n-bit operands; M(n) is the cost of
// an n-bit multiplication (GMP: quasi-linear for large n).
//
// Aliasing: every function and operator accepts the same object as input and
// output (FLINT permits it for all the calls used here).
//
// This header is the only place besides src/exact that sees FLINT: code above
// the `exact` layer uses Integer, never fmpz.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <flint/fmpz.h>

namespace factorkit::exact {

class Integer {
 public:
  Integer() noexcept { fmpz_init(v_); }
  Integer(long x) noexcept { fmpz_init_set_si(v_, x); }  // NOLINT: implicit on purpose
  // Parses an optional sign followed by decimal digits. Throws InvalidInput
  // (naming `where`) for anything else. O(n^2) for n digits (GMP's set_str).
  explicit Integer(std::string_view decimal, std::string_view where = "integer");
  Integer(const Integer& o) noexcept { fmpz_init_set(v_, o.v_); }
  Integer(Integer&& o) noexcept { fmpz_init(v_); fmpz_swap(v_, o.v_); }
  Integer& operator=(const Integer& o) noexcept { fmpz_set(v_, o.v_); return *this; }
  Integer& operator=(Integer&& o) noexcept { fmpz_swap(v_, o.v_); return *this; }
  Integer& operator=(long x) noexcept { fmpz_set_si(v_, x); return *this; }
  ~Integer() { fmpz_clear(v_); }

  fmpz* raw() noexcept { return v_; }
  const fmpz* raw() const noexcept { return v_; }
  void swap(Integer& o) noexcept { fmpz_swap(v_, o.v_); }

  // -1, 0 or 1. O(1).
  int sign() const noexcept { return fmpz_sgn(v_); }
  bool is_zero() const noexcept { return fmpz_is_zero(v_); }
  // True when the value fits a signed 64-bit word; to_long() is then exact.
  bool fits_long() const noexcept { return fmpz_fits_si(v_); }
  long to_long() const noexcept { return fmpz_get_si(v_); }
  // Number of bits of |x| (0 for 0). O(1).
  uint64_t bits() const noexcept { return fmpz_bits(v_); }
  // x mod m in [0, m) for m > 0 (floor convention, also for negative x). O(n).
  uint64_t mod(uint64_t m) const noexcept { return fmpz_fdiv_ui(v_, m); }
  // Decimal digits with a leading '-' when negative. O(M(n) log n).
  std::string str() const;

  Integer& operator+=(const Integer& o) noexcept { fmpz_add(v_, v_, o.v_); return *this; }
  Integer& operator-=(const Integer& o) noexcept { fmpz_sub(v_, v_, o.v_); return *this; }
  Integer& operator*=(const Integer& o) noexcept { fmpz_mul(v_, v_, o.v_); return *this; }
  Integer& operator*=(long o) noexcept { fmpz_mul_si(v_, v_, o); return *this; }
  // this += a * b and this -= a * b in one step (fmpz_addmul / fmpz_submul). O(M(n)).
  void addmul(const Integer& a, const Integer& b) noexcept { fmpz_addmul(v_, a.v_, b.v_); }
  void submul(const Integer& a, const Integer& b) noexcept { fmpz_submul(v_, a.v_, b.v_); }
  void addmul(const Integer& a, long b) noexcept;
  void neg() noexcept { fmpz_neg(v_, v_); }

  friend Integer operator+(const Integer& a, const Integer& b) { Integer r; fmpz_add(r.v_, a.v_, b.v_); return r; }
  friend Integer operator-(const Integer& a, const Integer& b) { Integer r; fmpz_sub(r.v_, a.v_, b.v_); return r; }
  friend Integer operator*(const Integer& a, const Integer& b) { Integer r; fmpz_mul(r.v_, a.v_, b.v_); return r; }
  friend Integer operator-(const Integer& a) { Integer r; fmpz_neg(r.v_, a.v_); return r; }
  friend bool operator==(const Integer& a, const Integer& b) noexcept { return fmpz_equal(a.v_, b.v_); }
  friend std::strong_ordering operator<=>(const Integer& a, const Integer& b) noexcept {
    const int c = fmpz_cmp(a.v_, b.v_);
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }

 private:
  fmpz_t v_;
};

// floor(a / b), ceil(a / b), a / b when b divides a. Throw InvalidInput for b = 0.
// O(M(n)).
Integer fdiv(const Integer& a, const Integer& b);
Integer cdiv(const Integer& a, const Integer& b);
Integer divexact(const Integer& a, const Integer& b);
// Greatest common divisor, >= 0; gcd(0, 0) = 0. O(M(n) log n).
Integer gcd(const Integer& a, const Integer& b);
Integer abs(const Integer& a);
// a^e. O(M(e n)).
Integer pow(const Integer& a, uint64_t e);

}  // namespace factorkit::exact
