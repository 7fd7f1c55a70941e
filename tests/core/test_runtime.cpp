#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

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

TEST(Runtime, ThreadsAndQuiet) {
  EXPECT_THROW(set_threads(-1), InvalidInput);
  set_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  set_quiet(true);
  EXPECT_FALSE(Progress::would_draw());
  Progress p("x", 10);  // silent when quiet
  EXPECT_FALSE(p.enabled());
  p.tick(5);
  set_quiet(false);
}
