// libFuzzer target: the diagram JSON reader. Whatever it accepts must survive
// write + read unchanged.
#include <cstdint>
#include <cstdlib>

#include "factorkit/category/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  category::DiagramDocument doc;
  try {
    doc = category::parse_diagram_json(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const Error&) {
    return 0;
  }
  const std::string again = category::diagram_to_json(doc.diagram, doc.dims);
  const category::DiagramDocument back = category::parse_diagram_json(again, "again.json");
  if (!(back.diagram == doc.diagram) || back.dims != doc.dims) std::abort();
  return 0;
}
