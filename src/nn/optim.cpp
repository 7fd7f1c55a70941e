// AdamW, schedule, clipping.
#include "factorkit/nn/optim.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <numbers>
#include <unordered_map>

#include "factorkit/core/error.h"

namespace factorkit::nn {

AdamW::AdamW(std::vector<std::pair<std::string, at::Tensor>> params, AdamWOptions o, bool decay_vectors) : o_(o) {
  if (!(o.lr >= 0) || !(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1) || !(o.eps > 0) ||
      !(o.weight_decay >= 0))
    throw InvalidInput("AdamW", "options", "lr ≥ 0, betas in [0, 1), eps > 0, weight decay ≥ 0", "BadOption");
  for (auto& [name, p] : params) {
    if (!p.requires_grad()) continue;
    const bool vector_like = p.dim() <= 1;
    slots_.push_back({name, p, at::zeros_like(p, at::MemoryFormat::Contiguous),
                      at::zeros_like(p, at::MemoryFormat::Contiguous), decay_vectors || !vector_like});
  }
}

void AdamW::zero_grad() {
  for (Slot& s : slots_)
    if (s.param.grad().defined()) s.param.mutable_grad().zero_();
}

void AdamW::step(double lr) {
  ++t_;
  const double bc1 = 1 - std::pow(o_.beta1, double(t_)), bc2 = 1 - std::pow(o_.beta2, double(t_));
  const double step_size = lr / bc1, bc2_sqrt = std::sqrt(bc2);
  at::NoGradGuard no_grad;
  for (Slot& s : slots_) {
    const at::Tensor& g = s.param.grad();
    if (!g.defined()) continue;
    at::Tensor p = s.param;
    if (s.decay && o_.weight_decay > 0) p.mul_(1 - lr * o_.weight_decay);
    s.m.mul_(o_.beta1).add_(g, 1 - o_.beta1);
    s.v.mul_(o_.beta2).addcmul_(g, g, 1 - o_.beta2);
    p.addcdiv_(s.m, (s.v.sqrt() / bc2_sqrt).add_(o_.eps), -step_size);
  }
}

std::vector<std::pair<std::string, at::Tensor>> AdamW::state() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  out.emplace_back("step", at::scalar_tensor(t_, at::kLong));
  for (const Slot& s : slots_) {
    out.emplace_back(s.name + ".exp_avg", s.m);
    out.emplace_back(s.name + ".exp_avg_sq", s.v);
  }
  return out;
}

void AdamW::load_state(const std::vector<std::pair<std::string, at::Tensor>>& state, const std::string& where) {
  std::unordered_map<std::string, const at::Tensor*> by_name;
  for (const auto& [n, t] : state) by_name[n] = &t;
  auto get = [&](const std::string& name, const at::Tensor& like) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw MalformedFile(where, name, "the optimizer state of every parameter", "MissingTensor");
    const at::Tensor& t = *it->second;
    if (t.sizes() != like.sizes() || t.scalar_type() != like.scalar_type())
      throw MalformedFile(where, name,
                          fmt::format("shape {} and dtype {}", fmt::join(like.sizes(), "×"), std::string(c10::toString(like.scalar_type()))),
                          "BadShape");
    return t;
  };
  auto it = by_name.find("step");
  if (it == by_name.end() || it->second->numel() != 1 || it->second->scalar_type() != at::kLong ||
      it->second->item<std::int64_t>() < 0)
    throw MalformedFile(where, "step", "a non-negative int64 scalar", "BadValue");
  // check everything before changing anything
  std::vector<std::pair<at::Tensor, at::Tensor>> loaded;
  for (const Slot& s : slots_) loaded.emplace_back(get(s.name + ".exp_avg", s.m), get(s.name + ".exp_avg_sq", s.v));
  if (by_name.size() != 1 + 2 * slots_.size())
    throw MalformedFile(where, "tensors", fmt::format("{} optimizer tensors (this model's), not {}", 1 + 2 * slots_.size(), by_name.size()),
                        "ExtraTensor");
  at::NoGradGuard no_grad;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].m.copy_(loaded[i].first);
    slots_[i].v.copy_(loaded[i].second);
  }
  t_ = it->second->item<std::int64_t>();
}

double warmup_cosine(std::int64_t step, std::int64_t warmup, std::int64_t total, double peak, double floor) {
  if (warmup > 0 && step < warmup) return peak * double(step + 1) / double(warmup);
  if (step >= total || total <= warmup) return peak * floor;
  const double progress = double(step - warmup) / double(total - warmup);
  return peak * (floor + (1 - floor) * 0.5 * (1 + std::cos(std::numbers::pi * progress)));
}

double clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm) {
  if (!(max_norm > 0)) throw InvalidInput("clip_grad_norm", "max_norm", "a positive number", "BadOption");
  // one reduction and one read per step (not a read per parameter: this runs every step)
  std::vector<at::Tensor> norms;
  for (const at::Tensor& p : params)
    if (p.grad().defined()) norms.push_back(p.grad().detach().norm().to(at::kDouble));
  if (norms.empty()) return 0;
  const double total = at::stack(norms).norm().item<double>();
  if (total > max_norm) {
    const double scale = max_norm / (total + 1e-6);
    for (const at::Tensor& p : params)
      if (p.grad().defined()) p.grad().mul_(scale);
  }
  return total;
}

}  // namespace factorkit::nn
