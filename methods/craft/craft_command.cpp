// `factorkit craft`: concepts, their importance for a class and where they are,
// for a TorchScript model or a factorkit model folder, on an image set.
#include <CLI/CLI.hpp>
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/nn.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "craft.h"
#include "factorkit/cli/matrix_io.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/progress.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/data/fashion_mnist.h"
#include "factorkit/nn/models.h"
#include "factorkit/nn/reference.h"
#include "factorkit/nn/torchscript.h"
#include "report.h"

namespace fs = std::filesystem;

namespace factorkit::craft {
namespace {

// Images as the model sees them, the same pixels in [0, 1] for pictures, labels when known.
struct Images {
  at::Tensor model_input, unit;
  at::Tensor labels;  // int64 or undefined
};

at::Tensor to_unit(at::Tensor t, const std::string& path) {
  if (t.scalar_type() == at::kByte) t = t.to(at::kFloat) / 255.0;
  t = t.to(at::kFloat);
  if (t.dim() == 3) return t.unsqueeze(1);                                       // (n, H, W)
  if (t.dim() == 4 && (t.size(3) == 1 || t.size(3) == 3) && t.size(1) != 1 && t.size(1) != 3)
    return t.permute({0, 3, 1, 2}).contiguous();                                 // (n, H, W, C)
  if (t.dim() == 4) return t;                                                    // (n, C, H, W)
  throw MalformedFile(path, "shape", fmt::format("images as (n, H, W), (n, H, W, C) or (n, C, H, W); got {}",
                                                 c10::str(t.sizes())), "BadShape");
}

}  // namespace

class CraftCommand final : public cli::Command {
 public:
  std::string name() const override { return "craft"; }
  std::string summary() const override {
    return "CRAFT concept explanations: NMF concepts of crop activations, Sobol importance, attribution maps";
  }
  std::string doc_page() const override { return "docs/methods/craft.md"; }

  void configure(CLI::App& sub) override {
    o_.patch_size = 0;
    sub.add_option("--model", model_,
                   "TorchScript file (.pt), a factorkit model folder (factorkit train cnn --out DIR), or 'reference' "
                   "(the reference Fashion-MNIST CNN, trained on first use)")
        ->required();
    sub.add_option("--layer", layer_, "Where g ends (after a ReLU, before global pooling); --list-layers lists them");
    sub.add_flag("--list-layers", list_layers_, "List the model's layers and which give non-negative outputs");
    sub.add_option("--images", images_,
                   "A Fashion-MNIST-style IDX folder, or an image file (IDX u8 (n,H,W[,C]), .npy or .safetensors "
                   "(n,C,H,W) floats in [0, 1])")
        ->required();
    sub.add_option("--part", part_, "For an IDX folder: train or test")->capture_default_str();
    sub.add_option("--labels", labels_, "Labels (IDX or .npy, n integers) for an image file");
    sub.add_option("--class", class_, "The output index explained; with labels, only images of this class are used")
        ->required();
    sub.add_option("--limit", limit_, "Use at most this many images (0: all)")->capture_default_str();
    sub.add_option("--concepts", o_.concepts, "Number of concepts r")->capture_default_str();
    sub.add_option("--patch-size", o_.patch_size, "Crop side P (0: 64 as the reference for images of 128 px or more, else half the side)")->capture_default_str();
    sub.add_option("--stride", o_.stride, "Crop stride (0: int(0.8 P), as the reference)")->capture_default_str();
    sub.add_option("--designs", o_.designs, "N: masks per image are N (r + 2)")->capture_default_str();
    sub.add_option("--sampler", sampler_, "halton (the reference), sobol or lhs")->capture_default_str();
    sub.add_option("--estimator", estimator_, "jansen (the reference), homma, janon, glen, saltelli")
        ->capture_default_str();
    sub.add_option("--bootstrap", o_.bootstrap, "Resamples of images for importance intervals (0: none)")
        ->capture_default_str();
    sub.add_option("--alpha-w", o_.nmf.alpha_w, "NMF L2 regularization of U (0: CRAFT torch; 1e-2: CRAFT TF)")
        ->capture_default_str();
    sub.add_option("--max-iter", o_.nmf.max_iter, "NMF iterations")->capture_default_str();
    sub.add_option("--mean", mean_, "Normalization (x - mean) / std of the [0, 1] pixels (default: the model "
                                    "folder's, else 0)");
    sub.add_option("--std", std_, "See --mean (default: the model folder's, else 1)");
    sub.add_option("--attribution-layer", attribution_layer_, "Feature map of the attribution maps (default: --layer)");
    sub.add_option("--overlays", overlays_, "Images drawn in attribution.png")->capture_default_str();
    sub.add_option("--refine", refine_, "Recursivity: refine this concept at --refine-layer");
    sub.add_option("--refine-layer", refine_layer_, "An earlier non-negative layer for --refine");
    sub.add_option("--sub-concepts", sub_concepts_, "Sub-concepts for --refine")->capture_default_str();
    sub.add_option("--batch-mb", batch_mb_, "Cap on one forward batch's activations, MiB")->capture_default_str();
    sub.add_option("--out", out_, "Output folder (created)");
  }

