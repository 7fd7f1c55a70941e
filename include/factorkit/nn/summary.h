// factorkit/nn/summary.h — what a model costs: parameters per module, an
// analytic FLOP count of one forward pass, and measured samples/s.
//
// FLOPs are counted from the shapes of the operators a forward pass runs
// (observed through LibTorch's operator callbacks, so any module or
// TorchScript model works): 2·k per output element of a matrix product
// (mm, addmm, bmm, baddbmm; k the contracted size; addmm adds its bias) and
// of a convolution (k = input channels per group × kernel area; transposed
// convolutions by their input). Element-wise work (activations, norms,
// softmax) is not counted.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace factorkit::nn {

struct ModuleRow {
  std::string name;  // dotted path ("" for the root)
  std::string type;  // the module's type name
  int depth = 0;
  std::int64_t own_params = 0, params = 0;  // its own tensors; with its children
};

struct FlopCount {
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> by_op;  // "mm", "conv", …
};

// FLOPs of whatever `run` executes on this thread.
FlopCount count_flops(const std::function<void()>& run);

struct Summary {
  std::vector<ModuleRow> modules;
  std::int64_t params = 0, trainable = 0;
  std::int64_t batch = 0;
  FlopCount flops;                 // of one forward pass of `batch` samples
  double flops_per_sample = 0;
  double samples_per_second = 0;   // forward passes in eval mode, no gradients (median of runs)
};

// `forward` runs the model on one batch of `batch` samples.
Summary summarize(torch::nn::Module& model, const std::function<void()>& forward, std::int64_t batch, int repeats = 5);
std::string format_summary(const Summary& s);
nlohmann::json to_json(const Summary& s);

}  // namespace factorkit::nn
