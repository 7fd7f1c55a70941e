// libFuzzer target: the QNLP model and checkpoint readers. Whatever a reader
// accepts must format and read back to the same thing.
#include <cstdint>
#include <cstdlib>

#include "factorkit/core/error.h"
#include "pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const qnlp::Model m = qnlp::parse_model(text, "fuzz.json");
    const qnlp::Model back = qnlp::parse_model(qnlp::format_model(m), "again.json");
    if (back.parameters() != m.parameters() || back.weights() != m.weights()) std::abort();
  } catch (const Error&) {
  }
  try {
    const qnlp::Checkpoint c = qnlp::parse_checkpoint(text, "fuzz.json");
    const qnlp::Checkpoint back = qnlp::parse_checkpoint(qnlp::format_checkpoint(c), "again.json");
    if (back.weights != c.weights || back.parameters != c.parameters || back.history.size() != c.history.size()) std::abort();
  } catch (const Error&) {
  }
  return 0;
}