  int run(const cli::Context& ctx) override {
    const auto start = std::chrono::steady_clock::now();
    o_.sampler = parse_sampler(sampler_, "--sampler");
    o_.estimator = parse_estimator(estimator_, "--estimator");
    o_.seed = ctx.seed;
    ctx_quiet_ = ctx.quiet || ctx.json;
    if (batch_mb_ < 1) throw InvalidInput("--batch-mb", "batch_mb", fmt::format(">= 1 (got {})", batch_mb_));
    o_.batch_bytes = batch_mb_ << 20;
    LayerChain chain = load_model();  // may train the reference CNN: before gradients are turned off
    torch::NoGradGuard no_grad;
    const Images im = load_images();
    const at::Tensor probe = im.model_input.slice(0, 0, std::min<std::int64_t>(8, im.model_input.size(0)));
    if (list_layers_) {
      const auto ok = nonnegative_layers(chain, probe);
      nlohmann::json layers = nlohmann::json::array();
      for (const auto& n : chain.names()) {
        const bool nonneg = std::find(ok.begin(), ok.end(), n) != ok.end();
        layers.push_back({{"layer", n}, {"nonnegative", nonneg}});
        if (!ctx.json) std::cout << n << (nonneg ? "  (>= 0)" : "") << "\n";
      }
      if (ctx.json) std::cout << nlohmann::json{{"command", "craft"}, {"layers", layers}}.dump() << std::endl;
      return 0;
    }
    if (layer_.empty()) throw InvalidInput("--layer", "layer", "the layer where g ends (see --list-layers)", "MissingOption");
    if (out_.empty()) throw InvalidInput("--out", "out", "an output folder", "MissingOption");
    ModelSplit split(std::move(chain), layer_);
    if (script_) split.check_against([&](const at::Tensor& x) { return script_->forward(x); }, probe, model_);
    const std::int64_t side = im.model_input.size(2);
    if (o_.patch_size == 0) o_.patch_size = side >= 128 ? 64 : std::max<std::int64_t>(1, side / 2);
    // Everything that can be checked before the work is checked now.
    const at::Tensor logits = split.h(split.g(probe));
    if (logits.dim() != 2 || class_ < 0 || class_ >= logits.size(1))
      throw InvalidInput("--class", "class", fmt::format("an output index of the model, 0 .. {} (got {})",
                                                         logits.dim() == 2 ? logits.size(1) - 1 : 0, class_),
                         "BadClass");
    crop_offsets(side, o_.patch_size, o_.stride > 0 ? o_.stride : 1);
    const std::string attribution = attribution_layer(split, probe);
    if (refine_) {
      if (*refine_ < 0 || *refine_ >= o_.concepts)
        throw InvalidInput("--refine", "concept", fmt::format("a concept index in 0 .. {} (got {})", o_.concepts - 1,
                                                              *refine_));
      if (refine_layer_.empty()) throw InvalidInput("--refine-layer", "layer", "an earlier layer for --refine", "MissingOption");
      if (split.chain().index_of(refine_layer_, "--refine-layer") >= split.cut())
        throw InvalidInput("--refine-layer", "layer", fmt::format("a layer before the split '{}' (got '{}')", layer_,
                                                                  refine_layer_));
      if (sub_concepts_ < 1)
        throw InvalidInput("--sub-concepts", "sub_concepts", fmt::format(">= 1 (got {})", sub_concepts_));
    }

    Progress crops_bar("craft crops", im.model_input.size(0));
    o_.on_progress = [&](std::int64_t done, std::int64_t) { crops_bar.set(done); };
    const Concepts c = fit_concepts(split, im.model_input, o_);
    crops_bar.finish();
    Progress imp_bar("craft importance", im.model_input.size(0));
    o_.on_progress = [&](std::int64_t done, std::int64_t) { imp_bar.set(done); };
    const Importance imp = estimate_importance(split, c, im.model_input, class_, o_);
    imp_bar.finish();
    o_.on_progress = {};
    const auto order = by_importance(imp);

    std::error_code ec;
    fs::create_directories(out_, ec);
    if (ec || !fs::is_directory(out_))
      throw InvalidInput(out_, "--out", "a folder that can be created (" + ec.message() + ")", "NotWritable");
    std::vector<std::string> labels;
    for (std::int64_t k = 0; k < c.rank(); ++k) labels.push_back(fmt::format("concept {}", k));
    nlohmann::json summary{{"command", "craft"},
                           {"model", model_},
                           {"layer", layer_},
                           {"images", images_},
                           {"images_used", im.model_input.size(0)},
                           {"class", class_},
                           {"patch_size", o_.patch_size},
                           {"stride", o_.stride > 0 ? o_.stride : std::int64_t(0.8 * double(o_.patch_size))},
                           {"designs", o_.designs},
                           {"sampler", to_string(o_.sampler)},
                           {"estimator", to_string(o_.estimator)},
                           {"seed", ctx.seed}};
    summary["attribution_layer"] = attribution.empty() ? nlohmann::json(nullptr) : nlohmann::json(attribution);
    summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_bundle(out_, c, imp, summary);
    write_gallery(out_ + "/gallery.png", c, im.unit, order, 8, side < 64 ? 3 : 1);
    write_importance_chart(out_ + "/importance.svg", imp, labels, order,
                           fmt::format("CRAFT importance for class {}", class_));
    const std::int64_t shown = attribution.empty() ? 0 : std::min<std::int64_t>(overlays_, im.model_input.size(0));
    if (shown > 0) {
      torch::AutoGradMode grad(true);
      const at::Tensor maps = attribution_maps(split, c, im.model_input.slice(0, 0, shown), attribution);
      write_overlays(out_ + "/attribution.png", im.unit.slice(0, 0, shown), maps,
                     std::vector<std::int64_t>(order.begin(), order.begin() + std::min<std::int64_t>(5, c.rank())),
                     side < 64 ? 3 : 1);
    }
    if (refine_) {
      const Refinement rf = refine_concept(split.chain(), c, im.model_input, *refine_, refine_layer_, sub_concepts_,
                                           class_, o_);
      summary["refinement"] = {{"concept", rf.concept_index},
                               {"layer", refine_layer_},
                               {"crops", rf.crops.size()},
                               {"ambiguity", rf.ambiguity},
                               {"importance_total", rf.importance.total}};
      write_gallery(out_ + "/refine_gallery.png", rf.sub, im.unit, by_importance(rf.importance), 8,
                    side < 64 ? 3 : 1);
      write_bundle(out_, c, imp, summary);  // again, with the refinement
    }
    if (ctx.json) {
      nlohmann::json brief = summary;
      brief["importance_total"] = imp.total;
      brief["order"] = order;
      std::cout << brief.dump() << std::endl;
    } else if (!ctx.quiet) {
      std::cerr << fmt::format("craft: {} concepts from {} crops of {} images at '{}'; NMF {} iterations{}\n",
                               c.rank(), c.u.size(0), im.model_input.size(0), layer_, c.nmf_iterations,
                               c.nmf_converged ? "" : " (not converged)");
      for (const auto k : order)
        std::cout << fmt::format("concept {:>2}  importance {:.4f}\n", k, imp.total[std::size_t(k)]);
      std::cerr << "wrote " << out_ << "/{concepts.safetensors, concepts.json, gallery.png, importance.svg"
                << (shown > 0 ? ", attribution.png" : "") << (refine_ ? ", refine_gallery.png" : "") << "}\n";
    }
    return 0;
  }

