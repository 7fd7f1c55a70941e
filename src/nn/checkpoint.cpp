// Named tensors of modules, safetensors export/import, checkpoint folders.
#include "factorkit/nn/checkpoint.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/source.h"
#include "factorkit/core/torch_bridge.h"

namespace fs = std::filesystem;

namespace factorkit::nn {

NamedTensors module_parameters(const torch::nn::Module& m) {
  NamedTensors out;
  for (const auto& item : m.named_parameters(true)) out.emplace_back(item.key(), item.value());
  return out;
}

NamedTensors module_tensors(const torch::nn::Module& m) {
  NamedTensors out = module_parameters(m);
  for (const auto& item : m.named_buffers(true)) out.emplace_back(item.key(), item.value());
  return out;
}

void save_tensors(const std::string& path, const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  TensorFile f;
  f.metadata = metadata;
  for (const auto& [name, t] : tensors) f.tensors.emplace_back(name, from_torch(t.detach(), path + ": " + name));
  write_safetensors(path, f);
}

NamedTensors load_tensors(const std::string& path, std::map<std::string, std::string>* metadata) {
  if (!fs::exists(path)) throw InvalidInput(path, "file", "an existing safetensors file", "FileNotFound");
  const TensorFile f = read_safetensors(FileSource(path));
  NamedTensors out;
  for (const auto& [name, raw] : f.tensors) out.emplace_back(name, to_torch(raw, path + ": " + name));
  if (metadata) *metadata = f.metadata;
  return out;
}

void assign_tensors(const NamedTensors& into, const NamedTensors& from, const std::string& where) {
  std::unordered_map<std::string, const at::Tensor*> by_name;
  for (const auto& [n, t] : from) by_name[n] = &t;
  std::vector<std::pair<at::Tensor, const at::Tensor*>> pairs;
  for (const auto& [name, dst] : into) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw MalformedFile(where, name, "a tensor of this name (the model's parameters and buffers)", "MissingTensor");
    const at::Tensor& src = *it->second;
    if (src.sizes() != dst.sizes() || src.scalar_type() != dst.scalar_type())
      throw MalformedFile(where, name,
                          fmt::format("shape [{}] and dtype {}, not [{}] {}", fmt::join(dst.sizes(), ", "),
                                      std::string(c10::toString(dst.scalar_type())), fmt::join(src.sizes(), ", "),
                                      std::string(c10::toString(src.scalar_type()))),
                          "BadShape");
    pairs.emplace_back(dst, &src);
  }
  if (by_name.size() != into.size()) {
    std::unordered_map<std::string, int> wanted;
    for (const auto& [n, t] : into) wanted[n] = 1;
    for (const auto& [n, t] : from)
      if (!wanted.count(n)) throw MalformedFile(where, n, "only the model's tensors (this one is not a parameter or buffer of it)", "ExtraTensor");
  }
  at::NoGradGuard no_grad;
  for (auto& [dst, src] : pairs) dst.copy_(*src);
}

void save_module(const torch::nn::Module& m, const std::string& path, const std::map<std::string, std::string>& metadata) {
  save_tensors(path, module_tensors(m), metadata);
}

void load_module(torch::nn::Module& m, const std::string& path) { assign_tensors(module_tensors(m), load_tensors(path), path); }

// ---- checkpoint folders ----------------------------------------------------------

namespace {

std::string step_name(std::int64_t step) { return fmt::format("step-{:08d}", step); }

void fsync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

CheckpointDir::CheckpointDir(std::string dir, int keep) : dir_(std::move(dir)), keep_(keep) {
  if (keep < 1) throw InvalidInput("checkpoints", "keep", "at least 1", "BadOption");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_))
    throw InvalidInput(dir_, "checkpoint folder", "a folder that exists or can be created (" + ec.message() + ")", "NotWritable");
}

void CheckpointDir::save(std::int64_t step, const Saved& what, const std::function<void(const std::string&)>& after_file) {
  try {
    save_step(step, what, after_file);
  } catch (const fs::filesystem_error& e) {
    throw InvalidInput(dir_, "checkpoint", std::string("a writable folder with free space (") + e.what() + ")", "NotWritable");
  }
}

