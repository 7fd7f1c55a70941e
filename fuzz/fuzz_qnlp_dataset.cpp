// libFuzzer target: the labelled-sentence reader of the QNLP datasets. Whatever
// it accepts must format and read back to the same examples.
#include <cstdint>
#include <cstdlib>

#include "data.h"
#include "factorkit/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  std::vector<qnlp::Example> ex;
  try {
    ex = qnlp::parse_labelled(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt");
  } catch (const Error&) {
    return 0;
  }
  const auto back = qnlp::parse_labelled(qnlp::format_labelled(ex), "again.txt");
  if (back.size() != ex.size()) std::abort();
  for (std::size_t i = 0; i < ex.size(); ++i)
    if (back[i].label != ex[i].label || back[i].sentence != ex[i].sentence) std::abort();
  return 0;
}
