// libFuzzer target: the .npy reader. A successful parse must round-trip.
#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  MemorySource src(data, size, "fuzz.npy");
  RawTensor t;
  try {
    t = read_npy(src);
  } catch (const Error&) {
    return 0;
  }
  (void)tensor_stats(t);
  auto bytes = encode_npy(t);
  MemorySource again(bytes, "again");
  if (!(read_npy(again) == t)) std::abort();
  return 0;
}
