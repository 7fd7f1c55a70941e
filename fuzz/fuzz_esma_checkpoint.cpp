// libFuzzer target: the ESMA checkpoint reader. Whatever it accepts must
// survive format -> parse unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checkpoint.h"
#include "factorkit/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  esma::Checkpoint c;
  try {
    c = esma::parse_checkpoint(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const Error&) {
    return 0;
  }
  if (!(esma::parse_checkpoint(esma::format_checkpoint(c), "again") == c)) std::abort();
  return 0;
}
