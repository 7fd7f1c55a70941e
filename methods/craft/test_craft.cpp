// CRAFT's pieces against closed forms: the analytic latent model (linear head,
// ST_i = c_i² / Σ c_j² with c_i = u_i (W w)_i), the implicit derivative of the
// NNLS solution against central differences, crops, the model split.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>
#include <torch/nn.h>

#include <algorithm>
#include <random>

#include "craft.h"
#include "factorkit/core/error.h"

namespace fc = factorkit::craft;

namespace {

// A = U* W* + |ε| with planted non-negative factors.
struct Planted {
  at::Tensor u, w, a;
};
Planted planted(std::int64_t n, std::int64_t r, std::int64_t p, std::uint64_t seed, double noise = 0.01) {
  at::manual_seed(seed);
  Planted pl;
  pl.u = at::rand({n, r}, at::kDouble);
  pl.w = at::rand({r, p}, at::kDouble) * (at::rand({r, p}, at::kDouble) < 0.4);
  pl.a = at::mm(pl.u, pl.w) + noise * at::randn({n, p}, at::kDouble).abs();
  return pl;
}

std::vector<double> analytic_total(const at::Tensor& u, const at::Tensor& w, const at::Tensor& head) {
  const at::Tensor c = (u * at::mv(w, head)).pow(2);
  const at::Tensor st = c / c.sum();
  return {st.data_ptr<double>(), st.data_ptr<double>() + st.numel()};
}

}  // namespace

TEST(Craft, LinearHeadGivesTheAnalyticTotalIndices) {
  // Fit concepts on planted activations, then rank them through a linear head.
  const Planted pl = planted(400, 5, 30, 11);
  fc::CraftOptions o;
  o.concepts = 5;
  o.designs = 4096;
  const fc::Concepts c = fc::fit_concepts(pl.a, o);
  EXPECT_LT(c.nmf_error / pl.a.norm().item<double>(), 0.05);
  at::manual_seed(5);
  const at::Tensor head = at::randn({30}, at::kDouble);
  const auto h = [&](const at::Tensor& a) { return at::mv(a.to(at::kDouble), head).unsqueeze(1); };
  const at::Tensor coeff = fc::transform(c, pl.a.slice(0, 0, 6));
  const fc::Importance imp = fc::estimate_importance(h, c.w, coeff, 0, o);
  for (std::int64_t i = 0; i < 6; ++i) {
    const auto want = analytic_total(coeff[i].to(at::kDouble), c.w.to(at::kDouble), head);
    for (std::int64_t j = 0; j < 5; ++j)
      EXPECT_NEAR(imp.per_image_total[i][j].item<double>(), want[std::size_t(j)], 0.02) << "image " << i << " concept " << j;
  }
  EXPECT_EQ(imp.model_calls, 6 * 4096 * 7);
}

TEST(Craft, ConceptWithZeroHeadWeightHasExactlyZeroImportance) {
  // Concept 2 lives on features 20..29 only, where the head weight is 0.
  const std::int64_t r = 4, p = 30;
  at::manual_seed(2);
  at::Tensor w = at::rand({r, p}, at::kFloat);
  w[2].zero_();
  w[2].slice(0, 20, 30).uniform_(0.5, 1.0);
  for (std::int64_t j : {0, 1, 3}) w[j].slice(0, 20, 30).zero_();
  at::Tensor head = at::randn({p}, at::kFloat);
  head.slice(0, 20, 30).zero_();
  const auto h = [&](const at::Tensor& a) { return at::mv(a, head).unsqueeze(1); };
  const at::Tensor coeff = at::rand({3, r}, at::kFloat) + 0.1;
  for (const auto e : {fc::Estimator::Jansen}) {
    fc::CraftOptions o;
    o.designs = 64;
    o.estimator = e;
    const fc::Importance imp = fc::estimate_importance(h, w, coeff, 0, o);
    for (std::int64_t i = 0; i < 3; ++i) {
      EXPECT_EQ(imp.per_image_total[i][2].item<double>(), 0.0);
      EXPECT_GT(imp.per_image_total[i][0].item<double>(), 0.0);
    }
    EXPECT_EQ(imp.total[2], 0.0);
  }
  // Spatial coefficients: the mask is broadcast to every location.
  const at::Tensor maps = at::rand({2, 3, 3, r}, at::kFloat);
  const auto hs = [&](const at::Tensor& a) { return at::mv(a.mean({2, 3}), head).unsqueeze(1); };
  fc::CraftOptions o;
  const fc::Importance imp = fc::estimate_importance(hs, w, maps, 0, o);
  EXPECT_EQ(imp.total[2], 0.0);
  EXPECT_GT(imp.total[1], 0.0);
}

