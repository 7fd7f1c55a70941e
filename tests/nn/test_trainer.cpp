// AdamW, the schedule, the training loop, checkpoints (exact resume, a
// writer killed mid-checkpoint), parameter import/export.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/nn.h>
#include <torch/optim/adamw.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "factorkit/core/error.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/models.h"
#include "factorkit/nn/optim.h"
#include "factorkit/nn/tasks.h"
#include "factorkit/nn/trainer.h"
#include "test_util.h"

namespace fn = factorkit::nn;
using factorkit::testing::TempDir;

TEST(AdamW, FirstStepIsTheKnownAnswer) {
  // one step: m̂ = g, v̂ = g², so p ← p(1 − lr·λ) − lr·g/(|g| + ε)
  at::Tensor p = at::full({3}, 1.0, at::kDouble).set_requires_grad(true);
  fn::AdamW opt({{"p", p}}, {0.1, 0.9, 0.999, 1e-8, 0.5}, true);
  p.mutable_grad() = at::tensor({0.5, -2.0, 0.0}, at::kDouble);
  opt.step(0.1);
  const double decay = 1 - 0.1 * 0.5;
  EXPECT_NEAR(p[0].item<double>(), decay - 0.1 * 0.5 / (0.5 + 1e-8), 1e-12);
  EXPECT_NEAR(p[1].item<double>(), decay + 0.1 * 2.0 / (2.0 + 1e-8), 1e-12);
  EXPECT_NEAR(p[2].item<double>(), decay, 1e-12);
}

TEST(AdamW, MatchesLibTorchsAdamWOverManySteps) {
  at::manual_seed(3);
  const at::Tensor init = at::randn({5, 4}, at::kDouble);
  at::Tensor a = init.clone().set_requires_grad(true), b = init.clone().set_requires_grad(true);
  fn::AdamW ours({{"w", a}}, {0.01, 0.9, 0.99, 1e-8, 0.1}, true);
  torch::optim::AdamW theirs(std::vector<at::Tensor>{b}, torch::optim::AdamWOptions(0.01).betas({0.9, 0.99}).eps(1e-8).weight_decay(0.1));
  for (int t = 0; t < 50; ++t) {
    const at::Tensor g = at::randn({5, 4}, at::kDouble);
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    ours.step(0.01);
    theirs.step();
  }
  EXPECT_TRUE(at::allclose(a, b, 1e-10, 1e-12)) << (a - b).abs().max().item<double>();
}

TEST(AdamW, VectorsAreNotDecayedByDefaultAndStateRoundTrips) {
  at::Tensor w = at::ones({2, 2}).set_requires_grad(true), bias = at::ones({2}).set_requires_grad(true);
  fn::AdamW opt({{"w", w}, {"b", bias}}, {0.1, 0.9, 0.999, 1e-8, 1.0});
  w.mutable_grad() = at::zeros({2, 2});
  bias.mutable_grad() = at::zeros({2});
  opt.step(0.1);
  EXPECT_NEAR(w[0][0].item<double>(), 0.9, 1e-6);
  EXPECT_NEAR(bias[0].item<double>(), 1.0, 1e-6);
  const auto st = opt.state();
  EXPECT_EQ(st.size(), 5u);
  fn::AdamW other({{"w", w}, {"b", bias}}, {});
  other.load_state(st, "state");
  EXPECT_EQ(other.steps(), 1);
  auto missing = st;
  missing.pop_back();
  EXPECT_THROW(other.load_state(missing, "state"), factorkit::MalformedFile);
}

