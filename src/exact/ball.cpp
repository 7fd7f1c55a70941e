// Ball: Arb calls behind value-semantics functions, plus decimal input/output.
#include "factorkit/exact/ball.h"

#include <arb_hypgeom.h>
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <memory>

#include "factorkit/core/error.h"

namespace factorkit::exact {

namespace {
template <class F>
Ball unary(const Ball& x, int64_t prec, F f) {
  Ball r;
  f(r.raw(), x.raw(), prec);
  return r;
}
template <class F>
Ball binary(const Ball& a, const Ball& b, int64_t prec, F f) {
  Ball r;
  f(r.raw(), a.raw(), b.raw(), prec);
  return r;
}
template <class F>
Ball constant(int64_t prec, F f) {
  Ball r;
  f(r.raw(), prec);
  return r;
}
// floor(m 2^e) for an integer m and any integer e.
Integer floor_scaled(const Integer& m, const Integer& e) {
  Integer r;
  if (e.sign() >= 0)
    fmpz_mul_2exp(r.raw(), m.raw(), static_cast<ulong>(e.to_long()));
  else
    fmpz_fdiv_q_2exp(r.raw(), m.raw(), static_cast<ulong>(-e.to_long()));
  return r;
}
Integer ceil_scaled(const Integer& m, const Integer& e) {
  Integer r;
  if (e.sign() >= 0)
    fmpz_mul_2exp(r.raw(), m.raw(), static_cast<ulong>(e.to_long()));
  else
    fmpz_cdiv_q_2exp(r.raw(), m.raw(), static_cast<ulong>(-e.to_long()));
  return r;
}
Integer pow10(int64_t k) { return pow(Integer(10), static_cast<uint64_t>(k)); }
}  // namespace

double Ball::mid_double() const noexcept { return arf_get_d(arb_midref(v_), ARF_RND_NEAR); }

void Ball::interval(Integer& lo, Integer& hi, Integer& e) const noexcept {
  arb_get_interval_fmpz_2exp(lo.raw(), hi.raw(), e.raw(), v_);
}

std::optional<Integer> Ball::floor_exact() const {
  if (!is_finite()) return std::nullopt;
  Integer lo, hi, e;
  interval(lo, hi, e);
  if (!e.fits_long()) return std::nullopt;
  Integer a = floor_scaled(lo, e), b = floor_scaled(hi, e);
  if (!(a == b)) return std::nullopt;
  return a;
}

std::optional<Integer> Ball::ceil_exact() const {
  if (!is_finite()) return std::nullopt;
  Integer lo, hi, e;
  interval(lo, hi, e);
  if (!e.fits_long()) return std::nullopt;
  Integer a = ceil_scaled(lo, e), b = ceil_scaled(hi, e);
  if (!(a == b)) return std::nullopt;
  return a;
}

Ball add(const Ball& a, const Ball& b, int64_t prec) { return binary(a, b, prec, arb_add); }
Ball sub(const Ball& a, const Ball& b, int64_t prec) { return binary(a, b, prec, arb_sub); }
Ball mul(const Ball& a, const Ball& b, int64_t prec) { return binary(a, b, prec, arb_mul); }
Ball div(const Ball& a, const Ball& b, int64_t prec) { return binary(a, b, prec, arb_div); }
Ball pow(const Ball& a, const Ball& b, int64_t prec) { return binary(a, b, prec, arb_pow); }
Ball pow(const Ball& a, long n, int64_t prec) {
  Ball r;
  Integer e(n);
  arb_pow_fmpz(r.raw(), a.raw(), e.raw(), prec);
  return r;
}
Ball neg(const Ball& a) {
  Ball r;
  arb_neg(r.raw(), a.raw());
  return r;
}
Ball abs(const Ball& a) {
  Ball r;
  arb_abs(r.raw(), a.raw());
  return r;
}

Ball exp(const Ball& x, int64_t prec) { return unary(x, prec, arb_exp); }
Ball log(const Ball& x, int64_t prec) { return unary(x, prec, arb_log); }
Ball sqrt(const Ball& x, int64_t prec) { return unary(x, prec, arb_sqrt); }
Ball sin(const Ball& x, int64_t prec) { return unary(x, prec, arb_sin); }
Ball cos(const Ball& x, int64_t prec) { return unary(x, prec, arb_cos); }
Ball tan(const Ball& x, int64_t prec) { return unary(x, prec, arb_tan); }
Ball cot(const Ball& x, int64_t prec) { return unary(x, prec, arb_cot); }
Ball sinh(const Ball& x, int64_t prec) { return unary(x, prec, arb_sinh); }
Ball cosh(const Ball& x, int64_t prec) { return unary(x, prec, arb_cosh); }
Ball tanh(const Ball& x, int64_t prec) { return unary(x, prec, arb_tanh); }
Ball coth(const Ball& x, int64_t prec) { return unary(x, prec, arb_coth); }
Ball atan(const Ball& x, int64_t prec) { return unary(x, prec, arb_atan); }
Ball gamma(const Ball& x, int64_t prec) { return unary(x, prec, arb_gamma); }
Ball gamma_q(const Ball& s, const Ball& z, int64_t prec) {
  Ball r;
  arb_hypgeom_gamma_upper(r.raw(), s.raw(), z.raw(), 1, prec);
  return r;
}
Ball bessel_i(const Ball& nu, const Ball& z, int64_t prec) { return binary(nu, z, prec, arb_hypgeom_bessel_i); }
Ball bessel_j(const Ball& nu, const Ball& z, int64_t prec) { return binary(nu, z, prec, arb_hypgeom_bessel_j); }

Ball const_pi(int64_t prec) { return constant(prec, arb_const_pi); }
Ball const_e(int64_t prec) { return constant(prec, arb_const_e); }
Ball const_euler(int64_t prec) { return constant(prec, arb_const_euler); }
Ball const_catalan(int64_t prec) { return constant(prec, arb_const_catalan); }
Ball const_log2(int64_t prec) { return constant(prec, arb_const_log2); }
Ball zeta(uint64_t s, int64_t prec) {
  if (s < 2) throw InvalidInput("zeta", fmt::format("s = {}", s), "an integer s >= 2 (zeta(1) is a pole)", "ZetaPole");
  Ball r;
  arb_zeta_ui(r.raw(), s, prec);
  return r;
}

Ball from_decimal(std::string_view text, int64_t prec, std::string_view where, int64_t* digits) {
  auto bad = [&] {
    return InvalidInput(std::string(where), fmt::format("'{}'", text.size() > 40 ? std::string(text.substr(0, 40)) + "..." : std::string(text)),
                        "a decimal number such as 2.718281828459045 or -1.5e-3", "NotADecimal");
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string mant;
  int64_t frac = 0;
  bool point = false, any = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      mant += c;
      any = true;
      if (point) ++frac;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) throw bad();
  int64_t exp10 = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    size_t j = i;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j == text.size() || text.size() - j > 9) throw bad();
    for (size_t k = j; k < text.size(); ++k)
      if (!std::isdigit(static_cast<unsigned char>(text[k]))) throw bad();
    exp10 = std::stol(std::string(text.substr(i)));
    i = text.size();
  }
  if (i != text.size()) throw bad();
  if (mant.size() > 10000000 || exp10 > 1000000 || exp10 < -1000000)
    throw InvalidInput(std::string(where), "exponent or length",
                       "at most 10^7 digits and an exponent within +-10^6", "NotADecimal");
  const size_t first = mant.find_first_not_of('0');
  if (digits) *digits = first == std::string::npos ? 0 : static_cast<int64_t>(mant.size() - first);
  const int64_t q = exp10 - frac;  // value = mant 10^q, one unit = 10^q
  Integer m(mant);
  if (negative) m.neg();
  Ball v, unit;
  if (q >= 0) {
    v = mul(Ball(m), Ball(pow10(q)), prec);
    unit = Ball(pow10(q));
  } else {
    v = div(Ball(m), Ball(pow10(-q)), prec);
    unit = div(Ball(1), Ball(pow10(-q)), prec);
  }
  v.add_error(unit);
  return v;
}

