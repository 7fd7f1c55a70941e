// Training an MLP on Fashion-MNIST with Para(Lens) (learn.h), in a chosen
// composition mode.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "learn.h"

namespace factorkit::optics {

struct ImageSet {
  at::Tensor images;  // (N, 784) float, standardised
  at::Tensor labels;  // (N,) int64
};

// Debian's dataset-fashion-mnist through nn::load_fashion_mnist (pixels
// standardised with the training set's mean and standard deviation), each
// image flattened to 784 values.
std::pair<ImageSet, ImageSet> load_fashion_mnist(const std::string& dir);

struct TrainOptions {
  std::vector<std::int64_t> hidden{256, 256};
  std::size_t epochs = 3, batch_size = 64;
  std::string optimizer = "adam";  // adam, momentum, sgd
  double lr = 1e-3;
  category::optics::Mode mode;
  std::uint64_t seed = 0;
  std::size_t limit = 0;  // use only the first `limit` training images (0: all)
  std::function<void(std::size_t epoch, double loss, double test_accuracy, double seconds)> on_epoch;
};

struct TrainReport {
  std::vector<double> epoch_loss, epoch_test_accuracy, epoch_seconds;
  double test_accuracy = 0;
  // per step, the largest seen: recomputed layers, stored residuals, and the
  // peak bytes of Tracked values (an upper bound for tensors, whose copies
  // share storage; torch's own temporaries are not counted)
  std::size_t peak_bytes = 0, backward_gets = 0, stored = 0;
  Model model;
};

TrainReport train_mlp(const ImageSet& train, const ImageSet& test, const TrainOptions& options);
double accuracy(const Model& model, const ImageSet& set);

}  // namespace factorkit::optics
