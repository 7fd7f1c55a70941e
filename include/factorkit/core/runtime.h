// factorkit/core/runtime.h — process-wide settings: seed, threads, quietness.
//
// The program sets these from --seed, --threads and --quiet before running a
// command; library users call them directly. seed_everything seeds LibTorch's
// generator and the toolkit's own std::mt19937_64 stream, so a run with the
// same seed, thread count and BLAS gives the same numbers.
#pragma once

#include <cstdint>
#include <random>

namespace factorkit {

struct RuntimeOptions {
  uint64_t seed = 0;
  int threads = 0;     // 0: every core (std::thread::hardware_concurrency)
  bool quiet = false;  // no progress bars, no chatter on stderr
};

void seed_everything(uint64_t seed);
uint64_t current_seed() noexcept;
// A generator derived from the global seed and a stream id, so that independent
// parts of one run draw independent, reproducible numbers.
std::mt19937_64 make_rng(uint64_t stream = 0);

void set_threads(int threads);  // throws InvalidInput for threads < 0
void set_quiet(bool quiet) noexcept;
bool quiet() noexcept;

void apply(const RuntimeOptions& o);

}  // namespace factorkit
