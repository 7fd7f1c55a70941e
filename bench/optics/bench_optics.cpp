// bench_optics: one training step (forward, backward, Adam update) of a model
// built from factorkit's parametric lenses, in each composition mode, against
// the same model differentiated by torch autograd in C++. Driven by run.py in
// this folder, which adds the Python peers (autograd and
// torch.utils.checkpoint).
//
//   bench_optics --workload mlp|deep [--modes optic,lens,...] [--threads N]
//
// Workloads:
//   mlp   issue 8's Fashion-MNIST MLP 784-256-256-10 (ReLU), batch 64,
//         cross-entropy: 5 stages (affine, relu, affine, relu, affine)
//   deep  48 blocks of linear 128→128, bias, tanh (144 stages), batch 1024,
//         mean squared error: activations dominate the memory
// Inputs are seeded random numbers of the workload's shape (the time and the
// memory of a step do not depend on the values).
//
// Prints one JSON line with, per mode: the median CPU time of a step over
// calibrated rounds (at least 5 and 1 s); the peak bytes the CPU allocator
// held during one step above what it held before it (`peak_bytes`); the bytes
// it held when the loss was reached (`turn_bytes`: the stored residuals); the
// Tracked residual figures of chain.h; and the largest difference between the
// mode's gradients and autograd's.
//
// Memory is counted by c10's memory-reporting hook (the mechanism behind
// torch.profiler's profile_memory, which peer.py reads): every allocation and
// free of the CPU allocator, on this thread.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/generated/variable_factories.h>

#include "bench_timing.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include "learn.h"

namespace op = factorkit::category::optics;
using namespace factorkit::optics;

namespace {

// Live and peak bytes of the CPU allocator while installed on this thread.
struct AllocationMeter final : c10::MemoryReportingInfoBase {
  std::int64_t live = 0, peak = 0;
  void reportMemoryUsage(void*, std::int64_t size, std::int64_t, std::int64_t, c10::Device) override {
    live += size;
    peak = std::max(peak, live);
  }
  bool memoryProfilingEnabled() const override { return true; }
};

// With the meter installed from before `setup` (so every tensor alive during
// the step was counted when allocated, and its release is subtracted): the
// peak bytes above the level before `step`, and the level when the step calls
// its probe (at the loss), above the same start.
struct MemoryFigures {
  std::int64_t peak = 0, turn = 0;
};
template <class Setup, class Step>
MemoryFigures measure_memory(Setup&& setup, Step&& step) {
  auto meter = std::make_shared<AllocationMeter>();
  MemoryFigures out;
  c10::DebugInfoGuard guard(c10::DebugInfoKind::PROFILER_STATE, meter);
  auto state = setup();
  const std::int64_t start = meter->live;
  meter->peak = start;
  step(state, [&] { out.turn = meter->live - start; });
  out.peak = meter->peak - start;
  return out;
}

// Median CPU time per call of each contestant, the contestants taking turns
// round by round (drift in the machine's speed falls on all alike): at least
// `min_rounds` rounds and `min_seconds` of total time per contestant.
std::vector<double> interleaved_medians(const std::vector<std::function<void()>>& contestants, double min_seconds,
                                        int min_rounds) {
  std::vector<std::vector<double>> t(contestants.size());
  std::vector<double> total(contestants.size(), 0);
  for (const auto& f : contestants) f();  // warm up
  for (int round = 0;; ++round) {
    bool done = round >= min_rounds;
    for (std::size_t c = 0; c < contestants.size(); ++c) {
      const double a = factorkit::bench::cpu_seconds();
      contestants[c]();
      t[c].push_back(factorkit::bench::cpu_seconds() - a);
      total[c] += t[c].back();
      done = done && total[c] >= min_seconds;
    }
    if (done || round >= 100000) break;
  }
  std::vector<double> med;
  for (auto& v : t) {
    std::sort(v.begin(), v.end());
    med.push_back(v[v.size() / 2]);
  }
  return med;
}

struct Workload {
  std::string name;
  Model model;
  at::Tensor x, labels, targets;  // labels (classification) or targets (regression)
  std::vector<std::string> layer_kinds;
  bool classification = true;
};

struct DeepShape {
  std::int64_t blocks = 64, width = 64, batch = 2048;
};

Workload make_workload(const std::string& name, const DeepShape& deep) {
  Workload w;
  w.name = name;
  at::Generator gen = at::detail::createCPUGenerator(7);
  if (name == "mlp") {
    w.model = mlp(784, {256, 256}, 10, 0);
    w.x = at::randn({64, 784}, gen, at::kFloat);
    w.labels = at::randint(10, {64}, gen, at::kLong);
  } else if (name == "deep") {
    at::Generator init = at::detail::createCPUGenerator(0);
    for (std::int64_t b = 0; b < deep.blocks; ++b) {
      w.model.layers.push_back(affine(deep.width, deep.width, init));
      w.model.layers.push_back(tanh_layer());
    }
    w.x = at::randn({deep.batch, deep.width}, gen, at::kFloat);
    w.targets = at::randn({deep.batch, deep.width}, gen, at::kFloat);
    w.classification = false;
  } else {
    throw std::runtime_error("bench_optics: unknown workload " + name + " (mlp or deep)");
  }
  return w;
}

// The autograd twin: the same parameters as leaves, torch's fused layers
// (at::linear for linear + bias), autograd for the gradients, Adam updates
// written with the same formula as factorkit's (in place, as torch.optim's).
struct Twin {
  std::vector<at::Tensor> params;  // per linear layer: W, b
  std::vector<char> activation;    // per block: 'r' relu, 't' tanh, 0 none
  std::vector<at::Tensor> m, v;
  std::int64_t t = 0;

