#include "search.h"

#include <flint/flint.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "checkpoint.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/progress.h"
#include "factorkit/exact/parallel.h"
#include "factorkit/exact/polynomial.h"

namespace factorkit::esma {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }


std::string power_text(const std::string& name, long k, int64_t i) {
  // |k| c^i without the sign
  const long m = std::labs(k);
  std::string base = i == 0 ? "" : (i == 1 ? name : name + "^" + std::to_string(i));
  if (i == 0) return std::to_string(m);
  if (m == 1) return base;
  return std::to_string(m) + "*" + base;  // explicit, so the text parses back
}

std::string poly_text(const std::vector<long>& p, const std::string& name, int* nterms) {
  std::string s;
  int terms = 0;
  for (size_t i = p.size(); i-- > 0;) {
    if (p[i] == 0) continue;
    const std::string t = power_text(name, p[i], static_cast<int64_t>(i));
    if (terms == 0)
      s = (p[i] < 0 ? "-" : "") + t;
    else
      s += (p[i] < 0 ? " - " : " + ") + t;
    ++terms;
  }
  if (nterms) *nterms = terms;
  return s;
}

Ball eval_poly(const std::vector<long>& p, const std::vector<Ball>& powers, int64_t prec) {
  Ball v(0);
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != 0) v = exact::add(v, exact::mul(Ball(p[i]), powers[i], prec), prec);
  return v;
}

std::vector<Ball> powers_of(const Ball& c, int deg, int64_t prec) {
  std::vector<Ball> pw{Ball(1)};
  for (int i = 1; i <= deg; ++i) pw.push_back(exact::mul(pw.back(), c, prec));
  return pw;
}

struct Hit {
  int64_t period = 0;
  Recurrence rec;
  std::vector<Integer> terms;
};

struct Item {
  int64_t candidates = 0, zero_terms = 0, precision_stops = 0;
  std::vector<Hit> hits;
};

void need(bool ok, const char* opt, std::string got, const char* expected) {
  if (!ok) throw InvalidInput(opt, std::move(got), expected, "BadOption");
}

void check_options(const SearchOptions& o) {
  need(o.poly_deg >= 0 && o.poly_deg <= 8, "--poly-deg", std::to_string(o.poly_deg), "a degree in [0, 8]");
  need(o.coeff_lim >= 1 && o.coeff_lim <= 50, "--coeff-lim", std::to_string(o.coeff_lim), "a limit in [1, 50]");
  const double lhs = std::pow(2.0 * o.coeff_lim + 1, 2.0 * (o.poly_deg + 1));
  // the enumeration keeps every distinct left-hand side in memory
  need(lhs <= 1e7, "--poly-deg/--coeff-lim", fmt::format("{:.3g} (P, Q) pairs", lhs), "at most 10^7 pairs");
  need(o.min_sign_len >= 1 && o.max_sign_len >= o.min_sign_len && o.max_sign_len <= 16, "--sign-len",
       fmt::format("{}..{}", o.min_sign_len, o.max_sign_len), "lengths 1 <= min <= max <= 16");
  need(o.depth >= 8 && o.depth <= 100000, "--depth", std::to_string(o.depth), "a term count in [8, 100000]");
  need(o.enum_digits >= 20 && o.enum_digits <= 1000000, "--dps", std::to_string(o.enum_digits),
       "a working precision in [20, 10^6] digits");
  check_approval_options(o);
  need(o.threads >= 0 && o.threads <= 1024, "--threads", std::to_string(o.threads),
       "0 (all cores) or a count up to 1024");
}

nlohmann::json fingerprint(const SearchOptions& o) {
  return {{"constant", o.constant}, {"value", o.value},           {"poly_deg", o.poly_deg},
          {"coeff_lim", o.coeff_lim}, {"min_sign_len", o.min_sign_len}, {"max_sign_len", o.max_sign_len},
          {"depth", o.depth},       {"prime", o.prime},           {"dps", o.enum_digits},
          {"compat", o.compat}};
}

// The "beauty standard": default L < depth/4; --compat len(C without its
// trailing zeros) < depth/4, as the reference.
bool passes_filter(const Recurrence& rec, const SearchOptions& o) {
  return o.compat ? rec.degree + 1 < o.depth / 4 : rec.L < o.depth / 4;
}