TEST(Craft, BootstrapOverImagesBracketsTheMean) {
  const Planted pl = planted(200, 3, 12, 4);
  fc::CraftOptions o;
  o.concepts = 3;
  o.bootstrap = 100;
  const fc::Concepts c = fc::fit_concepts(pl.a, o);
  const at::Tensor head = at::ones({12}, at::kDouble);
  const auto h = [&](const at::Tensor& a) { return at::mv(a.to(at::kDouble), head).unsqueeze(1); };
  const fc::Importance imp = fc::estimate_importance(h, c.w, fc::transform(c, pl.a.slice(0, 0, 40)), 0, o);
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_LE(imp.total_low[j], imp.total[j]);
    EXPECT_GE(imp.total_high[j], imp.total[j]);
    EXPECT_LT(imp.total_low[j], imp.total_high[j]);
  }
}

TEST(Craft, ImplicitDerivativeMatchesCentralDifferences) {
  // u(a) = argmin_{u>=0} |a − uW|² with some coordinates strictly inactive.
  for (const double alpha : {0.0, 1e-3}) {
    at::manual_seed(9);
    const std::int64_t r = 6, p = 15;
    fc::Concepts c;
    c.w = at::rand({r, p}, at::kDouble) + 0.05;
    c.nmf.rank = r;
    c.nmf.alpha_w = alpha;
    int checked = 0;
    for (int trial = 0; trial < 20; ++trial) {
      // KKT by construction: u0 > 0 on S, multipliers λ_j > 0 off S, and a with
      // W a = (W Wᵀ + l2 I) u0 − λ (the minimum-norm change from Wᵀ u0).
      at::Tensor u0 = at::rand({r}, at::kDouble) + 0.5;
      const at::Tensor off = at::rand({r}, at::kDouble) < 0.4;
      if (!off.any().item<bool>() || off.all().item<bool>()) continue;
      u0.masked_fill_(off, 0.0);
      const at::Tensor lambda = (at::rand({r}, at::kDouble) * 0.05 + 0.02) * off;
      const at::Tensor gram = at::mm(c.w, c.w.t());
      const at::Tensor a = at::mv(c.w.t(), u0) - at::mv(c.w.t(), at::linalg_solve(gram, lambda - alpha * double(p) * u0));
      if (a.min().item<double>() <= 0) continue;
      const at::Tensor u = fc::transform(c, a.unsqueeze(0)).squeeze(0);
      ASSERT_LT((u - u0).abs().max().item<double>(), 1e-8) << "the planted KKT point is the solution";
      const at::Tensor active = ~off;
      const at::Tensor jac = fc::nnls_jacobian(c, a);
      const double h = 1e-6;
      at::Tensor fd = at::empty({r, p}, at::kDouble);
      for (std::int64_t k = 0; k < p; ++k) {
        at::Tensor ap = a.clone(), am = a.clone();
        ap[k] += h;
        am[k] -= h;
        fd.select(1, k).copy_((fc::transform(c, ap.unsqueeze(0)) - fc::transform(c, am.unsqueeze(0))).squeeze(0) /
                              (2 * h));
      }
      const double rel = (jac - fd).norm().item<double>() / std::max(fd.norm().item<double>(), 1e-12);
      EXPECT_LT(rel, 1e-4) << "trial " << trial << " alpha " << alpha;
      for (std::int64_t j = 0; j < r; ++j) {
        if (!active[j].item<bool>()) {
          EXPECT_EQ(jac[j].abs().max().item<double>(), 0.0);
        }
      }
      EXPECT_GT(active.sum().item<std::int64_t>(), 0);
      EXPECT_LT(active.sum().item<std::int64_t>(), r);
      ++checked;
    }
    EXPECT_GE(checked, 5) << "too few strictly complementary points";
  }
}