  explicit Twin(const Model& model) {
    const auto& L = model.layers;
    // affine, or linear followed by bias, then an optional activation
    for (std::size_t i = 0; i < L.size(); ++i) {
      if (L[i].name != "linear" && L[i].name != "affine") continue;
      std::vector<at::Tensor> wb = L[i].params;
      if (L[i].name == "linear") wb.push_back(L[++i].params.at(0));
      for (const auto& p : wb) params.push_back(p.detach().clone().set_requires_grad(true));
      const std::string next = i + 1 < L.size() ? L[i + 1].name : "";
      activation.push_back(next == "relu" ? 'r' : next == "tanh" ? 't' : 0);
    }
  }
  at::Tensor loss(const Workload& w, const std::function<void()>& at_turn) const {
    at::Tensor y = w.x;
    for (std::size_t k = 0; k < activation.size(); ++k) {
      y = at::linear(y, params[2 * k], params[2 * k + 1]);
      if (activation[k] == 'r') y = at::relu(y);
      if (activation[k] == 't') y = at::tanh(y);
    }
    at::Tensor l = w.classification ? at::cross_entropy_loss(y, w.labels) : at::mse_loss(y, w.targets);
    at_turn();
    return l;
  }
  std::vector<at::Tensor> gradients(const Workload& w, const std::function<void()>& at_turn) const {
    at::Tensor l = loss(w, at_turn);
    return torch::autograd::grad({l}, params);
  }
  void step(const Workload& w, const std::function<void()>& at_turn, double lr = 1e-3) {
    const std::vector<at::Tensor> g = gradients(w, at_turn);
    at::NoGradGuard no_grad;
    if (m.empty())
      for (const auto& p : params) m.push_back(at::zeros_like(p)), v.push_back(at::zeros_like(p));
    ++t;
    const double c1 = 1 - std::pow(0.9, double(t)), c2 = 1 - std::pow(0.999, double(t));
    for (std::size_t k = 0; k < params.size(); ++k) {
      m[k].mul_(0.9).add_(g[k], 0.1);
      v[k].mul_(0.999).addcmul_(g[k], g[k], 0.001);
      params[k].addcdiv_(m[k], (v[k] / c2).sqrt_().add_(1e-8), -lr / c1);
    }
  }
};

Loss loss_of(const Workload& w, const std::function<void()>& at_turn) {
  Loss l = w.classification ? cross_entropy(w.labels) : mse(w.targets);
  auto grad = l.grad;
  l.grad = [grad, at_turn](const at::Tensor& y) {
    at_turn();
    return grad(y);
  };
  return l;
}

// largest |a − b| over the parameters, factorkit's per-layer gradients
// against the twin's per linear layer (W, b)
double gradient_difference(const Model& model, const std::vector<Params>& ours, const std::vector<at::Tensor>& twin) {
  std::vector<at::Tensor> flat;
  for (std::size_t i = 0; i < model.layers.size(); ++i)
    for (const auto& g : ours[i]) flat.push_back(g);
  double d = 0;
  for (std::size_t k = 0; k < flat.size(); ++k) d = std::max(d, (flat[k] - twin.at(k)).abs().max().item<double>());
  return d;
}

Model copy_of(const Model& m) {
  Model c = m;
  for (auto& l : c.layers)
    for (auto& p : l.params) p = p.clone();
  return c;
}

// factorkit's training step in one mode, with its own copy of the model and
// its own Adam state
struct Ours {
  Model model;
  std::vector<Update> state;
  op::PassStats stats;
  void step(const Workload& w, const Loss& loss, const op::Mode& mode) {
    StepResult r = gradients(model, w.x, loss, mode);
    apply(model, r.grads, state, [] { return adam(1e-3); });
    stats = r.stats;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_optics: one training step per composition mode against torch autograd"};
  std::string workload = "mlp", modes_text;
  int threads = 1;
  double min_seconds = 1;
  DeepShape deep;
  app.add_option("--workload", workload, "mlp or deep");
  app.add_option("--modes", modes_text, "Comma-separated modes (default: per workload)");
  app.add_option("--blocks", deep.blocks, "deep: affine+tanh blocks");
  app.add_option("--width", deep.width, "deep: width");
  app.add_option("--batch", deep.batch, "deep: batch size");
  app.add_option("--threads", threads, "LibTorch threads for the timings (memory is measured on one)");
  app.add_option("--min-seconds", min_seconds, "Least total time per contestant");
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);

