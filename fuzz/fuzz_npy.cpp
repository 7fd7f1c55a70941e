// libFuzzer target: the .npy reader. Whatever it accepts must round-trip.
#include "roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  return fuzz::roundtrip(data, size, "fuzz.npy", [](const Source& s) { return read_npy(s); },
                         [](const RawTensor& t) { return encode_npy(t); });
}
