// factorkit/nn/images.h — image datasets as LibTorch tensors: Fashion-MNIST
// normalized, shuffled with a seed, batched, optionally resized and augmented,
// and a corruption suite in the spirit of ImageNet-C for robustness
// measurements.
//
// Every random choice (the order of an epoch, the augmentation of a batch, a
// corruption's noise) is a function of (seed, epoch, batch), so a run resumed
// from a checkpoint sees exactly the batches an uninterrupted run would.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "factorkit/data/fashion_mnist.h"

namespace factorkit::nn {

struct ImageOptions {
  // Standardize with the training part's pixel mean and standard deviation
  // (x − mean) / std; false leaves pixels in [0, 1].
  bool normalize = true;
  // Resize to size × size (bilinear) when > 0; 0 keeps the stored size.
  std::int64_t size = 0;
  // Use only the first `limit` images (0: all).
  std::int64_t limit = 0;
};

struct ImageDataset {
  at::Tensor images;  // (N, 1, H, W) float32
  at::Tensor labels;  // (N,) int64
  double mean = 0, std = 1;  // images = (pixels/255 − mean) / std
  std::vector<std::string> classes;
  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
  // pixels back in [0, 1] (undoes the normalization)
  at::Tensor unit_images() const;
};

// From an 8-bit image set; `mean`/`std` are the normalization to apply (use
// the training part's, from pixel_stats, for both parts).
ImageDataset to_dataset(const data::ImageSet8& set, const ImageOptions& options, double mean, double std,
                        std::vector<std::string> classes = {});
// Mean and standard deviation of the pixels scaled to [0, 1].
std::pair<double, double> pixel_stats(const data::ImageSet8& set);

// Fashion-MNIST's train or test part, normalized with the training part's
// statistics (computed once per folder).
ImageDataset load_fashion_mnist(const std::string& part, const ImageOptions& options = {},
                                const std::string& dir = data::kFashionMnistDir);

struct Augment {
  std::int64_t crop_padding = 0;  // pad by this many pixels (zeros), crop back at a random offset
  bool horizontal_flip = false;   // flip half the images left–right
};

struct LoaderOptions {
  std::int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;
  std::uint64_t seed = 0;
  Augment augment;
};

struct ImageBatch {
  at::Tensor images, labels;
};

// Batches of a dataset. batch(epoch, b) depends only on the seed, the epoch
// and b: the order of each epoch is a seeded permutation.
class ImageLoader {
 public:
  ImageLoader(const ImageDataset& data, LoaderOptions options);  // keeps a reference: `data` must outlive it
  ImageLoader(ImageDataset&&, LoaderOptions) = delete;
  std::int64_t batches() const noexcept { return batches_; }
  std::int64_t batch_size() const noexcept { return options_.batch_size; }
  ImageBatch batch(std::int64_t epoch, std::int64_t b) const;
  const ImageDataset& data() const noexcept { return *data_; }

 private:
  const ImageDataset* data_;
  LoaderOptions options_;
  std::int64_t batches_;
  mutable std::int64_t order_epoch_ = -1;
  mutable std::vector<std::int64_t> order_;
};

// ---- corruptions ------------------------------------------------------------
// Applied to images in [0, 1], shape (N, C, H, W); results are clipped to
// [0, 1]. Severity 1 … 5; the parameters (docs/methods/nn.md) follow
// ImageNet-C's, scaled to 28-pixel images.
enum class Corruption { GaussianNoise, ShotNoise, Blur, Contrast, Brightness, Pixelate, Elastic };
const std::vector<Corruption>& all_corruptions();
std::string corruption_name(Corruption c);
Corruption corruption_from_name(const std::string& name);  // InvalidInput listing the names
at::Tensor corrupt(const at::Tensor& unit_images, Corruption c, int severity, std::uint64_t seed);

}  // namespace factorkit::nn
