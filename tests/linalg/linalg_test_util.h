// Helpers for the linalg tests: fixtures, planted problems, comparisons.
#pragma once

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"

namespace factorkit::testing {

// A tensor from tests/data/linalg/<file>.
inline at::Tensor fixture(const std::string& file, const std::string& name) {
  static std::string dir = std::string(FACTORKIT_SOURCE_DIR) + "/tests/data/linalg/";
  TensorFile f = read_tensor_file(dir + file);
  const RawTensor* t = f.find(name);
  if (!t) throw std::runtime_error("fixture " + file + " has no tensor " + name);
  return to_torch(*t, file).clone();
}

// SplitMix64 doubles in [0, 1): the same stream as make_linalg_fixtures.py.
inline at::Tensor splitmix_uniform(uint64_t seed, int64_t count) {
  at::Tensor out = at::empty({count}, at::TensorOptions().dtype(at::kDouble));
  double* p = out.data_ptr<double>();
  uint64_t state = seed;
  for (int64_t i = 0; i < count; ++i) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    p[i] = double(z >> 11) * 0x1.0p-53;
  }
  return out;
}

// X = W0 H0 + noise * U, as planted() in make_linalg_fixtures.py.
inline at::Tensor planted(uint64_t seed, int64_t n = 500, int64_t p = 64, int64_t r = 10, double noise = 0.05) {
  at::Tensor u = splitmix_uniform(seed, n * r + r * p + n * p);
  at::Tensor w0 = u.narrow(0, 0, n * r).reshape({n, r});
  at::Tensor h0 = u.narrow(0, n * r, r * p).reshape({r, p});
  at::Tensor e = u.narrow(0, n * r + r * p, n * p).reshape({n, p});
  return at::mm(w0, h0) + noise * e;
}

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

// Seeded standard normal / uniform matrices in float64.
inline at::Tensor randn(uint64_t seed, std::vector<int64_t> shape) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::normal(0.0, 1.0, shape, g, at::TensorOptions().dtype(at::kDouble));
}
inline at::Tensor randu(uint64_t seed, std::vector<int64_t> shape) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::empty(shape, at::TensorOptions().dtype(at::kDouble)).uniform_(0.0, 1.0, g);
}

}  // namespace factorkit::testing
