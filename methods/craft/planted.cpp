#include "planted.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/nn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/linalg/assignment.h"
#include "factorkit/nn/trainer.h"

namespace factorkit::craft {

const std::array<std::string, kTextures>& texture_names() {
  static const std::array<std::string, kTextures> names{"h-stripes", "v-stripes", "checks",
                                                         "dots",      "disc",      "distractor"};
  return names;
}

const std::array<double, kTextures>& planted_weights() {
  static const std::array<double, kTextures> w{1.0, 0.7, 0.5, 0.35, 0.25, 0.0};
  return w;
}

namespace {

constexpr std::int64_t kSide = 32, kSquare = 10;

struct Rgb {
  float r, g, b;
};

// Colour of texture k at (y, x) inside its square (relative coordinates), and
// whether the pixel belongs to the texture's mask.
bool texture_pixel(int k, std::int64_t y, std::int64_t x, int phase, Rgb& c) {
  const Rgb dark{0.08f, 0.08f, 0.08f};
  switch (k) {
    case 0: c = (y + phase) % 4 < 2 ? Rgb{0.1f, 0.85f, 0.2f} : dark; return true;
    case 1: c = (x + phase) % 4 < 2 ? Rgb{0.2f, 0.4f, 1.0f} : dark; return true;
    case 2: c = ((y / 2) + (x / 2)) % 2 ? Rgb{0.95f, 0.95f, 0.95f} : dark; return true;
    case 3: c = (y % 3 == 1 && x % 3 == 1) ? Rgb{1.0f, 0.9f, 0.1f} : Rgb{0.25f, 0.2f, 0.1f}; return true;
    case 4: {
      const double dy = double(y) - 4.5, dx = double(x) - 4.5;
      if (dy * dy + dx * dx > 4.8 * 4.8) return false;
      c = Rgb{0.9f, 0.1f, 0.1f};
      return true;
    }
    default: c = (x + y + phase) % 4 < 2 ? Rgb{0.9f, 0.2f, 0.9f} : dark; return true;
  }
}

// Texture k's logit from its own 8 channels with non-negative weights (a
// grouped 1×1 convolution, |weight|): a logit can only rise with its channels,
// so they learn to fire on their texture and stay near 0 elsewhere — and
// CRAFT's zero mask then means "texture absent".
struct ReadoutImpl : torch::nn::Module {
  ReadoutImpl() {
    weight = register_parameter("weight", at::rand({kTextures, 48 / kTextures, 1, 1}) * 0.5);
    bias = register_parameter("bias", at::full({kTextures}, -2.0));  // start at "absent": features need not die to say so
  }
  at::Tensor forward(const at::Tensor& x) {
    return at::conv2d(x, weight.abs(), bias, at::IntArrayRef{1, 1}, at::IntArrayRef{0, 0}, at::IntArrayRef{1, 1},
                      kTextures);
  }
  at::Tensor weight, bias;
};
TORCH_MODULE(Readout);

// features: conv-ReLU × 4 (8 × 8 × 48 at the end); head: the readout, global
// average pooling.
struct TextureCnn : torch::nn::Module {
  TextureCnn() {
    namespace tn = torch::nn;
    features = register_module(
        "features", tn::Sequential(tn::Conv2d(tn::Conv2dOptions(3, 16, 3).padding(1)), tn::ReLU(),
                                   tn::Conv2d(tn::Conv2dOptions(16, 32, 3).stride(2).padding(1)), tn::ReLU(),
                                   tn::Conv2d(tn::Conv2dOptions(32, 32, 3).padding(1)), tn::ReLU(),
                                   tn::Conv2d(tn::Conv2dOptions(32, 48, 3).stride(2).padding(1)), tn::ReLU()));
    head = register_module("head", tn::Sequential(Readout(), tn::AdaptiveAvgPool2d(1), tn::Flatten()));
  }
  torch::nn::Sequential features{nullptr}, head{nullptr};
};

// Random crops (side 10 .. 32) resized to 32 × 32, with their labels.
std::pair<at::Tensor, at::Tensor> random_crops(const TextureImages& set, std::int64_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<at::Tensor> xs;
  std::vector<CropRef> refs;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto img = std::int64_t(uniform53(rng) * double(set.images.size(0)));
    // a quarter whole images (what CRAFT's importance sees), the rest crops of 10 .. 32 px
    const auto side = uniform53(rng) < 0.25 ? kSide : 10 + std::int64_t(uniform53(rng) * double(kSide - 10 + 1));
    const auto y = std::int64_t(uniform53(rng) * double(kSide - side + 1));
    const auto x = std::int64_t(uniform53(rng) * double(kSide - side + 1));
    refs.push_back({img, y, x, side});
    at::Tensor c = set.images[img].slice(1, y, y + side).slice(2, x, x + side).unsqueeze(0);
    if (side != kSide) c = at::upsample_bilinear2d(c, {kSide, kSide}, false);
    xs.push_back(c);
  }
  return {at::cat(xs, 0), crop_labels(set.masks, refs)};
}

double iou(const at::Tensor& a, const at::Tensor& b) {
  const double inter = (a & b).sum().item<double>(), uni = (a | b).sum().item<double>();
  return uni > 0 ? inter / uni : 0.0;
}

// Mean IoU between maps (n, r, S, S) thresholded at half their per-image
// maximum and the texture masks, each texture through its matched concept.
double mean_iou(const at::Tensor& maps, const at::Tensor& masks, const std::vector<std::int64_t>& match) {
  double sum = 0;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < maps.size(0); ++i)
    for (int k = 0; k < kTextures; ++k) {
      const at::Tensor m = maps[i][match[std::size_t(k)]];
      const double top = m.max().item<double>();
      const at::Tensor on = top > 0 ? m >= 0.5 * top : at::zeros_like(m, at::kBool);
      sum += iou(on, masks[i][k] > 0.5);
      ++count;
    }
  return count ? sum / double(count) : 0.0;
}

}  // namespace

