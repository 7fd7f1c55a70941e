// methods/anncur/text.h — cross-encoders and a dual encoder for WordNet sense
// linking (a mention in an example sentence → its synset), the text side of
// ANNCUR's experiments.
//
// Inputs (SentencePiece ids of the WordNet tokenizer):
//   query  the sentence around the mention, the mention between two marker
//          tokens (the byte pieces of U+0001 and U+0002, which WordNet text never
//          contains), at most `query_tokens` ids
//   item   the marker U+0003, then "name: definition", at most `item_tokens`
//   pair   [CLS] query [SEP] item [SEP]
// Forms (the paper's):
//   [CLS]  s = w·h_[CLS] + b               (a linear head on the first state)
//   [EMB]  s = ⟨(h_start + h_end)/2, h_item⟩ / √D  (the mention markers' and the
//          item marker's final states; the paper's ent_start/ent_end/title)
// Both are trained with softmax cross-entropy over the gold entity and
// negatives: uniformly random ones and TF-IDF hard ones (the best-scoring
// wrong entities for the sentence), both among the senses of the same split
// that have examples (as every gold sense does).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "anncur.h"
#include "factorkit/data/wordnet_tasks.h"
#include "factorkit/nn/models.h"
#include "factorkit/nn/tokenizer.h"
#include "factorkit/nn/trainer.h"
#include "tfidf.h"

namespace factorkit::anncur {

enum class CeForm { Cls, Emb };
std::string to_string(CeForm f);
CeForm parse_ce_form(const std::string& s, const std::string& where);

struct Markers {
  int start = 0, end = 0, item = 0;  // token ids
};

// Token ids of queries and items, built once.
struct LinkingData {
  data::SenseLinkingTask task;
  Markers markers;
  std::int64_t query_tokens = 20, item_tokens = 24;
  std::vector<std::vector<int>> entity_ids;  // per entity
  std::vector<std::string> entity_text;      // "name: definition"
};
// The task, the tokenizer's markers and every entity's ids.
std::shared_ptr<const LinkingData> linking_data(const nn::Tokenizer& tok, std::int64_t query_tokens = 20,
                                                std::int64_t item_tokens = 24, std::uint64_t seed = 0);
Markers markers_of(const nn::Tokenizer& tok);  // InvalidInput when a marker is not one piece
// A query from text with the mention marked "[[…]]" (the CLI's input form).
std::vector<int> marked_query_ids(const nn::Tokenizer& tok, const Markers& m, const std::string& text,
                                  std::int64_t query_tokens, const std::string& where);
std::vector<int> item_ids(const nn::Tokenizer& tok, const Markers& m, const std::string& text, std::int64_t item_tokens);
std::vector<int> pair_ids(const std::vector<int>& query, const std::vector<int>& item);
// The query of a task example (its sentence, the mention marked).
// The senses that examples of `split` link to (sorted, distinct).
std::vector<std::int64_t> entities_of(const LinkingData& d, const std::vector<std::size_t>& split);
std::vector<int> example_query_ids(const nn::Tokenizer& tok, const LinkingData& d, const data::LinkingExample& e);

// ---- the cross-encoder -------------------------------------------------------------
// With `match`, each token's input embedding also gets one of two learned
// vectors: whether its id occurs in the other text of the pair (special and
// marker ids excluded) — the exact-match feature of neural readers (DrQA) and
// rankers, which only a model that sees both texts can compute. A 2-layer
// model trained for minutes learns lexical matching from it at once instead
// of over thousands of steps.
class CrossEncoderImpl : public torch::nn::Module {
 public:
  CrossEncoderImpl(nn::EncoderOptions options, CeForm form, Markers markers, bool match = true);
  at::Tensor forward(const at::Tensor& ids);  // (B, T) pair ids → (B) scores
  // (B, T) bool: the token's id occurs in the other text of its pair
  at::Tensor matches(const at::Tensor& ids) const;
  nn::TransformerEncoder encoder{nullptr};
  torch::nn::Embedding match_embedding{nullptr};
  CeForm form;
  Markers markers;
  bool match;
};
TORCH_MODULE(CrossEncoder);

// ---- the dual encoder (two towers sharing one Transformer, BLINK-style) ----------------
class DualEncoderImpl : public torch::nn::Module {
 public:
  explicit DualEncoderImpl(nn::EncoderOptions options);
  at::Tensor embed(const at::Tensor& ids);  // [CLS] text [SEP] → (B, D) final [CLS] states
  nn::TransformerEncoder encoder{nullptr};
};
TORCH_MODULE(DualEncoder);

// ---- training ---------------------------------------------------------------------------
struct CeRecipe {
  CeForm form = CeForm::Emb;
  bool match = true;  // the exact-match input feature
  nn::EncoderOptions model;  // vocab, max_len, classes set from the data
  nn::TrainOptions train;
  std::int64_t train_queries = 4000;  // training examples used (0: all)
  std::int64_t negatives = 7;         // per query
  double hard_fraction = 0.5;         // of the negatives from TF-IDF's top `hard_pool`
  std::int64_t hard_pool = 32;
  std::int64_t batch_queries = 16;
  std::int64_t dev_queries = 400;
};
CeRecipe ce_recipe(CeForm form);
struct DeRecipe {
  nn::EncoderOptions model;
  nn::TrainOptions train;
  std::int64_t train_queries = 4000;
  std::int64_t batch_queries = 32;  // in-batch negatives, plus one hard negative per query
  std::int64_t hard_pool = 32;
  std::int64_t dev_queries = 400;
};
DeRecipe de_recipe();

// Model folders: model.safetensors, model.json (architecture, form, markers,
// recipe, metrics, training), checkpoints/. A rerun resumes or returns at once.
struct TrainedText {
  std::string dir;
  nlohmann::json info;
  double seconds = 0;  // this call's training time (0 when cached)
};
TrainedText train_cross_encoder(const LinkingData& data, const CeRecipe& recipe, const std::string& dir);
TrainedText train_dual_encoder(const LinkingData& data, const DeRecipe& recipe, const std::string& dir);
CrossEncoder load_cross_encoder(const std::string& dir);
DualEncoder load_dual_encoder(const std::string& dir);

// ---- the cross-encoder as a scorer ------------------------------------------------------
// Queries and items are id lists; pairs are batched by length (sorted, so a
// batch pads little) and run without gradients on all threads.
class TextScorer final : public Scorer {
 public:
  TextScorer(CrossEncoder model, std::vector<std::vector<int>> queries, std::vector<std::vector<int>> items,
             std::string name, std::int64_t batch = 256);
  std::int64_t queries() const override { return std::int64_t(q_.size()); }
  std::int64_t items() const override { return std::int64_t(i_.size()); }
  std::string describe() const override { return name_; }
  std::int64_t preferred_batch() const override { return batch_; }

 protected:
  at::Tensor score_pairs(const at::Tensor& query, const at::Tensor& item) override;
  at::Tensor score_block_impl(const at::Tensor& queries, const at::Tensor& items) override;

 private:
  at::Tensor run(const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs);  // in the given order
  CrossEncoder model_;
  std::vector<std::vector<int>> q_, i_;
  std::string name_;
  std::int64_t batch_;
};

// Embeddings of id lists (each [CLS] … [SEP] is added), batched by length.
at::Tensor embed_all(DualEncoder& model, const std::vector<std::vector<int>>& texts, std::int64_t batch = 256);

}  // namespace factorkit::anncur
