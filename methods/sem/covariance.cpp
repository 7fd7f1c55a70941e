#include "covariance.h"

#include <flint/ulong_extras.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "factorkit/core/error.h"

namespace factorkit::sem {

using exact::QPoly;
using exact::Rational;

namespace {

constexpr int64_t kMaxWalks = 1'000'000;

constexpr int64_t kMaxTerms = 2'000'000;

// The product, refused before it is formed when it could exceed kMaxTerms terms.
QPoly mul_checked(const QPoly& a, const QPoly& b) {
  if (static_cast<double>(a.length()) * static_cast<double>(b.length()) > 50.0 * kMaxTerms)
    throw InvalidInput("--graph", fmt::format("a product of polynomials with {} and {} terms", a.length(), b.length()),
                       fmt::format("a graph whose covariance polynomials stay below {} terms", kMaxTerms),
                       "GraphTooLarge");
  QPoly r = a * b;
  if (r.length() > kMaxTerms)
    throw InvalidInput("--graph", fmt::format("a polynomial with {} terms", r.length()),
                       fmt::format("a graph whose covariance polynomials stay below {} terms", kMaxTerms),
                       "GraphTooLarge");
  return r;
}

}  // namespace

std::string parameter_name(char kind, const MixedGraph& g, int i, int j) {
  const bool short_names = g.short_names();
  const std::string& a = g.names[static_cast<size_t>(i)];
  const std::string& b = g.names[static_cast<size_t>(j)];
  std::string out(1, kind);
  if (short_names) {
    out.append(a);
    out.append(b);
  } else {  // names may hold '_': a separator they cannot hold
    out.push_back('(');
    out.append(a);
    out.push_back(',');
    out.append(b);
    out.push_back(')');
  }
  return out;
}

namespace {

struct Cycle {
  uint64_t mask;
  QPoly weight;
};

class Builder {
 public:
  Builder(const MixedGraph& g, const exact::PolyRing& ring, const std::vector<int64_t>& lambda)
      : g_(g), ring_(ring), n_(g.size()), out_(static_cast<size_t>(n_)) {
    for (size_t k = 0; k < g.directed.size(); ++k) {
      const auto [i, j] = g.directed[k];
      out_[static_cast<size_t>(i)].push_back({j, QPoly::var(ring, lambda[k])});
    }
    find_cycles();
  }

  // det(I - Lambda) restricted to the vertices in `mask`: collections of
  // disjoint cycles either miss the lowest vertex v or hold one cycle through v.
  const QPoly& det(uint64_t mask) {
    auto it = memo_.find(mask);
    if (it != memo_.end()) return it->second;
    QPoly d(ring_, Rational(1));
    if (mask) {
      const int v = __builtin_ctzll(mask);
      d = det(mask & ~(uint64_t{1} << v));
      // a cycle through the lowest vertex v of the mask starts at v
      for (const Cycle& c : cycles_[static_cast<size_t>(v)])
        if ((c.mask & ~mask) == 0) d -= mul_checked(c.weight, det(mask & ~c.mask));
    }
    return memo_.emplace(mask, std::move(d)).first->second;
  }

  // adj_ij: simple paths i -> j times the determinant on the rest.
  QPoly adj(int i, int j) {
    const uint64_t all = n_ == 64 ? ~uint64_t{0} : (uint64_t{1} << n_) - 1;
    QPoly sum(ring_);
    if (i == j) return det(all & ~(uint64_t{1} << i));
    QPoly w(ring_, Rational(1));
    paths(i, j, uint64_t{1} << i, w, all, sum);
    return sum;
  }

 private:
  void count() {
    if (++walks_ > kMaxWalks)
      throw InvalidInput("--graph", fmt::format("{} vertices, {} directed edges", n_, g_.directed.size()),
                         "a graph with at most 10^6 simple paths and cycles", "GraphTooLarge");
  }
  void paths(int v, int target, uint64_t used, const QPoly& w, uint64_t all, QPoly& sum) {
    for (const auto& [u, l] : out_[static_cast<size_t>(v)]) {
      if (used >> u & 1) continue;
      count();
      const QPoly w2 = w * l;
      if (u == target)
        sum += mul_checked(w2, det(all & ~(used | uint64_t{1} << u)));
      else
        paths(u, target, used | uint64_t{1} << u, w2, all, sum);
    }
  }
  // each simple cycle once, from its lowest vertex
  void find_cycles() {
    cycles_.resize(static_cast<size_t>(n_));
    for (int s = 0; s < n_; ++s) {
      QPoly one(ring_, Rational(1));
      cycle_dfs(s, s, uint64_t{1} << s, one);
    }
  }
  void cycle_dfs(int start, int v, uint64_t used, const QPoly& w) {
    for (const auto& [u, l] : out_[static_cast<size_t>(v)]) {
      if (u < start) continue;
      count();
      if (u == start) {
        cycles_[static_cast<size_t>(start)].push_back({used, w * l});
      } else if (!(used >> u & 1)) {
        cycle_dfs(start, u, used | uint64_t{1} << u, w * l);
      }
    }
  }

