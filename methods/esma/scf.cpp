#include "scf.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "factorkit/core/error.h"
#include "factorkit/exact/polynomial.h"

namespace factorkit::esma {

using exact::Rational;

std::vector<int> parse_signs(std::string_view text, std::string_view where) {
  std::vector<int> out;
  size_t i = 0;
  auto bad = [&](const std::string& what) {
    return InvalidInput(std::string(where), fmt::format("'{}': {}", text, what),
                        "a sign period such as \"1,-1\" or \"+-\" (each sign +1 or -1)", "BadSigns");
  };
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '[' || c == ']') {
      ++i;
    } else if (c == '+' || c == '-') {
      const bool minus = c == '-';
      ++i;
      if (i < text.size() && text[i] == '1') ++i;
      out.push_back(minus ? -1 : 1);
    } else if (c == '1') {
      out.push_back(1);
      ++i;
    } else {
      throw bad(fmt::format("unexpected '{}' at column {}", printable(c), i + 1));
    }
  }
  if (out.empty()) throw bad("no signs");
  if (out.size() > 64) throw bad("more than 64 signs");
  return out;
}

std::string format_signs(std::span<const int> period) {
  std::string s = "[";
  for (size_t i = 0; i < period.size(); ++i) s += (i ? ", " : "") + std::to_string(period[i]);
  return s + "]";
}

// ---- extraction ------------------------------------------------------------------
Expansion expand(const Ball& x, std::span<const int> period, int64_t terms) {
  Expansion out;
  if (period.empty()) throw InvalidInput("expand", "signs", "a non-empty sign period", "BadSigns");
  if (!x.is_finite()) {
    out.stop = ExpandStop::PrecisionExhausted;
    out.reason = "the value is not finite";
    return out;
  }
  Integer p0, p1, e, q(1);
  x.interval(p0, p1, e);
  const bool exact_value = x.is_exact();
  // The endpoints are lo 2^e and hi 2^e. Beyond 2^(+-2^23) the integers below
  // would take megabytes; an inexact ball with e > 0 is at least 2 wide, so
  // not even a_0 is determined.
  if (!e.fits_long() || std::labs(e.to_long()) > (1L << 23) || (e.sign() > 0 && !exact_value)) {
    out.stop = ExpandStop::PrecisionExhausted;
    out.reason = e.sign() > 0 && e.fits_long() && std::labs(e.to_long()) <= (1L << 23)
                     ? "term 0 is not determined: the value is known to less than one unit"
                     : "the value's magnitude is out of range (beyond 2^(+-8388608))";
    return out;
  }
  if (e.sign() >= 0) {
    p0 *= exact::pow(Integer(2), static_cast<uint64_t>(e.to_long()));
    p1 *= exact::pow(Integer(2), static_cast<uint64_t>(e.to_long()));
  } else {
    q = exact::pow(Integer(2), static_cast<uint64_t>(-e.to_long()));
  }
  Integer q0 = q, q1 = q, t1, r0, r1;
  const double known_digits = exact_value ? 0.0 : std::max<int64_t>(x.accuracy_bits(), 0) * 0.30103;
  out.a.reserve(static_cast<size_t>(std::max<int64_t>(terms, 0)));
  for (int64_t n = 0; n < terms; ++n) {
    const int s = period[static_cast<size_t>(n) % period.size()];
    Integer t0 = s > 0 ? exact::fdiv(p0, q0) : exact::cdiv(p0, q0);
    t1 = s > 0 ? exact::fdiv(p1, q1) : exact::cdiv(p1, q1);
    if (!(t0 == t1)) {
      out.stop = ExpandStop::PrecisionExhausted;
      out.reason = fmt::format("term {} is not determined by the ~{:.0f} known digits of the value", n, known_digits);
      return out;
    }
    out.a.push_back(t0);
    if (n + 1 == terms) break;
    r0 = p0;
    r0.submul(t0, q0);
    r1 = p1;
    r1.submul(t0, q1);
    if (r0.is_zero() || r1.is_zero()) {
      if (exact_value) {
        out.stop = ExpandStop::Terminated;
        out.reason = fmt::format("the value is rational: its expansion ends after {} terms", n + 1);
      } else {
        out.stop = ExpandStop::PrecisionExhausted;
        out.reason = fmt::format("term {} is not determined by the ~{:.0f} known digits of the value (a rational "
                                 "value ends here)",
                                 n + 1, known_digits);
      }
      return out;
    }
    // y_{n+1} = s / r_n = s q / (p - a q)
    p0 = q0;
    p1 = q1;
    if (s < 0) {
      p0.neg();
      p1.neg();
    }
    q0.swap(r0);
    q1.swap(r1);
    if (q0.sign() < 0) {
      q0.neg();
      p0.neg();
    }
    if (q1.sign() < 0) {
      q1.neg();
      p1.neg();
    }
  }
  return out;
}

