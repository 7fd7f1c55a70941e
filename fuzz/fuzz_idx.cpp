// libFuzzer target: the IDX reader (plain and gzip), with a 64 MB inflate cap.
#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  MemorySource src(data, size, "fuzz.idx");
  RawTensor t;
  try {
    t = read_idx(src, std::size_t(64) << 20);
  } catch (const Error&) {
    return 0;
  }
  (void)tensor_stats(t);
  auto bytes = encode_idx(t);
  MemorySource again(bytes, "again");
  if (!(read_idx(again) == t)) std::abort();
  return 0;
}
