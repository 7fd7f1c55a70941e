// bench/bench_timing.h — CPU-time measurement shared by the benchmark programs,
// calibrated as DisCoPy's benchmark configuration (at least 3 rounds and 0.1 s).
#pragma once

#include <nlohmann/json.hpp>

#include "factorkit/core/cpu_time.h"

#include <algorithm>
#include <ctime>
#include <vector>

namespace factorkit::bench {

using factorkit::cpu_seconds;

// The median CPU time of `f` over calibrated rounds: {"median_s", "rounds"}.
template <class F>
nlohmann::json time_it(F&& f, double min_total = 0.1, int min_rounds = 3) {
  std::vector<double> t;
  double total = 0;
  while (int(t.size()) < min_rounds || total < min_total) {
    const double a = cpu_seconds();
    f();
    t.push_back(cpu_seconds() - a);
    total += t.back();
    if (t.size() >= 100000) break;
  }
  std::sort(t.begin(), t.end());
  return {{"median_s", t[t.size() / 2]}, {"rounds", t.size()}};
}

}  // namespace factorkit::bench
