#include "ideal.h"

#include <flint/ulong_extras.h>
#include <fmt/format.h>

#include <algorithm>
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

// Calls fn(mono) for every multiset of d of the m variables, in lexicographic order.
template <class F>
void for_each_monomial_from(int m, int d, int start, Exps& cur, F& fn) {
  if (static_cast<int>(cur.size()) == d) {
    fn(static_cast<const Exps&>(cur));
    return;
  }
  for (int v = start; v < m; ++v) {
    cur.push_back(v);
    for_each_monomial_from(m, d, v, cur, fn);
    cur.pop_back();
  }
}
template <class F>
void for_each_monomial(int m, int d, F&& fn) {
  Exps cur;
  for_each_monomial_from(m, d, 0, cur, fn);
}

int64_t binomial(int64_t n, int64_t k) {
  double r = 1;
  for (int64_t i = 1; i <= k; ++i) r = r * static_cast<double>(n - k + i) / static_cast<double>(i);
  return r > 1e15 ? INT64_MAX : static_cast<int64_t>(r + 0.5);
}

// Points beyond a block's monomial count. A polynomial of degree D in the
// parameters that is not zero vanishes at a random point mod p with
// probability at most D / p (p ~ 4.6e18), so a spurious kernel vector is
// about as likely as a cosmic ray; and every vector is verified exactly.
constexpr int64_t kExtraPoints = 2;