 private:
  // The feature map of the attribution maps: --attribution-layer, else the split
  // layer when its output is a map, else the last layer before it with a map
  // output; empty (no overlays) when there is none.
  std::string attribution_layer(const ModelSplit& split, const at::Tensor& probe) const {
    const LayerChain& chain = split.chain();
    if (!attribution_layer_.empty()) {
      if (chain.index_of(attribution_layer_, "--attribution-layer") > split.cut())
        throw InvalidInput("--attribution-layer", "layer",
                           fmt::format("a layer at or before the split '{}' (got '{}')", layer_, attribution_layer_));
      return attribution_layer_;
    }
    std::string last;
    at::Tensor y = probe.slice(0, 0, 1);
    for (std::int64_t i = 0; i <= split.cut(); ++i) {
      y = chain.run(y, i, i + 1);
      if (y.dim() == 4) last = chain.names()[std::size_t(i)];
    }
    if (last.empty() && !ctx_quiet_)
      std::cerr << "craft: no layer up to '" << layer_ << "' gives a feature map; attribution.png is skipped\n";
    return last;
  }

  LayerChain load_model() {
    if (model_ == "reference" || fs::is_directory(model_)) {
      const std::string dir = model_ == "reference" ? nn::reference_model_dir("cnn") : model_;
      nn::Cnn cnn = model_ == "reference" ? nn::reference_cnn() : nn::Cnn(nullptr);
      const nlohmann::json info = nn::read_model_info(dir);
      const auto& arch = info.at("architecture");
      if (!arch.is_object() || arch.value("model", std::string()) != "cnn")
        throw InvalidInput(dir + "/model.json", "architecture.model", "an image model (cnn)", "NotAnImageModel");
      if (!cnn) cnn = nn::load_cnn(dir);
      cnn_ = cnn;
      if (info.contains("data") && info["data"].is_object()) {
        for (const auto& [key, slot] : {std::pair{"mean", &mean_}, std::pair{"std", &std_}}) {
          if (*slot || !info["data"].contains(key)) continue;
          if (!info["data"][key].is_number())
            throw MalformedFile(dir + "/model.json", std::string("data.") + key, "a number", "BadField");
          *slot = info["data"][key].get<double>();
        }
      }
      cnn_options_ = nn::cnn_options_from_json(arch, dir + "/model.json");
      return LayerChain::from_sequentials({{"features", cnn->features}, {"head", cnn->head}});
    }
    script_ = std::make_unique<nn::ScriptModel>(nn::ScriptModel::load(model_));
    return LayerChain::from_script(*script_);
  }