TextureImages make_texture_images(std::int64_t n, std::uint64_t seed, bool all) {
  if (n < 1) throw InvalidInput("make_texture_images", "n", fmt::format(">= 1 image (got {})", n));
  TextureImages out;
  out.images = at::empty({n, 3, kSide, kSide}, at::kFloat);
  out.masks = at::zeros({n, kTextures, kSide, kSide}, at::kFloat);
  auto img = out.images.accessor<float, 4>();
  auto msk = out.masks.accessor<float, 4>();
  const std::int64_t origin[3] = {0, 11, 22};  // + jitter (0..1 in the first two) + 10 <= next origin
  for (std::int64_t i = 0; i < n; ++i) {
    std::mt19937_64 rng(derive_seed(seed, {0x7E87u, std::uint64_t(i)}));
    std::normal_distribution<float> noise(0.0f, 1.0f);
    const float grey = 0.35f + 0.2f * float(uniform53(rng));
    for (std::int64_t y = 0; y < kSide; ++y)
      for (std::int64_t x = 0; x < kSide; ++x) {
        const float v = grey + 0.05f * noise(rng);
        for (int ch = 0; ch < 3; ++ch) img[i][ch][y][x] = v + 0.02f * noise(rng);
      }
    const auto cells = permutation(9, rng);
    for (int k = 0; k < kTextures; ++k) {
      if (!all && uniform53(rng) < 0.5) continue;
      const std::int64_t cell = cells[std::size_t(k)];
      const double jy = uniform53(rng), jx = uniform53(rng);
      const std::int64_t y0 = origin[cell / 3] + (cell / 3 < 2 && jy < 0.5);
      const std::int64_t x0 = origin[cell % 3] + (cell % 3 < 2 && jx < 0.5);
      const int phase = int(uniform53(rng) * 4);
      for (std::int64_t y = 0; y < kSquare; ++y)
        for (std::int64_t x = 0; x < kSquare; ++x) {
          Rgb c{};
          if (!texture_pixel(k, y, x, phase, c)) continue;
          const float col[3] = {c.r, c.g, c.b};
          for (int ch = 0; ch < 3; ++ch)
            img[i][ch][y0 + y][x0 + x] = std::clamp(col[ch] + 0.03f * noise(rng), 0.0f, 1.0f);
          msk[i][k][y0 + y][x0 + x] = 1.0f;
        }
    }
  }
  out.images.clamp_(0, 1);
  return out;
}

at::Tensor crop_labels(const at::Tensor& masks, const std::vector<CropRef>& crops) {
  at::Tensor out = at::zeros({std::int64_t(crops.size()), masks.size(1)}, at::kFloat);
  const at::Tensor total = masks.sum({2, 3});  // (n, K)
  for (std::size_t c = 0; c < crops.size(); ++c) {
    const CropRef& r = crops[c];
    const at::Tensor inside = masks[r.image].slice(1, r.y, r.y + r.size).slice(2, r.x, r.x + r.size).sum({1, 2});
    const at::Tensor frac_texture = inside / total[r.image].clamp_min(1);
    const at::Tensor frac_crop = inside / double(r.size * r.size);
    out[std::int64_t(c)] = ((frac_texture >= 0.5) | (frac_crop >= 0.25)).to(at::kFloat);
  }
  return out;
}

