// libFuzzer target: the safetensors reader on arbitrary bytes. A successful
// parse must re-encode and re-parse to the same tensors (structured round trip).
#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  MemorySource src(data, size, "fuzz.safetensors");
  TensorFile f;
  try {
    f = read_safetensors(src);
  } catch (const Error&) {
    return 0;
  }
  for (const auto& [name, t] : f.tensors) (void)tensor_stats(t);
  auto bytes = encode_safetensors(f);
  MemorySource again(bytes, "again");
  if (!(read_safetensors(again).tensors == f.tensors)) std::abort();
  return 0;
}
