// factorkit/exact/parallel.h — a pool of worker threads for FLINT/Arb work.
//
// parallel_for(n, threads, fn, tick) runs fn(i) for every i in [0, n) on
// `threads` workers (dynamic scheduling, one index at a time) while the calling
// thread calls tick(done) about ten times a second (progress bars, periodic
// checkpoints). With one worker, fn runs on the calling thread, which ticks
// between indices. The first exception from fn or tick stops the hand-out of new
// indices; the workers are joined and the exception is rethrown. Arb keeps
// per-thread caches (constants), so each worker calls flint_cleanup() before
// it ends. Shared by the methods on the exact layer (esma, sem).
#pragma once

#include <flint/flint.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace factorkit::exact {

// 0 means all cores.
inline int resolve_threads(int threads) {
  if (threads > 0) return threads;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

template <class F, class T>
void parallel_for(int64_t n, int threads, F&& fn, T&& tick) {
  using clock = std::chrono::steady_clock;
  constexpr auto kTick = std::chrono::milliseconds(100);
  const int workers = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  if (workers == 1) {  // on the calling thread: no thread start, no hand-off per index
    auto last = clock::now();
    for (int64_t i = 0; i < n; ++i) {
      fn(i);
      if (clock::now() - last >= kTick) {
        tick(i + 1);
        last = clock::now();
      }
    }
    tick(n);
    return;
  }
  std::atomic<int64_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;  // guarded by m
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::thread> pool;
  auto stop = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(m);
    if (!error) error = e;
    failed = true;
    next = n;
    cv.notify_one();
  };
  // whatever happens on this thread (a failed thread start, a tick that cannot
  // write its checkpoint), the workers are stopped and joined before leaving
  struct Joiner {
    std::vector<std::thread>& pool;
    ~Joiner() {
      for (auto& t : pool)
        if (t.joinable()) t.join();
    }
  } joiner{pool};
  for (int w = 0; w < workers && !failed; ++w) {
    try {
      pool.emplace_back([&] {
        for (int64_t i; (i = next++) < n;) {
          try {
            fn(i);
          } catch (...) {
            stop(std::current_exception());
          }
          // the calling thread wakes by itself every tick; it is woken early
          // only for the last index (or a failure, in stop)
          if (++done == n) {
            std::lock_guard<std::mutex> lock(m);
            cv.notify_one();
          }
        }
        flint_cleanup();
      });
    } catch (...) {
      stop(std::current_exception());
    }
  }
  {
    std::unique_lock<std::mutex> lock(m);
    while (done < n && !failed) {
      cv.wait_for(lock, kTick, [&] { return done >= n || failed; });
      const int64_t d = done;
      lock.unlock();
      try {
        tick(d);
      } catch (...) {
        stop(std::current_exception());
      }
      lock.lock();
    }
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  tick(n);
}

template <class F>
void parallel_for(int64_t n, int threads, F&& fn) {
  parallel_for(n, threads, std::forward<F>(fn), [](int64_t) {});
}

}  // namespace factorkit::exact
