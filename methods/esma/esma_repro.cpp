// reproduce esma: the searches rediscover the known formulas for e, e^2,
// tan(1) and I1(2)/I0(2), and the reference repository's test run gives its 13.
#include <fmt/format.h>

#include <algorithm>

#include "esma.h"
#include "factorkit/cli/registry.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::esma;

struct Expected {
  const char* lhs;  // an expression of the value
  std::vector<int> signs;
};

struct Case {
  const char* constant;
  int poly_deg, coeff_lim, min_len, max_len;
  std::vector<Expected> expected;
};

ReproResult rediscover(const ReproContext& ctx) {
  const std::vector<Case> cases{
      {"e", 1, ctx.quick ? 2 : 3, 1, ctx.quick ? 2 : 3,
       {{"e", {1}}, {"e/(e-1)", {1, -1}}, {"e-1", {-1, 1}}, {"1/(e-2)", {1}}, {"(e+1)/(e-1)", {1}}}},
      {"exp(2)", 1, ctx.quick ? 1 : 2, 1, ctx.quick ? 1 : 2, {{"exp(2)", {1}}, {"(exp(2)+1)/(exp(2)-1)", {1}}}},
      {"tan(1)", 1, ctx.quick ? 1 : 2, 1, ctx.quick ? 1 : 2,
       {{"tan(1)", {1}}, {"1/tan(1)", {-1}}, {"tan(1)/(tan(1)-1)", {-1}}}},
      {"I1(2)/I0(2)", 1, ctx.quick ? 1 : 2, 1, ctx.quick ? 2 : 3, {{"I0(2)/I1(2)", {1}}, {"I1(2)/I0(2)", {-1, 1}}}},
  };
  int found = 0, wanted = 0;
  int64_t total_results = 0;
  double seconds = 0;
  nlohmann::json details = nlohmann::json::array();
  std::vector<std::string> missing;
  for (const Case& c : cases) {
    SearchOptions o;
    o.constant = c.constant;
    o.poly_deg = c.poly_deg;
    o.coeff_lim = c.coeff_lim;
    o.min_sign_len = c.min_len;
    o.max_sign_len = c.max_len;
    o.depth = 105;
    o.threads = ctx.threads;
    o.progress = false;
    const SearchResult r = search(o);
    seconds += r.stats.seconds_enumerate + r.stats.seconds_search + r.stats.seconds_verify;
    total_results += static_cast<int64_t>(r.results.size());
    nlohmann::json formulas = nlohmann::json::array();
    for (const Expected& e : c.expected) {
      ++wanted;
      const auto v = exact::round_significant(Expr::parse(e.lhs).eval_accurate(400, "expected"), o.match_digits);
      auto match = [&](const Conjecture& x) { return v && x.value == v->str() && x.signs == e.signs; };
      // the value may have been found first with another period: look there too
      const Conjecture* it = nullptr;
      for (const auto* list : {&r.results, &r.recurring})
        for (const Conjecture& x : *list)
          if (!it && match(x)) it = &x;
      if (it) {
        ++found;
        formulas.push_back({{"lhs", it->lhs.text}, {"signs", it->signs}, {"a_n", it->pattern ? it->pattern->text : ""},
                            {"fraction", it->fraction}});
      } else {
        missing.push_back(fmt::format("{} {}", e.lhs, format_signs(e.signs)));
      }
    }
    details.push_back({{"constant", c.constant},
                       {"poly_deg", c.poly_deg},
                       {"coeff_lim", c.coeff_lim},
                       {"sign_len", {c.min_len, c.max_len}},
                       {"results", r.results.size()},
                       {"found", formulas}});
  }
  ReproResult res;
  res.paper = "ESMA finds continued fractions of e, e^2, tan(1) and Bessel ratios (signed CF + Berlekamp–Massey)";
  res.ours = fmt::format("{} of {} known formulas rediscovered among {} approved conjectures, {:.2f} s", found, wanted,
                         total_results, seconds);
  res.pass = found == wanted;
  res.note = "Searches over P(c)/Q(c), degree 1, depth 105, p = 199, approval at 100 digits with 1000 terms. " +
             (missing.empty() ? std::string("Nothing missing.") : "Missing: " + fmt::format("{}", fmt::join(missing, "; ")));
  res.details = {{"searches", details}};
  return res;
}

ReproResult reference_run(const ReproContext& ctx) {
  SearchOptions o = reference_test_search(true);
  o.threads = ctx.threads;
  const SearchResult compat = search(o);
  o.compat = false;
  const SearchResult fixed = search(o);
  auto has = [&](const char* lhs, std::vector<int> s, std::vector<long> c) {
    return std::any_of(compat.results.begin(), compat.results.end(),
                       [&](const Conjecture& x) { return x.lhs.text == lhs && x.signs == s && x.recurrence == c; });
  };
  const bool named = has("e/(e - 1)", {1, -1}, {1, 0, -2, 0, 1}) && has("e - 1", {-1, 1}, {1, 0, -2, 0, 1}) &&
                     has("e/(e - 2)", {1, 1}, {1, 0, 0, -1, 0, 0, -1, 0, 0, 1});
  ReproResult res;
  res.paper = "ESMA/APITesting.py: 13 results (e, sign periods of length 2, depth 105, degree 1, coefficients ±2)";
  res.ours = fmt::format("--compat: {} results ({} the three named); default: {} approved hits, {} distinct values",
                         compat.results.size(), named ? "with" : "WITHOUT", fixed.stats.verified, fixed.results.size());
  res.pass = compat.results.size() == 13 && named && fixed.results.size() == 85;
  res.note =
      "The default mode starts the recurrence from its true length L, so hits the reference rejects (e with [1,1] "
      "and others whose first terms are irregular) are approved. The reference patched the same way (L starting "
      "terms, filter L < depth//4; bench/esma/reference_runner.py --corrected --filter L) gives 169 hits and 85 "
      "values: its 114 sympy expressions hold two pairs of equal values, which we enumerate once (112).";
  res.details = {{"compat_results", compat.results.size()},
                 {"compat_pre_hits", compat.stats.pre_hits},
                 {"lhs_distinct", compat.stats.lhs_distinct},
                 {"default_pre_hits", fixed.stats.pre_hits},
                 {"default_verified", fixed.stats.verified},
                 {"default_distinct", fixed.results.size()}};
  return res;
}

FACTORKIT_REGISTER_REPRO(ReproEntry{"esma", "rediscover",
                                    "the search rediscovers the known signed continued fractions of e, e^2, tan(1) and "
                                    "I1(2)/I0(2)",
                                    rediscover});
FACTORKIT_REGISTER_REPRO(ReproEntry{"esma", "reference-run",
                                    "the reference's test search gives exactly 13 formulas (starting-terms quirk kept "
                                    "in --compat)",
                                    reference_run});

}  // namespace
}  // namespace factorkit::cli
