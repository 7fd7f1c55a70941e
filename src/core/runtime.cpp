#include "factorkit/core/runtime.h"

#include <algorithm>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <atomic>
#include <fmt/format.h>

#include "factorkit/core/error.h"

namespace factorkit {

namespace {
std::atomic<uint64_t> g_seed{0};
}  // namespace

void seed_everything(uint64_t seed) {
  g_seed = seed;
  at::manual_seed(seed);
}

uint64_t current_seed() noexcept { return g_seed; }

std::mt19937_64 make_rng(uint64_t stream) {
  // splitmix64 of (seed, stream) so that nearby seeds/streams are unrelated
  uint64_t z = g_seed.load() + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return std::mt19937_64(z);
}

void set_threads(int threads) {
  if (threads < 0)
    throw InvalidInput("--threads", "value", fmt::format("0 (all cores) or a positive count, got {}", threads),
                       "BadThreads");
  // 0 means every core: LibTorch's own default (its OpenMP pool's) can be
  // a single thread (Debian's 1.13 on this project's two-core machines)
  const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  if (at::get_num_threads() != n) at::set_num_threads(n);
}

void apply(const RuntimeOptions& o) {
  seed_everything(o.seed);
  set_threads(o.threads);
  set_quiet(o.quiet);
}

}  // namespace factorkit
