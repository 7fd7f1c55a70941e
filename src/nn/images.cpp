// Image datasets, loaders, augmentation and corruptions on LibTorch tensors.
#include "factorkit/nn/images.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <mutex>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"

namespace factorkit::nn {

namespace {

at::Generator generator(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

}  // namespace

std::pair<double, double> pixel_stats(const data::ImageSet8& set) {
  double sum = 0, sum2 = 0;
  for (std::uint8_t p : set.pixels) sum += p, sum2 += double(p) * p;
  const double n = double(set.pixels.size());
  const double mean = sum / n, var = std::max(0.0, sum2 / n - mean * mean);
  return {mean / 255.0, std::sqrt(var) / 255.0};
}

at::Tensor ImageDataset::unit_images() const { return (images * std + mean).clamp(0, 1); }

ImageDataset to_dataset(const data::ImageSet8& set, const ImageOptions& o, double mean, double std,
                        std::vector<std::string> classes) {
  if (o.size < 0 || o.size > 4096) throw InvalidInput("images", "size", "0 (keep) … 4096 pixels", "BadOption");
  if (o.limit < 0) throw InvalidInput("images", "limit", "0 (all) or a positive count", "BadOption");
  if (o.normalize && !(std > 0))
    throw InvalidInput("images", "normalization", "a positive pixel standard deviation (images not all alike)",
                       "BadOption");
  const std::int64_t n = o.limit > 0 ? std::min(o.limit, set.count) : set.count;
  ImageDataset d;
  d.images = at::from_blob(const_cast<std::uint8_t*>(set.pixels.data()), {n, 1, set.rows, set.cols}, at::kByte)
                 .to(at::kFloat)
                 .div_(255.0);
  d.labels = at::from_blob(const_cast<std::uint8_t*>(set.labels.data()), {n}, at::kByte).to(at::kLong);
  if (o.size > 0 && (o.size != set.rows || o.size != set.cols))
    d.images = at::upsample_bilinear2d(d.images, {o.size, o.size}, false).clamp_(0, 1);
  if (o.normalize) {
    d.mean = mean;
    d.std = std;
    d.images.sub_(mean).div_(std);
  }
  if (classes.empty())
    for (int c = 0; c < set.classes; ++c) classes.push_back(std::to_string(c));
  d.classes = std::move(classes);
  return d;
}

ImageDataset load_fashion_mnist(const std::string& part, const ImageOptions& o, const std::string& dir) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<double, double>> stats;
  std::pair<double, double> ms;
  data::ImageSet8 set = data::read_fashion_mnist(part, dir);
  {
    std::lock_guard lock(mutex);
    auto it = stats.find(dir);
    if (it == stats.end())
      it = stats.emplace(dir, part == "train" ? pixel_stats(set) : pixel_stats(data::read_fashion_mnist("train", dir))).first;
    ms = it->second;
  }
  return to_dataset(set, o, ms.first, ms.second, data::fashion_mnist_classes());
}

// ---- loader -------------------------------------------------------------------

ImageLoader::ImageLoader(const ImageDataset& data, LoaderOptions o) : data_(&data), options_(o) {
  if (o.batch_size < 1 || o.batch_size > (std::int64_t(1) << 24))
    throw InvalidInput("image loader", "batch size", "1 … 2^24", "BadOption");
  if (o.augment.crop_padding < 0 || o.augment.crop_padding > 1024)
    throw InvalidInput("image loader", "crop padding", "0 … 1024 pixels", "BadOption");
  const std::int64_t n = data.size();
  if (n == 0) throw InvalidInput("image loader", "dataset", "at least one image", "BadOption");
  batches_ = o.drop_last ? n / o.batch_size : (n + o.batch_size - 1) / o.batch_size;
  if (batches_ == 0) throw InvalidInput("image loader", "batch size", fmt::format("at most the {} images with drop_last", n), "BadOption");
}

ImageBatch ImageLoader::batch(std::int64_t epoch, std::int64_t b) const {
  if (b < 0 || b >= batches_ || epoch < 0)
    throw InvalidInput("image loader", "batch", fmt::format("0 … {} of epoch ≥ 0", batches_ - 1), "BadOption");
  const std::int64_t n = data_->size(), start = b * options_.batch_size;
  const std::int64_t count = std::min(options_.batch_size, n - start);
  ImageBatch out;
  if (options_.shuffle) {
    if (order_epoch_ != epoch) {
      std::mt19937_64 rng(derive_seed(options_.seed, {std::uint64_t(epoch), 0}));
      order_ = permutation(n, rng);
      order_epoch_ = epoch;
    }
    const at::Tensor index = at::from_blob(order_.data() + start, {count}, at::kLong);
    out.images = data_->images.index_select(0, index);
    out.labels = data_->labels.index_select(0, index);
  } else {
    out.images = data_->images.narrow(0, start, count).clone();
    out.labels = data_->labels.narrow(0, start, count).clone();
  }
  const Augment& a = options_.augment;
  if (a.crop_padding > 0 || a.horizontal_flip) {
    at::Generator gen = generator(derive_seed(options_.seed, {std::uint64_t(epoch), std::uint64_t(b), 1}));
    if (a.crop_padding > 0) {
      const std::int64_t p = a.crop_padding, h = out.images.size(2), w = out.images.size(3);
      const double background = -data_->mean / data_->std;  // a zero pixel
      const at::Tensor padded = at::constant_pad_nd(out.images, {p, p, p, p}, background);
      const at::Tensor offsets = at::randint(0, 2 * p + 1, {count, 2}, gen, at::kLong);
      const auto off = offsets.accessor<std::int64_t, 2>();
      for (std::int64_t i = 0; i < count; ++i)
        out.images[i].copy_(padded[i].narrow(1, off[i][0], h).narrow(2, off[i][1], w));
    }
    if (a.horizontal_flip) {
      const at::Tensor flip = (at::rand({count}, gen) < 0.5).view({count, 1, 1, 1});
      out.images = at::where(flip, out.images.flip({3}), out.images);
    }
  }
  return out;
}

// ---- corruptions --------------------------------------------------------------

const std::vector<Corruption>& all_corruptions() {
  static const std::vector<Corruption> all{Corruption::GaussianNoise, Corruption::ShotNoise, Corruption::Blur,
                                           Corruption::Contrast,      Corruption::Brightness, Corruption::Pixelate,
                                           Corruption::Elastic};
  return all;
}

std::string corruption_name(Corruption c) {
  switch (c) {
    case Corruption::GaussianNoise: return "gaussian_noise";
    case Corruption::ShotNoise: return "shot_noise";
    case Corruption::Blur: return "blur";
    case Corruption::Contrast: return "contrast";
    case Corruption::Brightness: return "brightness";
    case Corruption::Pixelate: return "pixelate";
    case Corruption::Elastic: return "elastic";
  }
  return "?";
}

Corruption corruption_from_name(const std::string& name) {
  std::string names;
  for (Corruption c : all_corruptions()) {
    if (corruption_name(c) == name) return c;
    names += (names.empty() ? "" : ", ") + corruption_name(c);
  }
  throw InvalidInput("corruption", name, "one of " + names, "BadOption");
}

namespace {

// Separable Gaussian blur of every channel, edges replicated.
at::Tensor gaussian_blur(const at::Tensor& x, double sigma) {
  const std::int64_t radius = std::max<std::int64_t>(1, std::int64_t(std::ceil(3 * sigma)));
  const at::Tensor t = at::arange(-radius, radius + 1, x.options());
  at::Tensor k = at::exp(-(t * t) / (2 * sigma * sigma));
  k = k / k.sum();
  const std::int64_t c = x.size(1);
  const at::Tensor kx = k.view({1, 1, 1, -1}).expand({c, 1, 1, 2 * radius + 1}).contiguous();
  const at::Tensor ky = k.view({1, 1, -1, 1}).expand({c, 1, 2 * radius + 1, 1}).contiguous();
  at::Tensor y = at::replication_pad2d(x, {radius, radius, 0, 0});
  y = at::conv2d(y, kx, c10::nullopt, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, c);
  y = at::replication_pad2d(y, {0, 0, radius, radius});
  return at::conv2d(y, ky, c10::nullopt, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, c);
}

}  // namespace

at::Tensor corrupt(const at::Tensor& x, Corruption c, int severity, std::uint64_t seed) {
  if (severity < 1 || severity > 5) throw InvalidInput("corruption", "severity", "1 … 5", "BadOption");
  if (x.dim() != 4 || !x.is_floating_point())
    throw InvalidInput("corruption", "images", "a float tensor (N, C, H, W) with pixels in [0, 1]", "BadShape");
  const std::size_t s = std::size_t(severity - 1);
  at::Generator gen = generator(derive_seed(seed, {std::uint64_t(c), std::uint64_t(severity)}));
  const std::int64_t n = x.size(0), h = x.size(2), w = x.size(3);
  at::Tensor y;
  switch (c) {
    case Corruption::GaussianNoise: {
      constexpr double sd[] = {0.08, 0.12, 0.18, 0.26, 0.38};
      y = x + at::empty_like(x).normal_(0, sd[s], gen);
      break;
    }
    case Corruption::ShotNoise: {
      constexpr double rate[] = {60, 25, 12, 5, 3};
      y = at::poisson(x.clamp(0, 1) * rate[s], gen) / rate[s];
      break;
    }
    case Corruption::Blur: {
      constexpr double sigma[] = {0.5, 0.75, 1.0, 1.5, 2.0};
      y = gaussian_blur(x, sigma[s]);
      break;
    }
    case Corruption::Contrast: {
      constexpr double factor[] = {0.4, 0.3, 0.2, 0.1, 0.05};
      const at::Tensor mean = x.mean({1, 2, 3}, true);
      y = (x - mean) * factor[s] + mean;
      break;
    }
    case Corruption::Brightness: {
      constexpr double shift[] = {0.1, 0.2, 0.3, 0.4, 0.5};
      y = x + shift[s];
      break;
    }
    case Corruption::Pixelate: {
      // ImageNet-C's factors are 0.6 … 0.25; at 28 pixels a factor that
      // divides the size evenly (0.5 → 14) changes images less than its
      // neighbours, so these step past such sizes (28 → 20, 15, 12, 9, 6)
      constexpr double factor[] = {0.7, 0.55, 0.43, 0.32, 0.21};
      const std::int64_t h2 = std::max<std::int64_t>(1, std::llround(double(h) * factor[s]));
      const std::int64_t w2 = std::max<std::int64_t>(1, std::llround(double(w) * factor[s]));
      y = at::upsample_nearest2d(at::adaptive_avg_pool2d(x, {h2, w2}), {h, w});
      break;
    }
    case Corruption::Elastic: {
      // a smooth random displacement field (uniform noise blurred with σ = 3
      // pixels), scaled so its largest displacement is `alpha` pixels
      constexpr double alpha[] = {0.5, 1.0, 1.5, 2.0, 2.5};
      at::Tensor field = gaussian_blur(at::rand({n, 2, h, w}, gen, x.options()) * 2 - 1, 3.0);
      const at::Tensor peak = field.abs().amax({1, 2, 3}, true).clamp_min(1e-12);
      field = field / peak * alpha[s];
      const at::Tensor gx = at::linspace(-1, 1, w, x.options()).view({1, 1, w}).expand({n, h, w});
      const at::Tensor gy = at::linspace(-1, 1, h, x.options()).view({1, h, 1}).expand({n, h, w});
      const double sx = w > 1 ? 2.0 / double(w - 1) : 0, sy = h > 1 ? 2.0 / double(h - 1) : 0;
      const at::Tensor grid = at::stack({gx + field.select(1, 0) * sx, gy + field.select(1, 1) * sy}, 3);
      y = at::grid_sampler(x, grid, 0, 1, true);  // bilinear, border, align corners
      break;
    }
  }
  return y.clamp_(0, 1);
}

}  // namespace factorkit::nn