  Images load_images() {
    Images im;
    if (fs::is_directory(images_)) {
      const data::ImageSet8 set = data::read_image_set(images_, part_, 256);
      im.unit = at::from_blob(const_cast<std::uint8_t*>(set.pixels.data()), {set.count, 1, set.rows, set.cols}, at::kByte)
                    .to(at::kFloat)
                    .div(255.0);
      im.labels = at::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {set.count}, at::kByte).to(at::kLong);
    } else {
      im.unit = to_unit(cli::read_tensor(images_), images_);
      if (!labels_.empty()) {
        at::Tensor l = cli::read_tensor(labels_).reshape(-1);
        if (l.is_floating_point() && !at::equal(l, l.round()))
          throw MalformedFile(labels_, "labels", "integer class labels", "BadLabels");
        if (l.numel() != im.unit.size(0))
          throw MalformedFile(labels_, "labels", fmt::format("{} labels, one per image (got {})", im.unit.size(0),
                                                             l.numel()), "BadLabels");
        im.labels = l.to(at::kLong);
      }
    }
    if (im.unit.size(0) == 0) throw MalformedFile(images_, "images", "at least one image", "Empty");
    if (im.unit.size(2) != im.unit.size(3))
      throw MalformedFile(images_, "images", fmt::format("square images (got {} x {})", im.unit.size(2), im.unit.size(3)),
                          "NotSquare");
    if (!at::isfinite(im.unit).all().item<bool>())
      throw MalformedFile(images_, "images", "finite pixel values", "NonFinite");
    if (im.labels.defined()) {
      const at::Tensor keep = (im.labels == class_).nonzero().reshape(-1);
      if (keep.numel() == 0)
        throw InvalidInput("--class", "class", fmt::format("a class present in the labels (none is {})", class_),
                           "EmptyClass");
      im.unit = im.unit.index_select(0, keep);
    }
    if (limit_ < 0) throw InvalidInput("--limit", "limit", fmt::format(">= 0 (got {})", limit_));
    if (limit_ > 0 && im.unit.size(0) > limit_) im.unit = im.unit.slice(0, 0, limit_);
    im.unit = im.unit.contiguous();
    const double s = std_.value_or(1.0);
    if (!(s > 0)) throw InvalidInput("--std", "std", fmt::format("> 0 (got {})", s));
    im.model_input = (im.unit - mean_.value_or(0.0)) / s;
    if (cnn_options_ && (im.unit.size(1) != cnn_options_->in_channels || im.unit.size(2) != cnn_options_->image_size))
      throw InvalidInput(images_, "images",
                         fmt::format("{}-channel images of {} x {} pixels, as the model '{}' takes (got {} channel(s) "
                                     "of {} x {})",
                                     cnn_options_->in_channels, cnn_options_->image_size, cnn_options_->image_size,
                                     model_, im.unit.size(1), im.unit.size(2), im.unit.size(3)),
                         "BadShape");
    return im;
  }

  std::string model_, layer_, images_, part_ = "test", labels_, sampler_ = "halton", estimator_ = "jansen";
  std::string attribution_layer_, refine_layer_, out_;
  std::int64_t class_ = 0, limit_ = 0, overlays_ = 8, sub_concepts_ = 3, batch_mb_ = 256;
  std::optional<std::int64_t> refine_;
  std::optional<double> mean_, std_;
  bool list_layers_ = false;
  CraftOptions o_;
  std::unique_ptr<nn::ScriptModel> script_;
  std::optional<nn::CnnOptions> cnn_options_;
  bool ctx_quiet_ = false;
  nn::Cnn cnn_{nullptr};
};

FACTORKIT_REGISTER_COMMAND(CraftCommand);

}  // namespace factorkit::craft