namespace {
// (prev, cur) <- (cur, a cur + s prev) for the numerators B and denominators A,
// in place: no copies of the growing integers.
struct Convergents {
  Integer a_prev{0}, a_cur{1}, b_prev{1}, b_cur{0};
  explicit Convergents(const Integer& a0) : b_cur(a0) {}
  void step(const Integer& a, int s) {
    if (s < 0) {
      a_prev.neg();
      b_prev.neg();
    }
    a_prev.addmul(a_cur, a);
    a_prev.swap(a_cur);
    b_prev.addmul(b_cur, a);
    b_prev.swap(b_cur);
  }
};
}  // namespace

std::pair<Integer, Integer> convergent(std::span<const Integer> a, std::span<const int> period) {
  Convergents cv(a.empty() ? Integer(0) : a[0]);
  for (size_t i = 1; i < a.size(); ++i) cv.step(a[i], period[(i - 1) % period.size()]);
  return {cv.b_cur, cv.a_cur};
}

double convergence_rate(std::span<const Integer> a, std::span<const int> period, const Ball& x) {
  const size_t n = std::min<size_t>(200, a.size());
  // an exact x (a rational) reports "infinite" accuracy: work at a precision
  // the convergents can use instead
  const int64_t prec = x.is_exact() ? 4096 : std::clamp<int64_t>(x.accuracy_bits(), 64, int64_t{1} << 26) + 64;
  std::vector<double> logs;
  Convergents cv(n ? a[0] : Integer(0));
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) cv.step(a[i], period[(i - 1) % period.size()]);
    if (cv.a_cur.is_zero()) break;
    Ball d = exact::sub(exact::div(Ball(cv.b_cur), Ball(cv.a_cur), prec), x, prec);
    if (d.contains_zero()) break;
    logs.push_back(exact::log(exact::abs(d), 64).mid_double() / std::log(10.0));
  }
  const size_t len = logs.size();
  if (len < 4) return std::numeric_limits<double>::quiet_NaN();
  return -2.0 * (logs[len - 1] - logs[len / 2]) / static_cast<double>(len);
}

// ---- Berlekamp–Massey ------------------------------------------------------------
Recurrence berlekamp_massey(std::span<const Integer> a, const exact::PrimeField& f) {
  const size_t n = a.size();
  std::vector<uint64_t> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = f.reduce(a[i]);
  std::vector<uint64_t> c{1}, b{1}, t;
  int64_t L = 0;
  size_t m = 1;
  uint64_t bd = 1;
  for (size_t i = 0; i < n; ++i) {
    uint64_t d = s[i];
    for (int64_t j = 1; j <= L; ++j)
      if (static_cast<size_t>(j) < c.size()) d = f.add(d, f.mul(c[static_cast<size_t>(j)], s[i - static_cast<size_t>(j)]));
    if (d == 0) {
      ++m;
      continue;
    }
    const uint64_t coef = f.mul(d, f.inv(bd));
    const bool grow = 2 * L <= static_cast<int64_t>(i);
    if (grow) t = c;
    if (c.size() < b.size() + m) c.resize(b.size() + m, 0);
    for (size_t j = 0; j < b.size(); ++j) c[j + m] = f.sub(c[j + m], f.mul(coef, b[j]));
    if (grow) {
      L = static_cast<int64_t>(i) + 1 - L;
      b.swap(t);
      bd = d;
      m = 1;
    } else {
      ++m;
    }
  }
  // normalise by the first non-zero coefficient (c[0] = 1 already), then lift
  std::vector<long> lifted(static_cast<size_t>(L) + 1, 0);
  for (size_t j = 0; j < lifted.size() && j < c.size(); ++j) lifted[j] = f.lift(c[j]);
  return Recurrence::of(std::move(lifted));
}

Recurrence Recurrence::of(std::vector<long> c) {
  Recurrence r;
  r.L = static_cast<int64_t>(c.size()) - 1;
  for (size_t j = 0; j < c.size(); ++j)
    if (c[j] != 0) r.degree = static_cast<int64_t>(j);
  r.c = std::move(c);
  return r;
}

