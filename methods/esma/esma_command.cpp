// `factorkit esma search|expand|verify`: conjectures on constants from signed
// continued fractions (see docs/methods/esma.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "esma.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::esma;
using exact::Integer;

std::vector<long> parse_longs(const std::string& text, const char* where) {
  std::vector<long> out;
  std::string tok;
  auto flush = [&] {
    if (tok.empty()) return;
    const Integer v(tok, where);
    if (exact::abs(v) > Integer(1L << 62))
      throw InvalidInput(where, tok, "integers up to 2^62 in magnitude", "BadInteger");
    out.push_back(v.to_long());
    tok.clear();
  };
  for (char ch : text) {
    if (ch == ',' || ch == ' ' || ch == '[' || ch == ']')
      flush();
    else
      tok += ch;
  }
  flush();
  if (out.empty()) throw InvalidInput(where, "'" + text + "'", "a comma-separated list of integers", "BadInteger");
  return out;
}

std::string recurrence_text(std::span<const long> c) {
  std::string s;
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] == 0) continue;
    const long m = std::labs(c[i]);
    std::string t = (i > 0 && m == 1) ? "" : std::to_string(m);
    if (i >= 1) t += "x";
    if (i >= 2) t += "^" + std::to_string(i);
    s += s.empty() ? (c[i] < 0 ? "-" + t : t) : (c[i] < 0 ? " - " : " + ") + t;
  }
  return s;
}

nlohmann::json strings(std::span<const Integer> v, size_t max = SIZE_MAX) {
  nlohmann::json j = nlohmann::json::array();
  for (size_t i = 0; i < v.size() && i < max; ++i) j.push_back(v[i].str());
  return j;
}

nlohmann::json pattern_json(const std::optional<Pattern>& p) {
  if (!p) return nullptr;
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& cl : p->classes) {
    nlohmann::json c = nlohmann::json::array();
    for (const auto& r : cl) c.push_back(r.str());
    classes.push_back({{"coefficients", c}, {"formula", format_polynomial(cl)}});
  }
  return {{"period", p->period}, {"order", p->order}, {"start", p->start}, {"classes", classes}, {"text", p->text}};
}

nlohmann::json conjecture_json(const Conjecture& c) {
  return {{"lhs", c.lhs.text},
          {"numerator", c.lhs.p},
          {"denominator", c.lhs.q},
          {"signs", c.signs},
          {"recurrence", c.recurrence},
          {"bm_polynomial", c.rec.c},
          {"L", c.rec.L},
          {"initial", strings(c.initial)},
          {"first_terms", strings(c.terms, 20)},
          {"value", c.value},
          {"convergence", std::isfinite(c.convergence) ? nlohmann::json(c.convergence) : nlohmann::json(nullptr)},
          {"a_n", c.pattern ? nlohmann::json(c.pattern->text) : nlohmann::json(nullptr)},
          {"pattern", pattern_json(c.pattern)},
          {"fraction", c.fraction}};
}

std::string join(std::span<const Integer> v, size_t max) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i].str();
  if (v.size() > max) s += ", ...";
  return s;
}

// --sign-len "2" or "1-3" / "1..3"
void parse_sign_len(const std::string& text, int& lo, int& hi) {
  const size_t dash = text.find_first_of("-.:");
  try {
    size_t used = 0;
    lo = std::stoi(text, &used);
    if (dash == std::string::npos) {
      if (used != text.size()) throw std::invalid_argument("trailing");
      hi = lo;
      return;
    }
    size_t k = dash;
    while (k < text.size() && (text[k] == '-' || text[k] == '.' || text[k] == ':')) ++k;
    hi = std::stoi(text.substr(k), &used);
    if (k + used != text.size() || used == 0) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw InvalidInput("--sign-len", "'" + text + "'", "a length such as 2, or a range such as 1-3", "BadSignLength");
  }
}

