// Para(Lens) learning: every primitive's reverse derivative against torch
// autograd and finite differences (float64); the modes give the same
// gradients; training matches a torch-autograd twin.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>

#include "learn.h"

namespace fo = factorkit::optics;
namespace op = factorkit::category::optics;

namespace {

double max_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

// autograd of sum(get(p, x) · dy) with respect to p and x
std::pair<fo::Params, at::Tensor> autograd_put(const fo::ParaLens& l, const fo::Params& p, const at::Tensor& x,
                                               const at::Tensor& dy) {
  fo::Params pv;
  std::vector<at::Tensor> inputs;
  for (const auto& t : p) pv.push_back(t.detach().clone().set_requires_grad(true)), inputs.push_back(pv.back());
  at::Tensor xv = x.detach().clone().set_requires_grad(true);
  inputs.push_back(xv);
  const at::Tensor out = (l.get(pv, xv) * dy).sum();
  auto g = torch::autograd::grad({out}, inputs);
  const at::Tensor dx = g.back();
  g.pop_back();
  return {fo::Params(g.begin(), g.end()), dx};
}

}  // namespace

TEST(OpticsLearn, ReverseDerivativesMatchAutogradAndFiniteDifferences) {
  at::manual_seed(1);
  at::Generator gen = at::detail::createCPUGenerator(2);
  std::vector<fo::ParaLens> layers{fo::linear(5, 3, gen), fo::bias(5),        fo::affine(5, 3, gen),
                                   fo::relu(),          fo::tanh_layer(), fo::softmax()};
  for (fo::ParaLens& l : layers) {
    for (auto& p : l.params) p = at::randn(p.sizes(), at::kDouble);
    const at::Tensor x = at::randn({4, 5}, at::kDouble), dy = at::randn(l.get(l.params, x).sizes(), at::kDouble);
    const auto [dp, dx] = l.put(l.params, x, dy);
    const auto [ap, ax] = autograd_put(l, l.params, x, dy);
    EXPECT_LT(max_diff(dx, ax), 1e-10) << l.name;
    ASSERT_EQ(dp.size(), ap.size()) << l.name;
    for (std::size_t k = 0; k < dp.size(); ++k) EXPECT_LT(max_diff(dp[k], ap[k]), 1e-10) << l.name;
    // the optic form (own residual) and the parameter half of put agree with put
    if (l.fwd) {
      ASSERT_TRUE(l.bwd) << l.name;
      const auto [m, y] = l.fwd(l.params, x);
      EXPECT_TRUE(at::equal(y, l.get(l.params, x))) << l.name;
      const auto [bp, bx] = l.bwd(l.params, m, dy);
      EXPECT_LT(max_diff(bx, ax), 1e-10) << l.name;
      ASSERT_EQ(bp.size(), ap.size()) << l.name;
      for (std::size_t k = 0; k < bp.size(); ++k) EXPECT_LT(max_diff(bp[k], ap[k]), 1e-10) << l.name;
    }
    if (l.put_params) {
      const fo::Params pp = l.put_params(l.params, x, dy);
      ASSERT_EQ(pp.size(), ap.size()) << l.name;
      for (std::size_t k = 0; k < pp.size(); ++k) EXPECT_LT(max_diff(pp[k], ap[k]), 1e-10) << l.name;
    }
    // central differences on a few input coordinates
    for (std::int64_t i = 0; i < 4; ++i) {
      at::Tensor xp = x.clone(), xm = x.clone();
      const double h = 1e-6;
      xp.view({-1})[i * 3 + 1] += h;
      xm.view({-1})[i * 3 + 1] -= h;
      const double fd = ((l.get(l.params, xp) - l.get(l.params, xm)) * dy).sum().item<double>() / (2 * h);
      EXPECT_NEAR(dx.view({-1})[i * 3 + 1].item<double>(), fd, 1e-5) << l.name;
    }
    // and on a few parameter coordinates
    for (std::size_t k = 0; k < l.params.size(); ++k)
      for (std::int64_t i = 0; i < std::min<std::int64_t>(3, l.params[k].numel()); ++i) {
        fo::Params pp = l.params, pm = l.params;
        pp[k] = pp[k].clone(), pm[k] = pm[k].clone();
        const double h = 1e-6;
        pp[k].view({-1})[i] += h;
        pm[k].view({-1})[i] -= h;
        const double fd = ((l.get(pp, x) - l.get(pm, x)) * dy).sum().item<double>() / (2 * h);
        EXPECT_NEAR(dp[k].view({-1})[i].item<double>(), fd, 1e-5) << l.name << " parameter " << k;
      }
  }
  // losses
  const at::Tensor y = at::randn({6, 4}, at::kDouble), labels = at::randint(4, {6}, at::kLong), t = at::randn({6, 4}, at::kDouble);
  for (const fo::Loss& loss : {fo::cross_entropy(labels), fo::mse(t)}) {
    at::Tensor yv = y.clone().set_requires_grad(true);
    // written out independently: log Σ exp(y) − y[label], and Σ (y − t)² / numel
    const at::Tensor value = loss.name == "mse"
                                 ? ((yv - t) * (yv - t)).sum() / double(y.numel())
                                 : (at::log(at::exp(yv).sum(1)) - yv.gather(1, labels.unsqueeze(1)).squeeze(1)).mean();
    EXPECT_NEAR(loss.value(y), value.item<double>(), 1e-12) << loss.name;
    const at::Tensor g = torch::autograd::grad({value}, {yv})[0];
    EXPECT_LT(max_diff(loss.grad(y), g), 1e-12) << loss.name;
    at::Tensor yp = y.clone(), ym = y.clone();
    yp.view({-1})[5] += 1e-6;
    ym.view({-1})[5] -= 1e-6;
    EXPECT_NEAR(loss.grad(y).view({-1})[5].item<double>(), (loss.value(yp) - loss.value(ym)) / 2e-6, 1e-5) << loss.name;
  }
}

