// factorkit/exact/mpoly.h — multivariate polynomials over Q (FLINT's fmpq_mpoly).
//
// A PolyRing fixes the variables (named, for printing) and the monomial order
// (degree reverse lexicographic). A QPoly belongs to one ring and keeps it
// alive; mixing polynomials of two rings throws InvalidInput. Complexities are
// for t terms: add O(t log t), mul O(t1 t2) (FLINT uses heaps/threads as it sees
// fit), evaluation O(t * nvars). Aliasing: operands may alias results.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <flint/fmpq_mpoly.h>

#include "factorkit/exact/modp.h"
#include "factorkit/exact/rational.h"

namespace factorkit::exact {

class PolyRing {
 public:
  // Throws InvalidInput for no variables, or more than 10000.
  explicit PolyRing(std::vector<std::string> names);
  int64_t nvars() const noexcept;
  const std::vector<std::string>& names() const noexcept;
  const fmpq_mpoly_ctx_struct* raw() const noexcept;
  bool operator==(const PolyRing& o) const noexcept { return impl_ == o.impl_; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  friend class QPoly;
};

class QPoly {
 public:
  explicit QPoly(const PolyRing& ring);  // zero
  QPoly(const PolyRing& ring, const Rational& c);
  static QPoly var(const PolyRing& ring, int64_t i);
  QPoly(const QPoly& o);
  QPoly(QPoly&& o) noexcept;
  QPoly& operator=(const QPoly& o);
  QPoly& operator=(QPoly&& o) noexcept;
  ~QPoly();

  const PolyRing& ring() const noexcept { return ring_; }
  bool is_zero() const noexcept;
  int64_t length() const noexcept;        // number of terms
  int64_t total_degree() const noexcept;  // -1 for zero

  friend QPoly operator+(const QPoly& a, const QPoly& b);
  friend QPoly operator-(const QPoly& a, const QPoly& b);
  friend QPoly operator*(const QPoly& a, const QPoly& b);
  friend QPoly operator-(const QPoly& a);
  QPoly& operator+=(const QPoly& b);
  QPoly& operator-=(const QPoly& b);
  QPoly& operator*=(const QPoly& b);
  friend bool operator==(const QPoly& a, const QPoly& b);
  QPoly pow(uint64_t e) const;
  QPoly derivative(int64_t var) const;

  // The value at a rational point (one value per variable). Exact.
  Rational evaluate(std::span<const Rational> point) const;
  // The value mod p at a point given mod p; throws NumericalFailure when a
  // coefficient's denominator is divisible by p.
  uint64_t evaluate_mod(std::span<const uint64_t> point, const PrimeField& f) const;

  // Terms as (coefficient, exponent vector), in the ring's order.
  struct Term {
    Rational coeff;
    std::vector<uint64_t> exps;
  };
  std::vector<Term> terms() const;
  // The sum of the terms (any order, like terms combined). Throws InvalidInput
  // for an exponent vector whose length is not the ring's variable count.
  // O(t log t) for t terms.
  static QPoly from_terms(const PolyRing& ring, std::span<const Term> terms);
  // The polynomial with variable i replaced by values[i], all in `target`
  // (FLINT's composition, which reuses powers). Throws InvalidInput unless
  // there is one value per variable, each in `target`; NumericalFailure when an
  // exponent overflows.
  QPoly compose(std::span<const QPoly> values, const PolyRing& target) const;
  // "a*b^2 - 3/2*c" with the ring's variable names; "0" for zero.
  std::string str() const;

 private:
  void check_same(const QPoly& o) const;
  PolyRing ring_;
  fmpq_mpoly_t v_;
};

// Rank and right kernel of a matrix over GF(p), given row-major.
// O(rows cols min(rows, cols)).
int64_t rank_mod(std::span<const uint64_t> entries, int64_t rows, int64_t cols, const PrimeField& f);
// Basis of {x : A x = 0}, one vector (length cols) per basis element, in
// reduced row echelon form (so the basis is canonical: the same kernel gives
// the same vectors).
std::vector<std::vector<uint64_t>> kernel_mod(std::span<const uint64_t> entries, int64_t rows, int64_t cols,
                                              const PrimeField& f);
// Vectors over GF(p) added one at a time and kept in echelon form: add() says
// whether a vector is independent of the ones added before, in O(rank cols).
// (Deciding this for k vectors costs O(k rank cols), not k full rank
// computations.)
class EchelonMod {
 public:
  EchelonMod(int64_t cols, const PrimeField& f) : cols_(cols), f_(f) {}
  // Reduces v (length cols) by the rows so far; keeps it when nonzero.
  bool add(std::vector<uint64_t> v);
  int64_t rank() const noexcept { return static_cast<int64_t>(rows_.size()); }

 private:
  int64_t cols_;
  PrimeField f_;
  std::vector<std::vector<uint64_t>> rows_;  // rows_[k][pivot_[k]] == 1
  std::vector<int64_t> pivot_;
};

// The rational n/d with |n|, d <= sqrt(p/2) and n/d = a (mod p), when there is
// one (FLINT's fmpq_reconstruct_fmpz).
std::optional<Rational> rational_reconstruct(uint64_t a, const PrimeField& f);

}  // namespace factorkit::exact
