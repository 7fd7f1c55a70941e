#include "ideal.h"

#include <flint/ulong_extras.h>
#include <fmt/format.h>

#include <map>
#include <optional>
#include <random>

#include "factorkit/core/error.h"
#include "factorkit/core/progress.h"
#include "factorkit/exact/parallel.h"

namespace factorkit::sem {

using exact::QPoly;
using exact::Rational;

namespace {

using Exps = std::vector<int>;  // indices of the sigma variables, non-decreasing (a multiset)

void monomials(int m, int d, int start, Exps& cur, std::vector<Exps>& out) {
  if (static_cast<int>(cur.size()) == d) {
    out.push_back(cur);
    return;
  }
  for (int v = start; v < m; ++v) {
    cur.push_back(v);
    monomials(m, d, v, cur, out);
    cur.pop_back();
  }
}

int64_t binomial(int64_t n, int64_t k) {
  double r = 1;
  for (int64_t i = 1; i <= k; ++i) r = r * static_cast<double>(n - k + i) / static_cast<double>(i);
  return r > 1e15 ? INT64_MAX : static_cast<int64_t>(r + 0.5);
}



}  // namespace

Ideal vanishing_ideal(const Parametrization& p, const IdealOptions& opts) {
  if (opts.max_degree < 1 || opts.max_degree > 8)
    throw InvalidInput("--max-degree", std::to_string(opts.max_degree), "a degree in [1, 8]", "BadOption");
  const int n = p.n();
  std::vector<std::pair<int, int>> entries;
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j) {
      entries.push_back({i, j});
      names.push_back(parameter_name('s', p.graph, i, j));
    }
  const int m = static_cast<int>(entries.size());
  Ideal ideal{exact::PolyRing(names), {}};
  const exact::PrimeField f(n_nextprime(uint64_t{1} << 62, 1));
  std::mt19937_64 rng(opts.seed ^ 0x1dea1ull);
  std::uniform_int_distribution<uint64_t> uni(1, f.p() - 1);

  for (int d = 1; d <= opts.max_degree; ++d) {  // refuse before any work
    const int64_t count = binomial(m + d - 1, d);
    if (count > opts.max_monomials)
      throw InvalidInput("--max-degree", std::to_string(opts.max_degree),
                         fmt::format("a degree with at most {} monomials (degree {} in {} covariances has {})",
                                     opts.max_monomials, d, m, count),
                         "TooManyMonomials");
  }
  std::vector<std::vector<uint64_t>> lower;  // I_{d-1} basis mod p, over the degree d-1 monomials
  std::vector<Exps> lower_monos;
  for (int d = 1; d <= opts.max_degree; ++d) {
    std::vector<Exps> monos;
    Exps cur;
    monomials(m, d, 0, cur, monos);
    std::map<Exps, int64_t> column;
    for (size_t c = 0; c < monos.size(); ++c) column[monos[c]] = static_cast<int64_t>(c);
    const int64_t cols = static_cast<int64_t>(monos.size()), rows = cols + 16;

    // random parameter points, drawn here so the result does not depend on threads
    std::vector<std::vector<uint64_t>> points(static_cast<size_t>(rows), std::vector<uint64_t>(static_cast<size_t>(p.params())));
    for (auto& pt : points)
      for (auto& x : pt) x = uni(rng);
    std::vector<uint64_t> M(static_cast<size_t>(rows * cols));
    std::optional<Progress> bar;
    if (opts.progress) bar.emplace(fmt::format("sem ideal, degree {}", d), rows);
    exact::parallel_for(
        rows, exact::resolve_threads(opts.threads),
        [&](int64_t r) {
          std::vector<uint64_t> nv(static_cast<size_t>(m));
          for (int e = 0; e < m; ++e)
            nv[static_cast<size_t>(e)] = p.numer_at(entries[static_cast<size_t>(e)].first, entries[static_cast<size_t>(e)].second)
                                              .evaluate_mod(points[static_cast<size_t>(r)], f);
          for (int64_t c = 0; c < cols; ++c) {
            uint64_t v = 1;
            for (int e : monos[static_cast<size_t>(c)]) v = f.mul(v, nv[static_cast<size_t>(e)]);
            M[static_cast<size_t>(r * cols + c)] = v;
          }
        },
        [&](int64_t done) {
          if (bar) bar->set(done);
        });
    if (bar) bar->finish();
    const auto kernel = exact::kernel_mod(M, rows, cols, f);

    IdealPart part;
    part.degree = d;
    part.monomials = cols;
    part.dimension = static_cast<int64_t>(kernel.size());
    // sigma * I_{d-1}: its span inside the degree-d monomials
    exact::EchelonMod span(cols, f);
    for (const auto& g : lower)
      for (int e = 0; e < m; ++e) {
        std::vector<uint64_t> row(static_cast<size_t>(cols), 0);
        for (size_t c = 0; c < lower_monos.size(); ++c) {
          if (g[c] == 0) continue;
          Exps x = lower_monos[c];
          x.insert(std::upper_bound(x.begin(), x.end(), e), e);
          row[static_cast<size_t>(column[x])] = g[c];
        }
        span.add(std::move(row));
      }
    part.from_lower = span.rank();

    part.verified = true;
    for (const auto& vec : kernel) {
      // lift to Q
      QPoly poly(ideal.ring);
      bool lifted = true;
      for (int64_t c = 0; c < cols && lifted; ++c) {
        if (vec[static_cast<size_t>(c)] == 0) continue;
        const auto q = exact::rational_reconstruct(vec[static_cast<size_t>(c)], f);
        if (!q) {
          lifted = false;
          break;
        }
        QPoly mono(ideal.ring, *q);
        for (int e : monos[static_cast<size_t>(c)]) mono *= QPoly::var(ideal.ring, e);
        poly += mono;
      }
      // a readable sign: the leading term (in the ring's order) positive
      if (lifted && !poly.is_zero() && poly.terms().front().coeff.sign() < 0) poly = -poly;
      // verify: f(N) == 0 exactly
      bool ok = lifted;
      if (ok) {
        QPoly value(p.ring);
        for (const auto& term : poly.terms()) {
          QPoly t(p.ring, term.coeff);
          for (int e = 0; e < m; ++e)
            if (term.exps[static_cast<size_t>(e)])
              t *= p.numer_at(entries[static_cast<size_t>(e)].first, entries[static_cast<size_t>(e)].second)
                       .pow(term.exps[static_cast<size_t>(e)]);
          value += t;
        }
        ok = value.is_zero();
      }
      part.verified = part.verified && ok;
      if (!lifted) ++part.unlifted;
      // new generator: outside the span of sigma * I_{d-1} and of the earlier new ones
      if (span.add(vec) && lifted) part.new_generators.push_back(poly);
      if (lifted) part.basis.push_back(std::move(poly));  // never a half-lifted polynomial
    }
    lower = kernel;
    lower_monos = monos;
    ideal.parts.push_back(std::move(part));
  }
  return ideal;
}

}  // namespace factorkit::sem
