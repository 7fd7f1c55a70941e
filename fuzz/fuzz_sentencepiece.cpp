// libFuzzer target: the SentencePiece model reader. Whatever it accepts must
// encode text into ids of the model and decode any of its ids.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "factorkit/core/error.h"
#include "factorkit/data/sentencepiece.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto m = factorkit::data::SentencePieceModel::parse(bytes, "fuzz.model");
    if (m.size() < 1 || m.unk_id() < 0 || m.unk_id() >= m.size()) std::abort();
    for (std::string_view text : {std::string_view("a b  c"), std::string_view("\xC3\xA9\xFF[CLS]"), bytes.substr(0, 64)}) {
      const auto ids = m.encode(text);
      for (int id : ids)
        if (id < 0 || id >= m.size()) std::abort();
      (void)m.decode(ids);
    }
    std::vector<int> all;
    for (int i = 0; i < m.size() && i < 4096; ++i) all.push_back(i);
    (void)m.decode(all);
  } catch (const factorkit::Error&) {
  }
  return 0;
}
