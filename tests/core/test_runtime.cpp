#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include "factorkit/core/error.h"
#include "factorkit/core/progress.h"
#include "factorkit/core/runtime.h"

using namespace factorkit;

TEST(Runtime, SeedMakesTorchAndStdStreamsReproducible) {
  seed_everything(123);
  at::Tensor a = at::randn({5});
  auto r1 = make_rng(4)();
  seed_everything(123);
  at::Tensor b = at::randn({5});
  auto r2 = make_rng(4)();
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_EQ(r1, r2);
  EXPECT_NE(make_rng(4)(), make_rng(5)());  // streams differ
  seed_everything(124);
  EXPECT_FALSE(at::equal(a, at::randn({5})));
  EXPECT_EQ(current_seed(), 124u);
}

TEST(Runtime, Threads) {
  EXPECT_THROW(set_threads(-1), InvalidInput);
  set_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
}

// Progress draws only when stderr is a terminal and the run is not quiet. Under
// ctest stderr is a pipe, so the test puts a pseudo-terminal there.
TEST(Runtime, ProgressDrawsOnATerminalUnlessQuiet) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  // a container or chroot without /dev/pts has no pseudo-terminals to offer
  if (master < 0 && (errno == ENODEV || errno == ENOENT))
    GTEST_SKIP() << "no pseudo-terminal device (is /dev/pts mounted?): " << std::strerror(errno);
  ASSERT_GE(master, 0) << std::strerror(errno);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  ::dup2(slave, STDERR_FILENO);
  set_quiet(false);
  bool drawn_loud = Progress::would_draw();
  {
    Progress p("work", 4);
    drawn_loud = drawn_loud && p.enabled();
    p.tick(4);
  }
  set_quiet(true);
  bool drawn_quiet = Progress::would_draw();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  set_quiet(false);
  char buf[256] = {};
  ssize_t n = ::read(master, buf, sizeof buf - 1);
  ::close(slave);
  ::close(master);
  EXPECT_TRUE(drawn_loud);
  EXPECT_FALSE(drawn_quiet);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf, std::size_t(n)).find("work ["), std::string::npos) << buf;
}

// at::parallel_for is an inline template: compiled without -fopenmp it runs the
// whole range on the calling thread. The build links OpenMP into factorkit_core
// so every target's loops really run in parallel; this checks it.
TEST(Runtime, ParallelForUsesSeveralThreads) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one CPU";
  factorkit::set_threads(2);
  std::atomic<int> calls{0};
  std::mutex m;
  std::set<int> tids;
  at::parallel_for(0, 2, 1, [&](int64_t, int64_t) {
    ++calls;
    std::lock_guard<std::mutex> lock(m);
    tids.insert(at::get_thread_num());
  });
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(tids.size(), 2u);
  factorkit::set_threads(0);
}
