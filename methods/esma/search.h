// methods/esma/search.h — the ESMA search: enumerate P(c)/Q(c), expand each
// with every sign period, keep sequences with a short linear recurrence over
// GF(p), and approve them at high precision.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "expression.h"
#include "scf.h"

namespace factorkit::esma {

struct SearchOptions {
  // The constant: an expression ("e", "tan(1)", "I1(2)/I0(2)"), or, when
  // `value` is set, a name for the digits in `value`.
  std::string constant = "e";
  std::string value;  // decimal digits of the constant (optional)
  int poly_deg = 1;    // degree bound of P and Q
  int coeff_lim = 2;   // coefficients in [-coeff_lim, coeff_lim]
  int min_sign_len = 1, max_sign_len = 1;  // sign-period lengths
  int64_t depth = 100;                     // terms extracted per candidate
  uint64_t prime = 199;                    // Berlekamp–Massey field
  int64_t enum_digits = 500;               // working precision of the extraction (decimal digits)
  int64_t verify_terms = 1000;             // terms regenerated from the recurrence
  int64_t verify_digits = 1000;            // working precision of the approval
  int64_t match_digits = 100;              // significant digits that must agree
  // Reproduce the reference's starting terms: strip C's trailing zeros and
  // start from a[:deg C]; filter on len(C) < depth/4. Default: the first L
  // terms (L = linear complexity) and the filter L < depth/4.
  bool compat = false;
  int threads = 0;           // 0: all cores
  std::string checkpoint;    // resumable state (optional)
  double checkpoint_seconds = 5.0;
  bool progress = true;
};

// One candidate left-hand side: |P(c)/Q(c)| in lowest terms.
struct Lhs {
  std::vector<long> p, q;  // coefficients, constant term first
  std::string text;        // "(2e + 1)/(e - 1)"
};

struct Conjecture {
  Lhs lhs;
  std::vector<int> signs;        // the sign period
  Recurrence rec;                // BM result on the extracted terms
  std::vector<long> recurrence;  // the polynomial used to regenerate a_n
  std::vector<Integer> initial;  // the starting terms used
  std::vector<Integer> terms;    // a_0.. (the first `depth` extracted terms)
  std::string value;             // the LHS to match_digits significant digits
  double convergence = 0;        // digits per term
  std::optional<Pattern> pattern;
  std::string fraction;          // the continued fraction written out
};

struct SearchStats {
  int64_t lhs_total = 0;        // (P, Q) pairs with P, Q != 0
  int64_t lhs_distinct = 0;     // distinct |values|, rationals skipped
  int64_t sign_periods = 0;
  int64_t candidates = 0;       // (LHS, period) pairs expanded
  int64_t zero_terms = 0;       // discarded: some a_n = 0
  int64_t precision_stops = 0;  // discarded: the expansion stopped early
  int64_t pre_hits = 0;         // passed the Berlekamp–Massey filter
  int64_t verified = 0;         // approved before de-duplication
  int64_t resumed_items = 0;    // work items read from the checkpoint
  double seconds_enumerate = 0, seconds_search = 0, seconds_verify = 0;
};

struct SearchResult {
  std::vector<Conjecture> results;    // approved, one per value, in enumeration order
  std::vector<Conjecture> recurring;  // approved, but the value was already found
  SearchStats stats;
};

// The reference repository's own test search (ESMA/APITesting.py): constant e,
// sign periods of length 2, depth 105, degree 1, coefficients in [-2, 2].
SearchOptions reference_test_search(bool compat);

// Checks --digits, --verify-dps and --verify-terms (InvalidInput naming the
// option); search() and `esma verify` share it.
void check_approval_options(const SearchOptions& opts);

// Runs the search. Throws InvalidInput for bad options (naming the option),
// MalformedFile for a checkpoint that is corrupt or belongs to another search.
SearchResult search(const SearchOptions& opts);

// The left-hand sides in enumeration order (exposed for tests).
std::vector<Lhs> enumerate_lhs(const SearchOptions& opts, const Ball& c, const std::string& name, int64_t prec,
                               SearchStats* stats = nullptr);
// The sign periods: each ±1 tuple of length min..max, skipping repeats of a
// shorter period in the range (the reference's rule).
std::vector<std::vector<int>> sign_periods(int min_len, int max_len);

// Approves one candidate: regenerate `opts.verify_terms` terms from
// (recurrence, initial), evaluate the continued fraction and compare with
// `lhs_value` to `opts.match_digits` significant digits. Returns the value's
// digits when it matches.
std::optional<std::string> approve(std::span<const long> recurrence, std::span<const Integer> initial,
                                   std::span<const int> signs, const Ball& lhs_value, const SearchOptions& opts);

// Evaluates the constant of `opts` (expression or digits) to `bits` bits.
// Throws InvalidInput when digits are too few for `needed_digits`; errors in
// the expression name `expr_option`.
Ball constant_value(const SearchOptions& opts, int64_t bits, int64_t needed_digits,
                    std::string_view expr_option = "--constant");

}  // namespace factorkit::esma
