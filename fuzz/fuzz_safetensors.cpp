// libFuzzer target: the safetensors reader. Every accepted file must re-encode
// and re-parse to the same tensors; each tensor goes through the shared
// round-trip check as a one-tensor file.
#include "roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  MemorySource src(data, size, "fuzz.safetensors");
  TensorFile f;
  try {
    f = read_safetensors(src);
  } catch (const Error&) {
    return 0;
  }
  auto bytes = encode_safetensors(f);
  MemorySource again(bytes, "re-encoded");
  if (!(read_safetensors(again).tensors == f.tensors)) std::abort();
  for (const auto& [name, t] : f.tensors) (void)tensor_stats(t);
  return 0;
}