  try {
    const Workload w = make_workload(workload, deep);
    const std::size_t n = w.model.layers.size();
    // checkpoint every √r stored residuals, r = the residuals of the optic
    // (one per ReLU/tanh block: affine keeps its input, which is the previous
    // activation's output)
    const std::size_t blocks = workload == "mlp" ? 3 : std::size_t(deep.blocks);
    const std::size_t every = 2 * std::size_t(std::llround(std::sqrt(double(blocks))));
    if (modes_text.empty())
      modes_text = workload == "mlp" ? "optic,closed,lens,lens-right,checkpoint:2"
                                     : "optic,closed,lens-right,checkpoint:" + std::to_string(every);
    std::vector<op::Mode> modes;
    std::stringstream ss(modes_text);
    for (std::string m; std::getline(ss, m, ',');) modes.push_back(op::Mode::parse(m));

    nlohmann::json out{{"workload", workload}, {"stages", n}, {"threads", threads}, {"modes", nlohmann::json::array()}};
    if (workload == "deep") out["shape"] = {{"blocks", deep.blocks}, {"width", deep.width}, {"batch", deep.batch}};
    const auto noop = [] {};
    const Loss plain = loss_of(w, noop);

    // gradients once, for the comparison with autograd
    const std::vector<at::Tensor> twin_grads = Twin(w.model).gradients(w, noop);
    std::vector<double> diffs;
    for (const op::Mode& mode : modes) {
      const StepResult r = gradients(w.model, w.x, plain, mode);
      diffs.push_back(gradient_difference(w.model, r.grads, twin_grads));
    }

    // time: the contestants take turns
    Twin twin(w.model);
    std::vector<Ours> ours(modes.size());
    std::vector<std::function<void()>> contestants{[&] { twin.step(w, noop); }};
    for (std::size_t k = 0; k < modes.size(); ++k) {
      ours[k].model = copy_of(w.model);
      contestants.push_back([&, k] { ours[k].step(w, plain, modes[k]); });
    }
    const std::vector<double> seconds = interleaved_medians(contestants, min_seconds, 5);

    // memory: one step after a warm-up step, meter installed throughout, on one
    // thread (the meter's counters are this thread's; workers would race on them)
    at::set_num_threads(1);
    const MemoryFigures twin_mem = measure_memory(
        [&] {
          auto t = std::make_shared<Twin>(w.model);
          t->step(w, noop);
          return t;
        },
        [&](const std::shared_ptr<Twin>& t, const std::function<void()>& probe) { t->step(w, probe); });
    out["autograd"] = {{"seconds", seconds[0]}, {"peak_bytes", twin_mem.peak}, {"turn_bytes", twin_mem.turn}};
    for (std::size_t k = 0; k < modes.size(); ++k) {
      op::PassStats stats;
      const MemoryFigures mem = measure_memory(
          [&] {
            auto o = std::make_shared<Ours>();
            o->model = copy_of(w.model);
            o->step(w, plain, modes[k]);
            return o;
          },
          [&](const std::shared_ptr<Ours>& o, const std::function<void()>& probe) {
            o->step(w, loss_of(w, probe), modes[k]);
            stats = o->stats;
          });
      out["modes"].push_back({{"mode", modes[k].str()},
                              {"seconds", seconds[k + 1]},
                              {"peak_bytes", mem.peak},
                              {"turn_bytes", mem.turn},
                              {"backward_gets", stats.backward_gets},
                              {"stored", stats.stored},
                              {"tracked_stored_bytes", stats.stored_bytes},
                              {"tracked_peak_bytes", stats.peak_bytes},
                              {"residual_peak_bytes", stats.residual_peak_bytes},
                              {"max_gradient_difference", diffs[k]}});
    }
    std::cout << out.dump() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_optics: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
