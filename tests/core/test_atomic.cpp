#include <gtest/gtest.h>

#include <filesystem>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::testing;

TEST(AtomicFile, CommitPublishesWholeFile) {
  TempDir dir;
  {
    AtomicFile f(dir.file("out.txt"));
    f.write(std::string_view("hello "));
    EXPECT_FALSE(std::filesystem::exists(dir.file("out.txt")));  // not visible before commit
    EXPECT_TRUE(std::filesystem::exists(f.temp_path()));
    f.write(std::string_view("world"));
    f.commit();
  }
  EXPECT_EQ(read_bytes(dir.file("out.txt")), "hello world");
  EXPECT_EQ(dir.count(), 1u);  // no temporary left behind
}

TEST(AtomicFile, AbandonedWriteLeavesOldFileAndNoTemp) {
  TempDir dir;
  write_bytes(dir.file("out.txt"), "old");
  try {
    AtomicFile f(dir.file("out.txt"));
    f.write(std::string_view("partial new content"));
    throw std::runtime_error("simulated failure mid-write");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(read_bytes(dir.file("out.txt")), "old");
  EXPECT_EQ(dir.count(), 1u);
}

TEST(AtomicFile, FailedWriterLeavesNothing) {
  TempDir dir;
  RawTensor t = zero_tensor(DType::BF16, {2});
  EXPECT_THROW(write_npy(dir.file("x.npy"), t), InvalidInput);
  RawTensor bad = zero_tensor(DType::F32, {2, 2, 2});
  EXPECT_THROW(write_csv(dir.file("x.csv"), bad), InvalidInput);
  EXPECT_EQ(dir.count(), 0u);
}

TEST(AtomicFile, UnwritableFolderIsInvalidInput) {
  expect_error<InvalidInput>([] { AtomicFile f("/nonexistent-folder-factorkit/x.npy"); }, "CannotWrite",
                             {"/nonexistent-folder-factorkit"});
}
