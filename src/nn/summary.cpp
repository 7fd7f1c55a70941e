// Model summary: parameter table, FLOPs from operator shapes, throughput.
//
// Built with NDEBUG always (src/nn/CMakeLists.txt): RecordFunction's layout
// depends on it, and Debian's LibTorch is built with it.
#include "factorkit/nn/summary.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace factorkit::nn {

namespace {

struct Tally {
  FlopCount* out = nullptr;
  int depth = 0;  // inside a counted operator: its inner operators are its own work
};
thread_local Tally tally;

const char* counted(const char* name) {
  static const std::pair<const char*, const char*> ops[] = {
      {"aten::mm", "mm"},           {"aten::addmm", "mm"},       {"aten::bmm", "bmm"},
      {"aten::baddbmm", "bmm"},     {"aten::convolution", "conv"}, {"aten::_convolution", "conv"}};
  for (const auto& [op, kind] : ops)
    if (std::strcmp(name, op) == 0) return kind;
  return nullptr;
}

// What the FLOP count needs from an operator's inputs, taken in the start
// callback (the only place RecordFunction guarantees them).
struct Shapes : at::ObserverContext {
  std::string_view name;
  const char* kind = nullptr;
  std::int64_t k = 0;          // contracted size per output element (products), or per input (transposed conv)
  std::int64_t in_numel = 0;   // input elements (transposed convolution)
  bool transposed = false;
};

std::unique_ptr<at::ObserverContext> on_enter(const at::RecordFunction& fn) {
  if (!tally.out) return nullptr;
  const char* kind = counted(fn.name());
  if (!kind) return nullptr;
  if (tally.depth++ > 0) return nullptr;  // nested in a counted operator
  auto c = std::make_unique<Shapes>();
  c->name = fn.name();
  c->kind = kind;
  const auto in = fn.inputs();
  auto size = [&](std::size_t i, std::int64_t d) -> std::int64_t {
    if (i >= in.size() || !in[i].isTensor()) return 0;
    const at::Tensor& t = in[i].toTensor();
    return d < t.dim() ? t.size(d) : 0;
  };
  if (c->name == "aten::mm") c->k = size(0, 1);
  else if (c->name == "aten::addmm") c->k = size(1, 1);
  else if (c->name == "aten::bmm") c->k = size(0, 2);
  else if (c->name == "aten::baddbmm") c->k = size(1, 2);
  else if (in.size() >= 9 && in[1].isTensor()) {
    // convolution(input, weight, bias, stride, padding, dilation, transposed, …):
    // weight (Cout, Cin/g, k…), or (Cin, Cout/g, k…) when transposed
    const at::Tensor& w = in[1].toTensor();
    std::int64_t kernel = 1;
    for (std::int64_t d = 2; d < w.dim(); ++d) kernel *= w.size(d);
    c->k = w.dim() >= 2 ? w.size(1) * kernel : 0;
    c->transposed = in[6].isBool() && in[6].toBool();
    c->in_numel = in[0].isTensor() ? in[0].toTensor().numel() : 0;
  }
  return c;
}

void on_exit(const at::RecordFunction& fn, at::ObserverContext* ctx) {
  if (!tally.out || !counted(fn.name())) return;
  --tally.depth;
  auto* c = static_cast<Shapes*>(ctx);
  if (!c) return;
  const auto& out = fn.outputs();
  const std::int64_t n_out = !out.empty() && out[0].isTensor() ? out[0].toTensor().numel() : 0;
  std::int64_t f = 2 * (c->transposed ? c->in_numel : n_out) * c->k;
  if (c->name == "aten::addmm" || c->name == "aten::baddbmm") f += n_out;  // the added term
  tally.out->total += f;
  tally.out->by_op[c->kind] += f;
}

}  // namespace

FlopCount count_flops(const std::function<void()>& run) {
  FlopCount count;
  Tally saved = tally;
  tally = {&count, 0};
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(on_enter, on_exit).needsInputs(true).needsOutputs(true));
  try {
    run();
  } catch (...) {
    at::removeCallback(handle);
    tally = saved;
    throw;
  }
  at::removeCallback(handle);
  tally = saved;
  return count;
}

Summary summarize(torch::nn::Module& model, const std::function<void()>& forward, std::int64_t batch, int repeats) {
  Summary s;
  s.batch = batch;
  for (const auto& item : model.named_modules("", true)) {
    ModuleRow r;
    r.name = item.key();
    r.type = item.value()->name();
    r.depth = r.name.empty() ? 0 : 1 + int(std::count(r.name.begin(), r.name.end(), '.'));
    for (const auto& p : item.value()->named_parameters(false)) r.own_params += p.value().numel();
    for (const auto& p : item.value()->parameters(true)) r.params += p.numel();
    s.modules.push_back(r);
  }
  for (const auto& p : model.parameters(true)) {
    s.params += p.numel();
    if (p.requires_grad()) s.trainable += p.numel();
  }
  const bool was_training = model.is_training();
  model.eval();
  {
    at::NoGradGuard no_grad;
    s.flops = count_flops(forward);
    std::vector<double> times;
    forward();  // warm-up
    for (int i = 0; i < std::max(1, repeats); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      forward();
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    s.samples_per_second = median > 0 ? double(batch) / median : 0;
  }
  model.train(was_training);
  s.flops_per_sample = batch > 0 ? double(s.flops.total) / double(batch) : 0;
  return s;
}

namespace {
std::string si(double v) {
  const char* units[] = {"", "k", "M", "G", "T"};
  int u = 0;
  while (std::abs(v) >= 1000 && u < 4) v /= 1000, ++u;
  return u == 0 ? fmt::format("{:.0f}", v) : fmt::format("{:.2f} {}", v, units[u]);
}
}  // namespace

std::string format_summary(const Summary& s) {
  std::string out = fmt::format("{:<44} {:<22} {:>12}\n", "module", "type", "parameters");
  for (const ModuleRow& r : s.modules) {
    const std::string name = std::string(std::size_t(2 * r.depth), ' ') + (r.name.empty() ? "(model)" : r.name);
    out += fmt::format("{:<44} {:<22} {:>12}\n", name, r.type, r.params);
  }
  out += fmt::format("parameters: {} ({} trainable)\n", s.params, s.trainable);
  out += fmt::format("forward FLOPs per sample: {}FLOP", si(s.flops_per_sample));
  std::string parts;
  for (const auto& [op, f] : s.flops.by_op) parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", op, si(double(f) / double(std::max<std::int64_t>(1, s.batch))));
  out += parts.empty() ? "\n" : " (" + parts + ")\n";
  out += fmt::format("inference: {:.0f} samples/s (batch {}, {} threads)\n", s.samples_per_second, s.batch, at::get_num_threads());
  return out;
}

nlohmann::json to_json(const Summary& s) {
  nlohmann::json mods = nlohmann::json::array();
  for (const ModuleRow& r : s.modules)
    mods.push_back({{"name", r.name}, {"type", r.type}, {"own_params", r.own_params}, {"params", r.params}});
  return {{"modules", mods},         {"params", s.params},          {"trainable", s.trainable},
          {"batch", s.batch},        {"flops", s.flops.total},      {"flops_by_op", s.flops.by_op},
          {"flops_per_sample", s.flops_per_sample}, {"samples_per_second", s.samples_per_second}};
}

}  // namespace factorkit::nn
