#include "craft.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/nn.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/linalg/nnls.h"
#include "factorkit/nn/torchscript.h"

namespace factorkit::craft {

// ---- LayerChain -------------------------------------------------------------------

void LayerChain::add(std::string name, Stage stage, std::function<bool()> affine) {
  names_.push_back(std::move(name));
  stages_.push_back(std::move(stage));
  affine_.push_back(std::move(affine));
}

namespace {

// Whether a LibTorch layer is affine in its input (in eval mode where it matters).
std::function<bool()> affine_predicate(const std::shared_ptr<torch::nn::Module>& m) {
  namespace tn = torch::nn;
  auto is = [&](auto* type) { return std::dynamic_pointer_cast<std::remove_pointer_t<decltype(type)>>(m) != nullptr; };
  if (is((tn::LinearImpl*)nullptr) || is((tn::Conv2dImpl*)nullptr) || is((tn::Conv1dImpl*)nullptr) ||
      is((tn::FlattenImpl*)nullptr) || is((tn::AvgPool2dImpl*)nullptr) || is((tn::AdaptiveAvgPool2dImpl*)nullptr) ||
      is((tn::IdentityImpl*)nullptr))
    return [] { return true; };
  if (is((tn::BatchNorm1dImpl*)nullptr) || is((tn::BatchNorm2dImpl*)nullptr) || is((tn::DropoutImpl*)nullptr) ||
      is((tn::Dropout2dImpl*)nullptr)) {
    std::weak_ptr<torch::nn::Module> weak = m;
    return [weak] {
      const auto p = weak.lock();
      return p && !p->is_training();
    };
  }
  return {};
}

}  // namespace

LayerChain LayerChain::from_sequentials(const std::vector<std::pair<std::string, torch::nn::Sequential>>& parts) {
  LayerChain chain;
  for (const auto& [prefix, seq_const] : parts) {
    torch::nn::Sequential seq = seq_const;
    std::size_t i = 0;
    for (const torch::nn::AnyModule& any : *seq) {
      torch::nn::AnyModule m = any;
      chain.add(fmt::format("{}.{}", prefix, i++), [m](const at::Tensor& x) mutable { return m.forward(x); },
                affine_predicate(any.ptr()));
    }
  }
  return chain;
}

LayerChain LayerChain::from_script(nn::ScriptModel& model) {
  const auto all = model.submodules();
  LayerChain chain;
  for (const auto& name : all) {
    const bool has_child = std::any_of(all.begin(), all.end(), [&](const std::string& other) {
      return other.size() > name.size() && other.compare(0, name.size(), name) == 0 && other[name.size()] == '.';
    });
    if (has_child) continue;
    nn::ScriptModel* m = &model;
    // Affine layers by their PyTorch class (the model is in eval mode after loading).
    const std::string type = model.submodule_type(name);
    const std::string cls = type.substr(type.rfind('.') + 1);
    static const std::set<std::string> kAffine{"Linear",    "Conv1d",      "Conv2d",      "Flatten",
                                               "AvgPool2d", "AdaptiveAvgPool2d", "Identity", "BatchNorm1d",
                                               "BatchNorm2d", "Dropout", "Dropout2d"};
    std::function<bool()> affine;
    if (type.rfind("__torch__.torch.nn.modules.", 0) == 0 && kAffine.count(cls)) affine = [] { return true; };
    chain.add(name, [m, name](const at::Tensor& x) { return m->forward_submodule(name, x); }, affine);
  }
  if (chain.size() == 0)
    throw InvalidInput(model.path(), "submodules", "a model built from submodules (layers) that can be split");
  return chain;
}

std::int64_t LayerChain::index_of(const std::string& layer, const std::string& where) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == layer) return std::int64_t(i);
  std::string list;
  for (const auto& n : names_) list += (list.empty() ? "" : ", ") + n;
  throw InvalidInput(where, "layer", fmt::format("one of the model's layers: {} (got '{}')", list, layer),
                     "UnknownLayer");
}

at::Tensor LayerChain::run(const at::Tensor& x, std::int64_t from, std::int64_t to) const {
  at::Tensor y = x;
  for (std::int64_t i = from; i < to; ++i) y = stages_[std::size_t(i)](y);
  return y;
}