  const MixedGraph& g_;
  const exact::PolyRing& ring_;
  int n_;
  std::vector<std::vector<std::pair<int, QPoly>>> out_;
  std::vector<std::vector<Cycle>> cycles_;  // by lowest (start) vertex
  std::map<uint64_t, QPoly> memo_;
  int64_t walks_ = 0;
};

exact::PolyRing make_ring(const MixedGraph& g) {
  std::vector<std::string> names;
  for (const auto& [i, j] : g.directed) names.push_back(parameter_name('l', g, i, j));
  for (int i = 0; i < g.size(); ++i) names.push_back(parameter_name('w', g, i, i));
  for (const auto& [i, j] : g.bidirected) names.push_back(parameter_name('w', g, i, j));
  return exact::PolyRing(std::move(names));
}

}  // namespace

Parametrization parametrize(const MixedGraph& g) {
  if (g.size() == 0) throw InvalidInput("--graph", "no vertices", "a graph with at least one vertex", "EmptyGraph");
  if (g.size() > 62) throw InvalidInput("--graph", fmt::format("{} vertices", g.size()), "at most 62 vertices", "GraphTooLarge");
  exact::PolyRing ring = make_ring(g);
  Parametrization p{g, ring, {}, {}, {}, QPoly(ring), {}, {}};
  int64_t v = 0;
  for (size_t k = 0; k < g.directed.size(); ++k) p.lambda.push_back(v++);
  for (int i = 0; i < g.size(); ++i) p.omega_diag.push_back(v++);
  for (size_t k = 0; k < g.bidirected.size(); ++k) p.omega_bi.push_back(v++);
  Builder b(g, ring, p.lambda);
  const int n = g.size();
  const uint64_t all = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  p.det = b.det(all);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) p.adj.push_back(b.adj(i, j));
  // Omega as a list of (k, l, omega_kl), both orders for the bidirected ones
  std::vector<std::tuple<int, int, QPoly>> omega;
  for (int i = 0; i < n; ++i) omega.emplace_back(i, i, QPoly::var(ring, p.omega_diag[static_cast<size_t>(i)]));
  for (size_t k = 0; k < g.bidirected.size(); ++k) {
    const auto [i, j] = g.bidirected[k];
    omega.emplace_back(i, j, QPoly::var(ring, p.omega_bi[k]));
    omega.emplace_back(j, i, QPoly::var(ring, p.omega_bi[k]));
  }
  p.numer.assign(static_cast<size_t>(n * n), QPoly(ring));
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j) {
      QPoly s(ring);
      for (const auto& [k, l, w] : omega) s += mul_checked(p.adj_at(k, i) * w, p.adj_at(l, j));
      if (s.length() > kMaxTerms)
        throw InvalidInput("--graph", fmt::format("sigma_{},{} with {} terms", i, j, s.length()),
                           fmt::format("a graph whose covariance polynomials stay below {} terms", kMaxTerms),
                           "GraphTooLarge");
      p.numer[static_cast<size_t>(i * n + j)] = s;
      p.numer[static_cast<size_t>(j * n + i)] = s;
    }
  return p;
}

