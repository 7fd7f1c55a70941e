// libFuzzer target: the IDX reader (plain and gzip), with a 64 MB inflate cap.
// Whatever it accepts must round-trip.
#include "roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  return fuzz::roundtrip(data, size, "fuzz.idx", [](const Source& s) { return read_idx(s, std::size_t(64) << 20); },
                         [](const RawTensor& t) { return encode_idx(t); });
}
