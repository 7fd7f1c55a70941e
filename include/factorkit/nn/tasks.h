// factorkit/nn/tasks.h — the training tasks the reference models use, built
// on the loop (trainer.h): image classification, text classification and
// language modelling on a token stream. A method with its own model plugs in
// by giving a forward function (see docs/methods/nn.md).
#pragma once

#include <ATen/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "factorkit/nn/images.h"
#include "factorkit/nn/tokenizer.h"
#include "factorkit/nn/trainer.h"

namespace factorkit::nn {

using Forward = std::function<at::Tensor(const at::Tensor&)>;

// ---- images -------------------------------------------------------------------
// Cross-entropy on the loader's batches; evaluation on `eval` (if given).
Task image_classification(Forward forward, const ImageLoader& train, const ImageDataset* eval,
                          std::int64_t eval_batch = 1000);
// The task keeps references to the loader and the evaluation data: they must
// outlive it (temporaries are refused at compile time).
Task image_classification(Forward, ImageLoader&&, const ImageDataset*, std::int64_t = 1000) = delete;
Metrics evaluate_images(const Forward& forward, const ImageDataset& data, std::int64_t batch = 1000);

// Accuracy under each corruption at each severity (corrupt() on the images
// in [0, 1], normalized back as `data`): rows (corruption, severity,
// accuracy), the first `limit` images (0: all), noise seeded by `seed`.
struct CorruptionResult {
  Corruption corruption;
  int severity = 0;
  double accuracy = 0;
};
std::vector<CorruptionResult> evaluate_corruptions(const Forward& forward, const ImageDataset& data,
                                                   const std::vector<int>& severities, std::int64_t limit = 0,
                                                   std::uint64_t seed = 0);

// ---- text classification ---------------------------------------------------------
struct TextSet {
  std::vector<std::vector<int>> ids;  // encoded with [CLS] … [SEP]
  std::vector<std::int64_t> labels;
};
// Batches of `batch_size` in a seeded order per epoch, padded per batch;
// texts of similar length are batched together (sorted within windows of 32
// batches of a seeded permutation, then the batches shuffled).
Task text_classification(Forward forward, const TextSet& train, const TextSet* eval, std::int64_t batch_size,
                         std::uint64_t seed);
Task text_classification(Forward, TextSet&&, const TextSet*, std::int64_t, std::uint64_t) = delete;
Metrics evaluate_text(const Forward& forward, const TextSet& data, std::int64_t batch = 256);

// ---- language modelling -------------------------------------------------------------
// Lines encoded and joined, each followed by [SEP] (the end-of-line token).
at::Tensor token_stream(const Tokenizer& tokenizer, const std::vector<std::string>& lines);

// Training windows of seq_len + 1 tokens (input = first seq_len, target =
// last seq_len) starting at multiples of seq_len, in a seeded order per epoch.
class LmLoader {
 public:
  LmLoader(at::Tensor stream, std::int64_t seq_len, std::int64_t batch_size, std::uint64_t seed);
  std::int64_t batches() const noexcept { return batches_; }
  std::pair<at::Tensor, at::Tensor> batch(std::int64_t epoch, std::int64_t b) const;
  std::int64_t seq_len() const noexcept { return seq_len_; }

 private:
  at::Tensor stream_;
  std::int64_t seq_len_, batch_size_, windows_, batches_;
  std::uint64_t seed_;
  mutable std::int64_t order_epoch_ = -1;
  mutable std::vector<std::int64_t> order_;
};

// forward: ids (B, T) → logits (B, T, V).
Task language_modelling(Forward forward, const LmLoader& train, const at::Tensor* eval_stream,
                        std::int64_t eval_batch = 64);
Task language_modelling(Forward, LmLoader&&, const at::Tensor*, std::int64_t = 64) = delete;
// Loss and perplexity per token: every token of the stream but the first is
// predicted exactly once (windows of seq_len + 1 tokens, stride seq_len).
Metrics evaluate_lm(const Forward& forward, const at::Tensor& stream, std::int64_t seq_len, std::int64_t batch = 64);
// The baseline: a unigram model of the training stream (add-one smoothing)
// scored on the same tokens evaluate_lm predicts.
double unigram_perplexity(const at::Tensor& train_stream, const at::Tensor& eval_stream, std::int64_t vocab);

}  // namespace factorkit::nn
