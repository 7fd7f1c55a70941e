// methods/craft/craft.h — CRAFT (Fel et al., CVPR 2023): concepts of an image
// classifier by NMF of crop activations, their importance by total Sobol'
// indices, and where they are in an image.
//
//   f = h ∘ g, g(x) >= 0           the model split at a named layer
//   A (crops x p)                  g of image crops (unfold, stride 0.8 P, resized
//                                  back to the input size), averaged over space
//   A ≈ U W, U, W >= 0             NMF: the r rows of W are the concepts
//   u(a) = argmin_{u>=0} |a − uW|  NNLS transform of new activations
//   ST_i                           total Sobol' index of concept i for class k:
//                                  masks m over u (replicated QMC design),
//                                  y = h((u ⊙ m) W)[k], averaged over images
//   ∂u_S/∂a = (W_S W_Sᵀ)⁻¹ W_S      the NNLS solution's derivative on its active
//                                  set S (zero elsewhere), chained back to a
//                                  feature map as a GradCAM: the attribution map
//
// Naming follows CRAFT: U are the coefficients (scikit-learn's W), W the
// concept bank (scikit-learn's H, `components_`). Everything runs on the CPU in
// batches whose size is capped in bytes.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "factorkit/linalg/nmf.h"
#include "sobol.h"

namespace torch::nn {
class Sequential;
}
namespace factorkit::nn {
class ScriptModel;
}

namespace factorkit::craft {

// ---- the model as a chain of named layers --------------------------------------
// f(x) = stage_n(… stage_1(x)). Built from LibTorch Sequentials (factorkit
// models) or from a TorchScript module's leaf submodules in definition order.
class LayerChain {
 public:
  using Stage = std::function<at::Tensor(const at::Tensor&)>;
  // `affine`: whether the stage is known to be affine in its input (Linear,
  // convolution, flatten, average pooling, and BatchNorm/Dropout in eval mode),
  // asked when used; empty means "not known to be".
  void add(std::string name, Stage stage, std::function<bool()> affine = {});
  // Sequentials in order, their layers named "<prefix>.<index>" ("features.3").
  static LayerChain from_sequentials(const std::vector<std::pair<std::string, torch::nn::Sequential>>& parts);
  // The leaves of a TorchScript module, depth first. `model` must outlive the chain.
  static LayerChain from_script(nn::ScriptModel& model);

  std::int64_t size() const { return std::int64_t(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }
  // InvalidInput naming `where` and listing the layers when `layer` is unknown.
  std::int64_t index_of(const std::string& layer, const std::string& where = "--layer") const;
  // Stages [from, to) applied in order.
  at::Tensor run(const at::Tensor& x, std::int64_t from, std::int64_t to) const;
  at::Tensor operator()(const at::Tensor& x) const { return run(x, 0, size()); }
  bool affine(std::int64_t i) const { return affine_[std::size_t(i)] && affine_[std::size_t(i)](); }

 private:
  std::vector<std::string> names_;
  std::vector<Stage> stages_;
  std::vector<std::function<bool()>> affine_;
};

// The layers whose outputs on `probe` are all >= 0 (where g may end).
std::vector<std::string> nonnegative_layers(const LayerChain& chain, const at::Tensor& probe);

// f = h ∘ g with g = the chain up to and including `layer`.
class ModelSplit {
 public:
  ModelSplit(LayerChain chain, const std::string& layer);
  at::Tensor g(const at::Tensor& x) const { return chain_.run(x, 0, cut_ + 1); }
  at::Tensor h(const at::Tensor& a) const { return chain_.run(a, cut_ + 1, chain_.size()); }
  const LayerChain& chain() const { return chain_; }
  const std::string& layer() const { return chain_.names()[std::size_t(cut_)]; }
  std::int64_t cut() const { return cut_; }
  // Max |f(x) − h(g(x))| relative to max |f(x)| on `probe` against the whole
  // model `f`: InvalidInput when above 1e-4 (the model's forward does more than
  // chain its layers, e.g. a skip connection across the split).
  void check_against(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& probe,
                     const std::string& where) const;