TEST(Craft, CropsFollowTheUnfoldGrid) {
  EXPECT_EQ(fc::crop_offsets(224, 64, 51), (std::vector<std::int64_t>{0, 51, 102, 153}));
  EXPECT_EQ(fc::crop_offsets(28, 28, 22), (std::vector<std::int64_t>{0}));
  EXPECT_THROW(fc::crop_offsets(28, 29, 5), factorkit::InvalidInput);
  const at::Tensor img = at::arange(2 * 1 * 8 * 8, at::kFloat).reshape({2, 1, 8, 8});
  std::vector<fc::CropRef> refs;
  const at::Tensor crops = fc::make_crops(img, 4, 4, &refs);
  ASSERT_EQ(crops.sizes(), (std::vector<std::int64_t>{8, 1, 8, 8}));
  ASSERT_EQ(refs.size(), 8u);
  EXPECT_EQ(refs[5].image, 1);
  EXPECT_EQ(refs[5].y, 0);
  EXPECT_EQ(refs[5].x, 4);
  // a crop resized back: its mean is the patch's mean (bilinear, no corners pinned)
  EXPECT_NEAR(crops[5].mean().item<double>(), img[1].slice(1, 0, 4).slice(2, 4, 8).mean().item<double>(), 0.5);
  const at::Tensor same = fc::make_crops(img, 8, 8);
  EXPECT_TRUE(at::equal(same, img));
}

