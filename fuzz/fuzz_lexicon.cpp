// libFuzzer target: the lexicon reader, then the parser on the lexicon's own
// first words (which must either reduce to s or fail with a ParseError).
#include <cstdint>
#include <cstdlib>

#include "factorkit/category/pregroup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace factorkit;
  category::Lexicon lex;
  try {
    lex = category::parse_lexicon(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt");
  } catch (const Error&) {
    return 0;
  }
  std::vector<std::string> words;
  for (const auto& [w, types] : lex.entries) {
    if (types.empty()) std::abort();
    if (words.size() < 4) words.push_back(w);
  }
  if (words.empty()) return 0;
  try {
    const category::Diagram d = category::parse_sentence(words, lex);
    if (!(d.cod() == category::Ty("s")) || !d.dom().empty()) std::abort();
  } catch (const category::ParseError&) {
  } catch (const InvalidInput&) {  // a sentence too long to parse
  }
  return 0;
}