std::vector<std::string> nonnegative_layers(const LayerChain& chain, const at::Tensor& probe) {
  torch::NoGradGuard no_grad;
  std::vector<std::string> out;
  at::Tensor y = probe;
  for (std::int64_t i = 0; i < chain.size(); ++i) {
    try {
      y = chain.run(y, i, i + 1);
    } catch (const std::exception&) {
      break;  // the model's forward is not a chain from here on (a skip connection, a functional op)
    }
    if (y.numel() > 0 && y.min().item<double>() >= 0) out.push_back(chain.names()[std::size_t(i)]);
  }
  return out;
}

ModelSplit::ModelSplit(LayerChain chain, const std::string& layer) : chain_(std::move(chain)) {
  cut_ = chain_.index_of(layer);
  if (cut_ + 1 >= chain_.size())
    throw InvalidInput("--layer", "layer",
                       fmt::format("a layer before the last one (h must not be empty; got '{}')", layer), "LastLayer");
}

void ModelSplit::check_against(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& probe,
                               const std::string& where) const {
  torch::NoGradGuard no_grad;
  const at::Tensor full = f(probe).to(at::kDouble);
  at::Tensor split;
  try {
    split = h(g(probe)).to(at::kDouble);
  } catch (const std::exception& e) {
    throw InvalidInput(where, "model",
                       fmt::format("a model whose forward chains its layers in order (running them one after another "
                                   "failed: {}): export g and h as separate modules, or split a Sequential",
                                   e.what()),
                       "NotAChain");
  }
  if (!full.sizes().equals(split.sizes()))
    throw InvalidInput(where, "model", "a model whose forward chains its layers (h(g(x)) has another shape than f(x))",
                       "NotAChain");
  const double scale = std::max(full.abs().max().item<double>(), 1e-12);
  const double err = (full - split).abs().max().item<double>() / scale;
  if (err > 1e-4)
    throw InvalidInput(where, "model",
                       fmt::format("a model whose forward chains its layers in order (h(g(x)) differs from f(x) by "
                                   "{:.3g} relative): export g and h as separate modules, or split a Sequential",
                                   err),
                       "NotAChain");
}

// ---- crops and activations ------------------------------------------------------------

std::vector<std::int64_t> crop_offsets(std::int64_t side, std::int64_t patch, std::int64_t stride) {
  if (patch < 1 || patch > side)
    throw InvalidInput("--patch-size", "patch_size", fmt::format("1 .. {} pixels (the image side; got {})", side, patch));
  if (stride < 1) throw InvalidInput("--stride", "stride", fmt::format(">= 1 (got {})", stride));
  std::vector<std::int64_t> o;
  for (std::int64_t y = 0; y + patch <= side; y += stride) o.push_back(y);
  return o;
}

namespace {

std::int64_t effective_stride(const CraftOptions& o) {
  if (o.stride < 0) throw InvalidInput("--stride", "stride", fmt::format(">= 1, or 0 for int(0.8 P) (got {})", o.stride));
  return o.stride > 0 ? o.stride : std::max<std::int64_t>(1, std::int64_t(0.8 * double(o.patch_size)));
}

void check_images(const at::Tensor& images, const char* where) {
  if (images.dim() != 4 || images.size(2) != images.size(3) || images.size(0) < 1)
    throw InvalidInput(where, "images",
                       fmt::format("a non-empty (n, channels, S, S) batch of square images (got {})", c10::str(images.sizes())));
}

at::Tensor pool(const at::Tensor& a) { return a.dim() == 4 ? a.mean({2, 3}) : a.reshape({a.size(0), -1}); }

std::int64_t rows_per_batch(std::int64_t bytes_per_row, std::int64_t cap) {
  return std::max<std::int64_t>(1, cap / std::max<std::int64_t>(1, bytes_per_row));
}

// Inputs per forward of g: the byte cap counts g's output only, and the layers
// inside g can hold several times that, so batches are also kept to 256 inputs
// (larger ones do not run faster on a CPU).
constexpr std::int64_t kMaxForwardBatch = 256;

std::string negative_message(const ModelSplit& split, const at::Tensor& probe, double min) {
  const auto ok = nonnegative_layers(split.chain(), probe);
  std::string list;
  for (const auto& n : ok)
    if (split.chain().index_of(n) < split.chain().size() - 1) list += (list.empty() ? "" : ", ") + n;
  return fmt::format("non-negative activations for NMF (minimum {:.4g} at '{}'); layers with non-negative outputs on "
                     "these images: {} (choose the one before global pooling, e.g. after the last ReLU)",
                     min, split.layer(), list.empty() ? "none" : list);
}

}  // namespace

