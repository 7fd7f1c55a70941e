// methods/esma/expression.h — expressions in mathematical constants, evaluated
// to any precision with proven error bounds.
//
// Grammar (whitespace ignored):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary (('^' | '**') unary)?          right-associative
//   primary := number | constant | function '(' expr (',' expr)* ')' | '(' expr ')'
// At most 2000 operations and 200 nested levels.
// Numbers are exact ("2.5" is 5/2). Constants: e, pi, euler (Euler's gamma),
// catalan, phi (the golden ratio).
// Functions: exp log sqrt sin cos tan cot sinh cosh tanh coth atan gamma,
// zeta(s) for an integer s >= 2, besseli(nu, z) and besselj(nu, z), with I0(z)
// and I1(z) for besseli(0, z) and besseli(1, z).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "factorkit/exact/ball.h"

namespace factorkit::esma {

struct ExprNode;

class Expr {
 public:
  Expr() = default;
  // Throws InvalidInput naming `where` and the column of the first error.
  static Expr parse(std::string_view text, std::string_view where = "expression");
  // The value as a ball at working precision `prec` (bits).
  exact::Ball eval(int64_t prec) const;
  // The value with at least `bits` bits of relative accuracy, raising the
  // working precision as needed. Throws NumericalFailure (naming `where`) when
  // the value is zero or undefined (a pole, log of a negative number).
  exact::Ball eval_accurate(int64_t bits, std::string_view where) const;
  const std::string& text() const noexcept { return text_; }
  // True when the text is one name or one call ("e", "tan(1)"), so it can be
  // written inside a formula without parentheses.
  bool is_atom() const noexcept { return atom_; }
  bool empty() const noexcept { return !root_; }

 private:
  std::shared_ptr<const ExprNode> root_;
  std::string text_;
  bool atom_ = false;
};

}  // namespace factorkit::esma
