// Fashion-MNIST training with parametric lenses.
#include "train.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/nn/images.h"

namespace factorkit::optics {

namespace op = factorkit::category::optics;

std::pair<ImageSet, ImageSet> load_fashion_mnist(const std::string& dir) {
  auto flat = [&](const char* part) {
    const nn::ImageDataset d = nn::load_fashion_mnist(part, {}, dir);
    if (d.images.size(2) != 28 || d.images.size(3) != 28)
      throw MalformedFile(dir + "/" + (std::string(part) == "train" ? "train" : "t10k") + "-images-idx3-ubyte.gz", "shape",
                          "28 × 28 images (the MLP's 784 inputs)", "BadDataset");
    return ImageSet{d.images.reshape({d.size(), -1}), d.labels};
  };
  return {flat("train"), flat("test")};
}

double accuracy(const Model& model, const ImageSet& set) {
  std::int64_t correct = 0;
  for (std::int64_t b = 0; b < set.images.size(0); b += 1000) {
    const std::int64_t n = std::min<std::int64_t>(1000, set.images.size(0) - b);
    const at::Tensor logits = model(set.images.narrow(0, b, n));
    correct += (logits.argmax(1) == set.labels.narrow(0, b, n)).sum().item<std::int64_t>();
  }
  return double(correct) / double(std::max<std::int64_t>(1, set.images.size(0)));
}

TrainReport train_mlp(const ImageSet& train, const ImageSet& test, const TrainOptions& o) {
  if (o.batch_size == 0 || o.epochs == 0 || o.batch_size > (std::size_t(1) << 20) || o.epochs > 100000)
    throw InvalidInput("optics train", "epochs / batch size", "1 … 100000 epochs, 1 … 2^20 images a batch", "BadOption");
  if (!(o.lr > 0) || !std::isfinite(o.lr)) throw InvalidInput("optics train", "learning rate", "a positive number", "BadOption");
  for (std::int64_t h : o.hidden)
    if (h <= 0 || h > 65536) throw InvalidInput("optics train", "hidden width " + std::to_string(h), "1 … 65536", "BadOption");
  std::function<Update()> make;
  if (o.optimizer == "adam") make = [lr = o.lr] { return adam(lr); };
  else if (o.optimizer == "momentum") make = [lr = o.lr] { return momentum(lr, 0.9); };
  else if (o.optimizer == "sgd") make = [lr = o.lr] { return sgd(lr); };
  else throw InvalidInput("optics train", "optimizer " + o.optimizer, "adam, momentum or sgd", "BadOption");
  TrainReport rep;
  rep.model = mlp(784, o.hidden, 10, o.seed);
  std::vector<Update> state;
  at::Generator gen = at::detail::createCPUGenerator(o.seed + 1);
  const std::int64_t all = train.images.size(0);
  const std::int64_t n = o.limit ? std::int64_t(std::min<std::size_t>(o.limit, std::size_t(all))) : all;
  for (std::size_t epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const at::Tensor order = at::randperm(n, gen, at::kLong);
    double total = 0;
    std::int64_t batches = 0;
    for (std::int64_t b = 0; b < n; b += std::int64_t(o.batch_size)) {
      const std::int64_t m = std::min<std::int64_t>(std::int64_t(o.batch_size), n - b);
      const at::Tensor idx = order.narrow(0, b, m);
      const at::Tensor x = train.images.index_select(0, idx), y = train.labels.index_select(0, idx);
      const StepResult r = gradients(rep.model, x, cross_entropy(y), o.mode);
      apply(rep.model, r.grads, state, make);
      total += r.loss;
      ++batches;
      rep.peak_bytes = std::max(rep.peak_bytes, r.stats.peak_bytes);
      rep.backward_gets = std::max(rep.backward_gets, r.stats.backward_gets);
      rep.stored = std::max(rep.stored, r.stats.stored);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double acc = accuracy(rep.model, test);
    rep.epoch_loss.push_back(total / double(std::max<std::int64_t>(1, batches)));
    rep.epoch_test_accuracy.push_back(acc);
    rep.epoch_seconds.push_back(secs);
    if (o.on_epoch) o.on_epoch(epoch, rep.epoch_loss.back(), acc, secs);
  }
  rep.test_accuracy = rep.epoch_test_accuracy.back();
  return rep;
}

}  // namespace factorkit::optics