std::vector<Integer> extend(std::span<const long> c, std::span<const Integer> initial, int64_t count,
                            uint64_t max_bits) {
  if (c.empty() || c[0] != 1 || initial.size() + 1 != c.size())
    throw InvalidInput("recurrence", fmt::format("{} coefficients, {} initial terms", c.size(), initial.size()),
                       "a recurrence polynomial starting with 1 and exactly (its length - 1) initial terms",
                       "BadRecurrence");
  const size_t n = static_cast<size_t>(std::max<int64_t>(count, 0));
  std::vector<Integer> out(initial.begin(), initial.begin() + static_cast<std::ptrdiff_t>(std::min(n, initial.size())));
  out.reserve(n);
  // Fast path while every term fits in a machine word (the usual case: a_n of
  // polynomial growth); 128-bit accumulation, checked before narrowing.
  std::vector<long> small;
  bool fast = std::all_of(out.begin(), out.end(), [](const Integer& x) { return x.fits_long(); });
  if (fast)
    for (const Integer& x : out) small.push_back(x.to_long());
  for (size_t i = out.size(); i < n; ++i) {
    if (fast) {
      __int128 v = 0;
      bool ok = true;
      for (size_t j = 1; j < c.size() && ok; ++j) {
        if (c[j] == 0) continue;
        v -= static_cast<__int128>(c[j]) * small[i - j];
        ok = v < (static_cast<__int128>(1) << 100) && v > -(static_cast<__int128>(1) << 100);
      }
      if (ok && v <= INT64_MAX / 2 && v >= INT64_MIN / 2) {
        small.push_back(static_cast<long>(v));
        out.emplace_back(static_cast<long>(v));
        continue;
      }
      fast = false;
    }
    Integer v;
    for (size_t j = 1; j < c.size(); ++j)
      if (c[j] != 0) v.addmul(out[i - j], -c[j]);
    if (max_bits && v.bits() > max_bits) break;  // growing beyond the budget: stop short
    out.push_back(std::move(v));
  }
  return out;
}

// ---- explicit a_n ----------------------------------------------------------------
namespace {

// The polynomial of degree < xs.size() through (xs[i], ys[i]) by Gaussian
// elimination on the Vandermonde system over Q.
std::vector<Rational> interpolate(const std::vector<long>& xs, const std::vector<Integer>& ys) {
  const size_t m = xs.size();
  std::vector<std::vector<Rational>> A(m, std::vector<Rational>(m + 1));
  for (size_t i = 0; i < m; ++i) {
    Rational p(1);
    for (size_t j = 0; j < m; ++j) {
      A[i][j] = p;
      p *= Rational(xs[i]);
    }
    A[i][m] = Rational(ys[i]);
  }
  for (size_t col = 0; col < m; ++col) {
    size_t piv = col;
    while (A[piv][col].is_zero()) ++piv;  // Vandermonde with distinct nodes: always found
    std::swap(A[piv], A[col]);
    for (size_t r = 0; r < m; ++r) {
      if (r == col || A[r][col].is_zero()) continue;
      const Rational f = A[r][col] / A[col][col];
      for (size_t k = col; k <= m; ++k) A[r][k] -= f * A[col][k];
    }
  }
  std::vector<Rational> coef(m);
  for (size_t i = 0; i < m; ++i) coef[i] = A[i][m] / A[i][i];
  while (coef.size() > 1 && coef.back().is_zero()) coef.pop_back();
  return coef;
}

Rational eval_poly(const std::vector<Rational>& p, long n) {
  Rational v(0), x(n);
  for (size_t i = p.size(); i-- > 0;) v = v * x + p[i];
  return v;
}

}  // namespace

std::string format_polynomial(std::span<const Rational> coeffs) {
  Integer den(1);
  for (const Rational& c : coeffs) {
    const Integer d = c.den();
    den = exact::divexact(den * d, exact::gcd(den, d));
  }
  std::string s;
  int terms = 0;
  for (size_t i = coeffs.size(); i-- > 0;) {
    const Integer num = (coeffs[i] * Rational(den)).num();
    if (num.is_zero()) continue;
    const bool neg = num.sign() < 0;
    const Integer mag = exact::abs(num);
    std::string t = (i > 0 && mag == Integer(1)) ? "" : mag.str();
    if (i >= 1) t += "n";
    if (i >= 2) {
      t += '^';
      t += std::to_string(i);
    }
    if (terms > 0) s.append(neg ? " - " : " + ");
    else if (neg) s.push_back('-');
    s.append(t);
    ++terms;
  }
  if (terms == 0) return "0";
  if (den == Integer(1)) return s;
  return (terms > 1 ? "(" + s + ")" : s) + "/" + den.str();
}