at::Tensor make_crops(const at::Tensor& images, std::int64_t patch, std::int64_t stride, std::vector<CropRef>* refs,
                      std::int64_t first_image) {
  check_images(images, "make_crops");
  const std::int64_t side = images.size(2);
  const auto off = crop_offsets(side, patch, stride);
  const std::int64_t k = std::int64_t(off.size());
  std::vector<at::Tensor> crops;
  crops.reserve(std::size_t(images.size(0) * k * k));
  for (std::int64_t i = 0; i < images.size(0); ++i)
    for (const auto y : off)
      for (const auto x : off) {
        crops.push_back(images[i].slice(1, y, y + patch).slice(2, x, x + patch));
        if (refs) refs->push_back({first_image + i, y, x, patch});
      }
  at::Tensor c = at::stack(crops, 0);
  if (patch == side) return c.contiguous();
  return at::upsample_bilinear2d(c, {side, side}, /*align_corners=*/false);
}

at::Tensor channels_last(const at::Tensor& a) { return a.dim() == 4 ? a.permute({0, 2, 3, 1}).contiguous() : a; }

at::Tensor activations(const ModelSplit& split, const at::Tensor& inputs, const CraftOptions& options) {
  torch::NoGradGuard no_grad;
  if (inputs.size(0) == 0) return at::empty({0}, at::kFloat);
  const at::Tensor first = split.g(inputs.slice(0, 0, 1));
  const std::int64_t rows = std::min(kMaxForwardBatch, rows_per_batch(first.numel() * 4, options.batch_bytes));
  std::vector<at::Tensor> parts;
  for (std::int64_t s = 0; s < inputs.size(0); s += rows)
    parts.push_back(split.g(inputs.slice(0, s, std::min(inputs.size(0), s + rows))).to(at::kFloat));
  return at::cat(parts, 0);
}

// ---- concepts -----------------------------------------------------------------------------

Concepts fit_concepts(const at::Tensor& acts, const CraftOptions& options) {
  if (options.concepts < 1) throw InvalidInput("--concepts", "concepts", fmt::format(">= 1 (got {})", options.concepts));
  if (acts.dim() != 2)
    throw InvalidInput("fit_concepts", "activations",
                       fmt::format("a (crops, p) matrix (got {})", c10::str(acts.sizes())));
  if (acts.size(0) < options.concepts)
    throw InvalidInput("--concepts", "concepts",
                       fmt::format("at most as many concepts as crops ({} crops: use more images or a smaller "
                                   "--patch-size/--stride; got {} concepts)", acts.size(0), options.concepts));
  Concepts c;
  c.nmf = options.nmf;
  c.nmf.rank = options.concepts;
  if (c.nmf.seed == 0) c.nmf.seed = options.seed;
  const linalg::NmfResult r = linalg::nmf(acts, c.nmf);
  c.u = r.w;
  c.w = r.h;
  c.activations = acts;
  c.nmf_iterations = r.n_iter;
  c.nmf_converged = r.converged;
  c.nmf_error = r.reconstruction_error;
  return c;
}

Concepts fit_concepts(const ModelSplit& split, const at::Tensor& images, const CraftOptions& options) {
  check_images(images, "fit_concepts");
  torch::NoGradGuard no_grad;
  const std::int64_t stride = effective_stride(options);
  const std::int64_t side = images.size(2);
  const auto off = crop_offsets(side, options.patch_size, stride);
  const std::int64_t per_image = std::int64_t(off.size() * off.size());
  // Images per batch: the crops' inputs and g's outputs within the byte cap.
  const at::Tensor probe_out = split.g(images.slice(0, 0, 1));
  const std::int64_t bytes = per_image * (images[0].numel() + probe_out.numel()) * 4;
  const std::int64_t step =
      std::min(std::max<std::int64_t>(1, kMaxForwardBatch / per_image), rows_per_batch(bytes, options.batch_bytes));
  std::vector<at::Tensor> pooled;
  std::vector<CropRef> refs;
  double min = 0;
  for (std::int64_t s = 0; s < images.size(0); s += step) {
    const std::int64_t e = std::min(images.size(0), s + step);
    const at::Tensor crops = make_crops(images.slice(0, s, e), options.patch_size, stride, &refs, s);
    const at::Tensor a = split.g(crops).to(at::kFloat);
    min = std::min(min, a.min().item<double>());
    pooled.push_back(pool(a));
    if (options.on_progress) options.on_progress(e, images.size(0));
  }
  if (min < 0) throw InvalidInput("--layer", split.layer(), negative_message(split, images.slice(0, 0, 8), min),
                                  "NegativeActivations");
  Concepts c = fit_concepts(at::cat(pooled, 0), options);
  c.crops = std::move(refs);
  c.layer = split.layer();
  return c;
}

