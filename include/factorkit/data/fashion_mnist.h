// factorkit/data/fashion_mnist.h — the Fashion-MNIST images as stored by
// Debian's dataset-fashion-mnist (IDX files, gzip), read and checked without
// LibTorch. The LibTorch dataset on top (normalization, shuffling, batching,
// resizing, augmentation, corruptions) is factorkit/nn/images.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace factorkit::data {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The ten classes, in label order.
const std::vector<std::string>& fashion_mnist_classes();

struct ImageSet8 {
  std::int64_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count × rows × cols, row-major, 0 … 255
  std::vector<std::uint8_t> labels;  // count, each < classes
  int classes = 0;
};

// Reads DIR/{train,t10k}-images-idx3-ubyte[.gz] and the matching
// labels-idx1-ubyte[.gz] (`part` is "train" or "test"). Checks: the files
// exist (InvalidInput naming the Debian package otherwise), images are a u8
// IDX of 3 dimensions, labels a u8 IDX of 1 dimension with one label per
// image, labels 0 … classes−1, at least one image. MalformedFile names the
// file and field otherwise.
ImageSet8 read_image_set(const std::string& dir, const std::string& part, int classes = 10);

// The two parts of Fashion-MNIST: 60 000 training and 10 000 test images.
ImageSet8 read_fashion_mnist(const std::string& part, const std::string& dir = kFashionMnistDir);

}  // namespace factorkit::data
