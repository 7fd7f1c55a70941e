// factorkit/data/sentencepiece.h — SentencePiece unigram models, read and
// applied without the SentencePiece library.
//
// Why not libsentencepiece: Debian's libsentencepiece0 carries its own copy of
// protobuf 3.14 with exported symbols, and LibTorch loads the system's
// protobuf 3.21; in one process they collide (a crash at start-up, or
// protobuf's version check aborting, whichever loads first). So factorkit
// trains models with Debian's `spm_train` program (package sentencepiece, a
// separate process; see nn/tokenizer.h) and reads and applies them here.
//
// Scope, checked when a model is read (MalformedFile naming the file and
// field otherwise): unigram models with the identity normalization (no
// precompiled character map), whitespace as prefix. Encoding gives the ids
// spm_encode gives (a test compares them on the WordNet text): the text is
// normalized as SentencePiece does (dummy prefix, spaces as U+2581, optional
// removal of extra whitespace, malformed UTF-8 as U+FFFD), then the best
// segmentation under the pieces' scores is found by Viterbi over UTF-8
// characters, user-defined pieces always preferred, unknown characters split
// into byte pieces when the model has byte fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace factorkit::data {

class SentencePieceModel {
 public:
  enum class Type : std::uint8_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
  struct Piece {
    std::string text;
    float score = 0;
    Type type = Type::Normal;
  };

  // A serialized ModelProto (`where` names it in errors).
  static SentencePieceModel parse(std::string_view bytes, const std::string& where);
  static SentencePieceModel read(const std::string& path);

  std::vector<int> encode(std::string_view text) const;
  std::string decode(const std::vector<int>& ids) const;  // InvalidInput on an id out of range

  int size() const noexcept { return int(pieces_.size()); }
  const Piece& piece(int id) const { return pieces_.at(std::size_t(id)); }
  int id_of(std::string_view piece) const;  // −1 when absent
  int unk_id() const noexcept { return unk_; }
  bool byte_fallback() const noexcept { return byte_fallback_; }

  // The normalized text the segmentation works on (for tests and tools).
  std::string normalize(std::string_view text) const;

 private:
  std::vector<Piece> pieces_;
  std::unordered_map<std::string, int> all_;  // every piece
  // a byte trie of the pieces segmentation may use (normal, user-defined,
  // unused): node → piece id (−1: none); (node << 8 | byte) → child node
  std::vector<std::int32_t> trie_piece_{-1};
  std::unordered_map<std::uint64_t, std::int32_t> trie_child_;
  int unk_ = -1;
  int byte_id_[256] = {};
  bool byte_fallback_ = false, add_dummy_prefix_ = true, remove_extra_whitespaces_ = true, escape_whitespaces_ = true;
  float min_score_ = 0, max_score_ = 0;
  std::string unk_surface_ = " \xE2\x81\x87 ";
};

}  // namespace factorkit::data
