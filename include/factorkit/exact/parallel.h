// factorkit/exact/parallel.h — a pool of worker threads for FLINT/Arb work.
//
// parallel_for(n, threads, fn, tick) runs fn(i) for every i in [0, n) on
// `threads` workers (dynamic scheduling, one index at a time) while the calling
// thread calls tick(done) about ten times a second (progress bars, periodic
// checkpoints). The first exception from fn or tick stops the hand-out of new
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
  std::atomic<int64_t> next{0};
  int64_t done = 0;  // guarded by m
  bool failed = false;
  std::exception_ptr error;
  std::mutex m;
  std::condition_variable cv;
  const int workers = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  std::vector<std::thread> pool;
  auto stop = [&](std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(m);
    if (!error) error = e;
    failed = true;
    next = n;
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
          std::lock_guard<std::mutex> lock(m);
          if (!error) error = std::current_exception();
          failed = true;
        }
        std::lock_guard<std::mutex> lock(m);
        ++done;
        if (failed) next = n;  // stop handing out work
        cv.notify_one();
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
      cv.wait_for(lock, std::chrono::milliseconds(100));
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
