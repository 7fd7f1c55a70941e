// TorchScript loading (trusted files only: TorchScript is code).
#include "factorkit/nn/torchscript.h"

#include <torch/script.h>

#include <filesystem>

#include "factorkit/core/error.h"

namespace factorkit::nn {

struct ScriptModel::Impl {
  torch::jit::Module module;
};

ScriptModel::ScriptModel() : impl_(std::make_unique<Impl>()) {}
ScriptModel::ScriptModel(ScriptModel&&) noexcept = default;
ScriptModel& ScriptModel::operator=(ScriptModel&&) noexcept = default;
ScriptModel::~ScriptModel() = default;

ScriptModel ScriptModel::load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InvalidInput(path, "file", "an existing TorchScript file", "FileNotFound");
  ScriptModel m;
  try {
    m.impl_->module = torch::jit::load(path, c10::Device(c10::kCPU));
  } catch (const c10::Error& e) {
    throw MalformedFile(path, "archive", std::string("a TorchScript model saved by torch.jit.save (") + e.what_without_backtrace() + ")",
                        "BadTorchScript");
  } catch (const std::exception& e) {
    throw MalformedFile(path, "archive", std::string("a TorchScript model saved by torch.jit.save (") + e.what() + ")",
                        "BadTorchScript");
  }
  m.impl_->module.eval();
  m.path_ = path;
  return m;
}

namespace {
at::Tensor call(torch::jit::Module& mod, const std::vector<at::Tensor>& xs, const std::string& where,
                const std::string& what) {
  c10::IValue out;
  try {
    out = mod.forward(std::vector<c10::IValue>(xs.begin(), xs.end()));
  } catch (const c10::Error& e) {
    throw InvalidInput(where, what, std::string("an input the model accepts (") + e.what_without_backtrace() + ")", "BadInput");
  } catch (const std::runtime_error& e) {  // the interpreter's errors (torch::jit::JITException)
    std::string m = e.what();
    if (m.size() > 400) m = m.substr(0, 400) + " …";
    throw InvalidInput(where, what, "an input the model accepts (" + m + ")", "BadInput");
  }
  if (!out.isTensor()) throw InvalidInput(where, what, "a model whose forward returns one tensor", "BadOutput");
  return out.toTensor();
}
}  // namespace

at::Tensor ScriptModel::forward(const at::Tensor& x) { return call(impl_->module, {x}, path_, "forward"); }
at::Tensor ScriptModel::forward(const std::vector<at::Tensor>& xs) { return call(impl_->module, xs, path_, "forward"); }

at::Tensor ScriptModel::forward_submodule(const std::string& name, const at::Tensor& x) {
  for (const auto& item : impl_->module.named_modules())
    if (item.name == name) {
      torch::jit::Module sub = item.value;
      return call(sub, {x}, path_, "submodule " + name);
    }
  throw InvalidInput(path_, "submodule " + name, "one of the model's submodules (factorkit train --summary lists them)", "BadOption");
}

std::vector<std::pair<std::string, at::Tensor>> ScriptModel::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : impl_->module.named_parameters(true)) out.emplace_back(p.name, p.value);
  return out;
}

std::string ScriptModel::submodule_type(const std::string& name) const {
  for (const auto& item : impl_->module.named_modules())
    if (item.name == name) return item.value.type()->name() ? item.value.type()->name()->qualifiedName() : std::string();
  throw InvalidInput(path_, "submodule " + name, "one of the model's submodules", "BadOption");
}

std::vector<std::string> ScriptModel::submodules() const {
  std::vector<std::string> out;
  for (const auto& item : impl_->module.named_modules())
    if (!item.name.empty()) out.push_back(item.name);
  return out;
}

}  // namespace factorkit::nn
