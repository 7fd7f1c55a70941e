// factorkit/cli/matrix_io.h — what the matrix commands (nmf, svd, cur) share:
// reading one matrix from a file, writing named factors, writing a summary.
#pragma once

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace factorkit::cli {

struct MatrixInput {
  std::string path;
  std::string tensor;            // safetensors with several tensors: which one
  std::string dtype = "auto";    // auto (f64 stays f64, else f32), f32, f64
  std::string csv_header = "auto";
  // Adds INPUT, --tensor, --dtype, --csv-header to a subcommand.
  void add_options(CLI::App& sub);
};

// Reads a 2-D float32/float64 matrix; errors name the file: not 2-D, empty,
// NaN/Inf (with the position), negative entries when `nonnegative`.
at::Tensor read_matrix(const MatrixInput& in, bool nonnegative = false);
// The one tensor of a file (any format), or the one named `tensor`; InvalidInput
// listing the names when the file holds several and none is chosen.
at::Tensor read_tensor(const std::string& path, const std::string& tensor = {}, const std::string& csv_header = "auto");
// A second matrix of an exact shape (an initial factor, fixed components).
at::Tensor read_factor(const std::string& path, const std::string& what, int64_t rows, int64_t cols,
                       at::ScalarType dtype, bool nonnegative);

struct FactorOutput {
  std::string path;         // DIR (one NAME.npy per factor) or FILE.safetensors
  std::string summary;      // optional JSON summary file
  bool force = false;
  void add_options(CLI::App& sub);
  // Checks before the (possibly long) computation: no existing output (the
  // file, or NAME.npy for each of `names` in a directory) unless --force, a
  // usable extension.
  void check(const std::vector<std::string>& names) const;
};

// Writes every factor (each file atomically) and the summary; returns the
// paths written. The summary also goes into the safetensors metadata.
std::vector<std::string> write_factors(const FactorOutput& out,
                                       const std::vector<std::pair<std::string, at::Tensor>>& factors,
                                       const nlohmann::json& summary);

}  // namespace factorkit::cli