void CheckpointDir::save_step(std::int64_t step, const Saved& what, const std::function<void(const std::string&)>& after_file) {
  // leftovers of a run killed mid-write
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(e.path());
  std::string tmpl = dir_ + "/.tmp-" + step_name(step) + "-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw InvalidInput(dir_, "checkpoint folder", "a writable folder", "NotWritable");
  const std::string tmp = tmpl;
  save_tensors(tmp + "/model.safetensors", what.model);
  if (after_file) after_file("model.safetensors");
  save_tensors(tmp + "/trainer.safetensors", what.trainer);
  if (after_file) after_file("trainer.safetensors");
  write_file_atomic(tmp + "/trainer.json", what.state.dump(1));
  if (after_file) after_file("trainer.json");
  if (!what.best.empty()) {
    save_tensors(tmp + "/best.safetensors", what.best);
    if (after_file) after_file("best.safetensors");
  }
  fsync_path(tmp, true);
  const std::string final_path = dir_ + "/" + step_name(step);
  std::string current;  // the step `latest` names now
  {
    std::ifstream f(dir_ + "/latest");
    std::getline(f, current);
  }
  if (fs::exists(final_path) && current == step_name(step)) {
    // the same step again (a run resumed and saved before stepping on): the
    // folder `latest` names already holds it; replacing it would open a
    // window in which `latest` names nothing
    fs::remove_all(tmp);
  } else {
    // a folder of this step that `latest` does not name is left from a run
    // killed before it updated `latest`: stale, replaced
    if (fs::exists(final_path)) fs::remove_all(final_path);
    fs::rename(tmp, final_path);
    if (after_file) after_file("renamed");
  }
  fsync_path(dir_, true);
  write_file_atomic(dir_ + "/latest", step_name(step) + "\n");
  if (after_file) after_file("latest");
  // keep the newest `keep` step folders
  std::vector<std::string> steps;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory() && n.rfind("step-", 0) == 0) steps.push_back(n);
  }
  std::sort(steps.begin(), steps.end());
  for (std::size_t i = 0; i + std::size_t(keep_) < steps.size(); ++i)
    if (steps[i] != step_name(step)) fs::remove_all(dir_ + "/" + steps[i]);
}

std::optional<std::string> CheckpointDir::latest() const {
  std::ifstream f(dir_ + "/latest");
  if (!f) return std::nullopt;
  std::string name;
  std::getline(f, name);
  if (name.rfind("step-", 0) != 0 || name.find('/') != std::string::npos)
    throw MalformedFile(dir_ + "/latest", "content", "the name of a step folder (step-NNNNNNNN)", "BadCheckpoint");
  const std::string path = dir_ + "/" + name;
  if (!fs::is_directory(path)) throw MalformedFile(dir_ + "/latest", name, "an existing step folder", "BadCheckpoint");
  return path;
}

void CheckpointDir::clear() {
  try {
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("step-", 0) == 0 || n == "latest" || n.rfind(".tmp-", 0) == 0) fs::remove_all(e.path());
    }
  } catch (const fs::filesystem_error& e) {
    throw InvalidInput(dir_, "checkpoint folder", std::string("a folder whose old checkpoints can be removed (") + e.what() + ")",
                       "NotWritable");
  }
}

CheckpointDir::Saved CheckpointDir::load(const std::string& folder) const {
  Saved s;
  s.model = load_tensors(folder + "/model.safetensors");
  s.trainer = load_tensors(folder + "/trainer.safetensors");
  if (fs::exists(folder + "/best.safetensors")) s.best = load_tensors(folder + "/best.safetensors");
  const std::string json_path = folder + "/trainer.json";
  std::ifstream f(json_path);
  if (!f) throw MalformedFile(json_path, "file", "the checkpoint's trainer.json", "BadCheckpoint");
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    s.state = nlohmann::json::parse(ss.str(), nullptr, true, false);
  } catch (const nlohmann::json::exception& e) {
    throw MalformedFile(json_path, "JSON", std::string("valid JSON (") + e.what() + ")", "BadJson");
  }
  if (!s.state.is_object()) throw MalformedFile(json_path, "top level", "a JSON object", "BadJson");
  return s;
}

}  // namespace factorkit::nn