std::vector<Rational> covariance_by_inversion(const Parametrization& p, std::span<const Rational> point) {
  if (static_cast<int64_t>(point.size()) != p.params())
    throw InvalidInput("covariance", fmt::format("{} values", point.size()), fmt::format("{} values", p.params()),
                       "BadPoint");
  const int n = p.n();
  // M = I - Lambda; inverse by Gauss–Jordan over Q
  std::vector<std::vector<Rational>> a(static_cast<size_t>(n), std::vector<Rational>(static_cast<size_t>(2 * n)));
  for (int i = 0; i < n; ++i) {
    a[static_cast<size_t>(i)][static_cast<size_t>(i)] = Rational(1);
    a[static_cast<size_t>(i)][static_cast<size_t>(n + i)] = Rational(1);
  }
  for (size_t k = 0; k < p.graph.directed.size(); ++k) {
    const auto [i, j] = p.graph.directed[k];
    a[static_cast<size_t>(i)][static_cast<size_t>(j)] = -point[static_cast<size_t>(p.lambda[k])];
  }
  for (int c = 0; c < n; ++c) {
    int piv = c;
    while (piv < n && a[static_cast<size_t>(piv)][static_cast<size_t>(c)].is_zero()) ++piv;
    if (piv == n)
      throw NumericalFailure("covariance", "I - Lambda", "a non-singular I - Lambda at this point", "Singular");
    std::swap(a[static_cast<size_t>(piv)], a[static_cast<size_t>(c)]);
    const Rational inv = Rational(1) / a[static_cast<size_t>(c)][static_cast<size_t>(c)];
    for (auto& x : a[static_cast<size_t>(c)]) x *= inv;
    for (int r = 0; r < n; ++r) {
      if (r == c || a[static_cast<size_t>(r)][static_cast<size_t>(c)].is_zero()) continue;
      const Rational f = a[static_cast<size_t>(r)][static_cast<size_t>(c)];
      for (int k = 0; k < 2 * n; ++k)
        a[static_cast<size_t>(r)][static_cast<size_t>(k)] -= f * a[static_cast<size_t>(c)][static_cast<size_t>(k)];
    }
  }
  auto minv = [&](int i, int j) -> const Rational& { return a[static_cast<size_t>(i)][static_cast<size_t>(n + j)]; };
  std::vector<std::vector<Rational>> omega(static_cast<size_t>(n), std::vector<Rational>(static_cast<size_t>(n)));
  for (int i = 0; i < n; ++i) omega[static_cast<size_t>(i)][static_cast<size_t>(i)] = point[static_cast<size_t>(p.omega_diag[static_cast<size_t>(i)])];
  for (size_t k = 0; k < p.graph.bidirected.size(); ++k) {
    const auto [i, j] = p.graph.bidirected[k];
    omega[static_cast<size_t>(i)][static_cast<size_t>(j)] = omega[static_cast<size_t>(j)][static_cast<size_t>(i)] =
        point[static_cast<size_t>(p.omega_bi[k])];
  }
  std::vector<Rational> sigma(static_cast<size_t>(n * n));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      Rational s(0);
      for (int k = 0; k < n; ++k)
        for (int l = 0; l < n; ++l)
          if (!omega[static_cast<size_t>(k)][static_cast<size_t>(l)].is_zero())
            s += minv(k, i) * omega[static_cast<size_t>(k)][static_cast<size_t>(l)] * minv(l, j);
      sigma[static_cast<size_t>(i * n + j)] = s;
    }
  return sigma;
}

std::vector<Rational> covariance_by_formula(const Parametrization& p, std::span<const Rational> point) {
  const Rational d = p.det.evaluate(point);
  if (d.is_zero()) throw NumericalFailure("covariance", "det(I - Lambda)", "a non-zero determinant at this point", "Singular");
  const Rational d2 = d * d;
  std::vector<Rational> sigma;
  for (const QPoly& q : p.numer) sigma.push_back(q.evaluate(point) / d2);
  return sigma;
}

JacobianRank jacobian_rank(const Parametrization& p, int points, uint64_t seed) {
  JacobianRank r;
  r.params = p.params();
  r.entries = p.entries();
  r.prime = n_nextprime(uint64_t{1} << 62, 1);
  const exact::PrimeField f(r.prime);
  const int n = p.n();
  const int64_t m = r.entries, k = r.params;
  // rows (i <= j): d(N/D^2) = (dN D - 2 N dD) / D^3; D^3 scales a row, not the rank
  std::vector<const QPoly*> rows;
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j) rows.push_back(&p.numer_at(i, j));
  std::vector<QPoly> dD;
  for (int64_t v = 0; v < k; ++v) dD.push_back(p.det.derivative(v));
  std::vector<std::vector<QPoly>> dN(static_cast<size_t>(m));
  for (int64_t e = 0; e < m; ++e)
    for (int64_t v = 0; v < k; ++v) dN[static_cast<size_t>(e)].push_back(rows[static_cast<size_t>(e)]->derivative(v));
  std::mt19937_64 rng(seed ^ 0x5eed5e3ull);
  std::uniform_int_distribution<uint64_t> uni(1, r.prime - 1);
  for (int t = 0; t < points; ++t) {
    std::vector<uint64_t> pt(static_cast<size_t>(k));
    for (auto& x : pt) x = uni(rng);
    const uint64_t D = p.det.evaluate_mod(pt, f);
    if (D == 0) continue;
    std::vector<uint64_t> J(static_cast<size_t>(m * k));
    for (int64_t e = 0; e < m; ++e) {
      const uint64_t N = rows[static_cast<size_t>(e)]->evaluate_mod(pt, f);
      for (int64_t v = 0; v < k; ++v) {
        const uint64_t a = f.mul(dN[static_cast<size_t>(e)][static_cast<size_t>(v)].evaluate_mod(pt, f), D);
        const uint64_t b = f.mul(f.mul(2, N), dD[static_cast<size_t>(v)].evaluate_mod(pt, f));
        J[static_cast<size_t>(e * k + v)] = f.sub(a, b);
      }
    }
    r.rank = std::max(r.rank, exact::rank_mod(J, m, k, f));
    ++r.points;
  }
  return r;
}

}  // namespace factorkit::sem
