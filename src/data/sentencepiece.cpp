// SentencePiece ModelProto reader (protobuf wire format), normalizer, unigram
// Viterbi segmentation and decoder.
#include "factorkit/data/sentencepiece.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "factorkit/core/error.h"

namespace factorkit::data {

namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr std::size_t kMaxPieces = std::size_t(1) << 22;
constexpr std::size_t kMaxPieceBytes = 4096;
constexpr std::size_t kMaxTrieBytes = std::size_t(64) << 20;  // all pieces' text

// ---- protobuf wire format ----------------------------------------------------
struct Wire {
  std::string_view data;
  std::size_t pos = 0;
  const std::string& where;
  std::string context;

  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw MalformedFile(where, context.empty() ? field : context + "." + field, expected, "BadSentencePiece");
  }
  bool done() const { return pos >= data.size(); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size()) fail(fmt::format("byte {}", pos), "a complete varint (the file ends inside one)");
      const auto b = std::uint8_t(data[pos++]);
      v |= std::uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail(fmt::format("byte {}", pos), "a varint of at most 10 bytes");
  }
  std::string_view bytes() {
    const std::uint64_t n = varint();
    if (n > data.size() - pos) fail(fmt::format("byte {}", pos), fmt::format("{} more bytes for a length-delimited field", n));
    const std::string_view s = data.substr(pos, std::size_t(n));
    pos += std::size_t(n);
    return s;
  }
  std::uint32_t fixed32() {
    if (data.size() - pos < 4) fail(fmt::format("byte {}", pos), "4 bytes of a fixed32 field");
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | std::uint8_t(data[pos + std::size_t(i)]);
    pos += 4;
    return v;
  }
  // Reads a key; returns (field number, wire type).
  std::pair<std::uint32_t, int> key() {
    const std::uint64_t k = varint();
    const int type = int(k & 7);
    const std::uint64_t field = k >> 3;
    if (field == 0 || field > 536870911) fail(fmt::format("byte {}", pos), "a field number 1 … 2^29−1");
    if (type != 0 && type != 1 && type != 2 && type != 5)
      fail(fmt::format("field {}", field), "wire type 0, 1, 2 or 5 (groups are not used by SentencePiece)");
    return {std::uint32_t(field), type};
  }
  void skip(int type) {
    if (type == 0) varint();
    else if (type == 1) {
      if (data.size() - pos < 8) fail(fmt::format("byte {}", pos), "8 bytes of a fixed64 field");
      pos += 8;
    } else if (type == 2) bytes();
    else fixed32();
  }
  void expect(int type, int want, std::uint32_t field) const {
    if (type != want) fail(fmt::format("field {}", field), fmt::format("wire type {}", want));
  }
};