at::Tensor transform(const Concepts& c, const at::Tensor& a) {
  const std::int64_t p = c.w.size(1);
  if (a.size(-1) != p)
    throw InvalidInput("transform", "activations", fmt::format("a last dimension of {} (the concepts' features), got {}",
                                                               p, a.size(-1)));
  auto shape = a.sizes().vec();
  const at::Tensor flat = a.reshape({-1, p}).clamp_min(0);
  at::Tensor u = linalg::nmf_transform(flat, c.w, c.nmf, linalg::NmfTransform::Exact);
  shape.back() = c.rank();
  return u.reshape(shape);
}

at::Tensor image_coefficients(const ModelSplit& split, const Concepts& c, const at::Tensor& images,
                              const CraftOptions& options) {
  check_images(images, "image_coefficients");
  const at::Tensor a = activations(split, images, options);
  if (a.min().item<double>() < 0)
    throw InvalidInput("--layer", split.layer(), negative_message(split, images.slice(0, 0, 8), a.min().item<double>()),
                       "NegativeActivations");
  return transform(c, channels_last(a.dim() == 4 ? a : a.reshape({a.size(0), -1})));
}

// ---- importance -----------------------------------------------------------------------------

namespace {

// h = rest ∘ affine; `affine` may be empty (identity).
struct HeadParts {
  std::function<at::Tensor(const at::Tensor&)> affine, rest;
};

Importance importance_impl(const HeadParts& head, const at::Tensor& w, const at::Tensor& coefficients,
                           std::int64_t class_id, const CraftOptions& options) {
  torch::NoGradGuard no_grad;
  const std::int64_t r = w.size(0), p = w.size(1);
  if (coefficients.dim() != 2 && coefficients.dim() != 4)
    throw InvalidInput("estimate_importance", "coefficients", "(n, r) or (n, h, w, r)");
  if (coefficients.size(-1) != r)
    throw InvalidInput("estimate_importance", "coefficients", fmt::format("{} concepts in the last dimension", r));
  if (options.designs < 2) throw InvalidInput("--designs", "designs", fmt::format(">= 2 (got {})", options.designs));
  if (options.bootstrap < 0)
    throw InvalidInput("--bootstrap", "bootstrap", fmt::format(">= 0 resamples (got {})", options.bootstrap));
  if (options.sampler == Sampler::Sobol && 2 * r > kSobolMaxDims)
    throw InvalidInput("--sampler", "sobol", fmt::format("at most {} concepts with the sobol sampler (got {}); use "
                                                         "halton", kSobolMaxDims / 2, r));
  const std::int64_t n = coefficients.size(0);
  const at::Tensor masks = replicated_design(options.sampler, options.designs, r, options.seed).to(at::kFloat);
  const std::int64_t m = masks.size(0);
  const bool spatial = coefficients.dim() == 4;
  const std::int64_t locations = spatial ? coefficients.size(1) * coefficients.size(2) : 1;
  const at::Tensor wf = w.to(at::kFloat);
  // (b, h, w, r) or (b, r) coefficients → activations (b, p, h, w) or (b, p)
  auto mix = [&](const at::Tensor& up) {
    return spatial ? at::matmul(up, wf).permute({0, 3, 1, 2}).contiguous() : at::mm(up, wf);
  };
  auto score = [&](const at::Tensor& y) {
    if (y.dim() != 2 || class_id < 0 || class_id >= y.size(1))
      throw InvalidInput("--class", "class", fmt::format("a class index of the model's output {} (got {})",
                                                         c10::str(y.sizes()), class_id));
    return y.select(1, class_id).to(at::kDouble);
  };
  Importance imp;
  imp.per_image_total = at::empty({n, r}, at::kDouble);
  imp.per_image_first = at::empty({n, r}, at::kDouble);
  for (std::int64_t i = 0; i < n; ++i) {
    const at::Tensor u = coefficients[i].to(at::kFloat);
    std::vector<at::Tensor> ys;
    if (head.affine) {
      // one input per concept (its coefficients alone) and the zero input
      at::Tensor one = at::zeros({r + 1, r}, at::kFloat);
      one.slice(0, 0, r).fill_diagonal_(1.0);
      const at::Tensor z = head.affine(mix(spatial ? u.unsqueeze(0) * one.unsqueeze(1).unsqueeze(1) : u * one));
      const at::Tensor z0 = z.slice(0, r, r + 1);
      const at::Tensor dz = (z.slice(0, 0, r) - z0).reshape({r, -1});
      const std::int64_t rows = rows_per_batch(dz.size(1) * 4, options.batch_bytes);
      for (std::int64_t s = 0; s < m; s += rows) {
        const at::Tensor mk = masks.slice(0, s, std::min(m, s + rows));
        auto shape = z0.sizes().vec();
        shape[0] = mk.size(0);
        ys.push_back(score(head.rest(at::addmm(z0.reshape({1, -1}), mk, dz).reshape(shape))));
      }
    } else {
      const std::int64_t rows = rows_per_batch(locations * p * 4, options.batch_bytes);
      for (std::int64_t s = 0; s < m; s += rows) {
        const at::Tensor mk = masks.slice(0, s, std::min(m, s + rows));
        ys.push_back(score(head.rest(mix(spatial ? u.unsqueeze(0) * mk.unsqueeze(1).unsqueeze(1) : u.unsqueeze(0) * mk))));
      }
    }
    const SobolIndices si = sobol_indices(at::cat(ys), options.designs, r, options.estimator);
    for (std::int64_t j = 0; j < r; ++j) {
      imp.per_image_total[i][j] = si.total[std::size_t(j)];
      imp.per_image_first[i][j] = si.first[std::size_t(j)];
    }
    imp.model_calls += m;
    if (options.on_progress) options.on_progress(i + 1, n);
  }
  return imp;
}

// Means over images and the bootstrap intervals, from the per-image indices.
void summarize(Importance& imp, const CraftOptions& options) {
  const std::int64_t n = imp.per_image_total.size(0), r = imp.per_image_total.size(1);
  imp.total.clear();
  imp.first.clear();
  imp.total_low.clear();
  imp.total_high.clear();
  const at::Tensor mt = imp.per_image_total.mean(0), mf = imp.per_image_first.mean(0);
  for (std::int64_t j = 0; j < r; ++j) {
    imp.total.push_back(mt[j].item<double>());
    imp.first.push_back(mf[j].item<double>());
  }
  if (options.bootstrap > 0) {
    if (!(options.level > 0 && options.level < 1))
      throw InvalidInput("--level", "level", fmt::format("a confidence level in (0, 1) (got {})", options.level));
    std::mt19937_64 rng(derive_seed(options.seed, {0xC0FFEEu}));
    std::vector<std::vector<double>> draws(static_cast<std::size_t>(r));
    for (std::int64_t b = 0; b < options.bootstrap; ++b) {
      at::Tensor idx = at::empty({n}, at::kLong);
      for (std::int64_t k = 0; k < n; ++k) idx[k] = std::int64_t(uniform53(rng) * double(n));
      const at::Tensor mean = imp.per_image_total.index_select(0, idx).mean(0);
      for (std::int64_t j = 0; j < r; ++j) draws[std::size_t(j)].push_back(mean[j].item<double>());
    }
    const double lo = (1 - options.level) / 2;
    for (const auto& d : draws) {
      imp.total_low.push_back(percentile(d, lo));
      imp.total_high.push_back(percentile(d, 1 - lo));
    }
  }
}

}  // namespace

