// factorkit/core/cpu_time.h — the process's CPU time, for reports that compare
// implementations (benchmarks, `lightsb fit`'s cpu_seconds) independently of
// what else the machine runs.
#pragma once

#include <ctime>

namespace factorkit {

inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace factorkit
