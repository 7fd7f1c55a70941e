// Fashion-MNIST training with parametric lenses.
#include "train.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"

namespace factorkit::optics {

namespace op = factorkit::category::optics;

namespace {

at::Tensor read(const std::string& path, std::int64_t dims) {
  if (!std::filesystem::exists(path))
    throw InvalidInput("fashion-mnist", path, "the file (apt-get install dataset-fashion-mnist)", "FileNotFound");
  const RawTensor raw = read_idx_file(path, std::size_t(1) << 28);
  at::Tensor t = to_torch(raw, path);
  if (t.dim() != dims) throw MalformedFile(path, "dimensions", fmt::format("{} dimensions", dims), "BadDataset");
  return t;
}

}  // namespace

std::pair<ImageSet, ImageSet> load_fashion_mnist(const std::string& dir) {
  auto load = [&](const char* prefix) {
    const std::string images = fmt::format("{}/{}-images-idx3-ubyte.gz", dir, prefix);
    const std::string labels = fmt::format("{}/{}-labels-idx1-ubyte.gz", dir, prefix);
    at::Tensor x = read(images, 3), y = read(labels, 1);
    if (x.size(0) != y.size(0))
      throw MalformedFile(labels, "count", fmt::format("{} labels, one per image", x.size(0)), "BadDataset");
    if (x.size(1) != 28 || x.size(2) != 28) throw MalformedFile(images, "shape", "28 × 28 images", "BadDataset");
    y = y.to(at::kLong);
    if (y.numel() == 0) throw MalformedFile(labels, "count", "at least one image", "BadDataset");
    if (y.min().item<std::int64_t>() < 0 || y.max().item<std::int64_t>() > 9)
      throw MalformedFile(labels, "labels", "classes 0 … 9", "BadDataset");
    return ImageSet{x.reshape({x.size(0), 784}).to(at::kFloat) / 255.0f, y};
  };
  ImageSet train = load("train"), test = load("t10k");
  const at::Tensor mean = train.images.mean(), sd = train.images.std();
  if (!(sd.item<double>() > 0))
    throw MalformedFile(dir + "/train-images-idx3-ubyte.gz", "pixels", "images that are not all alike", "BadDataset");
  train.images = (train.images - mean) / sd;
  test.images = (test.images - mean) / sd;
  return {std::move(train), std::move(test)};
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
