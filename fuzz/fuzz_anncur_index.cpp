// libFuzzer target: the ANNCUR index file's checks (a safetensors file with
// the index's tensors and metadata) and the text-line readers of `factorkit
// anncur` (queries with a marked mention, items). What the index check accepts
// must have consistent sizes; what the line reader accepts must be non-empty
// lines without marker bytes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "index_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  namespace an = factorkit::anncur;
  try {
    const TensorFile f = read_safetensors(MemorySource(data, size, "fuzz.safetensors"));
    const an::IndexLayout L = an::check_index_file(f, "fuzz.safetensors");
    if (f.find("e")->shape[1] != L.items || f.find("u")->shape[0] != L.anchor_items || !L.info.is_object()) std::abort();
  } catch (const Error&) {
  }
  try {
    const auto lines = an::read_lines(MemorySource(data, size, "fuzz.txt"), "queries");
    for (std::size_t k = 0; k < lines.size(); ++k) {
      if (lines[k].empty() || lines[k].find('\n') != std::string::npos) std::abort();
      try {
        an::check_marked_query(lines[k], "fuzz.txt", "line");
        const auto a = lines[k].find("[["), b = lines[k].find("]]", a + 2);
        if (a == std::string::npos || b == std::string::npos || b == a + 2) std::abort();
      } catch (const Error&) {
      }
      (void)an::item_text(lines[k]);
    }
  } catch (const Error&) {
  }
  return 0;
}
