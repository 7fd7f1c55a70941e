// factorkit/nn/optim.h — AdamW, the warmup + cosine learning-rate schedule and
// gradient clipping.
//
// AdamW is written here (not torch::optim::AdamW) so that its state is a set
// of named tensors that a checkpoint stores and restores bit for bit. The
// update is the decoupled-weight-decay Adam of Loshchilov & Hutter, the same
// arithmetic as torch.optim.AdamW (amsgrad off):
//   p ← p − lr·λ·p;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
//   p ← p − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace factorkit::nn {

struct AdamWOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01;
};

class AdamW {
 public:
  // `params`: (name, tensor) pairs; tensors with requires_grad are updated.
  // Names with ".bias" or of 1-D tensors (norm scales) are not decayed when
  // `decay_vectors` is false (the usual transformer recipe).
  AdamW(std::vector<std::pair<std::string, at::Tensor>> params, AdamWOptions options, bool decay_vectors = false);
  void zero_grad();
  // One step at learning rate `lr` (the schedule's value); params without a
  // gradient are skipped.
  void step(double lr);
  std::int64_t steps() const noexcept { return t_; }
  const AdamWOptions& options() const noexcept { return o_; }
  // The state as named tensors: "<param>.exp_avg", "<param>.exp_avg_sq" and
  // the scalar "step"; load_state checks that every name and shape is there.
  std::vector<std::pair<std::string, at::Tensor>> state() const;
  void load_state(const std::vector<std::pair<std::string, at::Tensor>>& state, const std::string& where);

 private:
  struct Slot {
    std::string name;
    at::Tensor param, m, v;
    bool decay;
  };
  std::vector<Slot> slots_;
  AdamWOptions o_;
  std::int64_t t_ = 0;
};

// Linear warmup from 0 to `peak` over `warmup` steps, then a half cosine down
// to peak·floor at `total` steps (flat at the floor after it).
double warmup_cosine(std::int64_t step, std::int64_t warmup, std::int64_t total, double peak, double floor = 0.0);

// Scales all gradients so their joint 2-norm is at most max_norm; returns the
// norm before clipping (as torch.nn.utils.clip_grad_norm_).
double clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm);

}  // namespace factorkit::nn
