// methods/anncur/synthetic.h — an expensive scorer that does not factorize,
// for ANNCUR's small-scale benchmark (the reference note's construction), and
// the dual-encoder baseline distilled from it.
//
//   queries, items   x = μ_t + σ ε in R^d, planted topics t (uniform), ε ~ N(0, I)
//   relevance        y(q, i) = (1/F) Σ_f exp(−‖q_f − i_f‖² / (2 ℓ² d/F)): Gaussian
//                    kernels on F blocks ("facets") of d/F coordinates. One
//                    kernel ranks items as a linear form in (i, ‖i‖²) would (a
//                    low-rank ranking); their sum does not, and the width ℓ sets
//                    the effective rank (small ℓ: high rank)
//   [CLS]-like       s(q, i) = vᵀ tanh(W [q; i; q ⊙ i] + b) + c, an MLP on the pair,
//                    trained on y (pairs: half within a topic, half uniform)
//   [EMB]-like       s(q, i) = vᵀ tanh(A q ⊙ B i + b) + c: a low-rank bilinear map
//                    inside one nonlinearity, trained on the same y
//   dual encoder     f(q)ᵀ g(i), two MLP towers, distilled from s on training
//                    queries (listwise: softmax cross-entropy between s and fᵀg
//                    over sampled items); its scorer calls are counted
//
// The scorer evaluates blocks (queries × items) without forming pair tensors:
// the [CLS] form splits W into its q, i and q ⊙ i parts.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

#include "anncur.h"

namespace factorkit::anncur {

enum class SyntheticForm { Cls, Emb };

struct SyntheticOptions {
  std::int64_t queries = 3400, items = 10000;  // YuGiOh's shape
  std::int64_t dim = 32, topics = 50, hidden = 128, facets = 4;
  double noise = 0.6;         // σ, relative to the topic centres' unit spread
  double length_scale = 0.5;  // ℓ
  SyntheticForm form = SyntheticForm::Cls;
  std::int64_t train_steps = 1500, train_batch = 2048;
  double lr = 3e-3;
  std::uint64_t seed = 0;
};

class SyntheticScorer final : public Scorer {
 public:
  // Draws the points and trains the scorer (seconds).
  explicit SyntheticScorer(const SyntheticOptions& o);
  std::int64_t queries() const override { return q_.size(0); }
  std::int64_t items() const override { return i_.size(0); }
  std::string describe() const override;
  std::int64_t preferred_batch() const override { return 1 << 15; }

  const at::Tensor& query_vectors() const { return q_; }
  const at::Tensor& item_vectors() const { return i_; }
  // The training target y on a block (for tests and the fit report).
  at::Tensor relevance(const at::Tensor& queries, const at::Tensor& items) const;
  double fit_rmse() const { return fit_rmse_; }  // on held-out pairs, against y

 protected:
  at::Tensor score_pairs(const at::Tensor& query, const at::Tensor& item) override;
  at::Tensor score_block_impl(const at::Tensor& queries, const at::Tensor& items) override;

 private:
  at::Tensor forward_pairs(const at::Tensor& q, const at::Tensor& i) const;    // vectors (B, d) → (B)
  at::Tensor relevance_pairs(const at::Tensor& q, const at::Tensor& i) const;  // y on vectors
  SyntheticOptions o_;
  at::Tensor q_, i_;
  // parameters: [CLS] W (h, 3d), [EMB] A, B (h, d); b (h); v (h); c ()
  at::Tensor w_, a_, b_mat_, bias_, v_, c_;
  double fit_rmse_ = 0;
};

struct DualEncoderOptions {
  std::int64_t hidden = 256, out = 64;
  std::int64_t steps = 1500, queries_per_step = 32, items_per_step = 256;
  double lr = 2e-3, temperature = 0.05;  // τ of both softmaxes
  std::uint64_t seed = 0;
};
struct DualEncoderResult {
  at::Tensor query_embeddings, item_embeddings;  // (nq, out), (ni, out)
  std::int64_t scorer_calls = 0;                 // spent on distillation
  double seconds = 0;
  at::Tensor scores(const at::Tensor& queries) const;  // (|queries|, ni) fᵀg
};
// Distils a two-tower model from `scorer` on `train_queries` (ids) against
// sampled items; embeds every query and item.
DualEncoderResult distill_dual_encoder(SyntheticScorer& scorer, const at::Tensor& train_queries,
                                       const DualEncoderOptions& o);

}  // namespace factorkit::anncur