Importance estimate_importance(const std::function<at::Tensor(const at::Tensor&)>& head, const at::Tensor& w,
                               const at::Tensor& coefficients, std::int64_t class_id, const CraftOptions& options) {
  Importance imp = importance_impl({{}, head}, w, coefficients, class_id, options);
  summarize(imp, options);
  return imp;
}

Importance estimate_importance(const ModelSplit& split, const Concepts& c, const at::Tensor& images,
                               std::int64_t class_id, const CraftOptions& options) {
  check_images(images, "estimate_importance");
  const LayerChain& chain = split.chain();
  std::int64_t end = split.cut() + 1;  // h's affine prefix is stages [cut + 1, end)
  while (end < chain.size() && chain.affine(end)) ++end;
  HeadParts head;
  if (end > split.cut() + 1)
    head.affine = [&chain, from = split.cut() + 1, end](const at::Tensor& a) { return chain.run(a, from, end); };
  head.rest = [&chain, end](const at::Tensor& z) { return chain.run(z, end, chain.size()); };
  // Images in chunks, so that the per-location coefficients of all images are
  // never held at once.
  const std::int64_t n = images.size(0), chunk = 64;
  std::vector<at::Tensor> totals, firsts;
  Importance imp;
  CraftOptions o = options;
  for (std::int64_t s = 0; s < n; s += chunk) {
    const std::int64_t e = std::min(n, s + chunk);
    if (options.on_progress) o.on_progress = [&](std::int64_t done, std::int64_t) { options.on_progress(s + done, n); };
    const Importance part =
        importance_impl(head, c.w, image_coefficients(split, c, images.slice(0, s, e), options), class_id, o);
    totals.push_back(part.per_image_total);
    firsts.push_back(part.per_image_first);
    imp.model_calls += part.model_calls;
  }
  imp.per_image_total = at::cat(totals, 0);
  imp.per_image_first = at::cat(firsts, 0);
  summarize(imp, options);
  return imp;
}

