// factorkit/nn/checkpoint.h — a module's tensors by name, and training
// checkpoints that survive being killed.
//
// Parameters and buffers are stored as safetensors under their module paths
// ("features.0.weight", "features.1.running_mean"), the names PyTorch's
// state_dict uses, so files move between factorkit and Python.
//
// A checkpoint folder DIR holds one sub-folder per saved step,
//   DIR/step-00001200/{model.safetensors, trainer.safetensors, trainer.json}
// (model: parameters and buffers; trainer.safetensors: optimizer state and
// the random generator's state; trainer.json: step, position in the epoch,
// history and the run's identity; best.safetensors: the best evaluated
// parameters so far), and a file DIR/latest naming the newest.
// A step is written into a temporary folder, renamed into place when whole,
// and only then is `latest` replaced (atomically): a run killed at any moment
// leaves `latest` naming a complete checkpoint.
#pragma once

#include <ATen/Tensor.h>
#include <torch/nn/module.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace factorkit::nn {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Parameters then buffers, recursively, by dotted path.
NamedTensors module_tensors(const torch::nn::Module& m);
NamedTensors module_parameters(const torch::nn::Module& m);

// safetensors files of named tensors (written atomically; metadata optional).
void save_tensors(const std::string& path, const NamedTensors& tensors,
                  const std::map<std::string, std::string>& metadata = {});
NamedTensors load_tensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

// Export / import a module's parameters and buffers. Import checks that the
// file has exactly the module's names with the same shapes and dtypes
// (MalformedFile naming the file and the tensor otherwise) before changing
// anything.
void save_module(const torch::nn::Module& m, const std::string& path,
                 const std::map<std::string, std::string>& metadata = {});
void load_module(torch::nn::Module& m, const std::string& path);
// The same check and copy from tensors already in memory (`where` names them).
void assign_tensors(const NamedTensors& into, const NamedTensors& from, const std::string& where);

class CheckpointDir {
 public:
  // `keep`: how many step folders to keep (the newest); at least 1.
  explicit CheckpointDir(std::string dir, int keep = 2);
  const std::string& path() const noexcept { return dir_; }

  struct Saved {
    NamedTensors model, trainer;
    nlohmann::json state;
    NamedTensors best;  // the best evaluated parameters so far (optional: best.safetensors)
  };
  // Writes step `step`. `after_file` (for tests and progress) runs after each
  // file is written into the temporary folder.
  void save(std::int64_t step, const Saved& what, const std::function<void(const std::string&)>& after_file = {});
  // The newest complete step folder, if any.
  std::optional<std::string> latest() const;
  Saved load(const std::string& step_folder) const;
  // Removes every step folder, `latest` and leftovers (a fresh run).
  void clear();

 private:
  void save_step(std::int64_t step, const Saved& what, const std::function<void(const std::string&)>& after_file);
  std::string dir_;
  int keep_;
};

}  // namespace factorkit::nn