float as_float(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

bool valid_utf8_char(std::string_view s, std::size_t* len) {
  const auto c = std::uint8_t(s[0]);
  std::size_t n;
  std::uint32_t cp;
  if (c < 0x80) {
    *len = 1;
    return true;
  } else if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else {
    *len = 1;
    return false;
  }
  if (s.size() < n) {
    *len = 1;
    return false;
  }
  for (std::size_t i = 1; i < n; ++i) {
    const auto d = std::uint8_t(s[i]);
    if ((d & 0xC0) != 0x80) {
      *len = 1;
      return false;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *len = 1;
    return false;
  }
  *len = n;
  return true;
}

// Length of the UTF-8 character starting with byte c (as SentencePiece steps).
std::size_t char_len(std::uint8_t c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

int byte_of_piece(std::string_view p) {
  if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
  int v = 0;
  for (char c : p.substr(3, 2)) {
    v *= 16;
    if (c >= '0' && c <= '9') v += c - '0';
    else if (c >= 'A' && c <= 'F') v += c - 'A' + 10;
    else return -1;
  }
  return v;
}

}  // namespace

SentencePieceModel SentencePieceModel::parse(std::string_view bytes, const std::string& where) {
  SentencePieceModel m;
  bool bpe_or_other = false, suffix = false, has_charsmap = false, has_denormalizer = false;
  std::int64_t model_type = 1;
  Wire top{bytes, 0, where, ""};
  while (!top.done()) {
    const auto [field, type] = top.key();
    if (field == 1) {  // SentencePiece
      top.expect(type, 2, field);
      if (m.pieces_.size() >= kMaxPieces) top.fail("pieces", fmt::format("at most {} pieces", kMaxPieces));
      Wire w{top.bytes(), 0, where, fmt::format("pieces[{}]", m.pieces_.size())};
      Piece p;
      while (!w.done()) {
        const auto [f, t] = w.key();
        if (f == 1) w.expect(t, 2, f), p.text = std::string(w.bytes());
        else if (f == 2) w.expect(t, 5, f), p.score = as_float(w.fixed32());
        else if (f == 3) {
          w.expect(t, 0, f);
          const std::uint64_t v = w.varint();
          if (v < 1 || v > 6) w.fail("type", "a piece type 1 … 6");
          p.type = Type(v);
        } else w.skip(t);
      }
      m.pieces_.push_back(std::move(p));
    } else if (field == 2) {  // TrainerSpec
      top.expect(type, 2, field);
      Wire w{top.bytes(), 0, where, "trainer_spec"};
      while (!w.done()) {
        const auto [f, t] = w.key();
        if (f == 3) w.expect(t, 0, f), model_type = std::int64_t(w.varint());
        else if (f == 35) w.expect(t, 0, f), m.byte_fallback_ = w.varint() != 0;
        else if (f == 24) w.expect(t, 0, f), suffix = w.varint() != 0;
        else if (f == 44) w.expect(t, 2, f), m.unk_surface_ = std::string(w.bytes());
        else w.skip(t);
      }
    } else if (field == 3 || field == 5) {  // NormalizerSpec, denormalizer
      top.expect(type, 2, field);
      Wire w{top.bytes(), 0, where, field == 3 ? "normalizer_spec" : "denormalizer_spec"};
      while (!w.done()) {
        const auto [f, t] = w.key();
        if (f == 2) {
          w.expect(t, 2, f);
          const bool nonempty = !w.bytes().empty();
          (field == 3 ? has_charsmap : has_denormalizer) |= nonempty;
        } else if (field == 3 && f == 3) w.expect(t, 0, f), m.add_dummy_prefix_ = w.varint() != 0;
        else if (field == 3 && f == 4) w.expect(t, 0, f), m.remove_extra_whitespaces_ = w.varint() != 0;
        else if (field == 3 && f == 5) w.expect(t, 0, f), m.escape_whitespaces_ = w.varint() != 0;
        else w.skip(t);
      }
    } else {
      top.skip(type);
    }
  }
  bpe_or_other = model_type != 1;
  auto fail = [&](const std::string& field, const std::string& expected) {
    throw MalformedFile(where, field, expected, "BadSentencePiece");
  };
  if (bpe_or_other)
    fail("trainer_spec.model_type", fmt::format("a unigram model (type 1), not type {} (train with --model_type=unigram)", model_type));
  if (has_charsmap || has_denormalizer)
    fail("normalizer_spec.precompiled_charsmap",
         "the identity normalization (train with --normalization_rule_name=identity)");
  if (suffix) fail("trainer_spec.treat_whitespace_as_suffix", "false");
  if (m.pieces_.empty()) fail("pieces", "at least one piece");
  bool byte_found[256] = {};
  std::size_t trie_bytes = 0;
  m.min_score_ = FLT_MAX;
  m.max_score_ = FLT_MIN;  // as SentencePiece: the user-defined bonus uses max(FLT_MIN, scores)
  for (std::size_t i = 0; i < m.pieces_.size(); ++i) {
    const Piece& p = m.pieces_[i];
    const std::string name = fmt::format("pieces[{}]", i);
    if (p.text.empty()) fail(name + ".piece", "a non-empty piece");
    if (p.text.size() > kMaxPieceBytes) fail(name + ".piece", fmt::format("at most {} bytes", kMaxPieceBytes));
    if (!std::isfinite(p.score)) fail(name + ".score", "a finite score");
    if (!m.all_.emplace(p.text, int(i)).second) fail(name + ".piece", "a piece defined once ('" + p.text + "' repeats)");
    switch (p.type) {
      case Type::Normal:
        m.min_score_ = std::min(m.min_score_, p.score);
        m.max_score_ = std::max(m.max_score_, p.score);
        [[fallthrough]];
      case Type::UserDefined:
      case Type::Unused: {
        trie_bytes += p.text.size();
        if (trie_bytes > kMaxTrieBytes) fail("pieces", fmt::format("at most {} bytes of piece text", kMaxTrieBytes));
        std::int32_t node = 0;
        for (const char c : p.text) {
          const std::uint64_t key = std::uint64_t(node) << 8 | std::uint8_t(c);
          const auto [it, added] = m.trie_child_.emplace(key, std::int32_t(m.trie_piece_.size()));
          if (added) m.trie_piece_.push_back(-1);
          node = it->second;
        }
        m.trie_piece_[std::size_t(node)] = int(i);
        break;
      }
      case Type::Unknown:
        if (m.unk_ >= 0) fail(name + ".type", "one unknown piece only");
        m.unk_ = int(i);
        break;
      case Type::Byte: {
        if (!m.byte_fallback_) fail(name + ".type", "no byte pieces unless trainer_spec.byte_fallback is set");
        const int b = byte_of_piece(p.text);
        if (b < 0) fail(name + ".piece", "a byte piece <0xHH>");
        byte_found[b] = true;
        m.byte_id_[b] = int(i);
        break;
      }
      case Type::Control:
        break;
    }
  }
  if (m.unk_ < 0) fail("pieces", "an unknown piece (type 2)");
  if (m.byte_fallback_)
    for (int b = 0; b < 256; ++b)
      if (!byte_found[b]) fail("pieces", fmt::format("all 256 byte pieces with byte_fallback (<0x{:02X}> is missing)", b));
  return m;
}

SentencePieceModel SentencePieceModel::read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InvalidInput(path, "file", "an existing SentencePiece model file", "FileNotFound");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0 || size > (std::streamoff(1) << 30)) throw MalformedFile(path, "size", "at most 1 GiB", "BadSentencePiece");
  f.seekg(0);
  std::string bytes(std::size_t(size), '\0');
  f.read(bytes.data(), size);
  return parse(bytes, path);
}

