// factorkit/core/shuffle.h — a seeded shuffle that gives the same order on
// every platform (std::shuffle's order depends on the standard library).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>
#include <utility>
#include <vector>

namespace factorkit {

// A uniform number in [0, 1) from the generator's top 53 bits.
inline double uniform53(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

// Fisher–Yates with 53-bit uniforms.
template <class T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[std::size_t(uniform53(rng) * double(i))]);
}

// A seed derived from a base seed and stream numbers (splitmix64 steps), so
// that (seed, epoch, batch) names an independent, reproducible stream.
inline std::uint64_t derive_seed(std::uint64_t seed, std::initializer_list<std::uint64_t> streams) {
  auto mix = [](std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  std::uint64_t h = mix(seed);
  for (std::uint64_t s : streams) h = mix(h ^ s);
  return h;
}

// 0, 1, …, n−1 in a seeded order.
inline std::vector<std::int64_t> permutation(std::int64_t n, std::mt19937_64& rng) {
  std::vector<std::int64_t> p(std::size_t(n > 0 ? n : 0));
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = std::int64_t(i);
  shuffle(p, rng);
  return p;
}

}  // namespace factorkit
