// The planted-texture benchmark's pieces: the generator (deterministic, masks
// where the textures are), crop labels, and the scores (AUC, Spearman).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "factorkit/core/error.h"
#include "planted.h"

namespace fc = factorkit::craft;

TEST(Planted, ImagesAreSeededAndMasksMarkTheTextures) {
  const fc::TextureImages a = fc::make_texture_images(5, 3, true), b = fc::make_texture_images(5, 3, true);
  EXPECT_TRUE(at::equal(a.images, b.images));
  EXPECT_FALSE(at::equal(a.images, fc::make_texture_images(5, 4, true).images));
  ASSERT_EQ(a.images.sizes(), (std::vector<std::int64_t>{5, 3, 32, 32}));
  ASSERT_EQ(a.masks.sizes(), (std::vector<std::int64_t>{5, fc::kTextures, 32, 32}));
  const at::Tensor area = a.masks.sum({2, 3});
  for (int k = 0; k < fc::kTextures; ++k) {
    EXPECT_GT(area.select(1, k).min().item<double>(), 50) << fc::texture_names()[std::size_t(k)];  // every one present
    EXPECT_LE(area.select(1, k).max().item<double>(), 100);
  }
  EXPECT_LE(a.masks.sum(1).max().item<double>(), 1.0);  // textures never overlap
  EXPECT_GE(a.images.min().item<double>(), 0.0);
  EXPECT_LE(a.images.max().item<double>(), 1.0);
  // the disc is red where its mask is
  const at::Tensor disc = a.masks[0][4] > 0.5;
  EXPECT_GT(a.images[0][0].masked_select(disc).mean().item<double>(), 0.8);
  EXPECT_LT(a.images[0][1].masked_select(disc).mean().item<double>(), 0.25);
  // without `all`, about half the textures are present
  const double frac = (fc::make_texture_images(200, 1, false).masks.sum({2, 3}) > 0).to(at::kDouble).mean().item<double>();
  EXPECT_NEAR(frac, 0.5, 0.06);
}

TEST(Planted, CropLabelsFollowCoverage) {
  at::Tensor masks = at::zeros({1, 2, 32, 32});
  masks[0][0].slice(0, 0, 10).slice(1, 0, 10).fill_(1);    // texture 0 in the corner
  masks[0][1].slice(0, 20, 30).slice(1, 20, 30).fill_(1);  // texture 1 opposite
  const std::vector<fc::CropRef> crops{{0, 0, 0, 12}, {0, 5, 5, 12}, {0, 18, 18, 14}, {0, 0, 0, 32}};
  const at::Tensor l = fc::crop_labels(masks, crops);
  EXPECT_EQ(l[0][0].item<float>(), 1.f);  // whole texture inside
  EXPECT_EQ(l[0][1].item<float>(), 0.f);
  EXPECT_EQ(l[1][0].item<float>(), 0.f);  // 25 of 100 pixels, 25/144 of the crop
  EXPECT_EQ(l[2][1].item<float>(), 1.f);
  EXPECT_EQ(l[3][0].item<float>(), 1.f);
  EXPECT_EQ(l[3][1].item<float>(), 1.f);
}

TEST(Planted, AucAndSpearmanKnownAnswers) {
  EXPECT_DOUBLE_EQ(fc::roc_auc(at::tensor({0.1, 0.4, 0.35, 0.8}), at::tensor({0., 0., 1., 1.})), 0.75);
  EXPECT_DOUBLE_EQ(fc::roc_auc(at::tensor({1., 2., 3.}), at::tensor({0., 1., 1.})), 1.0);
  EXPECT_DOUBLE_EQ(fc::roc_auc(at::tensor({1., 1., 1., 1.}), at::tensor({0., 1., 0., 1.})), 0.5);  // ties count half
  EXPECT_DOUBLE_EQ(fc::roc_auc(at::tensor({1., 2.}), at::tensor({1., 1.})), 0.5);  // one class only
  EXPECT_DOUBLE_EQ(fc::spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(fc::spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_NEAR(fc::spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}), 0.8, 1e-12);  // 1 − 6·4/(5·24)
  EXPECT_NEAR(fc::spearman({1, 2, 2, 3}, {1, 2, 3, 4}), 0.9486832980505138, 1e-12);  // scipy.stats.spearmanr
}