TEST(Schedule, WarmupThenCosine) {
  EXPECT_DOUBLE_EQ(fn::warmup_cosine(0, 10, 110, 1.0), 0.1);
  EXPECT_DOUBLE_EQ(fn::warmup_cosine(9, 10, 110, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(fn::warmup_cosine(10, 10, 110, 1.0), 1.0);
  EXPECT_NEAR(fn::warmup_cosine(60, 10, 110, 1.0), 0.5, 1e-12);
  EXPECT_NEAR(fn::warmup_cosine(110, 10, 110, 2.0, 0.1), 0.2, 1e-12);
  EXPECT_NEAR(fn::warmup_cosine(60, 10, 110, 2.0, 0.1), 2.0 * (0.1 + 0.9 * 0.5), 1e-12);
}

TEST(ClipGradNorm, ScalesToTheNorm) {
  at::Tensor p = at::zeros({2}).set_requires_grad(true);
  p.mutable_grad() = at::tensor({3.0f, 4.0f});
  EXPECT_NEAR(fn::clip_grad_norm({p}, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(p.grad().norm().item<double>(), 1.0, 1e-5);
}

namespace {

// A small classification problem: 4 Gaussian blobs in 8 dimensions, an MLP.
struct Blobs {
  at::Tensor x, y;
  Blobs() {
    at::manual_seed(0);
    const at::Tensor centers = at::randn({4, 8}) * 2;
    y = at::arange(512, at::kLong) % 4;
    x = centers.index_select(0, y) + at::randn({512, 8});
  }
};

struct Mlp : torch::nn::Module {
  torch::nn::Sequential net{nullptr};
  Mlp() {
    net = register_module("net", torch::nn::Sequential(torch::nn::Linear(8, 32), torch::nn::ReLU(),
                                                       torch::nn::Dropout(0.2), torch::nn::Linear(32, 4)));
  }
};

fn::Task blob_task(Mlp& m, const Blobs& d) {
  fn::Task t;
  t.batches_per_epoch = 8;
  t.train_batch = [&m, &d](std::int64_t epoch, std::int64_t b) {
    // a seeded order per epoch (the loop's contract: batches depend on (epoch, b) only)
    const at::Tensor perm = at::randperm(512, at::make_generator<at::CPUGeneratorImpl>(std::uint64_t(epoch)));
    const at::Tensor idx = perm.narrow(0, b * 64, 64);
    const at::Tensor logits = m.net->forward(d.x.index_select(0, idx));
    fn::BatchResult r;
    r.loss = at::cross_entropy_loss(logits, d.y.index_select(0, idx));
    r.samples = 64;
    return r;
  };
  t.evaluate = [&m, &d] {
    fn::MetricSum s;
    const at::Tensor logits = m.net->forward(d.x);
    s.add({at::cross_entropy_loss(logits, d.y), 512, (logits.argmax(1) == d.y).sum().item<std::int64_t>(), 512, 0});
    return s.metrics();
  };
  return t;
}

fn::TrainOptions blob_options(const std::string& dir) {
  fn::TrainOptions o;
  o.epochs = 6;
  o.adamw.lr = 1e-2;
  o.warmup_steps = 5;
  o.checkpoint_dir = dir;
  o.deterministic = true;
  o.threads = 1;
  o.seed = 5;
  o.label.clear();
  return o;
}

}  // namespace

TEST(Trainer, DrivesTheLossOfASmallProblemDown) {
  const Blobs d;
  at::manual_seed(1);
  Mlp m;
  fn::TrainOptions o = blob_options("");
  o.monitor = "accuracy";
  o.maximize = true;
  const fn::TrainReport r = fn::train(m, blob_task(m, d), o);
  EXPECT_EQ(r.steps, 48);
  ASSERT_EQ(r.history.size(), 6u);  // one evaluation per epoch
  EXPECT_LT(r.history.back().metrics.at("loss"), 0.5 * r.history.front().train_loss);
  EXPECT_GT(r.best.metrics.at("accuracy"), 0.9);
  EXPECT_GT(r.samples_per_second, 0);
}

TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  const Blobs d;
  TempDir a, b;
  at::manual_seed(1);
  Mlp whole;
  const fn::TrainReport rw = fn::train(whole, blob_task(whole, d), blob_options(a.path().string()));
  // the same run stopped twice (mid-epoch) and resumed in fresh models
  fn::TrainOptions o = blob_options(b.path().string());
  o.halt_after = 13;
  at::manual_seed(1);
  Mlp first;
  EXPECT_TRUE(fn::train(first, blob_task(first, d), o).halted);
  at::manual_seed(99);  // resuming must not depend on the caller's random state
  Mlp second;
  const fn::TrainReport r2 = fn::train(second, blob_task(second, d), o);
  EXPECT_TRUE(r2.halted);
  EXPECT_EQ(r2.resumed_from, 13);
  at::manual_seed(12345);
  Mlp third;
  o.halt_after = 0;
  const fn::TrainReport r3 = fn::train(third, blob_task(third, d), o);
  EXPECT_EQ(r3.resumed_from, 26);
  EXPECT_EQ(r3.steps, rw.steps);
  const auto pw = fn::module_tensors(whole), p3 = fn::module_tensors(third);
  ASSERT_EQ(pw.size(), p3.size());
  for (std::size_t i = 0; i < pw.size(); ++i) EXPECT_TRUE(at::equal(pw[i].second, p3[i].second)) << pw[i].first;
  ASSERT_EQ(r3.history.size(), rw.history.size());
  for (std::size_t i = 0; i < rw.history.size(); ++i) {
    EXPECT_EQ(r3.history[i].metrics, rw.history[i].metrics) << i;
    EXPECT_EQ(r3.history[i].train_loss, rw.history[i].train_loss) << i;  // running loss carried across the halts
    EXPECT_EQ(r3.history[i].step, rw.history[i].step) << i;
    EXPECT_EQ(r3.history[i].lr, rw.history[i].lr) << i;
  }
  // a different setting is refused rather than silently mixed
  o.adamw.lr = 0.5;
  Mlp fourth;
  EXPECT_THROW(fn::train(fourth, blob_task(fourth, d), o), factorkit::InvalidInput);
}

TEST(Trainer, EarlyStoppingAndBadOptions) {
  const Blobs d;
  at::manual_seed(1);
  Mlp m;
  fn::TrainOptions o = blob_options("");
  o.epochs = 50;
  o.eval_every = 2;
  o.patience = 2;
  o.monitor = "accuracy";
  o.maximize = false;  // "improvement" = lower accuracy: stops after two evaluations that do not lower it
  const fn::TrainReport r = fn::train(m, blob_task(m, d), o);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_LT(r.steps, 50 * 8);
  fn::TrainOptions bad = blob_options("");
  bad.monitor = "bleu";
  Mlp m2;
  EXPECT_THROW(fn::train(m2, blob_task(m2, d), bad), factorkit::InvalidInput);
  bad = blob_options("");
  bad.adamw.lr = -1;
  EXPECT_THROW(fn::train(m2, blob_task(m2, d), bad), factorkit::InvalidInput);
  // a diverging run is a numerical failure naming the step
  bad = blob_options("");
  fn::Task nan_task = blob_task(m2, d);
  nan_task.train_batch = [&](std::int64_t, std::int64_t) {
    fn::BatchResult r;
    r.loss = m2.net->forward(d.x).sum() * std::numeric_limits<float>::quiet_NaN();
    r.samples = 1;
    return r;
  };
  EXPECT_THROW(fn::train(m2, nan_task, bad), factorkit::NumericalFailure);
}

TEST(Checkpoint, AKilledWriterLeavesThePreviousCheckpointLoadable) {
  TempDir dir;
  fn::CheckpointDir ckpt(dir.path().string());
  fn::CheckpointDir::Saved one;
  one.model = {{"w", at::full({4}, 1.0f)}};
  one.trainer = {{"step", at::scalar_tensor(1, at::kLong)}};
  one.state = {{"step", 1}};
  ckpt.save(1, one);
  fn::CheckpointDir::Saved two = one;
  two.model = {{"w", at::full({4}, 2.0f)}};
  two.state = {{"step", 2}};
  for (const std::string kill_after : {"model.safetensors", "trainer.safetensors", "trainer.json", "renamed"}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // the child is killed (SIGKILL: no cleanup runs) in the middle of step 2
      ckpt.save(2, two, [&](const std::string& file) {
        if (file == kill_after) ::kill(::getpid(), SIGKILL);
      });
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "killed after " << kill_after;
    const auto latest = ckpt.latest();
    ASSERT_TRUE(latest.has_value());
    const auto loaded = ckpt.load(*latest);
    EXPECT_EQ(loaded.state.at("step"), 1) << "killed after " << kill_after;
    EXPECT_TRUE(at::equal(loaded.model.at(0).second, one.model.at(0).second));
  }
  // the last kill left a complete step-2 folder that `latest` does not name:
  // stale, so the next save of step 2 replaces it
  ASSERT_TRUE(std::filesystem::exists(dir.file("step-00000002")));
  fn::CheckpointDir::Saved fresh = two;
  fresh.model = {{"w", at::full({4}, 3.0f)}};
  ckpt.save(2, fresh);  // clears the leftovers and lands
  EXPECT_EQ(ckpt.load(*ckpt.latest()).state.at("step"), 2);
  EXPECT_TRUE(at::equal(ckpt.load(*ckpt.latest()).model.at(0).second, fresh.model.at(0).second));
  std::size_t tmp = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) tmp += e.path().filename().string().rfind(".tmp-", 0) == 0;
  EXPECT_EQ(tmp, 0u);
  // keep = 2: a third step removes the first
  ckpt.save(3, two);
  EXPECT_FALSE(std::filesystem::exists(dir.file("step-00000001")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("step-00000002")));
}

TEST(Checkpoint, ModuleExportImportChecksNamesShapesAndTypes) {
  TempDir dir;
  at::manual_seed(0);
  fn::Cnn a(fn::CnnOptions{}), b(fn::CnnOptions{});
  const std::string path = dir.file("cnn.safetensors");
  fn::save_module(*a, path);
  fn::load_module(*b, path);
  const auto ta = fn::module_tensors(*a), tb = fn::module_tensors(*b);
  for (std::size_t i = 0; i < ta.size(); ++i) EXPECT_TRUE(at::equal(ta[i].second, tb[i].second)) << ta[i].first;
  // names as PyTorch's state_dict, buffers included
  std::set<std::string> names;
  for (const auto& [n, t] : ta) names.insert(n);
  for (const char* n : {"features.0.weight", "features.1.running_mean", "features.1.num_batches_tracked", "head.4.bias"})
    EXPECT_TRUE(names.count(n)) << n;
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const factorkit::Error& e) {
      return std::string(e.what());
    }
    return std::string("nothing thrown");
  };
  fn::Cnn wide(fn::CnnOptions{1, 28, 10, 16});
  std::string m = message([&] { fn::load_module(*wide, path); });
  EXPECT_NE(m.find("features.0.weight"), std::string::npos) << m;
  EXPECT_NE(m.find(path), std::string::npos) << m;
  auto fewer = ta;
  fewer.pop_back();
  fn::save_tensors(dir.file("fewer.safetensors"), fewer);
  m = message([&] { fn::load_module(*b, dir.file("fewer.safetensors")); });
  EXPECT_NE(m.find(ta.back().first), std::string::npos) << m;
  auto more = ta;
  more.emplace_back("extra.weight", at::zeros({1}));
  fn::save_tensors(dir.file("more.safetensors"), more);
  m = message([&] { fn::load_module(*b, dir.file("more.safetensors")); });
  EXPECT_NE(m.find("extra.weight"), std::string::npos) << m;
  factorkit::testing::write_bytes(dir.file("junk.safetensors"), "not a safetensors file");
  EXPECT_THROW(fn::load_module(*b, dir.file("junk.safetensors")), factorkit::MalformedFile);
}