// ---- implicit differentiation --------------------------------------------------------------------

at::Tensor nnls_jacobian(const Concepts& c, const at::Tensor& a) {
  const std::int64_t r = c.rank(), p = c.w.size(1);
  if (a.numel() != p) throw InvalidInput("nnls_jacobian", "a", fmt::format("{} features (got {})", p, a.numel()));
  const at::Tensor u = transform(c, a.reshape({1, p}).to(at::kDouble)).reshape({r});
  const at::Tensor wd = c.w.to(at::kDouble);
  at::Tensor jac = at::zeros({r, p}, at::kDouble);
  std::vector<std::int64_t> active;
  for (std::int64_t j = 0; j < r; ++j)
    if (u[j].item<double>() > 0) active.push_back(j);
  if (active.empty()) return jac;
  const at::Tensor s = at::tensor(active, at::kLong);
  const at::Tensor ws = wd.index_select(0, s);
  at::Tensor g = at::mm(ws, ws.t());
  const double l2 = c.nmf.alpha_w * double(p) * (1.0 - c.nmf.l1_ratio);
  if (l2 != 0) g.diagonal().add_(l2);
  const at::Tensor js = at::linalg_solve(g, ws);
  jac.index_copy_(0, s, js);
  return jac;
}

at::Tensor attribution_maps(const ModelSplit& split, const Concepts& c, const at::Tensor& images,
                            const std::string& layer) {
  check_images(images, "attribution_maps");
  const std::int64_t l = split.chain().index_of(layer, "--attribution-layer");
  if (l > split.cut())
    throw InvalidInput("--attribution-layer", "layer",
                       fmt::format("a layer at or before the split '{}' (got '{}')", split.layer(), layer));
  const std::int64_t r = c.rank(), side = images.size(2);
  std::vector<at::Tensor> maps;
  for (std::int64_t i = 0; i < images.size(0); ++i) {
    at::Tensor f;
    {
      torch::NoGradGuard no_grad;
      f = split.chain().run(images.slice(0, i, i + 1), 0, l + 1).detach();
    }
    if (f.dim() != 4)
      throw InvalidInput("--attribution-layer", layer, fmt::format("a layer with a (1, channels, h, w) output (got {})",
                                                                   c10::str(f.sizes())));
    at::Tensor a0;
    {
      torch::NoGradGuard no_grad;
      a0 = pool(split.chain().run(f.clone(), l + 1, split.cut() + 1)).reshape({-1});
    }
    const at::Tensor jac = nnls_jacobian(c, a0.to(at::kDouble).clamp_min(0)).to(at::kFloat);  // r x p
    // One backward pass for all concepts: row j of the replicated batch carries J_j.
    at::Tensor fr = f.expand({r, f.size(1), f.size(2), f.size(3)}).contiguous().set_requires_grad(true);
    // a copy goes through the layers (an in-place ReLU must not write into the leaf)
    const at::Tensor a = pool(split.chain().run(fr.clone(), l + 1, split.cut() + 1));
    const at::Tensor target = (a * jac).sum();
    at::Tensor grad = at::zeros_like(fr);
    if (target.requires_grad()) grad = torch::autograd::grad({target}, {fr})[0];
    const at::Tensor weights = grad.mean({2, 3}, /*keepdim=*/true);
    at::Tensor m = at::relu((fr.detach() * weights).sum(1, /*keepdim=*/true));  // (r, 1, h, w)
    if (m.size(2) != side || m.size(3) != side)
      m = at::upsample_bicubic2d(m, {side, side}, /*align_corners=*/false).clamp_min(0);
    maps.push_back(m.squeeze(1));
  }
  return at::stack(maps, 0);
}