TEST(OpticsLearn, EveryModeGivesTheSameWeightsAsATorchAutogradTwin) {
  at::manual_seed(3);
  const at::Tensor x = at::randn({64, 20}), labels = at::randint(5, {64}, at::kLong);
  // the autograd twin: the same initial weights, the same batches, plain SGD
  fo::Model twin_init = fo::mlp(20, {16, 16}, 5, 7);
  std::vector<at::Tensor> twin;
  for (const auto& l : twin_init.layers)
    for (const auto& p : l.params) twin.push_back(p.detach().clone().set_requires_grad(true));
  const double lr = 0.1;
  for (int step = 0; step < 5; ++step) {
    const at::Tensor b = x.narrow(0, (step % 4) * 16, 16), lb = labels.narrow(0, (step % 4) * 16, 16);
    at::Tensor h = b;
    for (std::size_t k = 0; k + 2 < twin.size(); k += 2) h = at::relu(at::matmul(h, twin[k].t()) + twin[k + 1]);
    h = at::matmul(h, twin[twin.size() - 2].t()) + twin.back();
    const at::Tensor loss = -at::log_softmax(h, 1).gather(1, lb.unsqueeze(1)).mean();
    const auto g = torch::autograd::grad({loss}, twin);
    for (std::size_t k = 0; k < twin.size(); ++k) twin[k] = (twin[k] - lr * g[k]).detach().set_requires_grad(true);
  }
  // fused (affine, relu, …: 5 stages) and unfused (linear, bias, relu, …: 8 stages)
  for (const bool fused : {true, false})
    for (const char* mode : {"optic", "lens", "lens-right", "checkpoint:2", "closed"}) {
      fo::Model m = fo::mlp(20, {16, 16}, 5, 7, fused);
      ASSERT_EQ(m.layers.size(), fused ? 5u : 8u);
      std::vector<fo::Update> state;
      for (int step = 0; step < 5; ++step) {
        const at::Tensor b = x.narrow(0, (step % 4) * 16, 16), lb = labels.narrow(0, (step % 4) * 16, 16);
        const auto r = fo::gradients(m, b, fo::cross_entropy(lb), op::Mode::parse(mode));
        fo::apply(m, r.grads, state, [lr] { return fo::sgd(lr); });
      }
      std::size_t k = 0;
      for (const auto& l : m.layers)
        for (const auto& p : l.params) EXPECT_LT(max_diff(p, twin[k++].detach()), 1e-5) << mode << " fused " << fused;
      EXPECT_EQ(k, twin.size());
    }
}

TEST(OpticsLearn, ResidualsAreTheLayersChoiceCountedOncePerStorage) {
  at::manual_seed(4);
  const at::Tensor x = at::randn({16, 20}), labels = at::randint(5, {16}, at::kLong);
  const std::size_t input = 16 * 20 * 4, hidden = 16 * 16 * 4;
  for (const bool fused : {true, false}) {
    const fo::Model m = fo::mlp(20, {16, 16}, 5, 7, fused);
    // the first affine (or linear) keeps the input, each ReLU its output,
    // which is also the next layer's input; a bias keeps nothing
    const auto optic = fo::gradients(m, x, fo::cross_entropy(labels), op::Mode::parse("optic"));
    EXPECT_EQ(optic.stats.stored, m.layers.size());
    EXPECT_EQ(optic.stats.stored_bytes, input + 2 * hidden) << fused;
    EXPECT_EQ(optic.stats.residual_peak_bytes, input + 2 * hidden) << fused;
    EXPECT_EQ(fo::gradients(m, x, fo::cross_entropy(labels), op::Mode::parse("closed")).stats.stored_bytes,
              input + 2 * hidden);
    // a view keeps its whole storage alive, and is counted so
    const at::Tensor wide = at::randn({32, 20}), half = wide.narrow(0, 0, 16);
    EXPECT_EQ(fo::gradients(m, half, fo::cross_entropy(labels), op::Mode::parse("optic")).stats.stored_bytes,
              2 * input + 2 * hidden);
  }
}

TEST(OpticsLearn, UpdateLenses) {
  fo::Params p{at::ones({2}, at::kDouble)};
  const fo::Params g{at::full({2}, 0.5, at::kDouble)};
  fo::sgd(0.1).put(p, g);
  EXPECT_NEAR(p[0][0].item<double>(), 0.95, 1e-12);
  fo::Update m = fo::momentum(0.1, 0.9);
  m.put(p, g);  // v = g
  m.put(p, g);  // v = 0.9 g + g
  EXPECT_NEAR(p[0][0].item<double>(), 0.95 - 0.1 * 0.5 - 0.1 * 0.95, 1e-12);
  fo::Update a = fo::adam(0.01);
  fo::Params q{at::zeros({1}, at::kDouble)};
  a.put(q, {at::full({1}, 3.0, at::kDouble)});
  EXPECT_NEAR(q[0][0].item<double>(), -0.01, 1e-9);  // the first Adam step is lr · sign(g)
  // three more steps against the formula with bias correction
  double x = q[0][0].item<double>(), m1 = 0.1 * 3.0, v = 0.001 * 9.0;
  for (int t = 2; t <= 4; ++t) {
    const double g = double(t) - 1.5;
    a.put(q, {at::full({1}, g, at::kDouble)});
    m1 = 0.9 * m1 + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    x -= 0.01 * (m1 / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
    EXPECT_NEAR(q[0][0].item<double>(), x, 1e-12) << t;
  }
}