int SentencePieceModel::id_of(std::string_view piece) const {
  const auto it = all_.find(std::string(piece));
  return it == all_.end() ? -1 : it->second;
}

std::string SentencePieceModel::normalize(std::string_view input) const {
  std::string out;
  if (input.empty()) return out;
  if (remove_extra_whitespaces_) {
    while (!input.empty() && input.front() == ' ') input.remove_prefix(1);
    if (input.empty()) return out;
  }
  auto space = [&] { out += escape_whitespaces_ ? kSpace : std::string_view(" "); };
  if (add_dummy_prefix_) space();
  bool prev_space = remove_extra_whitespaces_;
  while (!input.empty()) {
    std::size_t len = 1;
    const bool ok = valid_utf8_char(input, &len);
    const std::string_view ch = ok ? input.substr(0, len) : kReplacement;
    if (ch == " ") {
      if (!prev_space) space();
      prev_space = remove_extra_whitespaces_;
    } else {
      out += ch;
      prev_space = false;
    }
    input.remove_prefix(len);
  }
  if (remove_extra_whitespaces_) {
    const std::string_view sp = escape_whitespaces_ ? kSpace : std::string_view(" ");
    while (out.size() >= sp.size() && std::string_view(out).substr(out.size() - sp.size()) == sp) out.resize(out.size() - sp.size());
  }
  return out;
}

