// factorkit/nn/torchscript.h — a user's TorchScript model for inference.
//
// Loading TorchScript runs code stored in the file (its methods are programs):
// load only files you trust, as you would a Python pickle.
#pragma once

#include <ATen/Tensor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace factorkit::nn {

class ScriptModel {
 public:
  // InvalidInput when the file is missing, MalformedFile when it is not a
  // TorchScript archive. The model is put in eval mode.
  static ScriptModel load(const std::string& path);
  ScriptModel(ScriptModel&&) noexcept;
  ScriptModel& operator=(ScriptModel&&) noexcept;
  ~ScriptModel();

  // forward(x); InvalidInput naming the file when the model rejects the input
  // or does not return a tensor.
  at::Tensor forward(const at::Tensor& x);
  // forward(x0, x1, …) for models of several inputs (a pair scorer).
  at::Tensor forward(const std::vector<at::Tensor>& xs);
  // forward of a named submodule ("features.3"), for splitting a model.
  at::Tensor forward_submodule(const std::string& name, const at::Tensor& x);
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;
  std::vector<std::string> submodules() const;  // dotted names, depth first
  // The class of a submodule as TorchScript names it
  // ("__torch__.torch.nn.modules.linear.Linear"); InvalidInput for an unknown name.
  std::string submodule_type(const std::string& name) const;
  const std::string& path() const noexcept { return path_; }

 private:
  ScriptModel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace factorkit::nn
