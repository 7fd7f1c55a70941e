// factorkit/nn/tokenizer.h — SentencePiece subword tokenization with the
// special tokens classification and pair encoding need.
//
// Models are trained by Debian's `spm_train` (package sentencepiece) in a
// child process and applied by factorkit's own reader
// (data/sentencepiece.h explains why the library itself cannot be loaded
// beside LibTorch).
//
// Ids: 0 [PAD], 1 <unk>, 2 [CLS], 3 [SEP], 4 [MASK], then 256 byte pieces
// (byte fallback: any UTF-8 text encodes without <unk>) and the learned
// pieces. No normalization and whitespace kept as is, so decode(encode(s)) == s
// for any UTF-8 text that does not itself contain U+2581 (▁, SentencePiece's
// space mark) or the special-token spellings.
#pragma once

#include <ATen/Tensor.h>

#include <string>
#include <string_view>
#include <vector>

#include "factorkit/data/sentencepiece.h"

namespace factorkit::nn {

struct TokenizerOptions {
  int vocab_size = 4000;
  std::string model_type = "unigram";  // the one type data/sentencepiece.h applies
};

class Tokenizer {
 public:
  static constexpr int kPad = 0, kUnk = 1, kCls = 2, kSep = 3, kMask = 4;

  // Trains on `lines` and writes the model to `model_path` (atomically).
  static Tokenizer train(const std::vector<std::string>& lines, const TokenizerOptions& options,
                         const std::string& model_path);
  // MalformedFile naming the file when it is not a SentencePiece model or
  // lacks the special tokens at their ids.
  static Tokenizer load(const std::string& model_path);

  int vocab_size() const;
  std::vector<int> encode(std::string_view text) const;
  std::string decode(const std::vector<int>& ids) const;
  std::string piece(int id) const;

  // [CLS] text [SEP], cut to max_len tokens (the text is cut, [SEP] kept).
  std::vector<int> encode_single(std::string_view text, std::size_t max_len) const;
  // [CLS] a [SEP] b [SEP], cutting the longer of a and b first.
  std::vector<int> encode_pair(std::string_view a, std::string_view b, std::size_t max_len) const;
  // Rows padded with [PAD] to the longest: (B, T) int64.
  static at::Tensor pad_batch(const std::vector<std::vector<int>>& rows);

  const std::string& path() const noexcept { return path_; }
  const data::SentencePieceModel& model() const noexcept { return model_; }

 private:
  Tokenizer(data::SentencePieceModel m, std::string path) : model_(std::move(m)), path_(std::move(path)) {}
  data::SentencePieceModel model_;
  std::string path_;
};

// The tokenizer of the WordNet text (the text task's training lines),
// trained at first use and cached as
// <cache>/tokenizer/wordnet-<model_type>-<vocab>.model (see cache_dir()).
Tokenizer wordnet_tokenizer(const TokenizerOptions& options = {});
std::string wordnet_tokenizer_path(const TokenizerOptions& options = {});

// Where trained artifacts are cached: $FACTORKIT_CACHE, else
// $XDG_CACHE_HOME/factorkit, else $HOME/.cache/factorkit (created on demand).
std::string cache_dir();

}  // namespace factorkit::nn
