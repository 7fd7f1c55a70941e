// Integer, Rational and PrimeField: the parts that are not one-line inlines.
#include "factorkit/exact/integer.h"

#include <flint/ulong_extras.h>
#include <fmt/format.h>

#include <cctype>
#include <memory>

#include "factorkit/core/error.h"
#include "factorkit/exact/modp.h"
#include "factorkit/exact/rational.h"

namespace factorkit::exact {

namespace {
struct FlintFree {
  void operator()(char* p) const noexcept { flint_free(p); }
};
std::string take_flint_string(char* s) {
  std::unique_ptr<char, FlintFree> guard(s);
  return std::string(s);
}
}  // namespace

Integer::Integer(std::string_view decimal, std::string_view where) {
  fmpz_init(v_);
  size_t i = 0;
  if (i < decimal.size() && (decimal[i] == '-' || decimal[i] == '+')) ++i;
  bool ok = i < decimal.size();
  for (size_t j = i; j < decimal.size(); ++j) ok = ok && std::isdigit(static_cast<unsigned char>(decimal[j]));
  if (!ok) {
    fmpz_clear(v_);
    throw InvalidInput(std::string(where), fmt::format("'{}'", decimal), "an integer: optional sign and decimal digits",
                       "NotAnInteger");
  }
  const std::string digits(decimal.substr(decimal[0] == '+' ? 1 : 0));
  fmpz_set_str(v_, digits.c_str(), 10);
}

std::string Integer::str() const { return take_flint_string(fmpz_get_str(nullptr, 10, v_)); }

void Integer::addmul(const Integer& a, long b) noexcept {
  if (b >= 0)
    fmpz_addmul_ui(v_, a.v_, static_cast<ulong>(b));
  else
    fmpz_submul_ui(v_, a.v_, static_cast<ulong>(-(b + 1)) + 1);
}

static void check_divisor(const Integer& b) {
  if (b.is_zero()) throw InvalidInput("integer division", "divisor", "a non-zero divisor", "DivisionByZero");
}

Integer fdiv(const Integer& a, const Integer& b) {
  check_divisor(b);
  Integer r;
  fmpz_fdiv_q(r.raw(), a.raw(), b.raw());
  return r;
}
Integer cdiv(const Integer& a, const Integer& b) {
  check_divisor(b);
  Integer r;
  fmpz_cdiv_q(r.raw(), a.raw(), b.raw());
  return r;
}
Integer divexact(const Integer& a, const Integer& b) {
  check_divisor(b);
  Integer r;
  fmpz_divexact(r.raw(), a.raw(), b.raw());
  return r;
}
Integer gcd(const Integer& a, const Integer& b) {
  Integer r;
  fmpz_gcd(r.raw(), a.raw(), b.raw());
  return r;
}
Integer abs(const Integer& a) {
  Integer r;
  fmpz_abs(r.raw(), a.raw());
  return r;
}
Integer pow(const Integer& a, uint64_t e) {
  Integer r;
  fmpz_pow_ui(r.raw(), a.raw(), e);
  return r;
}

// ---- Rational ----------------------------------------------------------------
Rational::Rational(const Integer& num, const Integer& den) {
  fmpq_init(v_);
  if (den.is_zero()) {
    fmpq_clear(v_);
    throw InvalidInput("rational", "denominator", "a non-zero denominator", "DivisionByZero");
  }
  fmpq_set_fmpz_frac(v_, num.raw(), den.raw());
}
Integer Rational::num() const {
  Integer r;
  fmpz_set(r.raw(), fmpq_numref(v_));
  return r;
}
Integer Rational::den() const {
  Integer r;
  fmpz_set(r.raw(), fmpq_denref(v_));
  return r;
}
std::string Rational::str() const {
  return is_integer() ? num().str() : num().str() + "/" + den().str();
}
Rational operator/(const Rational& a, const Rational& b) {
  if (b.is_zero()) throw InvalidInput("rational division", "divisor", "a non-zero divisor", "DivisionByZero");
  Rational r;
  fmpq_div(r.v_, a.v_, b.v_);
  return r;
}

// ---- PrimeField ----------------------------------------------------------------
PrimeField::PrimeField(uint64_t p, std::string_view where) {
  if (p < 2 || p >= (uint64_t{1} << 63) || !n_is_prime(p))
    throw InvalidInput(std::string(where), fmt::format("{}", p), "a prime number below 2^63", "NotPrime");
  nmod_init(&mod_, p);
}
uint64_t PrimeField::inv(uint64_t a) const {
  if (a % mod_.n == 0)
    throw NumericalFailure("GF(" + std::to_string(mod_.n) + ")", "inverse", "a non-zero element", "ZeroInverse");
  return n_invmod(a % mod_.n, mod_.n);
}
uint64_t PrimeField::reduce(long x) const noexcept {
  if (x >= 0) return static_cast<uint64_t>(x) % mod_.n;
  const uint64_t m = (static_cast<uint64_t>(-(x + 1)) + 1) % mod_.n;
  return m == 0 ? 0 : mod_.n - m;
}
long PrimeField::lift(uint64_t a) const noexcept {
  const uint64_t half = mod_.n / 2;
  return static_cast<long>((a + half) % mod_.n) - static_cast<long>(half);
}

}  // namespace factorkit::exact
