#include "sobol.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"

namespace factorkit::craft {
namespace {

struct Direction {
  std::uint32_t poly;
  std::initializer_list<std::uint32_t> m;
};
const Direction kDirections[] = {
#include "sobol_directions.inc"
};
static_assert(sizeof(kDirections) / sizeof(kDirections[0]) == kSobolMaxDims);

constexpr int kBits = 30;

void check_size(std::int64_t n, std::int64_t dims, const char* what) {
  if (n < 0) throw InvalidInput(what, "n", fmt::format(">= 0 points (got {})", n));
  if (dims < 1) throw InvalidInput(what, "dims", fmt::format(">= 1 dimension (got {})", dims));
}

// The first `count` primes.
std::vector<std::uint64_t> primes(std::int64_t count) {
  std::vector<std::uint64_t> p;
  for (std::uint64_t c = 2; std::int64_t(p.size()) < count; ++c) {
    bool prime = true;
    for (const std::uint64_t q : p) {
      if (q * q > c) break;
      if (c % q == 0) { prime = false; break; }
    }
    if (prime) p.push_back(c);
  }
  return p;
}

// The direction integers v_1 … v_kBits of one dimension, scaled to kBits bits.
std::array<std::uint32_t, kBits + 1> directions(std::int64_t dim) {
  std::array<std::uint32_t, kBits + 1> v{};
  const Direction& d = kDirections[dim];
  int s = 0;
  while ((d.poly >> (s + 1)) != 0) ++s;  // degree
  if (s == 0) {
    for (int k = 1; k <= kBits; ++k) v[k] = 1u << (kBits - k);
    return v;
  }
  int k = 1;
  for (const std::uint32_t m : d.m) {
    v[k] = m << (kBits - k);
    ++k;
  }
  for (; k <= kBits; ++k) {
    std::uint32_t x = v[k - s] ^ (v[k - s] >> s);
    for (int l = 1; l < s; ++l)
      if ((d.poly >> (s - l)) & 1u) x ^= v[k - l];
    v[k] = x;
  }
  return v;
}

std::vector<double> to_doubles(const at::Tensor& outputs, std::int64_t n, std::int64_t d, const char* what) {
  if (n < 2) throw InvalidInput(what, "n", fmt::format(">= 2 design points (got {})", n));
  if (d < 1) throw InvalidInput(what, "d", fmt::format(">= 1 dimension (got {})", d));
  const at::Tensor y = outputs.detach().reshape(-1).to(at::kDouble).contiguous();
  if (y.numel() != n * (d + 2))
    throw InvalidInput(what, "outputs", fmt::format("n (d + 2) = {} values in the order [A; B; C_1 … C_d] (got {})",
                                                    n * (d + 2), y.numel()));
  return {y.data_ptr<double>(), y.data_ptr<double>() + y.numel()};
}

constexpr double kVarianceFloor = 1e-12;

// Indices of one (re)sample: rows[k] picks design point rows[k] of every block.
struct Blocks {
  const std::vector<double>& y;
  std::int64_t n, d;
  double a(std::int64_t k) const { return y[std::size_t(k)]; }
  double b(std::int64_t k) const { return y[std::size_t(n + k)]; }
  double c(std::int64_t i, std::int64_t k) const { return y[std::size_t((2 + i) * n + k)]; }
};

// Mean of yA and its variance (ddof 1, floored) over the drawn rows.
std::pair<double, double> mean_var_a(const Blocks& bl, const std::vector<std::int64_t>& rows) {
  const double N = double(rows.size());
  double mean_a = 0;
  for (const auto k : rows) mean_a += bl.a(k);
  mean_a /= N;
  double ss = 0;
  for (const auto k : rows) ss += (bl.a(k) - mean_a) * (bl.a(k) - mean_a);
  return {mean_a, std::max(ss / (N - 1), kVarianceFloor)};
}

std::vector<double> total_of(const Blocks& bl, const std::vector<std::int64_t>& rows, Estimator e) {
  const double N = double(rows.size());
  const auto [mean_a, var] = mean_var_a(bl, rows);
  std::vector<double> st(static_cast<std::size_t>(bl.d));
  for (std::int64_t i = 0; i < bl.d; ++i) {
    double v = 0;
    switch (e) {
      case Estimator::Jansen: {
        double s = 0;
        for (const auto k : rows) s += (bl.a(k) - bl.c(i, k)) * (bl.a(k) - bl.c(i, k));
        v = s / (2 * N * var);
        break;
      }
      case Estimator::Homma:
      case Estimator::Saltelli: {
        double s = 0;
        for (const auto k : rows) s += bl.a(k) * bl.c(i, k);
        v = 1 - (s / N - mean_a * mean_a) / var;
        break;
      }
      case Estimator::Janon: {
        double sum = 0, sq = 0, prod = 0;
        for (const auto k : rows) {
          sum += bl.a(k) + bl.c(i, k);
          sq += bl.a(k) * bl.a(k) + bl.c(i, k) * bl.c(i, k);
          prod += bl.a(k) * bl.c(i, k);
        }
        const double mu = sum / (2 * N);
        const double vi = std::max(sq / (2 * (N - 1)) - mu * mu, kVarianceFloor);
        v = 1 - (prod / N - mu * mu) / vi;
        break;
      }
      case Estimator::Glen: {
        double mean_c = 0;
        for (const auto k : rows) mean_c += bl.c(i, k);
        mean_c /= N;
        double cov = 0, va = 0, vc = 0;
        for (const auto k : rows) {
          const double da = bl.a(k) - mean_a, dc = bl.c(i, k) - mean_c;
          cov += da * dc;
          va += da * da;
          vc += dc * dc;
        }
        const double denom = std::sqrt(std::max(va / N, kVarianceFloor) * std::max(vc / N, kVarianceFloor));
        v = 1 - cov / (N - 1) / denom;
        break;
      }
    }
    st[std::size_t(i)] = v;
  }
  return st;
}

std::vector<double> first_of(const Blocks& bl, const std::vector<std::int64_t>& rows) {
  const double N = double(rows.size());
  const double var = mean_var_a(bl, rows).second;
  std::vector<double> s1(static_cast<std::size_t>(bl.d));
  for (std::int64_t i = 0; i < bl.d; ++i) {
    double s = 0;
    for (const auto k : rows) s += bl.b(k) * (bl.c(i, k) - bl.a(k));
    s1[std::size_t(i)] = s / (N * var);
  }
  return s1;
}

std::vector<std::int64_t> all_rows(std::int64_t n) {
  std::vector<std::int64_t> r(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) r[std::size_t(k)] = k;
  return r;
}

}  // namespace

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const auto lo = std::size_t(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

std::string to_string(Sampler s) {
  switch (s) {
    case Sampler::Halton: return "halton";
    case Sampler::Sobol: return "sobol";
    case Sampler::LatinHypercube: return "lhs";
  }
  return "?";
}

std::string to_string(Estimator e) {
  switch (e) {
    case Estimator::Jansen: return "jansen";
    case Estimator::Homma: return "homma";
    case Estimator::Janon: return "janon";
    case Estimator::Glen: return "glen";
    case Estimator::Saltelli: return "saltelli";
  }
  return "?";
}

Sampler parse_sampler(const std::string& s, const std::string& where) {
  for (const Sampler v : {Sampler::Halton, Sampler::Sobol, Sampler::LatinHypercube})
    if (s == to_string(v)) return v;
  throw InvalidInput(where, "sampler", fmt::format("one of halton, sobol, lhs (got '{}')", s));
}

Estimator parse_estimator(const std::string& s, const std::string& where) {
  for (const Estimator v : {Estimator::Jansen, Estimator::Homma, Estimator::Janon, Estimator::Glen, Estimator::Saltelli})
    if (s == to_string(v)) return v;
  throw InvalidInput(where, "estimator", fmt::format("one of jansen, homma, janon, glen, saltelli (got '{}')", s));
}

at::Tensor halton(std::int64_t n, std::int64_t dims) {
  check_size(n, dims, "halton");
  const auto bases = primes(dims);
  at::Tensor out = at::empty({n, dims}, at::kDouble);
  auto acc = out.accessor<double, 2>();
  for (std::int64_t j = 0; j < dims; ++j) {
    const std::uint64_t b = bases[std::size_t(j)];
    for (std::int64_t i = 0; i < n; ++i) {
      double x = 0, f = 1.0 / double(b);
      for (std::uint64_t k = std::uint64_t(i); k > 0; k /= b, f /= double(b)) x += f * double(k % b);
      acc[i][j] = x;
    }
  }
  return out;
}

at::Tensor sobol(std::int64_t n, std::int64_t dims) {
  check_size(n, dims, "sobol");
  if (dims > kSobolMaxDims)
    throw InvalidInput("sobol", "dims", fmt::format("at most {} dimensions (got {}); use the halton sampler",
                                                    kSobolMaxDims, dims));
  if (n > (std::int64_t(1) << kBits))
    throw InvalidInput("sobol", "n", fmt::format("at most 2^{} points (got {})", kBits, n));
  at::Tensor out = at::empty({n, dims}, at::kDouble);
  auto acc = out.accessor<double, 2>();
  for (std::int64_t j = 0; j < dims; ++j) {
    const auto v = directions(j);
    std::uint32_t x = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      acc[i][j] = double(x) * std::ldexp(1.0, -kBits);
      // Gray-code order: the next point flips the direction of i's lowest zero bit.
      int c = 1;
      for (std::uint64_t k = std::uint64_t(i); k & 1u; k >>= 1) ++c;
      if (c <= kBits) x ^= v[std::size_t(c)];
    }
  }
  return out;
}

at::Tensor latin_hypercube(std::int64_t n, std::int64_t dims, std::uint64_t seed) {
  check_size(n, dims, "latin_hypercube");
  at::Tensor out = at::empty({n, dims}, at::kDouble);
  auto acc = out.accessor<double, 2>();
  for (std::int64_t j = 0; j < dims; ++j) {
    std::mt19937_64 rng(derive_seed(seed, {0x1A5u, std::uint64_t(j)}));
    const auto p = permutation(n, rng);
    for (std::int64_t i = 0; i < n; ++i) acc[i][j] = (double(p[std::size_t(i)]) + uniform53(rng)) / double(n);
  }
  return out;
}

at::Tensor sample(Sampler s, std::int64_t n, std::int64_t dims, std::uint64_t seed) {
  switch (s) {
    case Sampler::Halton: return halton(n, dims);
    case Sampler::Sobol: return sobol(n, dims);
    case Sampler::LatinHypercube: return latin_hypercube(n, dims, seed);
  }
  return {};
}

at::Tensor replicated_design(Sampler s, std::int64_t n, std::int64_t d, std::uint64_t seed) {
  if (d < 1) throw InvalidInput("replicated_design", "d", fmt::format(">= 1 dimension (got {})", d));
  const at::Tensor p = sample(s, n, 2 * d, seed);
  const at::Tensor a = p.slice(1, 0, d), b = p.slice(1, d, 2 * d);
  std::vector<at::Tensor> blocks{a, b};
  for (std::int64_t i = 0; i < d; ++i) {
    at::Tensor c = a.clone();
    c.select(1, i).copy_(b.select(1, i));
    blocks.push_back(c);
  }
  return at::cat(blocks, 0).contiguous();
}

std::vector<double> total_indices(const at::Tensor& outputs, std::int64_t n, std::int64_t d, Estimator e) {
  const auto y = to_doubles(outputs, n, d, "total_indices");
  return total_of(Blocks{y, n, d}, all_rows(n), e);
}

std::vector<double> first_order_indices(const at::Tensor& outputs, std::int64_t n, std::int64_t d) {
  const auto y = to_doubles(outputs, n, d, "first_order_indices");
  return first_of(Blocks{y, n, d}, all_rows(n));
}

SobolIndices sobol_indices(const at::Tensor& outputs, std::int64_t n, std::int64_t d, Estimator e,
                           const BootstrapOptions& bootstrap) {
  const auto y = to_doubles(outputs, n, d, "sobol_indices");
  const Blocks bl{y, n, d};
  SobolIndices out;
  out.total = total_of(bl, all_rows(n), e);
  out.first = first_of(bl, all_rows(n));
  if (bootstrap.resamples <= 0) return out;
  if (!(bootstrap.level > 0 && bootstrap.level < 1))
    throw InvalidInput("sobol_indices", "level", fmt::format("a confidence level in (0, 1) (got {})", bootstrap.level));
  std::vector<std::vector<double>> tot(static_cast<std::size_t>(d)), fst(static_cast<std::size_t>(d));
  std::mt19937_64 rng(derive_seed(bootstrap.seed, {0xB0075u}));
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  for (std::int64_t r = 0; r < bootstrap.resamples; ++r) {
    for (auto& k : rows) k = std::int64_t(uniform53(rng) * double(n));
    const auto t = total_of(bl, rows, e);
    const auto f = first_of(bl, rows);
    for (std::int64_t i = 0; i < d; ++i) {
      tot[std::size_t(i)].push_back(t[std::size_t(i)]);
      fst[std::size_t(i)].push_back(f[std::size_t(i)]);
    }
  }
  const double lo = (1 - bootstrap.level) / 2, hi = 1 - lo;
  for (std::int64_t i = 0; i < d; ++i) {
    out.total_low.push_back(percentile(tot[std::size_t(i)], lo));
    out.total_high.push_back(percentile(tot[std::size_t(i)], hi));
    out.first_low.push_back(percentile(fst[std::size_t(i)], lo));
    out.first_high.push_back(percentile(fst[std::size_t(i)], hi));
  }
  return out;
}

}  // namespace factorkit::craft