// ---- recursivity -------------------------------------------------------------------------------

Refinement refine_concept(const LayerChain& chain, const Concepts& c, const at::Tensor& images, std::int64_t index,
                          const std::string& earlier_layer, std::int64_t sub_concepts, std::int64_t class_id,
                          const CraftOptions& options) {
  check_images(images, "refine_concept");
  if (index < 0 || index >= c.rank())
    throw InvalidInput("--refine", "concept", fmt::format("a concept index in 0 .. {} (got {})", c.rank() - 1, index));
  if (sub_concepts < 1)
    throw InvalidInput("--sub-concepts", "sub_concepts", fmt::format(">= 1 (got {})", sub_concepts));
  if (c.crops.size() != std::size_t(c.u.size(0)))
    throw InvalidInput("refine_concept", "concepts", "concepts fitted on image crops (their crop boxes are needed)");
  const std::int64_t l = chain.index_of(earlier_layer, "--refine-layer");
  const std::int64_t cut = chain.index_of(c.layer, "concepts.layer");
  if (l >= cut)
    throw InvalidInput("--refine-layer", "layer",
                       fmt::format("a layer before the split '{}' (got '{}')", c.layer, earlier_layer));
  Refinement out;
  out.concept_index = index;
  const at::Tensor lead = c.u.argmax(1);
  for (std::int64_t k = 0; k < c.u.size(0); ++k)
    if (lead[k].item<std::int64_t>() == index && c.u[k][index].item<double>() > 0) out.crops.push_back(k);
  if (std::int64_t(out.crops.size()) < sub_concepts)
    throw InvalidInput("--refine", "concept",
                       fmt::format("a concept that leads in at least {} crops (concept {} leads in {})", sub_concepts,
                                   index, out.crops.size()));
  // The crops as images, through the chain up to the earlier layer.
  const std::int64_t side = images.size(2);
  std::vector<at::Tensor> crops;
  for (const auto k : out.crops) {
    const CropRef& ref = c.crops[std::size_t(k)];
    crops.push_back(images[ref.image].slice(1, ref.y, ref.y + ref.size).slice(2, ref.x, ref.x + ref.size));
  }
  at::Tensor x = at::stack(crops, 0);
  if (x.size(2) != side) x = at::upsample_bilinear2d(x, {side, side}, false);
  at::Tensor a;
  {
    torch::NoGradGuard no_grad;
    const std::int64_t per = std::max<std::int64_t>(1, options.batch_bytes / std::max<std::int64_t>(1, x[0].numel() * 64));
    std::vector<at::Tensor> parts;
    for (std::int64_t s = 0; s < x.size(0); s += per)
      parts.push_back(chain.run(x.slice(0, s, std::min(x.size(0), s + per)), 0, l + 1).to(at::kFloat));
    a = at::cat(parts, 0);
  }
  if (a.dim() != 4)
    throw InvalidInput("--refine-layer", earlier_layer, "a layer with a (n, channels, h, w) feature map");
  if (a.min().item<double>() < 0)
    throw InvalidInput("--refine-layer", earlier_layer,
                       fmt::format("non-negative activations (minimum {:.4g}); choose a layer after a ReLU",
                                   a.min().item<double>()),
                       "NegativeActivations");
  CraftOptions sub = options;
  sub.concepts = sub_concepts;
  out.sub = fit_concepts(pool(a), sub);
  out.sub.layer = earlier_layer;
  const at::Tensor mass = out.sub.u.sum(0);
  out.ambiguity = 1.0 - (mass.max() / mass.sum().clamp_min(1e-30)).item<double>();
  const at::Tensor coeff = transform(out.sub, channels_last(a));
  out.importance = estimate_importance([&](const at::Tensor& t) { return chain.run(t, l + 1, chain.size()); },
                                       out.sub.w, coeff, class_id, sub);
  for (std::size_t k = 0; k < out.crops.size(); ++k) {
    CropRef ref = c.crops[std::size_t(out.crops[k])];
    out.sub.crops.push_back(ref);
  }
  return out;
}

}  // namespace factorkit::craft