std::optional<Decimal> round_significant(const Ball& x, int64_t digits) {
  if (digits < 1 || !x.is_finite() || x.contains_zero()) return std::nullopt;
  // beyond 10^(+-315000) the exact powers of ten below would take megabytes
  if (arf_cmpabs_2exp_si(arb_midref(x.raw()), 1L << 20) > 0 || arf_cmpabs_2exp_si(arb_midref(x.raw()), -(1L << 20)) < 0)
    return std::nullopt;
  const int64_t prec = std::max<int64_t>(digits_to_bits(digits) + 64, arb_bits(x.raw()) + 64);
  const Ball ax = abs(x);
  Ball l;
  arb_log_base_ui(l.raw(), ax.raw(), 10, 64);
  int64_t e = static_cast<int64_t>(std::floor(l.mid_double()));
  const Integer low = pow10(digits - 1), high = pow10(digits);
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int64_t k = digits - 1 - e;  // y = |x| 10^k has `digits` digits before the point
    Ball y = k >= 0 ? mul(ax, Ball(pow10(k)), prec) : div(ax, Ball(pow10(-k)), prec);
    Ball half = div(Ball(1), Ball(2), prec);
    std::optional<Integer> n = add(y, half, prec).floor_exact();  // round half up
    if (!n) return std::nullopt;
    if (*n >= high) {
      ++e;
      continue;
    }
    if (*n < low) {
      --e;
      continue;
    }
    Decimal d{*n, -k};
    if (x.is_negative()) d.mantissa.neg();
    return d;
  }
  return std::nullopt;
}

std::string Decimal::str() const {
  std::string s = abs(mantissa).str();
  const std::string sign = mantissa.sign() < 0 ? "-" : "";
  const int64_t n = static_cast<int64_t>(s.size());
  const int64_t p = exponent + n;  // digits before the decimal point
  auto strip = [](std::string t) {
    if (t.find('.') == std::string::npos) return t;
    while (!t.empty() && t.back() == '0') t.pop_back();
    if (!t.empty() && t.back() == '.') t.pop_back();
    return t;
  };
  if (p >= -4 && p <= 15) {
    if (p <= 0) return sign + strip("0." + std::string(static_cast<size_t>(-p), '0') + s);
    if (p >= n) return sign + s + std::string(static_cast<size_t>(p - n), '0');
    return sign + strip(s.substr(0, static_cast<size_t>(p)) + "." + s.substr(static_cast<size_t>(p)));
  }
  return sign + strip(s.substr(0, 1) + "." + s.substr(1)) + fmt::format("e{:+d}", p - 1);
}

}  // namespace factorkit::exact