class EsmaCommand final : public Command {
 public:
  std::string name() const override { return "esma"; }
  std::string summary() const override {
    return "Conjectures on constants: signed continued fractions, Berlekamp–Massey, high-precision approval";
  }
  std::string doc_page() const override { return "docs/methods/esma.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    search_ = sub.add_subcommand("search", "Enumerate P(c)/Q(c) and sign periods; print approved formulas");
    search_->add_option("--constant", opts_.constant,
                        "The constant: an expression (e, pi, tan(1), exp(2), I1(2)/I0(2), zeta(3), ...) or, with "
                        "--value, its name")
        ->capture_default_str();
    search_->add_option("--value", opts_.value, "The constant's decimal digits (instead of an expression)");
    search_->add_option("--poly-deg", opts_.poly_deg, "Degree bound of P and Q")->capture_default_str();
    search_->add_option("--coeff-lim", opts_.coeff_lim, "Coefficients of P and Q in [-lim, lim]")->capture_default_str();
    search_->add_option("--sign-len", sign_len_, "Sign-period length, or a range such as 1-3")->capture_default_str();
    search_->add_option("--depth", opts_.depth, "Terms extracted per candidate")->capture_default_str();
    search_->add_option("--prime", opts_.prime, "Prime of the Berlekamp–Massey field GF(p)")->capture_default_str();
    search_->add_option("--dps", opts_.enum_digits, "Working precision of the extraction (digits)")->capture_default_str();
    search_->add_option("--verify-terms", opts_.verify_terms, "Terms regenerated to approve a formula")
        ->capture_default_str();
    search_->add_option("--verify-dps", opts_.verify_digits, "Working precision of the approval (digits)")
        ->capture_default_str();
    search_->add_option("--digits", opts_.match_digits, "Significant digits that must agree")->capture_default_str();
    search_->add_flag("--compat", opts_.compat,
                      "Reproduce the reference's starting terms (trailing zeros of C dropped; filter on len(C))");
    search_->add_option("--checkpoint", opts_.checkpoint, "Resumable state: written as the search runs, read if present");
    search_->add_option("--out", out_, "Also write the JSON result to this file");

    expand_ = sub.add_subcommand("expand", "Signed continued fraction of one expression, its recurrence and a_n");
    add_value_options(expand_);
    expand_->add_option("--signs", signs_, "Sign period, e.g. 1,-1")->capture_default_str();
    expand_->add_option("--terms", terms_, "Number of terms a_0..a_{terms-1}")->capture_default_str();
    expand_->add_option("--dps", dps_, "Working precision (digits)")->capture_default_str();
    expand_->add_option("--prime", opts_.prime, "Prime of the Berlekamp–Massey field")->capture_default_str();

    verify_ = sub.add_subcommand("verify", "Approve one formula: regenerate a_n from a recurrence and compare");
    add_value_options(verify_);
    verify_->add_option("--signs", signs_, "Sign period, e.g. 1,-1")->capture_default_str();
    verify_->add_option("--recurrence", recurrence_, "Recurrence polynomial C, e.g. 1,0,-2,0,1")->required();
    verify_->add_option("--initial", initial_,
                        "Initial terms (len(C) - 1 of them); default: from the expansion of the expression");
    verify_->add_option("--verify-terms", opts_.verify_terms, "Terms regenerated")->capture_default_str();
    verify_->add_option("--digits", opts_.match_digits, "Significant digits that must agree")->capture_default_str();
    verify_->add_option("--verify-dps", opts_.verify_digits, "Working precision (digits)")->capture_default_str();
  }

  int run(const Context& ctx) override {
    opts_.threads = ctx.threads;
    opts_.progress = !ctx.quiet;
    if (search_->parsed()) return run_search(ctx);
    if (expand_->parsed()) return run_expand(ctx);
    return run_verify(ctx);
  }

 private:
  void add_value_options(CLI::App* app) {
    app->add_option("--expr", expr_, "The left-hand side: an expression such as e/(e-1) or I1(2)/I0(2)");
    app->add_option("--value", value_, "Or its decimal digits");
  }

  // The left-hand side of expand/verify, as a ball of about `digits` digits;
  // given as digits, at least `needed` of them (the search's own rule).
  Ball lhs_value(int64_t digits, int64_t needed, std::string* text) const {
    if (expr_.empty() == value_.empty())
      throw InvalidInput("--expr/--value", expr_.empty() ? "neither given" : "both given",
                         "exactly one of --expr (an expression) or --value (digits)", "BadOption");
    SearchOptions o = opts_;
    o.constant = expr_;
    o.value = value_;
    *text = !value_.empty() ? (value_.size() > 24 ? value_.substr(0, 24) + "..." : value_) : Expr::parse(expr_, "--expr").text();
    return constant_value(o, exact::digits_to_bits(digits), needed, "--expr");
  }

