#include "factorkit/exact/polynomial.h"

#include <flint/ulong_extras.h>

namespace factorkit::exact {

IntPoly::IntPoly(std::span<const long> coeffs) {
  fmpz_poly_init(v_);
  for (size_t i = 0; i < coeffs.size(); ++i) fmpz_poly_set_coeff_si(v_, static_cast<slong>(i), coeffs[i]);
}
IntPoly::IntPoly(std::span<const Integer> coeffs) {
  fmpz_poly_init(v_);
  for (size_t i = 0; i < coeffs.size(); ++i) fmpz_poly_set_coeff_fmpz(v_, static_cast<slong>(i), coeffs[i].raw());
}
Integer IntPoly::coeff(int64_t i) const {
  Integer r;
  if (i >= 0) fmpz_poly_get_coeff_fmpz(r.raw(), v_, i);
  return r;
}
std::vector<Integer> IntPoly::coeffs() const {
  std::vector<Integer> out;
  for (int64_t i = 0; i <= degree(); ++i) out.push_back(coeff(i));
  return out;
}
IntPoly operator*(const IntPoly& a, const IntPoly& b) {
  IntPoly r;
  fmpz_poly_mul(r.v_, a.v_, b.v_);
  return r;
}
IntPoly operator-(const IntPoly& a) {
  IntPoly r;
  fmpz_poly_neg(r.v_, a.v_);
  return r;
}
IntPoly gcd(const IntPoly& a, const IntPoly& b) {
  IntPoly r;
  fmpz_poly_gcd(r.raw(), a.raw(), b.raw());
  return r;
}
IntPoly divexact(const IntPoly& a, const IntPoly& b) {
  IntPoly r;
  fmpz_poly_div(r.raw(), a.raw(), b.raw());
  return r;
}
std::optional<IntPoly> exact_quotient(const IntPoly& a, const IntPoly& b) {
  if (b.is_zero()) return std::nullopt;
  IntPoly q;
  if (!fmpz_poly_divides(q.raw(), a.raw(), b.raw())) return std::nullopt;
  return q;
}
IntPoly cyclotomic(uint64_t n) {
  IntPoly r;
  if (n >= 1) fmpz_poly_cyclotomic(r.raw(), n);
  return r;
}
uint64_t euler_phi(uint64_t n) { return n_euler_phi(n); }

}  // namespace factorkit::exact