 private:
  LayerChain chain_;
  std::int64_t cut_ = 0;
};

// ---- options -----------------------------------------------------------------------
struct CraftOptions {
  std::int64_t concepts = 10;    // r (the reference library's default is 20, its README uses 10)
  std::int64_t patch_size = 64;  // P
  std::int64_t stride = 0;       // 0: int(0.8 P), as the reference
  // NMF of the crop activations; rank is set from `concepts`. The defaults are
  // scikit-learn's (cd, tol 1e-4, max_iter 200, alpha_W 0 as CRAFT's torch
  // version; 1e-2 is the TF version's).
  linalg::NmfOptions nmf;
  std::int64_t designs = 32;  // N: masks per image are N (r + 2)
  Sampler sampler = Sampler::Halton;
  Estimator estimator = Estimator::Jansen;
  std::int64_t bootstrap = 0;    // resamples of images for the importance intervals (0: none)
  double level = 0.95;
  std::uint64_t seed = 0;        // LHS sampler, bootstrap, NMF random init
  std::int64_t batch_bytes = std::int64_t(256) << 20;  // cap on one forward batch's activations
  // Called with (done, total) while crops / images are processed. May be empty.
  std::function<void(std::int64_t, std::int64_t)> on_progress;
};

// ---- crops and activations -----------------------------------------------------------
struct CropRef {
  std::int64_t image = 0, y = 0, x = 0, size = 0;  // the patch images[image, :, y:y+size, x:x+size]
};
// Top-left corners of the unfold grid over an image of side `side`.
std::vector<std::int64_t> crop_offsets(std::int64_t side, std::int64_t patch, std::int64_t stride);
// The patches of `images` (n, C, S, S), resized back to S × S (bilinear), in
// image-major, row-major order; refs filled when given.
at::Tensor make_crops(const at::Tensor& images, std::int64_t patch, std::int64_t stride,
                      std::vector<CropRef>* refs = nullptr, std::int64_t first_image = 0);
// g of `inputs` in batches (size from options.batch_bytes), as float32.
at::Tensor activations(const ModelSplit& split, const at::Tensor& inputs, const CraftOptions& options);
// (n, p, h, w) → (n, h, w, p); (n, p) unchanged.
at::Tensor channels_last(const at::Tensor& a);

// ---- concepts -----------------------------------------------------------------------
struct Concepts {
  at::Tensor w;            // r x p, the concept bank (float32)
  at::Tensor u;            // crops x r, the crops' coefficients
  at::Tensor activations;  // crops x p (pooled g of each crop)
  std::vector<CropRef> crops;
  linalg::NmfOptions nmf;  // what was fitted (used by transform)
  std::int64_t nmf_iterations = 0;
  bool nmf_converged = true;
  double nmf_error = 0;    // ||A − U W||_F
  std::string layer;       // where g ends
  std::int64_t rank() const { return w.size(0); }
};
// Crops of `images`, their pooled activations (InvalidInput naming the layer
// and the non-negative layers when g has negative outputs) and the NMF.
Concepts fit_concepts(const ModelSplit& split, const at::Tensor& images, const CraftOptions& options);
// Fit from activations already computed (crops x p, >= 0).
Concepts fit_concepts(const at::Tensor& activations, const CraftOptions& options);

// u(a) for every row of `a` (…, p) → (…, r): the exact NNLS solution of the
// fitted objective (its alpha_W terms included).
at::Tensor transform(const Concepts& c, const at::Tensor& a);

// Per-image coefficients: U of g(images) — (n, r) when g's output is pooled
// (2-D), (n, h, w, r) per location when it is a feature map (xplique's maps).
at::Tensor image_coefficients(const ModelSplit& split, const Concepts& c, const at::Tensor& images,
                              const CraftOptions& options);

// ---- importance ---------------------------------------------------------------------
// With a split model, the leading stages of h that are affine (e.g. flatten +
// Linear after the last pooling) are evaluated once per concept instead of once
// per mask: h₁(Σ_j m_j a_j) = h₁(0) + Σ_j m_j (h₁(a_j) − h₁(0)) with a_j = u_j W_j,
// exact up to rounding; the rest of h runs on every mask row as usual.
struct Importance {
  std::vector<double> total;   // mean over images of each concept's ST
  std::vector<double> first;   // mean of the first-order indices
  std::vector<double> total_low, total_high;  // bootstrap over images (empty without)
  at::Tensor per_image_total;  // (n, r) float64
  at::Tensor per_image_first;  // (n, r) float64
  std::int64_t model_calls = 0;  // rows evaluated through h
};
// ST_i and S_i for class `class_id` of h's output over `images`.
Importance estimate_importance(const ModelSplit& split, const Concepts& c, const at::Tensor& images,
                               std::int64_t class_id, const CraftOptions& options);
// The same from coefficients U (n, r) or (n, h, w, r) and a head; h gets
// (rows, p) or (rows, p, h, w) activations.
Importance estimate_importance(const std::function<at::Tensor(const at::Tensor&)>& head, const at::Tensor& w,
                               const at::Tensor& coefficients, std::int64_t class_id, const CraftOptions& options);

// ---- implicit differentiation and attribution maps ---------------------------------------
// ∂u/∂a (r x p, float64) of the NNLS solution u = transform(a) for one
// activation vector a (p): rows of the active set S are (W_S W_Sᵀ + λ I)⁻¹ W_S
// (λ: the L2 term of the fitted objective), other rows are zero.
at::Tensor nnls_jacobian(const Concepts& c, const at::Tensor& a);
// The concept attribution maps of each image: for concept i, with F the
// feature map at `layer` (at or before the split) and a = pooled g(x),
// map_i = ReLU(Σ_ch F_ch · mean_xy ∂u_i/∂F_ch), resized to the input size
// (bicubic, as the reference). (n, r, S, S), float32; a concept inactive in an
// image (u_i = 0) has a zero map.
at::Tensor attribution_maps(const ModelSplit& split, const Concepts& c, const at::Tensor& images,
                            const std::string& layer);

// ---- recursivity ----------------------------------------------------------------------
struct Refinement {
  std::int64_t concept_index = 0;
  std::vector<std::int64_t> crops;  // indices into the parent's crops (those where the concept leads)
  Concepts sub;                     // sub-concepts at the earlier layer
  Importance importance;            // of the sub-concepts, for the class, through the rest of the model
  double ambiguity = 0;             // 1 − the largest sub-concept's share of the crops' coefficient mass
};
// The paper's recursivity: the crops where concept `index` has the largest
// share of the coefficients are taken, their activations at `earlier_layer`
// (before the split, >= 0) factorized into `sub_concepts` concepts, and those
// ranked by Sobol' indices through the rest of the model on the crops.
Refinement refine_concept(const LayerChain& chain, const Concepts& c, const at::Tensor& images,
                          std::int64_t index, const std::string& earlier_layer, std::int64_t sub_concepts,
                          std::int64_t class_id, const CraftOptions& options);

}  // namespace factorkit::craft
