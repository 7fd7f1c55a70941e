// methods/sem/ideal.h — the polynomials in the sigma_ij that vanish on a SEM,
// degree by degree.
//
// The ideal is homogeneous and Sigma = N / det^2, so f(Sigma) = 0 exactly when
// f(N) = 0. It is also homogeneous for the multidegree deg(sigma_ij) = e_i + e_j
// (rescaling the variables maps the model to itself), so each degree splits
// into blocks of one multidegree, solved independently (and in parallel): for
// a block of k monomials, evaluate them in the N_ij at k + 2 random parameter
// points modulo a 62-bit prime, take the kernel (reduced row echelon form),
// lift each coefficient to Q by rational reconstruction, and verify each
// polynomial exactly by substituting the N_ij.
#pragma once

#include <cstdint>
#include <vector>

#include "covariance.h"

namespace factorkit::sem {

struct IdealOptions {
  int max_degree = 3;
  int threads = 0;       // 0: all cores
  uint64_t seed = 0;
  bool progress = true;
  // The largest block (monomials of one multidegree) allowed: dense linear
  // algebra mod p, O(k^3). A degree with more than 2 10^6 monomials in all is
  // refused too.
  int64_t max_monomials = 5000;
};

struct IdealPart {
  int degree = 0;
  int64_t monomials = 0;   // dimension of all degree-d polynomials in the sigma_ij
  int64_t dimension = 0;   // dimension of the vanishing ones, I_d
  int64_t blocks = 0;      // multidegrees among the degree-d monomials
  int64_t largest_block = 0;  // monomials of the most common multidegree
  int64_t from_lower = 0;  // dimension of sigma * I_{d-1} inside I_d
  std::vector<exact::QPoly> basis;           // of I_d: per multidegree, in reduced row echelon form
  std::vector<exact::QPoly> new_generators;  // basis elements outside sigma * I_{d-1}
  bool verified = false;   // every basis polynomial was lifted to Q and vanishes exactly
  int64_t unlifted = 0;    // kernel vectors whose coefficients are too large to lift from one prime (left out)
};

struct Ideal {
  exact::PolyRing ring;  // variables s11, s12, ... (sigma_ij, i <= j)
  std::vector<IdealPart> parts;
};

// Throws InvalidInput for max_degree outside [1, 8] or too many monomials in
// any degree up to max_degree (checked before the search).
Ideal vanishing_ideal(const Parametrization& p, const IdealOptions& opts);

}  // namespace factorkit::sem