  int run_search(const Context& ctx) {
    parse_sign_len(sign_len_, opts_.min_sign_len, opts_.max_sign_len);
    if (!out_.empty()) AtomicFile probe(out_);  // fail on an unwritable folder before the work
    const auto start = std::chrono::steady_clock::now();
    SearchResult r = search(opts_);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const SearchStats& s = r.stats;
    nlohmann::json results = nlohmann::json::array(), recurring = nlohmann::json::array();
    for (const auto& c : r.results) results.push_back(conjecture_json(c));
    for (const auto& c : r.recurring) recurring.push_back(conjecture_json(c));
    nlohmann::json j{{"command", "esma search"},
                     {"constant", opts_.constant},
                     {"poly_deg", opts_.poly_deg},
                     {"coeff_lim", opts_.coeff_lim},
                     {"sign_len", {opts_.min_sign_len, opts_.max_sign_len}},
                     {"depth", opts_.depth},
                     {"prime", opts_.prime},
                     {"compat", opts_.compat},
                     {"lhs_pairs", s.lhs_total},
                     {"lhs_distinct", s.lhs_distinct},
                     {"sign_periods", s.sign_periods},
                     {"candidates", s.candidates},
                     {"discarded_zero_term", s.zero_terms},
                     {"discarded_precision", s.precision_stops},
                     {"pre_hits", s.pre_hits},
                     {"verified", s.verified},
                     {"distinct_values", r.results.size()},
                     {"resumed_items", s.resumed_items},
                     {"seconds", secs},
                     {"seconds_phases",
                      {{"enumerate", s.seconds_enumerate}, {"search", s.seconds_search}, {"verify", s.seconds_verify}}},
                     {"results", results},
                     {"recurring", recurring}};
    if (!out_.empty()) write_file_atomic(out_, j.dump(1) + "\n");
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    for (size_t i = 0; i < r.results.size(); ++i) {
      const Conjecture& c = r.results[i];
      std::cout << fmt::format("{}. {}\n", i + 1, c.fraction);
      std::cout << fmt::format("   signs {}; a_n recurrence {} (L = {})\n", format_signs(c.signs),
                               recurrence_text(c.recurrence), c.rec.L);
      if (c.pattern) std::cout << "   " << c.pattern->text << "\n";
      std::cout << fmt::format("   a = {}\n", join(c.terms, 12));
      std::cout << fmt::format("   {} = {}...  ({:.3g} digits per term)\n", c.lhs.text, c.value.substr(0, 30),
                               c.convergence);
    }
    if (!ctx.quiet)
      std::cerr << fmt::format(
          "esma: {} left-hand sides x {} sign periods = {} expansions ({} stopped for precision, {} with a zero term); "
          "{} passed Berlekamp–Massey, {} approved, {} distinct values, in {:.2f} s\n",
          s.lhs_distinct, s.sign_periods, s.candidates, s.precision_stops, s.zero_terms, s.pre_hits, s.verified,
          r.results.size(), secs);
    return 0;
  }

  int run_expand(const Context& ctx) {
    if (terms_ < 1 || terms_ > 20000)
      throw InvalidInput("--terms", std::to_string(terms_), "a term count in [1, 20000]", "BadOption");
    if (dps_ < 10 || dps_ > 1000000) throw InvalidInput("--dps", std::to_string(dps_), "a precision in [10, 10^6] digits", "BadOption");
    const std::vector<int> period = parse_signs(signs_, "--signs");
    std::string text;
    const Ball x = lhs_value(dps_, 0, &text);
    const Expansion ex = expand(x, period, terms_);
    const exact::PrimeField field(opts_.prime, "--prime");
    const Recurrence rec = berlekamp_massey(ex.a, field);
    const bool determined = 2 * rec.L < static_cast<int64_t>(ex.a.size());  // BM has seen the recurrence twice over
    std::optional<Pattern> pat;
    if (determined) pat = find_pattern(rec, ex.a);
    const double rate = convergence_rate(ex.a, period, x);
    nlohmann::json j{{"command", "esma expand"},
                     {"lhs", text},
                     {"signs", period},
                     {"terms", strings(ex.a)},
                     {"complete", ex.stop == ExpandStop::Complete},
                     {"stop_reason", ex.reason},
                     {"bm_polynomial", rec.c},
                     {"L", rec.L},
                     {"recurrence_determined", determined},
                     {"a_n", pat ? nlohmann::json(pat->text) : nlohmann::json(nullptr)},
                     {"pattern", pattern_json(pat)},
                     {"convergence", std::isfinite(rate) ? nlohmann::json(rate) : nlohmann::json(nullptr)},
                     {"fraction", format_fraction(text, ex.a, period, 8)}};
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    std::cout << format_fraction(text, ex.a, period, 8) << "\n";
    std::cout << fmt::format("a = {}\n", join(ex.a, SIZE_MAX));
    if (ex.stop != ExpandStop::Complete)
      std::cout << fmt::format("stopped after {} of {} terms: {}\n", ex.a.size(), terms_, ex.reason);
    std::cout << fmt::format("Berlekamp–Massey mod {}: L = {}, C = {}{}\n", opts_.prime, rec.L, recurrence_text(rec.c),
                             determined ? "" : " (not determined: L >= half the terms, no pattern at this depth)");
    if (pat) std::cout << pat->text << "\n";
    if (std::isfinite(rate)) std::cout << fmt::format("convergence: {:.4g} digits per term\n", rate);
    return 0;
  }

