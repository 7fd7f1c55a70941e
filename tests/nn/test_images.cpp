// Fashion-MNIST as tensors: normalization, seeded batches, augmentation,
// resizing, and the corruption suite.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <set>

#include "factorkit/core/error.h"
#include "factorkit/nn/images.h"
#include "factorkit/nn/tasks.h"

namespace fn = factorkit::nn;

namespace {
const fn::ImageDataset& train_set() {
  static const fn::ImageDataset d = fn::load_fashion_mnist("train");
  return d;
}
}  // namespace

TEST(Images, FashionMnistIsStandardizedWithTrainingStatistics) {
  const fn::ImageDataset& tr = train_set();
  const fn::ImageDataset te = fn::load_fashion_mnist("test");
  EXPECT_EQ(tr.size(), 60000);
  EXPECT_EQ(te.size(), 10000);
  EXPECT_EQ(tr.images.sizes(), (std::vector<std::int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(tr.classes.size(), 10u);
  EXPECT_NEAR(tr.images.mean().item<double>(), 0.0, 1e-4);
  EXPECT_NEAR(tr.images.std().item<double>(), 1.0, 1e-3);
  // the test part uses the training part's statistics, not its own
  EXPECT_EQ(te.mean, tr.mean);
  EXPECT_EQ(te.std, tr.std);
  EXPECT_NEAR(tr.mean, 0.2860, 1e-3);  // Fashion-MNIST's published pixel mean
  EXPECT_NEAR(tr.unit_images().max().item<double>(), 1.0, 1e-6);
  const fn::ImageDataset small = fn::load_fashion_mnist("test", {false, 32, 100});
  EXPECT_EQ(small.images.sizes(), (std::vector<std::int64_t>{100, 1, 32, 32}));
  EXPECT_GE(small.images.min().item<double>(), 0.0);
  EXPECT_LE(small.images.max().item<double>(), 1.0);
}

TEST(Images, LoaderIsSeededAndCoversEveryImageOncePerEpoch) {
  fn::ImageDataset d = train_set();
  d.images = d.images.narrow(0, 0, 1000);
  d.labels = at::arange(1000, at::kLong);  // labels = indices, to see the order
  fn::LoaderOptions o;
  o.batch_size = 64;
  o.seed = 7;
  const fn::ImageLoader a(d, o), b(d, o);
  EXPECT_EQ(a.batches(), 16);
  std::set<std::int64_t> seen;
  for (std::int64_t i = 0; i < a.batches(); ++i) {
    const fn::ImageBatch x = a.batch(3, i), y = b.batch(3, i);
    EXPECT_TRUE(at::equal(x.labels, y.labels));
    EXPECT_TRUE(at::equal(x.images, y.images));
    for (std::int64_t k = 0; k < x.labels.size(0); ++k) seen.insert(x.labels[k].item<std::int64_t>());
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(a.batch(3, 15).labels.size(0), 1000 - 15 * 64);
  EXPECT_FALSE(at::equal(a.batch(3, 0).labels, a.batch(4, 0).labels));  // each epoch its own order
  // asked out of order, a batch is the same
  const at::Tensor later = a.batch(4, 2).labels;
  (void)a.batch(3, 0);
  EXPECT_TRUE(at::equal(a.batch(4, 2).labels, later));
  o.seed = 8;
  EXPECT_FALSE(at::equal(fn::ImageLoader(d, o).batch(3, 0).labels, a.batch(3, 0).labels));
  EXPECT_THROW(a.batch(0, 16), factorkit::InvalidInput);
}

TEST(Images, AugmentationShiftsAndFlipsWithoutChangingLabels) {
  fn::ImageDataset d = train_set();
  d.images = d.images.narrow(0, 0, 256);
  d.labels = d.labels.narrow(0, 0, 256);
  fn::LoaderOptions o;
  o.batch_size = 256;
  o.shuffle = false;
  const at::Tensor plain = fn::ImageLoader(d, o).batch(0, 0).images;
  o.augment.crop_padding = 2;
  o.augment.horizontal_flip = true;
  const fn::ImageLoader aug(d, o);
  const fn::ImageBatch x = aug.batch(0, 0);
  EXPECT_EQ(x.images.sizes(), plain.sizes());
  EXPECT_TRUE(at::equal(x.labels, d.labels));
  EXPECT_TRUE(at::equal(x.images, aug.batch(0, 0).images));  // seeded
  EXPECT_FALSE(at::equal(x.images, aug.batch(1, 0).images));
  // every augmented image is some shift (|dx|,|dy| ≤ 2, zero fill) of the image or of its mirror
  const double background = -d.mean / d.std;
  int matched = 0;
  for (std::int64_t i = 0; i < 16; ++i) {
    bool found = false;
    for (const at::Tensor& src : {plain[i], plain[i].flip({2})}) {
      const at::Tensor padded = at::constant_pad_nd(src, {2, 2, 2, 2}, background);
      for (int dy = 0; dy <= 4 && !found; ++dy)
        for (int dx = 0; dx <= 4 && !found; ++dx)
          found = at::allclose(padded.narrow(1, dy, 28).narrow(2, dx, 28), x.images[i]);
    }
    matched += found;
  }
  EXPECT_EQ(matched, 16);
}

TEST(Corruptions, EveryKindStaysInRangeIsSeededAndGrowsWithSeverity) {
  const at::Tensor x = train_set().unit_images().narrow(0, 0, 64);
  for (fn::Corruption c : fn::all_corruptions()) {
    const std::string name = fn::corruption_name(c);
    EXPECT_EQ(fn::corruption_from_name(name), c);
    double previous = 0;
    for (int s = 1; s <= 5; ++s) {
      const at::Tensor y = fn::corrupt(x, c, s, 11);
      ASSERT_EQ(y.sizes(), x.sizes()) << name;
      EXPECT_GE(y.min().item<double>(), 0.0) << name;
      EXPECT_LE(y.max().item<double>(), 1.0) << name;
      EXPECT_TRUE(at::equal(y, fn::corrupt(x, c, s, 11))) << name << " severity " << s;
      const double change = (y - x).abs().mean().item<double>();
      EXPECT_GT(change, previous) << name << ": severity " << s << " changes the images no more than " << s - 1;
      previous = change;
    }
  }
  EXPECT_FALSE(at::equal(fn::corrupt(x, fn::Corruption::GaussianNoise, 3, 1), fn::corrupt(x, fn::Corruption::GaussianNoise, 3, 2)));
  EXPECT_THROW(fn::corrupt(x, fn::Corruption::Blur, 0, 0), factorkit::InvalidInput);
  EXPECT_THROW(fn::corrupt(x, fn::Corruption::Blur, 6, 0), factorkit::InvalidInput);
  EXPECT_THROW(fn::corruption_from_name("fog"), factorkit::InvalidInput);
  // contrast keeps each image's mean; brightness raises it
  const at::Tensor lowc = fn::corrupt(x, fn::Corruption::Contrast, 5, 0);
  EXPECT_TRUE(at::allclose(lowc.mean({1, 2, 3}), x.mean({1, 2, 3}), 1e-4, 1e-5));
  EXPECT_GT(fn::corrupt(x, fn::Corruption::Brightness, 1, 0).mean().item<double>(), x.mean().item<double>());
}

TEST(Corruptions, RobustnessTableHasOneRowPerCorruptionAndSeverity) {
  const fn::ImageDataset& d = train_set();
  // a "model" that answers class 0 always scores the share of class 0, corrupted or not
  const fn::Forward zero = [](const at::Tensor& x) {
    at::Tensor logits = at::zeros({x.size(0), 10});
    logits.select(1, 0).fill_(1);
    return logits;
  };
  const auto rows = fn::evaluate_corruptions(zero, d, {1, 5}, 500, 3);
  ASSERT_EQ(rows.size(), 14u);
  const double share = (d.labels.narrow(0, 0, 500) == 0).to(at::kDouble).mean().item<double>();
  for (const auto& r : rows) EXPECT_DOUBLE_EQ(r.accuracy, share) << fn::corruption_name(r.corruption);
  EXPECT_EQ(rows[1].severity, 5);
  // a predictor that reads the pixels (bright images → class 0): the table
  // equals corrupting the [0, 1] images by hand and normalizing them back
  const fn::Forward bright = [](const at::Tensor& x) {
    at::Tensor logits = at::zeros({x.size(0), 10});
    logits.select(1, 0).copy_(x.mean({1, 2, 3}));
    return logits;
  };
  const auto table = fn::evaluate_corruptions(bright, d, {2}, 300, 7);
  const at::Tensor unit = d.unit_images().narrow(0, 0, 300), y = d.labels.narrow(0, 0, 300);
  for (const auto& r : table) {
    const at::Tensor x = (fn::corrupt(unit, r.corruption, 2, 7) - d.mean) / d.std;
    const double want = (bright(x).argmax(1) == y).to(at::kDouble).mean().item<double>();
    EXPECT_DOUBLE_EQ(r.accuracy, want) << fn::corruption_name(r.corruption);
  }
  const double clean = (bright(d.images.narrow(0, 0, 300)).argmax(1) == y).to(at::kDouble).mean().item<double>();
  // the corruptions were applied: brightening moves images across the predictor's threshold
  for (const auto& r : table)
    if (r.corruption == fn::Corruption::Brightness) EXPECT_NE(r.accuracy, clean);
}