std::optional<Pattern> find_pattern(const Recurrence& rec, std::span<const Integer> a) {
  const int64_t D = rec.degree;
  if (D < 1) return std::nullopt;
  const int64_t start = rec.L - D;
  // C = +-prod_k Phi_k^{m_k} exactly when a_n is a polynomial on residue
  // classes; then K = lcm{k : m_k > 0} and M = max m_k are the smallest with
  // C | (1 - x^K)^M. Only k with phi(k) <= D can divide C.
  if (D > 5000) return std::nullopt;
  // a product of cyclotomic polynomials is palindromic or anti-palindromic
  bool pal = true, anti = true;
  for (int64_t i = 0; i <= D; ++i) {
    pal = pal && rec.c[static_cast<size_t>(i)] == rec.c[static_cast<size_t>(D - i)];
    anti = anti && rec.c[static_cast<size_t>(i)] == -rec.c[static_cast<size_t>(D - i)];
  }
  if (!pal && !anti) return std::nullopt;
  exact::IntPoly rest(std::span<const long>(rec.c.data(), static_cast<size_t>(D) + 1));
  int64_t K = 1, M = 0;
  // k / phi(k) < 7 for every k below 10^10, so phi(k) <= D needs k < 7 D + 30
  for (uint64_t k = 1; rest.degree() > 0 && k <= static_cast<uint64_t>(7 * D + 30); ++k) {
    if (static_cast<int64_t>(exact::euler_phi(k)) > rest.degree()) continue;
    const exact::IntPoly phi = exact::cyclotomic(k);
    int64_t m = 0;
    while (auto q = exact::exact_quotient(rest, phi)) {
      rest = std::move(*q);
      ++m;
    }
    if (m > 0) {
      K = std::lcm(K, static_cast<int64_t>(k));
      M = std::max(M, m);
      if (K > 100000) return std::nullopt;
    }
  }
  if (rest.degree() != 0 || M == 0) return std::nullopt;
    if (static_cast<int64_t>(a.size()) < start + K * M + D) return std::nullopt;  // too few terms to fit
    Pattern p;
    p.period = K;
    p.order = M;
    p.start = start;
    for (int64_t j = 0; j < K; ++j) {
      // first n >= start with n = j (mod K)
      const int64_t first = start + ((j - start) % K + K) % K;
      std::vector<long> xs;
      std::vector<Integer> ys;
      for (int64_t t = 0; t < M; ++t) {
        xs.push_back(first + t * K);
        ys.push_back(a[static_cast<size_t>(first + t * K)]);
      }
      p.classes.push_back(interpolate(xs, ys));
      for (int64_t n = first; n < static_cast<int64_t>(a.size()); n += K)
        if (!(eval_poly(p.classes.back(), n) == Rational(a[static_cast<size_t>(n)]))) return std::nullopt;
    }
    // text: group residues with the same polynomial
    std::vector<std::pair<std::string, std::vector<int64_t>>> groups;
    for (int64_t j = 0; j < K; ++j) {
      const std::string f = format_polynomial(p.classes[static_cast<size_t>(j)]);
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == f; });
      if (it == groups.end())
        groups.push_back({f, {j}});
      else
        it->second.push_back(j);
    }
    std::string text;
    if (groups.size() == 1) {
      text = "a_n = " + groups[0].first;
    } else {
      for (size_t g = 0; g < groups.size(); ++g) {
        std::string res;
        for (size_t k = 0; k < groups[g].second.size(); ++k) res += (k ? ", " : "") + std::to_string(groups[g].second[k]);
        text += (g ? "; " : "a_n = ") + groups[g].first + " if n ≡ " + res + " (mod " + std::to_string(K) + ")";
      }
    }
    if (start > 0) {
      text += fmt::format(" for n >= {}", start);
      for (int64_t n = 0; n < start; ++n) text += fmt::format("; a_{} = {}", n, a[static_cast<size_t>(n)].str());
    }
  p.text = text;
  return p;
}

std::string format_fraction(std::string_view lhs, std::span<const Integer> a, std::span<const int> period,
                            int64_t shown) {
  if (a.empty()) return std::string(lhs);
  const size_t k = std::min<size_t>(static_cast<size_t>(std::max<int64_t>(shown, 1)), a.size());
  std::string s = std::string(lhs) + " = " + a[0].str();
  for (size_t i = 1; i < k; ++i) s += (period[(i - 1) % period.size()] > 0 ? " + 1/(" : " - 1/(") + a[i].str();
  s += period[(k - 1) % period.size()] > 0 ? " + ..." : " - ...";
  s += std::string(k - 1, ')');
  return s;
}

}  // namespace factorkit::esma