double roc_auc(const at::Tensor& score, const at::Tensor& label) {
  const at::Tensor s = score.reshape(-1).to(at::kDouble), l = label.reshape(-1) > 0.5;
  const std::int64_t pos = l.sum().item<std::int64_t>(), neg = l.numel() - pos;
  if (pos == 0 || neg == 0) return 0.5;
  // Mann–Whitney U with average ranks.
  const auto order = std::get<1>(s.sort());
  std::vector<double> sv(std::size_t(s.numel())), rank(std::size_t(s.numel()));
  for (std::int64_t i = 0; i < s.numel(); ++i) sv[std::size_t(i)] = s[order[i].item<std::int64_t>()].item<double>();
  for (std::size_t i = 0; i < sv.size();) {
    std::size_t j = i;
    while (j + 1 < sv.size() && sv[j + 1] == sv[i]) ++j;
    for (std::size_t k = i; k <= j; ++k) rank[k] = 0.5 * double(i + j) + 1;
    i = j + 1;
  }
  double sum = 0;
  for (std::int64_t i = 0; i < s.numel(); ++i)
    if (l[order[i].item<std::int64_t>()].item<bool>()) sum += rank[std::size_t(i)];
  return (sum - double(pos) * double(pos + 1) / 2) / (double(pos) * double(neg));
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](auto x, auto y) { return v[x] < v[y]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < idx.size();) {
      std::size_t j = i;
      while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
      for (std::size_t k = i; k <= j; ++k) r[idx[k]] = 0.5 * double(i + j);
      i = j + 1;
    }
    return r;
  };
  const auto ra = ranks(a), rb = ranks(b);
  const double n = double(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n, mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double cov = 0, va = 0, vb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - ma) * (rb[i] - mb);
    va += (ra[i] - ma) * (ra[i] - ma);
    vb += (rb[i] - mb) * (rb[i] - mb);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