std::string display_name(const SearchOptions& o) {
  std::string name = o.constant;
  bool atom = true;
  if (o.value.empty()) {
    const Expr e = Expr::parse(o.constant, "--constant");
    name = e.text();
    atom = e.is_atom();
  }
  if (!atom) name = "(" + name + ")";
  return name;
}

}  // namespace

void check_approval_options(const SearchOptions& o) {
  need(o.match_digits >= 5 && o.match_digits <= 100000, "--digits", std::to_string(o.match_digits),
       "a digit count in [5, 10^5]");
  need(o.verify_digits >= o.match_digits + 10 && o.verify_digits <= 1000000, "--verify-dps",
       std::to_string(o.verify_digits), "a working precision at least 10 digits above --digits, at most 10^6");
  need(o.verify_terms >= 2 && o.verify_terms <= 200000, "--verify-terms", std::to_string(o.verify_terms),
       "a term count in [2, 200000]");
}

SearchOptions reference_test_search(bool compat) {
  SearchOptions o;
  o.constant = "e";
  o.poly_deg = 1;
  o.coeff_lim = 2;
  o.min_sign_len = o.max_sign_len = 2;
  o.depth = 105;
  o.compat = compat;
  o.progress = false;
  return o;
}

std::vector<std::vector<int>> sign_periods(int min_len, int max_len) {
  std::vector<std::vector<int>> out;
  std::set<std::vector<int>> redundant;
  for (int len = min_len; len <= max_len; ++len) {
    for (uint64_t code = 0; code < (uint64_t{1} << len); ++code) {
      std::vector<int> p(static_cast<size_t>(len));
      for (int k = 0; k < len; ++k) p[static_cast<size_t>(k)] = (code >> (len - 1 - k)) & 1 ? 1 : -1;  // -1 first
      if (redundant.count(p)) continue;
      for (int rep = 2; rep <= max_len / len; ++rep) {
        std::vector<int> r;
        for (int k = 0; k < rep; ++k) r.insert(r.end(), p.begin(), p.end());
        redundant.insert(r);
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

Ball constant_value(const SearchOptions& opts, int64_t bits, int64_t needed_digits, std::string_view expr_option) {
  if (!opts.value.empty()) {
    int64_t given = 0;
    Ball v = exact::from_decimal(opts.value, bits + 64, "--value", &given);
    if (given < needed_digits)
      throw InvalidInput("--value", fmt::format("{} significant digits", given),
                         fmt::format("at least {} digits: approving a formula compares {} significant digits", needed_digits,
                                     opts.match_digits),
                         "TooFewDigits");
    if (v.contains_zero()) throw InvalidInput("--value", "0", "a non-zero constant", "ZeroConstant");
    return v;
  }
  return Expr::parse(opts.constant, expr_option).eval_accurate(bits, expr_option);
}

std::vector<Lhs> enumerate_lhs(const SearchOptions& opts, const Ball& c, const std::string& name, int64_t prec,
                               SearchStats* stats) {
  const int n = opts.poly_deg + 1, base = 2 * opts.coeff_lim + 1;
  int64_t tuples = 1;
  for (int i = 0; i < n; ++i) tuples *= base;
  auto tuple = [&](int64_t code) {
    std::vector<long> t(static_cast<size_t>(n));
    for (int i = n - 1; i >= 0; --i) {  // coordinate 0 varies slowest (itertools.product)
      t[static_cast<size_t>(i)] = static_cast<long>(code % base) - opts.coeff_lim;
      code /= base;
    }
    return t;
  };
  const std::vector<Ball> pw = powers_of(c, opts.poly_deg, prec);
  std::vector<Lhs> out;
  std::unordered_set<std::string> seen;
  int64_t total = 0;
  for (int64_t a = 0; a < tuples; ++a) {
    const std::vector<long> p0 = tuple(a);
    if (std::all_of(p0.begin(), p0.end(), [](long v) { return v == 0; })) continue;
    const exact::IntPoly P0(p0);
    for (int64_t b = 0; b < tuples; ++b) {
      const std::vector<long> q0 = tuple(b);
      if (std::all_of(q0.begin(), q0.end(), [](long v) { return v == 0; })) continue;
      ++total;
      const exact::IntPoly Q0(q0);
      const exact::IntPoly g = exact::gcd(P0, Q0);
      exact::IntPoly P = exact::divexact(P0, g), Q = exact::divexact(Q0, g);
      if (Q.leading().sign() < 0) {
        P = -P;
        Q = -Q;
      }
      if (P.degree() <= 0 && Q.degree() <= 0) continue;  // a rational number
      std::vector<long> p, q;
      for (const Integer& k : P.coeffs()) p.push_back(k.to_long());
      for (const Integer& k : Q.coeffs()) q.push_back(k.to_long());
      Ball v = exact::div(eval_poly(p, pw, prec), eval_poly(q, pw, prec), prec);
      if (!v.is_finite() || v.contains_zero()) continue;  // zero, a pole, or not decided at this precision
      if (v.is_negative()) {
        for (long& k : p) k = -k;
        v = exact::neg(v);
      }
      // de-duplicate by value (exact for transcendental c, and for algebraic c too)
      if (auto key = exact::round_significant(v, 40)) {
        if (!seen.insert(key->mantissa.str() + "e" + std::to_string(key->exponent)).second) continue;
      }
      Lhs lhs;
      int np = 0, nq = 0;
      const std::string ps = poly_text(p, name, &np), qs = poly_text(q, name, &nq);
      const bool q_one = q.size() == 1 && q[0] == 1;
      const bool simple_den = nq == 1 && (q.size() == 1 || q.back() == 1);  // "2", "e", "e^2"
      lhs.text = q_one ? ps : (np > 1 ? "(" + ps + ")" : ps) + "/" + (simple_den ? qs : "(" + qs + ")");
      lhs.p = std::move(p);
      lhs.q = std::move(q);
      out.push_back(std::move(lhs));
    }
  }
  if (stats) {
    stats->lhs_total = total;
    stats->lhs_distinct = static_cast<int64_t>(out.size());
  }
  return out;
}

std::optional<std::string> approve(std::span<const long> recurrence, std::span<const Integer> initial,
                                   std::span<const int> signs, const Ball& lhs_value, const SearchOptions& opts) {
  // a_n of polynomial growth stay small; a wrong lift can grow exponentially
  const std::vector<Integer> a = extend(recurrence, initial, opts.verify_terms, uint64_t{1} << 16);
  if (static_cast<int64_t>(a.size()) < opts.verify_terms) return std::nullopt;
  const auto [num, den] = convergent(a, signs);
  if (den.is_zero()) return std::nullopt;
  const int64_t prec = exact::digits_to_bits(opts.verify_digits);
  const Ball rhs = exact::div(Ball(num), Ball(den), prec);
  const auto l = exact::round_significant(lhs_value, opts.match_digits);
  const auto r = exact::round_significant(rhs, opts.match_digits);
  if (!l || !r || !(*l == *r)) return std::nullopt;
  return l->str();
}

SearchResult search(const SearchOptions& opts) {
  check_options(opts);
  exact::PrimeField field(opts.prime, "--prime");
  const int threads = exact::resolve_threads(opts.threads);
  SearchResult result;
  SearchStats& st = result.stats;
  const std::string name = display_name(opts);

  // ---- 1. enumerate the left-hand sides ----------------------------------------
  auto t0 = Clock::now();
  const int64_t prec = exact::digits_to_bits(opts.enum_digits);
  const Ball c = constant_value(opts, prec, opts.match_digits + 10);
  const std::vector<Lhs> lhs = enumerate_lhs(opts, c, name, prec, &st);
  const std::vector<std::vector<int>> periods = sign_periods(opts.min_sign_len, opts.max_sign_len);
  st.sign_periods = static_cast<int64_t>(periods.size());
  const std::vector<Ball> pw = powers_of(c, opts.poly_deg, prec);
  st.seconds_enumerate = since(t0);

  // ---- 2. expand, Berlekamp–Massey, filter (resumable) ---------------------------
  t0 = Clock::now();
  const int64_t n = static_cast<int64_t>(lhs.size());
  std::vector<Item> items(static_cast<size_t>(n));
  std::vector<std::atomic<bool>> done(static_cast<size_t>(n));
  std::vector<char> todo(static_cast<size_t>(n), 1);
  const nlohmann::json fp = fingerprint(opts);
  if (!opts.checkpoint.empty() && std::filesystem::exists(opts.checkpoint)) {
    const Checkpoint cp = read_checkpoint(opts.checkpoint);
    if (cp.search != fp || cp.items != n) {
      std::string field = "items";
      for (auto it = fp.begin(); it != fp.end(); ++it)
        if (!cp.search.contains(it.key()) || cp.search[it.key()] != it.value()) {
          field = "search." + it.key();
          break;
        }
      throw MalformedFile(opts.checkpoint, field,
                          "a checkpoint of this same search (remove it, or pass the options it was written with)",
                          "CheckpointMismatch");
    }
    for (const CheckpointItem& ci : cp.done) {
      Item& it = items[static_cast<size_t>(ci.index)];
      it.candidates = ci.candidates;
      it.zero_terms = ci.zero_terms;
      it.precision_stops = ci.precision_stops;
      if (ci.candidates > static_cast<int64_t>(periods.size()))
        throw MalformedFile(opts.checkpoint, fmt::format("done[i={}].candidates", ci.index),
                            fmt::format("at most {} (one per sign period)", periods.size()), "CheckpointMismatch");
      for (const CheckpointHit& h : ci.hits) {
        Recurrence rec = Recurrence::of(h.c);  // the reader checked c.size() == L + 1
        const bool nonzero = std::none_of(h.terms.begin(), h.terms.end(), [](const std::string& t) { return t == "0"; });
        if (h.period >= static_cast<int64_t>(periods.size()) || static_cast<int64_t>(h.terms.size()) != opts.depth ||
            !passes_filter(rec, opts) || !nonzero)
          throw MalformedFile(opts.checkpoint, fmt::format("done[i={}].hits", ci.index),
                              fmt::format("hits of this search: a period index below {}, {} non-zero terms and a "
                                          "recurrence that passes the filter",
                                          periods.size(), opts.depth),
                              "CheckpointMismatch");
        Hit hit;
        hit.period = h.period;
        hit.rec = std::move(rec);
        for (const std::string& t : h.terms) hit.terms.emplace_back(t, opts.checkpoint);
        it.hits.push_back(std::move(hit));
      }
      todo[static_cast<size_t>(ci.index)] = 0;
      done[static_cast<size_t>(ci.index)] = true;
      ++st.resumed_items;
    }
  }
  if (!opts.checkpoint.empty()) AtomicFile probe(opts.checkpoint);  // an unwritable folder fails now, not after the work
  std::vector<int64_t> work;
  for (int64_t i = 0; i < n; ++i)
    if (todo[static_cast<size_t>(i)]) work.push_back(i);

  auto save = [&] {
    Checkpoint cp;
    cp.search = fp;
    cp.items = n;
    for (int64_t i = 0; i < n; ++i) {
      if (!done[static_cast<size_t>(i)].load(std::memory_order_acquire)) continue;
      const Item& it = items[static_cast<size_t>(i)];
      CheckpointItem ci{i, it.candidates, it.zero_terms, it.precision_stops, {}};
      for (const Hit& h : it.hits) {
        CheckpointHit ch{h.period, h.rec.c, h.rec.L, {}};
        for (const Integer& t : h.terms) ch.terms.push_back(t.str());
        ci.hits.push_back(std::move(ch));
      }
      cp.done.push_back(std::move(ci));
    }
    write_checkpoint(opts.checkpoint, cp);
  };

  std::optional<Progress> bar;
  if (opts.progress) bar.emplace(fmt::format("esma {} x {} signs", n, periods.size()), static_cast<int64_t>(work.size()));
  auto last_save = Clock::now();
  exact::parallel_for(
      static_cast<int64_t>(work.size()), threads,
      [&](int64_t w) {
        const int64_t i = work[static_cast<size_t>(w)];
        const Lhs& l = lhs[static_cast<size_t>(i)];
        const Ball v = exact::div(eval_poly(l.p, pw, prec), eval_poly(l.q, pw, prec), prec);
        Item& it = items[static_cast<size_t>(i)];
        for (size_t k = 0; k < periods.size(); ++k) {
          ++it.candidates;
          Expansion ex = expand(v, periods[k], opts.depth);
          if (ex.stop != ExpandStop::Complete) {
            ++it.precision_stops;
            continue;
          }
          if (std::any_of(ex.a.begin(), ex.a.end(), [](const Integer& x) { return x.is_zero(); })) {
            ++it.zero_terms;
            continue;
          }
          Recurrence rec = berlekamp_massey(ex.a, field);
          if (passes_filter(rec, opts)) it.hits.push_back(Hit{static_cast<int64_t>(k), std::move(rec), std::move(ex.a)});
        }
        done[static_cast<size_t>(i)].store(true, std::memory_order_release);
      },
      [&](int64_t finished) {
        if (bar) bar->set(finished);
        if (!opts.checkpoint.empty() && since(last_save) >= opts.checkpoint_seconds) {
          save();
          last_save = Clock::now();
        }
      });
  if (bar) bar->finish();
  if (!opts.checkpoint.empty()) save();
  st.seconds_search = since(t0);

  // ---- 3. approve at high precision, de-duplicate by value ----------------------
  t0 = Clock::now();
  struct Pending {
    int64_t item;
    const Hit* hit;
    std::vector<long> recurrence;
    std::vector<Integer> initial;
    std::optional<std::string> value;
  };
  std::vector<Pending> pending;
  for (int64_t i = 0; i < n; ++i) {
    const Item& it = items[static_cast<size_t>(i)];
    st.candidates += it.candidates;
    st.zero_terms += it.zero_terms;
    st.precision_stops += it.precision_stops;
    for (const Hit& h : it.hits) {
      Pending p{i, &h, {}, {}, std::nullopt};
      const int64_t len = opts.compat ? h.rec.degree + 1 : h.rec.L + 1;
      p.recurrence.assign(h.rec.c.begin(), h.rec.c.begin() + len);
      p.initial.assign(h.terms.begin(), h.terms.begin() + (len - 1));
      pending.push_back(std::move(p));
    }
  }
  st.pre_hits = static_cast<int64_t>(pending.size());
  const int64_t vprec = exact::digits_to_bits(opts.verify_digits);
  const Ball cv = constant_value(opts, vprec, opts.match_digits + 10);
  const std::vector<Ball> vpw = powers_of(cv, opts.poly_deg, vprec);
  auto lhs_value = [&](const Lhs& l) { return exact::div(eval_poly(l.p, vpw, vprec), eval_poly(l.q, vpw, vprec), vprec); };
  exact::parallel_for(
      static_cast<int64_t>(pending.size()), threads,
      [&](int64_t k) {
        Pending& p = pending[static_cast<size_t>(k)];
        p.value = approve(p.recurrence, p.initial, periods[static_cast<size_t>(p.hit->period)],
                          lhs_value(lhs[static_cast<size_t>(p.item)]), opts);
      },
      [](int64_t) {});
  std::unordered_set<std::string> values;
  for (const Pending& p : pending) {
    if (!p.value) continue;
    ++st.verified;
    Conjecture cj;
    cj.lhs = lhs[static_cast<size_t>(p.item)];
    cj.signs = periods[static_cast<size_t>(p.hit->period)];
    cj.rec = p.hit->rec;
    cj.recurrence = p.recurrence;
    cj.initial = p.initial;
    cj.terms = p.hit->terms;
    cj.value = *p.value;
    if (values.insert(*p.value).second)
      result.results.push_back(std::move(cj));
    else
      result.recurring.push_back(std::move(cj));
  }
  // the readable parts, for the approved results only
  for (Conjecture& cj : result.results) {
    const Ball v = lhs_value(cj.lhs);
    const std::vector<Integer> seq = extend(cj.recurrence, cj.initial, std::max<int64_t>(200, opts.depth));
    cj.convergence = convergence_rate(seq, cj.signs, v);
    cj.pattern = find_pattern(Recurrence::of(cj.recurrence), seq);
    cj.fraction = format_fraction(cj.lhs.text, seq, cj.signs, 6);
  }
  st.seconds_verify = since(t0);
  return result;
}

}  // namespace factorkit::esma