TEST(Craft, SplitChainsTheLayersAndRefusesNegativeActivations) {
  at::manual_seed(21);
  torch::nn::Sequential seq(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)), torch::nn::ReLU(),
                            torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 3, 3).padding(1)),
                            torch::nn::AdaptiveAvgPool2d(1), torch::nn::Flatten());
  const fc::LayerChain chain = fc::LayerChain::from_sequentials({{"net", seq}});
  EXPECT_EQ(chain.size(), 5);
  EXPECT_EQ(chain.index_of("net.1"), 1);
  EXPECT_THROW(chain.index_of("net.9"), factorkit::InvalidInput);
  const at::Tensor x = at::randn({6, 1, 12, 12});
  fc::ModelSplit split(chain, "net.1");
  EXPECT_NO_THROW(split.check_against([&](const at::Tensor& t) { return seq->forward(t); }, x, "test"));
  EXPECT_THROW(split.check_against([&](const at::Tensor& t) { return seq->forward(t) + 1; }, x, "test"),
               factorkit::InvalidInput);
  // After the ReLU, and not the convolutions (the pooled outputs may be >= 0 by chance).
  const auto ok = fc::nonnegative_layers(chain, x);
  EXPECT_NE(std::find(ok.begin(), ok.end(), "net.1"), ok.end());
  EXPECT_EQ(std::find(ok.begin(), ok.end(), "net.0"), ok.end());
  EXPECT_EQ(std::find(ok.begin(), ok.end(), "net.2"), ok.end());
  fc::CraftOptions o;
  o.concepts = 2;
  o.patch_size = 6;
  const fc::Concepts c = fc::fit_concepts(split, x, o);
  EXPECT_EQ(c.u.size(0), 6 * 4);  // stride int(0.8 * 6) = 4: offsets 0, 4 → 2 × 2 crops per image
  EXPECT_EQ(c.w.sizes(), (std::vector<std::int64_t>{2, 4}));
  fc::ModelSplit bad(chain, "net.2");
  try {
    fc::fit_concepts(bad, x, o);
    FAIL() << "negative activations accepted";
  } catch (const factorkit::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("net.1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(fc::ModelSplit(chain, "net.4"), factorkit::InvalidInput);  // h would be empty
  // Attribution maps: per concept, at the input resolution, non-negative.
  const at::Tensor maps = fc::attribution_maps(split, c, x.slice(0, 0, 2), "net.1");
  EXPECT_EQ(maps.sizes(), (std::vector<std::int64_t>{2, 2, 12, 12}));
  EXPECT_GE(maps.min().item<double>(), 0.0);
  EXPECT_GT(maps.max().item<double>(), 0.0);
  const at::Tensor coeff = fc::image_coefficients(split, c, x, o);
  EXPECT_EQ(coeff.sizes(), (std::vector<std::int64_t>{6, 12, 12, 2}));
  const fc::Importance imp = fc::estimate_importance(split, c, x.slice(0, 0, 2), 0, o);
  EXPECT_EQ(imp.total.size(), 2u);
}

TEST(Craft, AffineHeadPrefixGivesTheSameIndicesAsEveryMaskThroughH) {
  // h = pool, flatten, Linear, BatchNorm (eval), ReLU, Linear: the first four are
  // affine, so the masks are combined after them; the result must not change.
  at::manual_seed(4);
  namespace tn = torch::nn;
  tn::Sequential g(tn::Conv2d(tn::Conv2dOptions(1, 6, 3).padding(1)), tn::ReLU());
  tn::Sequential h(tn::AvgPool2d(2), tn::Flatten(), tn::Linear(6 * 4 * 4, 16), tn::BatchNorm1d(16), tn::ReLU(),
                   tn::Linear(16, 3));
  h->eval();
  const fc::LayerChain chain = fc::LayerChain::from_sequentials({{"g", g}, {"h", h}});
  EXPECT_TRUE(chain.affine(2) && chain.affine(3) && chain.affine(4) && chain.affine(5));
  EXPECT_FALSE(chain.affine(1) || chain.affine(6));
  const fc::ModelSplit split(chain, "g.1");
  const at::Tensor x = at::randn({5, 1, 8, 8});
  fc::CraftOptions o;
  o.concepts = 3;
  o.patch_size = 4;
  const fc::Concepts c = fc::fit_concepts(split, x, o);
  for (const std::int64_t cls : {0, 2}) {
    const fc::Importance fast = fc::estimate_importance(split, c, x, cls, o);
    const fc::Importance slow = fc::estimate_importance([&](const at::Tensor& a) { return h->forward(a); }, c.w,
                                                        fc::image_coefficients(split, c, x, o), cls, o);
    EXPECT_LT((fast.per_image_total - slow.per_image_total).abs().max().item<double>(), 1e-4);
    EXPECT_LT((fast.per_image_first - slow.per_image_first).abs().max().item<double>(), 1e-4);
    EXPECT_EQ(fast.model_calls, slow.model_calls);
  }
  h->train();  // BatchNorm in training mode is not affine per sample
  EXPECT_FALSE(chain.affine(5));
}

TEST(Craft, RefiningAConceptFactorizesItsCropsAtAnEarlierLayer) {
  at::manual_seed(8);
  namespace tn = torch::nn;
  tn::Sequential net(tn::Conv2d(tn::Conv2dOptions(1, 6, 3).padding(1)), tn::ReLU(),
                     tn::Conv2d(tn::Conv2dOptions(6, 8, 3).padding(1)), tn::ReLU(), tn::AdaptiveAvgPool2d(1),
                     tn::Flatten(), tn::Linear(8, 2));
  const fc::LayerChain chain = fc::LayerChain::from_sequentials({{"net", net}});
  const fc::ModelSplit split(chain, "net.3");
  const at::Tensor x = at::randn({20, 1, 12, 12});
  fc::CraftOptions o;
  o.concepts = 3;
  o.patch_size = 6;
  fc::Concepts c = fc::fit_concepts(split, x, o);
  c.layer = "net.3";
  const at::Tensor lead = c.u.argmax(1);
  std::int64_t k = 0;  // a concept that leads in enough crops
  for (; k < 3; ++k)
    if ((lead == k).sum().item<std::int64_t>() >= 4) break;
  ASSERT_LT(k, 3);
  const fc::Refinement rf = fc::refine_concept(chain, c, x, k, "net.1", 2, 1, o);
  EXPECT_EQ(std::int64_t(rf.crops.size()), (lead == k).sum().item<std::int64_t>());
  for (const auto crop : rf.crops) EXPECT_EQ(lead[crop].item<std::int64_t>(), k);
  EXPECT_EQ(rf.sub.w.sizes(), (std::vector<std::int64_t>{2, 6}));  // sub-concepts over net.1's 6 channels
  EXPECT_EQ(rf.sub.u.size(0), std::int64_t(rf.crops.size()));
  EXPECT_EQ(rf.importance.total.size(), 2u);
  EXPECT_GE(rf.ambiguity, 0.0);
  EXPECT_LE(rf.ambiguity, 0.5);  // 1 − the larger of two shares
  EXPECT_EQ(rf.sub.layer, "net.1");
  EXPECT_THROW(fc::refine_concept(chain, c, x, k, "net.3", 2, 1, o), factorkit::InvalidInput);  // not earlier
  EXPECT_THROW(fc::refine_concept(chain, c, x, k, "net.0", 2, 1, o), factorkit::InvalidInput);  // negative
  EXPECT_THROW(fc::refine_concept(chain, c, x, 5, "net.1", 2, 1, o), factorkit::InvalidInput);  // no such concept
}

TEST(Craft, AttributionMapsAreTheChainRuleOfTheImplicitDerivative) {
  // For each concept separately: F at the attribution layer, a = pool(rest(F)),
  // grad = ∂(J_i · a)/∂F by autograd, map = ReLU(Σ_c F_c mean_xy grad_c) — the
  // batched implementation must give the same maps.
  at::manual_seed(12);
  namespace tn = torch::nn;
  tn::Sequential net(tn::Conv2d(tn::Conv2dOptions(1, 5, 3).padding(1)), tn::ReLU(),
                     tn::Conv2d(tn::Conv2dOptions(5, 6, 3).padding(1)), tn::ReLU(), tn::AdaptiveAvgPool2d(1),
                     tn::Flatten(), tn::Linear(6, 2));
  const fc::LayerChain chain = fc::LayerChain::from_sequentials({{"net", net}});
  const fc::ModelSplit split(chain, "net.3");
  const at::Tensor x = at::randn({6, 1, 10, 10});
  fc::CraftOptions o;
  o.concepts = 3;
  o.patch_size = 5;
  const fc::Concepts c = fc::fit_concepts(split, x, o);
  const at::Tensor maps = fc::attribution_maps(split, c, x.slice(0, 0, 2), "net.1");
  for (std::int64_t i = 0; i < 2; ++i) {
    const at::Tensor f = chain.run(x.slice(0, i, i + 1), 0, 2).detach();
    const at::Tensor a0 = chain.run(f, 2, 4).mean({2, 3}).reshape({-1}).detach();
    const at::Tensor jac = fc::nnls_jacobian(c, a0.to(at::kDouble)).to(at::kFloat);
    for (std::int64_t k = 0; k < 3; ++k) {
      const at::Tensor leaf = f.clone().set_requires_grad(true);
      const at::Tensor a = chain.run(leaf, 2, 4).mean({2, 3}).reshape({-1});
      const at::Tensor grad = torch::autograd::grad({(a * jac[k]).sum()}, {leaf})[0];
      const at::Tensor want = at::relu((f * grad.mean({2, 3}, true)).sum(1))[0];  // (10, 10): same size, no resize
      EXPECT_TRUE(at::allclose(maps[i][k], want, 1e-5, 1e-6)) << "image " << i << " concept " << k;
    }
  }
  EXPECT_GT(maps.abs().sum().item<double>(), 0.0);
}
