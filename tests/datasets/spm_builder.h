// Builds SentencePiece ModelProto bytes by hand (protobuf wire format), for
// the reader's tests and the fuzz corpus.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace factorkit::testing {

struct SpmPiece {
  std::string text;
  float score = 0;
  int type = 1;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
};

inline void pb_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) out += char((v & 0x7f) | 0x80), v >>= 7;
  out += char(v);
}
inline void pb_key(std::string& out, int field, int type) { pb_varint(out, std::uint64_t(field) << 3 | std::uint64_t(type)); }
inline void pb_bytes(std::string& out, int field, const std::string& s) {
  pb_key(out, field, 2);
  pb_varint(out, s.size());
  out += s;
}
inline void pb_float(std::string& out, int field, float f) {
  pb_key(out, field, 5);
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  for (int i = 0; i < 4; ++i) out += char((b >> (8 * i)) & 0xff);
}

struct SpmModelSpec {
  std::vector<SpmPiece> pieces;
  int model_type = 1;
  bool byte_fallback = false;
  bool add_dummy_prefix = true, remove_extra_whitespaces = false;
  std::string charsmap;
};

inline std::string spm_model(const SpmModelSpec& m) {
  std::string out;
  for (const auto& p : m.pieces) {
    std::string sp;
    pb_bytes(sp, 1, p.text);
    pb_float(sp, 2, p.score);
    pb_key(sp, 3, 0);
    pb_varint(sp, std::uint64_t(p.type));
    pb_bytes(out, 1, sp);
  }
  std::string trainer;
  pb_key(trainer, 3, 0);
  pb_varint(trainer, std::uint64_t(m.model_type));
  pb_key(trainer, 35, 0);
  pb_varint(trainer, m.byte_fallback ? 1 : 0);
  pb_bytes(out, 2, trainer);
  std::string norm;
  pb_bytes(norm, 1, "identity");
  pb_bytes(norm, 2, m.charsmap);
  pb_key(norm, 3, 0);
  pb_varint(norm, m.add_dummy_prefix ? 1 : 0);
  pb_key(norm, 4, 0);
  pb_varint(norm, m.remove_extra_whitespaces ? 1 : 0);
  pb_bytes(out, 3, norm);
  return out;
}

// A small valid model: <unk>, two user symbols, some pieces.
inline SpmModelSpec small_spm_model() {
  SpmModelSpec m;
  m.pieces = {{"[PAD]", 0, 3},     {"<unk>", 0, 2},       {"[CLS]", 0, 4},   {"[SEP]", 0, 4},  {"\xE2\x96\x81", -2, 1},
              {"\xE2\x96\x81" "a", -3, 1}, {"b", -4, 1}, {"ab", -5, 1}, {"\xE2\x96\x81" "ab", -6.5f, 1}, {"a", -4, 1}};
  return m;
}

}  // namespace factorkit::testing