PlantedResult run_planted(const PlantedOptions& o) {
  if (o.concepts < kTextures)
    throw InvalidInput("run_planted", "concepts", fmt::format(">= {} (one per texture; got {})", kTextures, o.concepts));
  using clock = std::chrono::steady_clock;
  PlantedResult res;
  const auto t0 = clock::now();
  // ---- the CNN, trained on random crops of random texture images
  const TextureImages train_set = make_texture_images(o.train_images, derive_seed(o.seed, {1}), false);
  const TextureImages valid_set = make_texture_images(200, derive_seed(o.seed, {2}), false);
  const auto [valid_x, valid_y] = random_crops(valid_set, 512, derive_seed(o.seed, {3}));
  TextureCnn net;
  nn::Task task;
  task.batches_per_epoch = o.train_steps;
  task.train_batch = [&](std::int64_t epoch, std::int64_t b) {
    const auto [x, y] = random_crops(train_set, 64, derive_seed(o.seed, {4, std::uint64_t(epoch), std::uint64_t(b)}));
    const at::Tensor f = net.features->forward(x);
    const at::Tensor logits = net.head->forward(f);
    nn::BatchResult r;
    r.loss = at::binary_cross_entropy_with_logits(logits, y);
    r.samples = x.size(0);
    r.correct = ((logits > 0).to(at::kFloat) == y).sum().item<std::int64_t>();
    r.predictions = y.numel();
    return r;
  };
  task.evaluate = [&]() {
    const at::Tensor logits = net.head->forward(net.features->forward(valid_x));
    return nn::Metrics{{"loss", at::binary_cross_entropy_with_logits(logits, valid_y).item<double>()},
                       {"accuracy", ((logits > 0).to(at::kFloat) == valid_y).to(at::kDouble).mean().item<double>()}};
  };
  task.identity = {{"task", "craft-planted-textures"}, {"train_images", o.train_images}, {"seed", o.seed}};
  nn::TrainOptions t;
  t.epochs = 1;
  t.max_steps = o.train_steps;
  t.adamw.lr = 3e-3;
  t.adamw.weight_decay = 1e-4;
  t.warmup_steps = 50;
  t.eval_every = o.train_steps;
  t.monitor = "accuracy";
  t.maximize = true;
  t.checkpoint_dir = o.checkpoint_dir;
  t.seed = o.seed;
  t.label = "craft textures";
  const nn::TrainReport report = nn::train(net, task, t);
  net.eval();
  res.train_accuracy = report.has_best ? report.best.metrics.at("accuracy") : 0.0;
  res.seconds_train = std::chrono::duration<double>(clock::now() - t0).count();

  // ---- CRAFT on images that show every texture
  const auto t1 = clock::now();
  res.analysis = make_texture_images(o.analysis_images, derive_seed(o.seed, {5}), true);
  LayerChain chain = LayerChain::from_sequentials({{"features", net.features}, {"head", net.head}});
  // The planted head in score units: texture k moves y by w_k on average. Its
  // coefficient is w_k / Δ_k, with Δ_k the mean logit difference between
  // images with and without texture k (400 calibration images).
  at::Tensor head = at::zeros({kTextures, 1}, at::kFloat);
  {
    torch::NoGradGuard no_grad;
    const TextureImages cal = make_texture_images(400, derive_seed(o.seed, {6}), false);
    const at::Tensor logits = net.head->forward(net.features->forward(cal.images));
    const at::Tensor present = cal.masks.sum({2, 3}) > 0;
    for (int k = 0; k < kTextures; ++k) {
      const at::Tensor on = present.select(1, k), z = logits.select(1, k);
      const double delta = z.masked_select(on).mean().item<double>() - z.masked_select(~on).mean().item<double>();
      res.logit_effect.push_back(delta);
      if (!(delta > 0.5))
        throw NumericalFailure("craft planted-textures", texture_names()[std::size_t(k)],
                               fmt::format("a trained model whose logit responds to every texture (mean change {:.3g} "
                                           "when present; train longer)", delta),
                               "WeakDetector");
      head[k][0] = planted_weights()[std::size_t(k)] / delta;
    }
  }
  chain.add("planted_head", [head](const at::Tensor& z) { return at::mm(z, head); });
  const ModelSplit split(chain, "features.7");
  CraftOptions co;
  co.concepts = o.concepts;
  co.patch_size = o.patch_size;
  co.designs = o.designs;
  co.seed = o.seed;
  res.concepts = fit_concepts(split, res.analysis.images, co);
  res.nmf_iterations = res.concepts.nmf_iterations;
  const at::Tensor labels = crop_labels(res.analysis.masks, res.concepts.crops);
  const std::int64_t r = res.concepts.rank();
  at::Tensor auc = at::zeros({kTextures, r}, at::kDouble);
  for (int k = 0; k < kTextures; ++k)
    for (std::int64_t c = 0; c < r; ++c) auc[k][c] = roc_auc(res.concepts.u.select(1, c), labels.select(1, k));
  const linalg::Assignment a = linalg::linear_sum_assignment(auc, /*maximize=*/true);
  res.match.assign(kTextures, -1);
  for (std::int64_t i = 0; i < a.rows.numel(); ++i)
    res.match[std::size_t(a.rows[i].item<std::int64_t>())] = a.cols[i].item<std::int64_t>();
  const Importance imp = estimate_importance(split, res.concepts, res.analysis.images, 0, co);
  res.concept_importance = imp.total;
  std::vector<double> weights;
  for (int k = 0; k < kTextures; ++k) {
    const std::int64_t c = res.match[std::size_t(k)];
    res.auc.push_back(auc[k][c].item<double>());
    res.importance.push_back(imp.total[std::size_t(c)]);
    weights.push_back(planted_weights()[std::size_t(k)]);
  }
  res.mean_auc = std::accumulate(res.auc.begin(), res.auc.end(), 0.0) / kTextures;
  res.min_auc = *std::min_element(res.auc.begin(), res.auc.end());
  res.spearman = spearman(res.importance, weights);
  res.distractor_importance = res.importance.back();
  // ---- the model's own dependence on each texture: y(x) − y(x with texture k
  // painted over in the image's background grey), mean over the analysed images
  {
    torch::NoGradGuard no_grad;
    const at::Tensor y = chain(res.analysis.images).reshape(-1);
    const at::Tensor background = (res.analysis.masks.sum(1, /*keepdim=*/true) < 0.5).to(at::kFloat);  // (n,1,S,S)
    const at::Tensor grey = (res.analysis.images * background).sum({2, 3}, true) / background.sum({2, 3}, true);
    for (int k = 0; k < kTextures; ++k) {
      const at::Tensor m = res.analysis.masks.slice(1, k, k + 1);
      const at::Tensor painted = res.analysis.images * (1 - m) + grey * m;
      res.ablation.push_back((y - chain(painted).reshape(-1)).mean().item<double>());
    }
  }
  // ---- localisation
  res.attribution = attribution_maps(split, res.concepts, res.analysis.images, "features.7");
  res.iou_gradcam = mean_iou(res.attribution, res.analysis.masks, res.match);
  at::Tensor maps = image_coefficients(split, res.concepts, res.analysis.images, co).permute({0, 3, 1, 2});
  maps = at::upsample_bilinear2d(maps.contiguous(), {kSide, kSide}, false);
  res.iou_maps = mean_iou(maps, res.analysis.masks, res.match);
  res.seconds_craft = std::chrono::duration<double>(clock::now() - t1).count();
  return res;
}

}  // namespace factorkit::craft
