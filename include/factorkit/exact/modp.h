// factorkit/exact/modp.h — arithmetic in the prime field GF(p) (FLINT's nmod).
//
// Elements are plain uint64_t in [0, p); the field object carries p and the
// precomputed inverse FLINT uses for division-free reduction, so every
// operation is O(1) (inv: O(log p)). p is any prime below 2^63.
#pragma once

#include <cstdint>
#include <string_view>

#include <flint/nmod_vec.h>

#include "factorkit/exact/integer.h"

namespace factorkit::exact {

class PrimeField {
 public:
  // Throws InvalidInput naming `where` unless p is a prime in [2, 2^63).
  explicit PrimeField(uint64_t p, std::string_view where = "prime");

  uint64_t p() const noexcept { return mod_.n; }
  uint64_t add(uint64_t a, uint64_t b) const noexcept { return nmod_add(a, b, mod_); }
  uint64_t sub(uint64_t a, uint64_t b) const noexcept { return nmod_sub(a, b, mod_); }
  uint64_t neg(uint64_t a) const noexcept { return nmod_neg(a, mod_); }
  uint64_t mul(uint64_t a, uint64_t b) const noexcept { return nmod_mul(a, b, mod_); }
  // a^-1; throws NumericalFailure for a == 0.
  uint64_t inv(uint64_t a) const;
  // The residue of an integer (negative values map to p - (|x| mod p)).
  uint64_t reduce(long x) const noexcept;
  uint64_t reduce(const Integer& x) const noexcept { return x.mod(mod_.n); }
  // The representative in the symmetric range (-p/2, p/2]: the lift used to read
  // a small integer back from its residue.
  long lift(uint64_t a) const noexcept;
  // FLINT's modulus, for the nmod_vec/nmod_mat routines.
  const nmod_t& mod() const noexcept { return mod_; }

 private:
  nmod_t mod_;
};

}  // namespace factorkit::exact
