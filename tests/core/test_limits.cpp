// Declared sizes never drive an allocation: a small file that claims gigabytes
// fails without allocating more than a few kilobytes. We count the largest
// single allocation made while reading, through a replaced operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "core/malformed_corpus.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

namespace {
std::atomic<std::size_t> g_largest{0};
}

namespace {
void* counted_alloc(std::size_t n) noexcept {
  std::size_t cur = g_largest.load(std::memory_order_relaxed);
  while (n > cur && !g_largest.compare_exchange_weak(cur, n)) {
  }
  return std::malloc(n ? n : 1);
}
}  // namespace

// The whole replaceable family, so that every new is paired with a matching delete.
void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace factorkit;
using namespace factorkit::testing;

TEST(Limits, FilesClaimingGigabytesAllocateAlmostNothing) {
  TempDir dir;
  int checked = 0;
  for (const auto& c : malformed_corpus()) {
    if (c.name.find("claims_4gb") == std::string::npos && c.name.find("out_of_file") == std::string::npos) continue;
    write_bytes(dir.file(c.name), c.bytes);
    g_largest = 0;
    try {
      read_tensor_file(dir.file(c.name));
      ADD_FAILURE() << c.name << " accepted";
    } catch (const MalformedFile& e) {
      EXPECT_EQ(e.code(), c.code) << e.what();
    }
    EXPECT_LT(g_largest.load(), std::size_t(1) << 20) << c.name << " allocated " << g_largest.load() << " bytes";
    ++checked;
  }
  EXPECT_EQ(checked, 5);  // safetensors, npy, idx, idx.gz claims and the out-of-file offsets
}

TEST(Limits, ValidFileAllocatesItsRealSize) {
  // The counter itself works: reading a real 1 MB tensor allocates >= 1 MB.
  TempDir dir;
  RawTensor t = zero_tensor(DType::U8, {1 << 20});
  write_npy(dir.file("a.npy"), t);
  g_largest = 0;
  read_tensor_file(dir.file("a.npy"));
  EXPECT_GE(g_largest.load(), std::size_t(1) << 20);
}
