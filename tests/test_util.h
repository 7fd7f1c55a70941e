// Shared helpers for factorkit's tests: seeds, random tensors, temp folders.
#pragma once

#include <cmath>
#include <cstdlib>
#include <ostream>
#include <filesystem>
#include <gtest/gtest.h>
#include <initializer_list>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "factorkit/core/raw_tensor.h"

namespace factorkit {
// Readable gtest output for tensors.
inline void PrintTo(const RawTensor& t, std::ostream* os) {
  *os << dtype_name(t.dtype) << "[";
  for (std::size_t i = 0; i < t.shape.size(); ++i) *os << (i ? "," : "") << t.shape[i];
  *os << "] " << t.data.size() << " bytes {";
  for (std::size_t i = 0; i < t.data.size() && i < 48; ++i) *os << (i ? " " : "") << std::hex << int(t.data[i]) << std::dec;
  *os << (t.data.size() > 48 ? " ...}" : "}");
}
}  // namespace factorkit

namespace factorkit::testing {

// The property-test seed: FACTORKIT_TEST_SEED if set, else fixed. Printed so a
// failure can be replayed. FACTORKIT_TEST_REPEAT scales the repeat count.
inline uint64_t test_seed() {
  static uint64_t seed = [] {
    const char* s = std::getenv("FACTORKIT_TEST_SEED");
    uint64_t v = s ? std::strtoull(s, nullptr, 10) : 20261129ull;
    std::cerr << "[factorkit] property-test seed: FACTORKIT_TEST_SEED=" << v << "\n";
    return v;
  }();
  return seed;
}
inline int test_repeat(int base = 10) {
  const char* s = std::getenv("FACTORKIT_TEST_REPEAT");
  return s ? base * std::max(1, std::atoi(s)) : base;
}

// A tensor of zeros.
inline RawTensor zero_tensor(DType dt, std::vector<int64_t> shape) {
  RawTensor t;
  t.dtype = dt;
  t.shape = std::move(shape);
  t.data.resize(std::size_t(t.numel()) * dtype_size(dt));
  return t;
}

// A random tensor: 0-4 dims of size 0-5 (no zero sizes if !allow_empty), any dtype.
inline RawTensor random_tensor(std::mt19937_64& rng, DType dt, int max_dims = 4, bool allow_empty = true) {
  RawTensor t;
  t.dtype = dt;
  int nd = int(rng() % uint64_t(max_dims + 1));
  for (int i = 0; i < nd; ++i) t.shape.push_back(int64_t(rng() % 6) + (allow_empty ? 0 : 1));
  t.data.resize(std::size_t(t.numel()) * dtype_size(dt));
  for (auto& b : t.data) b = std::byte(rng() & 0xff);
  if (dt == DType::BOOL)
    for (auto& b : t.data) b = std::byte(uint8_t(b) & 1);
  return t;
}

// True if every element is a non-NaN value (NaN payloads/signs do not survive text formats).
// An n x p float64 matrix with entries f(i, j).
template <class F>
RawTensor f64_matrix(int64_t n, int64_t p, F f) {
  RawTensor t;
  t.dtype = DType::F64;
  t.shape = {n, p};
  t.data.resize(std::size_t(n * p) * sizeof(double));
  auto* d = reinterpret_cast<double*>(t.data.data());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < p; ++j) d[i * p + j] = f(i, j);
  return t;
}

inline bool has_nan(const RawTensor& t) {
  if (!dtype_is_float(t.dtype)) return false;
  for (int64_t i = 0; i < t.numel(); ++i)
    if (std::isnan(t.element_as_double(std::size_t(i)))) return true;
  return false;
}

// Runs fn and checks that it throws E with the given code and a message that
// contains every fragment.
template <class E, class Fn>
void expect_error(Fn&& fn, const std::string& code, std::initializer_list<std::string> fragments = {}) {
  try {
    fn();
    ADD_FAILURE() << "expected an error with code " << code << ", nothing was thrown";
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const auto& frag : fragments)
      EXPECT_NE(std::string(e.what()).find(frag), std::string::npos) << "message lacks \"" << frag << "\": " << e.what();
  }
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "factorkit-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  std::size_t count() const {
    std::size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(path_)) { (void)e; ++n; }
    return n;
  }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}
inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}


#ifdef FACTORKIT_BIN
// Runs the factorkit program with `args` (shell words) in `cwd`; captures
// stdout and stderr. `timeout`: a hang fails the test (exit 124) instead of
// stalling the suite.
struct CliRun {
  int code;
  std::string out, err;
};
inline CliRun run(const std::string& args, const std::string& cwd = ".") {
  TempDir io;
  std::string cmd = "cd '" + cwd + "' && timeout 60 '" + std::string(FACTORKIT_BIN) + "' " + args + " >'" +
                    io.file("out") + "' 2>'" + io.file("err") + "' </dev/null";
  int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_bytes(io.file("out")), read_bytes(io.file("err"))};
}
#endif

}  // namespace factorkit::testing
