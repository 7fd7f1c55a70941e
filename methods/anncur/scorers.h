// methods/anncur/scorers.h — the scorers a user brings, opened from files
// (what `factorkit anncur` and the benchmark use):
//
//   --scores FILE                    a precomputed score matrix (queries × items)
//   --model DIR --queries Q --items I  a factorkit text cross-encoder folder;
//                                    Q: one sentence per line, mention as [[…]];
//                                    I: one item per line, "name<TAB>description"
//   --torchscript FILE --query-features QF --item-features IF
//                                    forward(q (B, …), i (B, …)) → (B) or (B, 1)
//                                    scores; QF/IF: tensors with one row per
//                                    query / item
#pragma once

#include <memory>
#include <string>

#include "anncur.h"

namespace factorkit::nn {
class ScriptModel;
}

namespace factorkit::anncur {

class ScriptScorer final : public Scorer {
 public:
  // InvalidInput naming the file when a trial batch of two pairs does not give two scores.
  ScriptScorer(const std::string& model_path, at::Tensor query_features, at::Tensor item_features,
               std::int64_t batch = 256);
  ~ScriptScorer() override;
  std::int64_t queries() const override { return qf_.size(0); }
  std::int64_t items() const override { return if_.size(0); }
  std::string describe() const override { return "torchscript:" + path_; }
  std::int64_t preferred_batch() const override { return batch_; }

 protected:
  at::Tensor score_pairs(const at::Tensor& query, const at::Tensor& item) override;

 private:
  std::unique_ptr<nn::ScriptModel> model_;
  std::string path_;
  at::Tensor qf_, if_;
  std::int64_t batch_;
};

struct ScorerSpec {
  std::string scores, tensor;                // a matrix file (and the tensor's name in it)
  std::string model, queries, items;         // a text cross-encoder
  std::string torchscript, query_features, item_features;
  std::int64_t batch = 256;
  // InvalidInput naming the options unless exactly one kind is given with its companions.
  void check() const;
};
// Reads the inputs and opens the scorer; errors name the file, line or option.
std::unique_ptr<Scorer> open_scorer(const ScorerSpec& spec);

}  // namespace factorkit::anncur
