// factorkit/category/grad.h — formal sums of diagrams and diagrammatic
// differentiation (Toumi, Yeung, de Felice, "Diagrammatic differentiation for
// quantum machine learning", EPTCS 343.7).
//
// A Sum is a weighted list of parallel diagrams (all dom → cod); composition
// and tensor distribute over the terms. The derivative of a diagram with
// respect to a parameter θ is a Sum built by the product (Leibniz) rule:
//
//   ∂(box_1 ; … ; box_n) = Σ_k  box_1 ; … ; (left_k ⊗ ∂box_k ⊗ right_k) ; … ; box_n
//
// where ∂box comes from a per-box rule (`BoxGrad`): for circuits the parameter
// shift of circuit.h, for other boxes whatever the caller's semantics says.
// Boxes that do not carry θ contribute nothing; cups, caps, swaps and spiders
// are constant. Rotated and daggered boxes differentiate as their generator,
// rotated and daggered back. Any functor F that is linear in the boxes (the
// tensor functor) then gives F(∂d) = ∂F(d), which is what tests check against
// autograd.
#pragma once

#include <functional>
#include <vector>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

struct Term {
  double weight = 1;
  Diagram diagram;
};

class Sum {
 public:
  Sum(const Ty& dom, const Ty& cod) : dom_(dom), cod_(cod) {}  // zero
  Sum(const Diagram& d, double weight = 1);                      // NOLINT: one term

  const Ty& dom() const noexcept { return dom_; }
  const Ty& cod() const noexcept { return cod_; }
  const std::vector<Term>& terms() const noexcept { return terms_; }
  std::size_t size() const noexcept { return terms_.size(); }
  bool empty() const noexcept { return terms_.empty(); }

  // Throws AxiomError when the types differ.
  Sum& operator+=(const Sum& other);
  Sum& operator*=(double w);
  Sum then(const Sum& other) const;  // Σ_ij a_i b_j (d_i ; e_j)
  Sum tensor(const Sum& other) const;
  Sum dagger() const;

  friend Sum operator+(Sum a, const Sum& b) { return a += b; }
  friend Sum operator*(double w, Sum s) { return s *= w; }
  friend Sum operator>>(const Sum& a, const Sum& b) { return a.then(b); }
  friend Sum operator*(const Sum& a, const Sum& b) { return a.tensor(b); }
  // structural equality: the same terms with the same weights in the same order
  friend bool operator==(const Sum& a, const Sum& b);

  std::string str() const;  // "2 * (f >> g) + (h)"; "0" for the zero sum

 private:
  Ty dom_, cod_;
  std::vector<Term> terms_;
};

// The derivative of one generator (z = 0, no dagger) that carries `param`.
using BoxGrad = std::function<Sum(const Box& generator, Symbol param)>;

Sum grad(const Diagram& d, Symbol param, const BoxGrad& box_grad);
Sum grad(const Sum& s, Symbol param, const BoxGrad& box_grad);

}  // namespace factorkit::category