// Monomials of one degree are listed (and grouped) in memory: at most this many.
constexpr int64_t kMaxListed = 2'000'000;

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
  std::vector<QPoly> numer;  // N_ij for the variable sigma_ij
  for (const auto& [i, j] : entries) numer.push_back(p.numer_at(i, j));
  const exact::PrimeField f(n_nextprime(uint64_t{1} << 62, 1));
  std::mt19937_64 rng(opts.seed ^ 0x1dea1ull);
  std::uniform_int_distribution<uint64_t> uni(1, f.p() - 1);

  // The multidegree of a monomial: how often each vertex occurs in its
  // sigma_ij (sigma_ij has e_i + e_j). Rescaling the variables, X -> T X,
  // maps the model to itself (Lambda -> T^-1 Lambda T, Omega -> T Omega T)
  // and Sigma to T Sigma T, so the ideal is spanned by polynomials of one
  // multidegree each: every degree splits into independent small blocks.
  auto multidegree = [&](const Exps& mono) {
    Exps a(static_cast<size_t>(n), 0);
    for (int e : mono) {
      ++a[static_cast<size_t>(entries[static_cast<size_t>(e)].first)];
      ++a[static_cast<size_t>(entries[static_cast<size_t>(e)].second)];
    }
    return a;
  };
  struct Degree {
    std::vector<std::vector<Exps>> blocks;  // monomials of each multidegree, blocks in multidegree order
    std::map<Exps, std::pair<int64_t, int64_t>> where;  // monomial -> (block, column in the block)
    int64_t monomials = 0, largest = 0;
  };
  auto split = [&](int d) {
    std::map<Exps, std::vector<Exps>> by;
    int64_t count = 0;
    for_each_monomial(m, d, [&](const Exps& mono) {
      by[multidegree(mono)].push_back(mono);
      ++count;
    });
    Degree g;
    g.monomials = count;
    for (auto& [key, block] : by) {
      for (size_t c = 0; c < block.size(); ++c)
        g.where[block[c]] = {static_cast<int64_t>(g.blocks.size()), static_cast<int64_t>(c)};
      g.largest = std::max(g.largest, static_cast<int64_t>(block.size()));
      g.blocks.push_back(std::move(block));
    }
    return g;
  };
  // Refuse before any work: too many monomials to list, or a block too large
  // for dense linear algebra.
  for (int d = 1; d <= opts.max_degree; ++d) {
    const int64_t count = binomial(m + d - 1, d);
    if (count > kMaxListed)
      throw InvalidInput("--max-degree", std::to_string(opts.max_degree),
                         fmt::format("a degree with at most {} monomials (degree {} in {} covariances has {})",
                                     kMaxListed, d, m, count),
                         "TooManyMonomials");
  }
  // The largest block of each degree, counted without keeping the monomials
  // (only one degree and the one below are held at a time later).
  for (int d = 1; d <= opts.max_degree; ++d) {
    std::map<Exps, int64_t> sizes;
    int64_t largest = 0;
    for_each_monomial(m, d, [&](const Exps& mono) { largest = std::max(largest, ++sizes[multidegree(mono)]); });
    if (largest > opts.max_monomials)
      throw InvalidInput("--max-degree", std::to_string(opts.max_degree),
                         fmt::format("at most {} monomials of one multidegree (degree {} in {} covariances has {})",
                                     opts.max_monomials, d, m, largest),
                         "TooManyMonomials");
  }

  struct Found {
    std::vector<uint64_t> vec;  // mod p, over the block's monomials
    std::optional<QPoly> poly;  // lifted to Q (empty: coefficients too large for one prime)
    bool verified = false;      // poly(N) == 0 exactly
  };
  std::optional<Degree> lower;
  std::vector<std::vector<Found>> lower_found;
  for (int d = 1; d <= opts.max_degree; ++d) {
    Degree g = split(d);
    // random parameter points (drawn here, so the result does not depend on
    // the threads) and the N_ij there: each block uses its first size + kExtraPoints
    const int64_t rows = g.largest + kExtraPoints;
    std::vector<uint64_t> point(static_cast<size_t>(p.params())), nv(static_cast<size_t>(rows * m));
    std::vector<std::vector<uint64_t>> points(static_cast<size_t>(rows), point);
    for (auto& pt : points)
      for (auto& x : pt) x = uni(rng);
    const int threads = exact::resolve_threads(opts.threads);
    exact::parallel_for(rows, threads, [&](int64_t r) {
      for (int e = 0; e < m; ++e)
        nv[static_cast<size_t>(r * m + e)] =
            numer[static_cast<size_t>(e)].evaluate_mod(points[static_cast<size_t>(r)], f);
    });

    // Each block: kernel mod p, lift, exact check.
    const int64_t nblocks = static_cast<int64_t>(g.blocks.size());
    std::vector<std::vector<Found>> found(static_cast<size_t>(nblocks));
    std::optional<Progress> bar;
    if (opts.progress) bar.emplace(fmt::format("sem ideal, degree {}", d), nblocks);
    exact::parallel_for(
        nblocks, threads,
        [&](int64_t b) {
          const auto& monos = g.blocks[static_cast<size_t>(b)];
          const int64_t cols = static_cast<int64_t>(monos.size()), brows = cols + kExtraPoints;
          std::vector<uint64_t> M(static_cast<size_t>(brows * cols));
          for (int64_t r = 0; r < brows; ++r)
            for (int64_t c = 0; c < cols; ++c) {
              uint64_t v = 1;
              for (int e : monos[static_cast<size_t>(c)]) v = f.mul(v, nv[static_cast<size_t>(r * m + e)]);
              M[static_cast<size_t>(r * cols + c)] = v;
            }
          for (auto& vec : exact::kernel_mod(M, brows, cols, f)) {
            Found x;
            std::vector<QPoly::Term> terms;
            bool lifted = true;
            for (int64_t c = 0; c < cols && lifted; ++c) {
              if (vec[static_cast<size_t>(c)] == 0) continue;
              const auto q = exact::rational_reconstruct(vec[static_cast<size_t>(c)], f);
              if (!q) {
                lifted = false;
                break;
              }
              QPoly::Term t{*q, std::vector<uint64_t>(static_cast<size_t>(m), 0)};
              for (int e : monos[static_cast<size_t>(c)]) ++t.exps[static_cast<size_t>(e)];
              terms.push_back(std::move(t));
            }
            if (lifted) {
              QPoly poly = QPoly::from_terms(ideal.ring, terms);
              // a readable sign: the leading term (in the ring's order) positive
              if (!poly.is_zero() && poly.terms().front().coeff.sign() < 0) poly = -poly;
              x.verified = poly.compose(numer, p.ring).is_zero();  // f(N) == 0 exactly
              x.poly = std::move(poly);
            }
            x.vec = std::move(vec);
            found[static_cast<size_t>(b)].push_back(std::move(x));
          }
        },
        [&](int64_t done) {
          if (bar) bar->set(done);
        });
    if (bar) bar->finish();

    // sigma * I_{d-1} inside each block, then the new generators beyond it.
    std::vector<exact::EchelonMod> span;
    for (const auto& block : g.blocks) span.emplace_back(static_cast<int64_t>(block.size()), f);
    if (lower)
      for (size_t lb = 0; lb < lower_found.size(); ++lb)
        for (const Found& x : lower_found[lb])
          for (int e = 0; e < m; ++e) {
            int64_t target = -1;
            std::vector<uint64_t> row;
            for (size_t c = 0; c < x.vec.size(); ++c) {
              if (x.vec[c] == 0) continue;
              Exps mono = lower->blocks[lb][c];
              mono.insert(std::upper_bound(mono.begin(), mono.end(), e), e);
              const auto [blk, col] = g.where.at(mono);
              if (target < 0) {
                target = blk;
                row.assign(g.blocks[static_cast<size_t>(blk)].size(), 0);
              }
              row[static_cast<size_t>(col)] = x.vec[c];
            }
            if (target >= 0) span[static_cast<size_t>(target)].add(std::move(row));
          }
    IdealPart part;
    part.degree = d;
    part.monomials = g.monomials;
    part.blocks = nblocks;
    part.largest_block = g.largest;
    part.verified = true;
    for (int64_t b = 0; b < nblocks; ++b) {
      part.from_lower += span[static_cast<size_t>(b)].rank();
      for (Found& x : found[static_cast<size_t>(b)]) {
        ++part.dimension;
        const bool fresh = span[static_cast<size_t>(b)].add(x.vec);
        part.verified = part.verified && x.verified;
        if (!x.poly) {
          ++part.unlifted;
          continue;  // never a half-lifted polynomial
        }
        if (fresh) part.new_generators.push_back(*x.poly);
        part.basis.push_back(*x.poly);
      }
    }
    ideal.parts.push_back(std::move(part));
    lower = std::move(g);
    lower_found = std::move(found);
  }
  return ideal;
}

}  // namespace factorkit::sem
