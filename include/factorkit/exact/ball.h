// factorkit/exact/ball.h — real balls (RAII over Arb's arb_t).
//
// A Ball is a midpoint m and a radius r and stands for every real in
// [m - r, m + r]. Every operation returns a ball that is guaranteed to contain
// the exact result for all inputs in the input balls: a computed digit is a
// proven digit. Operations take the working precision `prec` in bits (about
// 3.32 bits per decimal digit); the output radius reflects both rounding at
// `prec` and the input radii, so a ball can be wider than 2^-prec.
//
// Complexities: add/sub O(prec); mul/div/sqrt O(M(prec)); the elementary
// functions and constants O(M(prec) log^2 prec) (binary splitting), Bessel
// functions roughly O(M(prec) prec^0.5). Arb caches the constants (e, pi, gamma,
// log 2, ...) per thread, so asking again at the same or lower precision is
// O(prec).
//
// Aliasing: every function accepts aliased arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <arb.h>

#include "factorkit/exact/integer.h"
#include "factorkit/exact/rational.h"

namespace factorkit::exact {

inline int64_t digits_to_bits(int64_t digits) { return digits * 3322 / 1000 + 1; }  // ceil(digits log2 10)

class Ball {
 public:
  Ball() noexcept { arb_init(v_); }
  Ball(long x) noexcept { arb_init(v_); arb_set_si(v_, x); }                                  // NOLINT exact
  Ball(const Integer& x) noexcept { arb_init(v_); arb_set_fmpz(v_, x.raw()); }                // NOLINT exact
  Ball(const Rational& x, int64_t prec) noexcept { arb_init(v_); arb_set_fmpq(v_, x.raw(), prec); }
  // The double exactly (NaN and infinities give a non-finite ball).
  static Ball from_double(double x) noexcept { Ball b; arb_set_d(b.v_, x); return b; }
  Ball(const Ball& o) noexcept { arb_init(v_); arb_set(v_, o.v_); }
  Ball(Ball&& o) noexcept { arb_init(v_); arb_swap(v_, o.v_); }
  Ball& operator=(const Ball& o) noexcept { arb_set(v_, o.v_); return *this; }
  Ball& operator=(Ball&& o) noexcept { arb_swap(v_, o.v_); return *this; }
  ~Ball() { arb_clear(v_); }

  arb_struct* raw() noexcept { return v_; }
  const arb_struct* raw() const noexcept { return v_; }

  bool contains_zero() const noexcept { return arb_contains_zero(v_); }
  bool is_positive() const noexcept { return arb_is_positive(v_); }  // every point > 0
  bool is_negative() const noexcept { return arb_is_negative(v_); }
  bool is_finite() const noexcept { return arb_is_finite(v_); }
  bool is_exact() const noexcept { return arb_is_exact(v_); }
  // Bits of relative accuracy: about -log2(r / |m|). O(1).
  int64_t accuracy_bits() const noexcept { return arb_rel_accuracy_bits(v_); }
  // The midpoint as a double (rounded), for reporting only.
  double mid_double() const noexcept;
  // Widens the ball by the radius of |err| plus its midpoint.
  void add_error(const Ball& err) noexcept { arb_add_error(v_, err.v_); }

  // The exact endpoints: the ball is [lo 2^e, hi 2^e]. O(prec).
  void interval(Integer& lo, Integer& hi, Integer& e) const noexcept;
  // floor(x) when every point of the ball has the same floor (resp. ceiling).
  std::optional<Integer> floor_exact() const;
  std::optional<Integer> ceil_exact() const;

 private:
  arb_t v_;
};


// Arithmetic at precision `prec` (bits).
Ball add(const Ball& a, const Ball& b, int64_t prec);
Ball sub(const Ball& a, const Ball& b, int64_t prec);
Ball mul(const Ball& a, const Ball& b, int64_t prec);
// Division; the result is [-inf, inf] when b contains zero (check contains_zero()).
Ball div(const Ball& a, const Ball& b, int64_t prec);
Ball neg(const Ball& a);
Ball abs(const Ball& a);
Ball pow(const Ball& a, const Ball& b, int64_t prec);  // a^b for a > 0, or integer b
Ball pow(const Ball& a, long n, int64_t prec);         // integer power (negative n allowed)

// Elementary functions; the result is NaN-wide ([nan +/- inf]) outside the
// domain (log, sqrt of negatives, tan at a pole) — test is_finite().
Ball exp(const Ball& x, int64_t prec);
Ball log(const Ball& x, int64_t prec);
Ball sqrt(const Ball& x, int64_t prec);
Ball sin(const Ball& x, int64_t prec);
Ball cos(const Ball& x, int64_t prec);
Ball tan(const Ball& x, int64_t prec);
Ball cot(const Ball& x, int64_t prec);
Ball sinh(const Ball& x, int64_t prec);
Ball cosh(const Ball& x, int64_t prec);
Ball tanh(const Ball& x, int64_t prec);
Ball coth(const Ball& x, int64_t prec);
Ball atan(const Ball& x, int64_t prec);
// The modified Bessel function of the first kind I_nu(z).
Ball bessel_i(const Ball& nu, const Ball& z, int64_t prec);
Ball bessel_j(const Ball& nu, const Ball& z, int64_t prec);
Ball gamma(const Ball& x, int64_t prec);
// The regularized upper incomplete gamma function Q(s, z) = Gamma(s, z) / Gamma(s)
// (for z >= 0, s > 0: P(Gamma(s, 1) > z); P(chi2_k > x) = Q(k/2, x/2)).
Ball gamma_q(const Ball& s, const Ball& z, int64_t prec);

// Constants.
Ball const_pi(int64_t prec);
Ball const_e(int64_t prec);
Ball const_euler(int64_t prec);    // Euler's gamma = 0.5772...
Ball const_catalan(int64_t prec);  // Catalan's G = 0.9159...
Ball const_log2(int64_t prec);
Ball zeta(uint64_t s, int64_t prec);  // Riemann zeta at an integer s >= 2

// A decimal number such as "-12.5e-3" or "2.718281828459045235360287" read as
// the ball [v - u, v + u], where u is one unit in its last given digit (the
// text may be truncated or rounded). Throws InvalidInput naming `where`, also
// for more than 10^7 digits or an exponent beyond +-10^6.
// `digits` (optional out) receives the number of significant digits given.
Ball from_decimal(std::string_view text, int64_t prec, std::string_view where, int64_t* digits = nullptr);

// The value rounded to `digits` significant decimal digits: x ~ m 10^e with
// 10^(digits-1) <= |m| < 10^digits (m carries the sign). Empty when the ball is
// too wide to decide the rounding, contains zero, or lies beyond 2^(+-2^20)
// (about 10^(+-315000)). Two balls give the same
// result exactly when their values agree to `digits` significant digits
// (mpmath's nstr(x, digits) comparison).
struct Decimal {
  Integer mantissa;
  int64_t exponent = 0;
  bool operator==(const Decimal&) const = default;
  // "2.718..." (fixed point when 1e-5 <= |x| < 1e15, otherwise "d.ddde+N").
  std::string str() const;
};
std::optional<Decimal> round_significant(const Ball& x, int64_t digits);

}  // namespace factorkit::exact
