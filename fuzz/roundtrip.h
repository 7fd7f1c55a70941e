// Shared body of the fuzz targets: parse arbitrary bytes; if the reader
// accepts them, compute the statistics `inspect` shows, re-encode, re-parse, and
// abort unless the tensor is unchanged (structured round trip).
#pragma once

#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

namespace factorkit::fuzz {

template <class Read, class Encode>
int roundtrip(const uint8_t* data, size_t size, const char* name, Read read, Encode encode) {
  MemorySource src(data, size, name);
  RawTensor t;
  try {
    t = read(src);
  } catch (const Error&) {
    return 0;  // a named rejection is the expected outcome for most inputs
  }
  (void)tensor_stats(t);
  auto bytes = encode(t);
  MemorySource again(bytes, "re-encoded");
  if (!(read(again) == t)) std::abort();
  return 0;
}

}  // namespace factorkit::fuzz