std::vector<int> SentencePieceModel::encode(std::string_view text) const {
  const std::string s = normalize(text);
  const std::size_t n = s.size();
  std::vector<int> ids;
  if (n == 0) return ids;
  struct Best {
    int id = -1;
    float score = 0;
    std::int64_t from = -1;
  };
  std::vector<Best> best(n + 1);
  const float unk_score = min_score_ - 10.0f;  // SentencePiece's unknown penalty
  for (std::size_t at = 0; at < n;) {
    const float here = best[at].score;
    const std::size_t clen = std::min(char_len(std::uint8_t(s[at])), n - at);
    bool single = false;
    std::int32_t node = 0;
    for (std::size_t len = 1; at + len <= n; ++len) {  // the pieces that start here, shortest first
      const auto it = trie_child_.find(std::uint64_t(node) << 8 | std::uint8_t(s[at + len - 1]));
      if (it == trie_child_.end()) break;
      node = it->second;
      const int id = trie_piece_[std::size_t(node)];
      if (id < 0) continue;
      const Piece& p = pieces_[std::size_t(id)];
      if (p.type == Type::Unused) continue;
      // user-defined pieces get length · max_score − 0.1, always the best path
      const double score = p.type == Type::UserDefined ? double(float(len) * max_score_) - 0.1 : double(p.score);
      const double candidate = score + double(here);
      Best& b = best[at + len];
      if (b.from < 0 || candidate > double(b.score)) b = {id, float(candidate), std::int64_t(at)};
      if (len == clen) single = true;
    }
    if (!single) {
      Best& b = best[at + clen];
      const float candidate = unk_score + here;
      if (b.from < 0 || candidate > b.score) b = {unk_, candidate, std::int64_t(at)};
    }
    at += clen;
  }
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // (start, end) of each piece, back to front
  std::vector<int> rev;
  for (std::size_t end = n; end > 0;) {
    const Best& b = best[end];
    rev.push_back(b.id);
    spans.emplace_back(std::size_t(b.from), end);
    end = std::size_t(b.from);
  }
  bool prev_unk = false;
  for (std::size_t k = rev.size(); k-- > 0;) {
    const int id = rev[k];
    const bool unk = id == unk_;
    if (unk && byte_fallback_) {
      for (std::size_t i = spans[k].first; i < spans[k].second; ++i) ids.push_back(byte_id_[std::uint8_t(s[i])]);
    } else if (!(unk && prev_unk)) {  // a run of unknowns is one unknown id
      ids.push_back(id);
    }
    prev_unk = unk;
  }
  return ids;
}

std::string SentencePieceModel::decode(const std::vector<int>& ids) const {
  std::string text, bytes;
  bool expect_bos_space = true, bos_space_seen = false;
  auto flush_bytes = [&] {
    std::string_view b = bytes;
    while (!b.empty()) {
      std::size_t len = 1;
      if (valid_utf8_char(b, &len)) text.append(b.substr(0, len));
      else text.append(kReplacement);
      b.remove_prefix(len);
    }
    bytes.clear();
  };
  for (int id : ids) {
    if (id < 0 || id >= size())
      throw InvalidInput("sentencepiece decode", fmt::format("id {}", id), fmt::format("0 … {}", size() - 1), "BadId");
    const Piece& p = pieces_[std::size_t(id)];
    if (p.type == Type::Byte) {
      bytes.push_back(char(byte_of_piece(p.text)));
      continue;
    }
    flush_bytes();
    if (bos_space_seen || !text.empty()) expect_bos_space = false;
    bos_space_seen = false;
    if (p.type == Type::Control) continue;
    if (p.type == Type::Unknown) {
      text += unk_surface_;
      continue;
    }
    std::string_view piece = p.text;
    if (expect_bos_space && (add_dummy_prefix_ || remove_extra_whitespaces_) && piece.substr(0, kSpace.size()) == kSpace) {
      piece.remove_prefix(kSpace.size());
      bos_space_seen = !remove_extra_whitespaces_;
    }
    for (std::size_t i = 0; i < piece.size();) {
      if (piece.substr(i, kSpace.size()) == kSpace) text += ' ', i += kSpace.size();
      else text += piece[i++];
    }
  }
  flush_bytes();
  return text;
}

}  // namespace factorkit::data
