// Fashion-MNIST (and any MNIST-layout folder) read through the core's IDX reader.
#include "factorkit/data/fashion_mnist.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

namespace factorkit::data {

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

namespace {

std::string find(const std::string& dir, const std::string& stem) {
  for (const char* ext : {".gz", ""}) {
    const std::string path = fmt::format("{}/{}{}", dir, stem, ext);
    if (std::filesystem::exists(path)) return path;
  }
  throw InvalidInput(fmt::format("{}/{}.gz", dir, stem), "file",
                     "an IDX file, gzip-compressed or not (Fashion-MNIST: apt-get install dataset-fashion-mnist)",
                     "FileNotFound");
}

RawTensor read_u8(const std::string& path, std::size_t dims) {
  RawTensor t = read_idx_file(path, std::size_t(1) << 30);
  if (t.dtype != DType::U8)
    throw MalformedFile(path, "type", "unsigned bytes (IDX type 0x08)", "BadDataset");
  if (t.shape.size() != dims)
    throw MalformedFile(path, "dimensions", fmt::format("{} dimension{}", dims, dims == 1 ? "" : "s"), "BadDataset");
  return t;
}

}  // namespace

ImageSet8 read_image_set(const std::string& dir, const std::string& part, int classes) {
  if (part != "train" && part != "test")
    throw InvalidInput("fashion-mnist", "part", "train or test, not '" + part + "'", "BadOption");
  if (classes < 1 || classes > 256) throw InvalidInput("fashion-mnist", "classes", "1 … 256", "BadOption");
  const std::string prefix = part == "train" ? "train" : "t10k";
  const std::string images_path = find(dir, prefix + "-images-idx3-ubyte");
  RawTensor images = read_u8(images_path, 3);
  const std::string labels_path = find(dir, prefix + "-labels-idx1-ubyte");
  RawTensor labels = read_u8(labels_path, 1);
  ImageSet8 s;
  s.count = images.shape[0];
  s.rows = images.shape[1];
  s.cols = images.shape[2];
  s.classes = classes;
  if (s.count == 0) throw MalformedFile(images_path, "count", "at least one image", "BadDataset");
  if (s.rows == 0 || s.cols == 0) throw MalformedFile(images_path, "shape", "images of at least 1 × 1 pixels", "BadDataset");
  if (labels.shape[0] != s.count)
    throw MalformedFile(labels_path, "count",
                        fmt::format("one label per image of {} ({}), not {}", images_path, s.count, labels.shape[0]),
                        "BadDataset");
  s.pixels.resize(images.data.size());
  std::memcpy(s.pixels.data(), images.data.data(), images.data.size());
  s.labels.resize(labels.data.size());
  std::memcpy(s.labels.data(), labels.data.data(), labels.data.size());
  for (std::size_t i = 0; i < s.labels.size(); ++i)
    if (s.labels[i] >= classes)
      throw MalformedFile(labels_path, fmt::format("label {}", i),
                          fmt::format("a class 0 … {}, not {}", classes - 1, int(s.labels[i])), "BadDataset");
  return s;
}

ImageSet8 read_fashion_mnist(const std::string& part, const std::string& dir) {
  return read_image_set(dir, part, 10);
}

}  // namespace factorkit::data
