// methods/craft/planted.h — the planted-texture benchmark: images whose
// concepts are known, a CNN trained on them, and CRAFT scored against the truth.
//
// Images are 32 × 32 RGB on a grey noisy background; each of kTextures
// textures (stripes, checks, dots, a disc, and a distractor) may sit in one
// cell of a 3 × 3 grid as a 10 × 10 square. A small CNN (conv-ReLU × 4, a
// grouped 1 × 1 convolution giving each texture's logit from its own channels,
// global average pooling) is trained in C++ to say which textures a random crop
// of an image shows (multi-label). The model CRAFT explains is that CNN
// followed by a planted linear head over the texture logits,
// y = Σ_k (w_k / Δ_k) logit_k (Δ_k: the logit's mean change when texture k is
// present, so texture k moves y by w_k), the distractor's w being 0; every analysed
// image shows every texture, so the distractor always co-occurs with the
// class evidence but never moves the score.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "craft.h"

namespace factorkit::craft {

inline constexpr int kTextures = 6;
const std::array<std::string, kTextures>& texture_names();
// The planted head weights (the distractor, last, has 0).
const std::array<double, kTextures>& planted_weights();

struct TextureImages {
  at::Tensor images;  // (n, 3, 32, 32) float32 in [0, 1]
  at::Tensor masks;   // (n, kTextures, 32, 32) float32 in {0, 1}
};
// `all`: every image shows every texture; otherwise each appears with
// probability 1/2 (independently).
TextureImages make_texture_images(std::int64_t n, std::uint64_t seed, bool all);

// Which textures each crop shows: at least half of the texture inside the crop,
// or at least a quarter of the crop covered. (crops, kTextures) float32 0/1.
at::Tensor crop_labels(const at::Tensor& masks, const std::vector<CropRef>& crops);

struct PlantedOptions {
  std::int64_t train_images = 3000;
  std::int64_t train_steps = 1500;
  std::int64_t analysis_images = 100;
  std::int64_t concepts = 7;  // textures + background
  std::int64_t patch_size = 12;
  std::int64_t designs = 32;
  std::uint64_t seed = 0;
  std::string checkpoint_dir;  // empty: no checkpoints
};

struct PlantedResult {
  double train_accuracy = 0;               // multi-label, on held-out random crops
  std::vector<double> auc;                 // per texture, of its matched concept
  std::vector<std::int64_t> match;         // texture → concept
  std::vector<double> importance;          // per texture, its matched concept's total index
  std::vector<double> concept_importance;  // per concept
  std::vector<double> logit_effect;        // Δ_k: mean logit change when texture k is present
  std::vector<double> ablation;            // mean y(x) − y(x without texture k) on the analysed images
  double mean_auc = 0, min_auc = 0, spearman = 0, distractor_importance = 0;
  double iou_gradcam = 0, iou_maps = 0;    // mean IoU of the concept maps with the texture masks
  std::int64_t nmf_iterations = 0;
  double seconds_train = 0, seconds_craft = 0;
  Concepts concepts;
  TextureImages analysis;
  at::Tensor attribution;                  // (n, r, 32, 32) of the analysed images
};
PlantedResult run_planted(const PlantedOptions& options);

// Spearman's rank correlation (average ranks for ties).
double spearman(const std::vector<double>& a, const std::vector<double>& b);
// Area under the ROC curve of `score` for the binary `label` (ties count half).
double roc_auc(const at::Tensor& score, const at::Tensor& label);

}  // namespace factorkit::craft
