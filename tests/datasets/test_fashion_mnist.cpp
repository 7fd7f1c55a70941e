// Fashion-MNIST read from Debian's dataset-fashion-mnist (counts, shapes,
// classes), and malformed IDX files refused naming the file and the field.
#include <gtest/gtest.h>

#include <array>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/data/fashion_mnist.h"
#include "test_util.h"

namespace fd = factorkit::data;
using factorkit::DType;
using factorkit::RawTensor;
using factorkit::testing::TempDir;

TEST(FashionMnist, CountsShapesAndClasses) {
  const fd::ImageSet8 train = fd::read_fashion_mnist("train"), test = fd::read_fashion_mnist("test");
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(test.count, 10000);
  for (const auto* s : {&train, &test}) {
    EXPECT_EQ(s->rows, 28);
    EXPECT_EQ(s->cols, 28);
    EXPECT_EQ(s->pixels.size(), std::size_t(s->count * 28 * 28));
    std::array<int, 10> per_class{};
    for (std::uint8_t y : s->labels) ++per_class.at(y);
    // Fashion-MNIST is balanced: 6000 / 1000 images of each of the 10 classes
    for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], s->count / 10) << "class " << c;
  }
  EXPECT_EQ(fd::fashion_mnist_classes().size(), 10u);
  EXPECT_EQ(fd::fashion_mnist_classes()[9], "Ankle boot");
  // a known image: the first training image is an ankle boot (label 9)
  EXPECT_EQ(train.labels[0], 9);
}

namespace {

RawTensor u8(std::vector<std::int64_t> shape, std::uint8_t fill = 0) {
  RawTensor t;
  t.dtype = DType::U8;
  t.shape = std::move(shape);
  t.data.assign(std::size_t(t.numel()), std::byte(fill));
  return t;
}

void write_set(const TempDir& d, const RawTensor& images, const RawTensor& labels, bool gz = true) {
  const std::string ext = gz ? ".gz" : "";
  factorkit::write_idx(d.file("train-images-idx3-ubyte" + ext), images);
  factorkit::write_idx(d.file("train-labels-idx1-ubyte" + ext), labels);
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const factorkit::Error& e) {
    return e.what();
  }
  return "nothing thrown";
}

}  // namespace

TEST(FashionMnist, ReadsAnyMnistLayoutFolderPlainOrGzip) {
  TempDir d;
  RawTensor labels = u8({3});
  labels.data[1] = std::byte(4);
  write_set(d, u8({3, 5, 7}, 200), labels, false);
  const fd::ImageSet8 s = fd::read_image_set(d.path().string(), "train");
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.rows, 5);
  EXPECT_EQ(s.cols, 7);
  EXPECT_EQ(s.pixels[17], 200);
  EXPECT_EQ(s.labels[1], 4);
}

TEST(FashionMnist, MalformedFilesAreRefusedNamingFileAndField) {
  {  // a missing folder names the Debian package
    const std::string m = message_of([] { fd::read_image_set("/nonexistent", "train"); });
    EXPECT_NE(m.find("dataset-fashion-mnist"), std::string::npos) << m;
  }
  {  // one label too few
    TempDir d;
    write_set(d, u8({4, 2, 2}), u8({3}));
    const std::string m = message_of([&] { fd::read_image_set(d.path().string(), "train"); });
    EXPECT_NE(m.find("train-labels-idx1-ubyte.gz"), std::string::npos) << m;
    EXPECT_NE(m.find("count"), std::string::npos) << m;
  }
  {  // a label out of range names its index
    TempDir d;
    write_set(d, u8({2, 2, 2}), u8({2}, 10));
    const std::string m = message_of([&] { fd::read_image_set(d.path().string(), "train"); });
    EXPECT_NE(m.find("label 0"), std::string::npos) << m;
    EXPECT_NE(m.find("0 … 9"), std::string::npos) << m;
  }
  {  // images given as 2-D
    TempDir d;
    write_set(d, u8({2, 4}), u8({2}));
    const std::string m = message_of([&] { fd::read_image_set(d.path().string(), "train"); });
    EXPECT_NE(m.find("train-images-idx3-ubyte.gz"), std::string::npos) << m;
    EXPECT_NE(m.find("3 dimensions"), std::string::npos) << m;
  }
  {  // float pixels
    TempDir d;
    RawTensor f;
    f.dtype = DType::F32;
    f.shape = {1, 1, 1};
    f.data.assign(4, std::byte(0));
    write_set(d, f, u8({1}));
    const std::string m = message_of([&] { fd::read_image_set(d.path().string(), "train"); });
    EXPECT_NE(m.find("0x08"), std::string::npos) << m;
  }
  {  // a truncated IDX file: the core reader's error names the file
    TempDir d;
    write_set(d, u8({2, 2, 2}), u8({2}), false);
    std::string bytes = factorkit::testing::read_bytes(d.file("train-images-idx3-ubyte"));
    factorkit::testing::write_bytes(d.file("train-images-idx3-ubyte"), bytes.substr(0, bytes.size() - 3));
    EXPECT_THROW(fd::read_image_set(d.path().string(), "train"), factorkit::MalformedFile);
    const std::string m = message_of([&] { fd::read_image_set(d.path().string(), "train"); });
    EXPECT_NE(m.find("train-images-idx3-ubyte"), std::string::npos) << m;
  }
  {  // no images at all
    TempDir d;
    write_set(d, u8({0, 2, 2}), u8({0}));
    EXPECT_THROW(fd::read_image_set(d.path().string(), "train"), factorkit::MalformedFile);
  }
  EXPECT_THROW(fd::read_image_set("/tmp", "valid"), factorkit::InvalidInput);
}
