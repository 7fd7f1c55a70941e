// libFuzzer target: the WordNet data-file reader. Whatever it accepts must be
// consistent: offsets are the lines' byte offsets, one lex_id per lemma,
// pointer and frame word numbers within the synset.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "factorkit/core/error.h"
#include "factorkit/data/wordnet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& s : factorkit::data::read_data_text(text, "fuzz.data")) {
      if (s.offset >= size || text.substr(s.offset, 8).find(' ') != std::string_view::npos) std::abort();
      if (s.lemmas.empty() || s.lemmas.size() != s.lex_ids.size() || s.lex_filenum < 0 || s.lex_filenum > 44) std::abort();
      for (const auto& p : s.pointers)
        if (p.source > s.lemmas.size()) std::abort();
      for (const auto& [f, w] : s.frames)
        if (f < 1 || f > 35 || std::size_t(w) > s.lemmas.size()) std::abort();
      if (s.definition.size() > s.gloss.size()) std::abort();
    }
  } catch (const factorkit::Error&) {
  }
  return 0;
}
