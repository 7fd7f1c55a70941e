#include "factorkit/cli/matrix_io.h"
#include "factorkit/cli/options.h"

#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/linalg/check.h"

namespace fs = std::filesystem;

namespace factorkit::cli {
namespace {

bool is_safetensors(const std::string& p) { return fs::path(p).extension() == ".safetensors"; }

}  // namespace

at::Tensor read_tensor(const std::string& path, const std::string& tensor, const std::string& csv_header) {
  ReadOptions ro;
  if (csv_header != "auto") ro.csv.header = csv_header == "yes";
  TensorFile f = read_tensor_file(path, nullptr, ro);
  std::vector<std::string> names;
  for (const auto& [n, _] : f.tensors) names.push_back(n);
  const RawTensor* t = nullptr;
  if (!tensor.empty()) {
    t = f.find(tensor);
    if (!t)
      throw InvalidInput(path, fmt::format("tensor \"{}\"", tensor),
                         fmt::format("one of the tensors in the file: {}", fmt::join(names, ", ")), "TensorNotFound");
  } else if (f.tensors.size() == 1) {
    t = &f.tensors[0].second;
  } else {
    throw InvalidInput(path, "tensors",
                       fmt::format("one tensor, or a choice with --tensor NAME; the file has {}: {}", names.size(),
                                   fmt::join(names, ", ")),
                       "AmbiguousTensor");
  }
  return to_torch(*t, path);
}


void MatrixInput::add_options(CLI::App& sub) {
  sub.add_option("input", path, "Matrix file: .npy, .safetensors or .csv (rows = samples)")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option("--tensor", tensor, "Which tensor of a .safetensors file (when it has several)");
  sub.add_option("--dtype", dtype, "Compute in f32 or f64 (auto: f64 input stays f64, anything else f32)")
      ->check(CLI::IsMember({"auto", "f32", "f64"}))
      ->capture_default_str();
  sub.add_option("--csv-header", csv_header, "CSV input: is the first row a header? auto|yes|no")
      ->check(CLI::IsMember({"auto", "yes", "no"}))
      ->capture_default_str();
}

at::Tensor read_matrix(const MatrixInput& in, bool nonnegative) {
  at::Tensor x = read_tensor(in.path, in.tensor, in.csv_header);
  if (x.scalar_type() == at::kBool)
    throw InvalidInput(in.path, "dtype", "a numeric matrix, got bool", "BadDType");
  linalg::check_matrix(x, in.path, "matrix", {.nonnegative = nonnegative});
  at::ScalarType dt = in.dtype == "f64"   ? at::kDouble
                      : in.dtype == "f32" ? at::kFloat
                                          : linalg::working_dtype(x);
  return x.to(dt).contiguous();
}

at::Tensor read_factor(const std::string& path, const std::string& what, int64_t rows, int64_t cols,
                       at::ScalarType dtype, bool nonnegative) {
  at::Tensor f = read_tensor(path, "", "auto");
  linalg::check_matrix(f, path, what, {.nonnegative = nonnegative});
  if (f.size(0) != rows || f.size(1) != cols)
    throw InvalidInput(path, what, fmt::format("shape [{}, {}], got [{}, {}]", rows, cols, f.size(0), f.size(1)),
                       "ShapeMismatch");
  return f.to(dtype).contiguous();
}

void FactorOutput::add_options(CLI::App& sub) {
  sub.add_option("-o,--output", path,
                 "Where the factors go: FILE.safetensors (one file) or a directory (one NAME.npy per factor)")
      ->required();
  sub.add_option("--summary", summary, "Also write the JSON summary to this file");
  sub.add_flag("--force", force, "Replace existing output files");
}

void FactorOutput::check(const std::vector<std::string>& names) const {
  const fs::path p(path);
  if (p.extension() == ".npy" || p.extension() == ".csv")
    throw InvalidInput(path, "--output",
                       "FILE.safetensors or a directory (a .npy or .csv file holds one tensor; the factors are several)",
                       "OneTensorOnly");
  if (is_safetensors(path) && fs::exists(p) && !force)
    throw InvalidInput(path, "--output", "a path that does not exist yet (pass --force to replace it)", "OutputExists");
  if (!is_safetensors(path) && fs::exists(p) && !fs::is_directory(p))
    throw InvalidInput(path, "--output", "a directory or FILE.safetensors, got an existing file", "NotADirectory");
  if (!is_safetensors(path) && !force)
    for (const auto& n : names) {
      const fs::path f = p / (n + ".npy");
      if (fs::exists(f))
        throw InvalidInput(f.string(), "--output", "a path that does not exist yet (pass --force to replace it)",
                           "OutputExists");
    }
  if (!summary.empty() && fs::exists(summary) && !force)
    throw InvalidInput(summary, "--summary", "a path that does not exist yet (pass --force to replace it)",
                       "OutputExists");
  // a safetensors file goes into an existing folder; a factor folder may be created
  if (is_safetensors(path))
    check_output_file(path, "--output");
  else
    check_writable_folder(path, path, "--output");
  if (!summary.empty()) check_output_file(summary, "--summary");
}

std::vector<std::string> write_factors(const FactorOutput& out,
                                       const std::vector<std::pair<std::string, at::Tensor>>& factors,
                                       const nlohmann::json& summary) {
  std::vector<std::string> written;
  if (is_safetensors(out.path)) {
    TensorFile f;
    for (const auto& [name, t] : factors) f.tensors.emplace_back(name, from_torch(t.contiguous(), name));
    f.metadata["factorkit"] = summary.dump();
    write_tensor_file(out.path, f);
    written.push_back(out.path);
  } else {
    fs::create_directories(out.path);
    for (const auto& [name, t] : factors) {
      const std::string file = (fs::path(out.path) / (name + ".npy")).string();
      write_npy(file, from_torch(t.contiguous(), name));
      written.push_back(file);
    }
  }
  if (!out.summary.empty()) {
    write_file_atomic(out.summary, summary.dump(2) + "\n");
    written.push_back(out.summary);
  }
  return written;
}

}  // namespace factorkit::cli