  int run_verify(const Context& ctx) {
    const std::vector<int> period = parse_signs(signs_, "--signs");
    const std::vector<long> c = parse_longs(recurrence_, "--recurrence");
    if (c[0] != 1) throw InvalidInput("--recurrence", std::to_string(c[0]), "a polynomial whose first coefficient is 1", "BadRecurrence");
    check_approval_options(opts_);
    std::string text;
    const Ball x = lhs_value(opts_.verify_digits, opts_.match_digits + 10, &text);
    std::vector<Integer> initial;
    if (!initial_.empty()) {
      for (long v : parse_longs(initial_, "--initial")) initial.emplace_back(v);
    } else {
      const Expansion ex = expand(x, period, static_cast<int64_t>(c.size()) - 1);
      if (ex.stop != ExpandStop::Complete)
        throw NumericalFailure("--expr", "initial terms", "an expansion with len(C) - 1 terms: " + ex.reason, "NoTerms");
      initial = ex.a;
    }
    if (initial.size() + 1 != c.size())
      throw InvalidInput("--initial", fmt::format("{} terms", initial.size()),
                         fmt::format("len(C) - 1 = {} initial terms", c.size() - 1), "BadRecurrence");
    const std::optional<std::string> v = approve(c, initial, period, x, opts_);
    const std::vector<Integer> seq = extend(c, initial, std::max<int64_t>(opts_.verify_terms, 200), uint64_t{1} << 16);
    const std::optional<Pattern> pat = find_pattern(Recurrence::of(c), seq);
    const auto [num, den] = convergent(seq, period);
    std::string rhs = "undefined (a zero denominator)";
    if (!den.is_zero()) {
      const int64_t prec = exact::digits_to_bits(opts_.verify_digits);
      if (auto d = exact::round_significant(exact::div(Ball(num), Ball(den), prec), opts_.match_digits)) rhs = d->str();
    }
    nlohmann::json j{{"command", "esma verify"},
                     {"lhs", text},
                     {"signs", period},
                     {"recurrence", c},
                     {"initial", strings(initial)},
                     {"terms", opts_.verify_terms},
                     {"digits", opts_.match_digits},
                     {"holds", v.has_value()},
                     {"rhs_value", rhs},
                     {"a_n", pat ? nlohmann::json(pat->text) : nlohmann::json(nullptr)},
                     {"fraction", format_fraction(text, seq, period, 8)}};
    if (ctx.json)
      std::cout << j.dump() << std::endl;
    else {
      std::cout << format_fraction(text, seq, period, 8) << "\n";
      if (pat) std::cout << pat->text << "\n";
      std::cout << (v ? fmt::format("holds: {} terms agree with {} to {} significant digits\n", opts_.verify_terms, text,
                                    opts_.match_digits)
                      : fmt::format("does not hold: the continued fraction with {} terms is {}\n", opts_.verify_terms,
                                    rhs.substr(0, 40)));
    }
    return v ? 0 : 1;
  }

  SearchOptions opts_;
  std::string sign_len_ = "1", out_, expr_, value_, signs_ = "1", recurrence_, initial_;
  int64_t terms_ = 30, dps_ = 500;
  CLI::App *search_ = nullptr, *expand_ = nullptr, *verify_ = nullptr;
};

FACTORKIT_REGISTER_COMMAND(EsmaCommand);

}  // namespace
}  // namespace factorkit::cli
