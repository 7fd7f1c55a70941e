// methods/esma/scf.h — signed continued fractions, Berlekamp–Massey over GF(p),
// recurrences, approval and the explicit form of a_n.
//
// A signed continued fraction is x = a0 + b0/(a1 + b1/(a2 + ...)) with every
// b_n in {+1, -1}; the b_n repeat a short sign period. Given x and the b_n the
// a_n are unique with the reference's rounding: a_n = floor(y_n) when b_n = +1
// and ceil(y_n) when b_n = -1, where y_0 = x and y_{n+1} = b_n / (y_n - a_n).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "factorkit/exact/ball.h"
#include "factorkit/exact/integer.h"
#include "factorkit/exact/modp.h"
#include "factorkit/exact/rational.h"

namespace factorkit::esma {

using exact::Ball;
using exact::Integer;

// Parses "1,-1" (also "+1 -1", "+-") into a period. Throws InvalidInput naming `where`.
std::vector<int> parse_signs(std::string_view text, std::string_view where);
std::string format_signs(std::span<const int> period);  // "[1, -1]"

enum class ExpandStop {
  Complete,            // all requested terms were extracted
  PrecisionExhausted,  // the ball no longer determines the next term: ask for more digits
  Terminated,          // the value is an exact rational and its expansion ended
};

struct Expansion {
  std::vector<Integer> a;
  ExpandStop stop = ExpandStop::Complete;
  std::string reason;  // why it stopped early, for people
};

// Extracts up to `terms` partial denominators of x for the sign period, with
// exact integer arithmetic on the two endpoints of the ball: each term is
// proven (it is the same for every real in the ball) or the expansion stops
// with PrecisionExhausted. O(terms M(prec)).
Expansion expand(const Ball& x, std::span<const int> period, int64_t terms);

// The convergents B_n / A_n: A_{-1} = 0, A_0 = 1, B_{-1} = 1, B_0 = a_0,
// A_n = a_n A_{n-1} + b_{n-1} A_{n-2} (same for B). Returns (B, A) of the last.
std::pair<Integer, Integer> convergent(std::span<const Integer> a, std::span<const int> period);

// Digits per term: the slope of -log10 |B_n/A_n - x| over the second half of
// the first N = min(200, a.size()) convergents, 2 (E_{N/2} - E_{N-1}) / N with
// E_k = log10 |B_k/A_k - x| (the reference's calculate_convergence).
// Convergents closer to x than x's own ball end the range early.
double convergence_rate(std::span<const Integer> a, std::span<const int> period, const Ball& x);

// Berlekamp–Massey over GF(p) on the residues of a. The connection polynomial
// C (C[0] = 1, length L + 1) satisfies sum_j C_j a_{n-j} = 0 (mod p) for
// n >= L, with the coefficients lifted to the symmetric range
// [-floor(p/2), p - 1 - floor(p/2)]. `degree` is the index of the last non-zero
// coefficient: L - degree trailing zeros mean the first L - degree terms are
// irregular. O(n L).
struct Recurrence {
  std::vector<long> c;  // length L + 1
  int64_t L = 0;
  int64_t degree = 0;
  // The recurrence of polynomial c (c[0] = 1): L = c.size() - 1, degree the
  // index of the last non-zero coefficient.
  static Recurrence of(std::vector<long> c);
};
Recurrence berlekamp_massey(std::span<const Integer> a, const exact::PrimeField& field);

// Continues a_n = -sum_{j>=1} c_j a_{n-j} from the initial terms to `count`
// terms. Needs initial.size() == c.size() - 1 (the reference's rule). Exact.
// With max_bits > 0 it stops short at the first term longer than max_bits
// (an exponentially growing recurrence), so callers check the size.
std::vector<Integer> extend(std::span<const long> c, std::span<const Integer> initial, int64_t count,
                            uint64_t max_bits = 0);

// The explicit a_n. When C divides (1 - x^K)^M, a_n (n >= start) is a
// polynomial of degree < M on each residue class of n mod K. The smallest such
// K, then M, is reported; each class's polynomial has rational coefficients.
struct Pattern {
  int64_t period = 1;  // K
  int64_t order = 1;   // M
  int64_t start = 0;   // the first n that follows the pattern
  // classes[j]: coefficients (constant first) of a_n for n = j (mod K), n >= start
  std::vector<std::vector<exact::Rational>> classes;
  std::string text;    // "a_n = 1 if n ≡ 0, 1 (mod 3); (2n + 2)/3 if n ≡ 2 (mod 3) for n >= 1; a_0 = 2"
};
// `a` holds the sequence (at least start + K M + L terms for the proof).
std::optional<Pattern> find_pattern(const Recurrence& rec, std::span<const Integer> a);
// A polynomial in n: "(2n + 2)/3", "n^2 - 1", "5".
std::string format_polynomial(std::span<const exact::Rational> coeffs);

// "x = 2 + 1/(1 + 1/(2 + ...))" with `shown` terms written out.
std::string format_fraction(std::string_view lhs, std::span<const Integer> a, std::span<const int> period,
                            int64_t shown);

}  // namespace factorkit::esma
