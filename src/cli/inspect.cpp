// `factorkit inspect FILE...`: format, tensors, dtypes, shapes, sizes, statistics.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

namespace factorkit::cli {
namespace {

std::string shape_text(const std::vector<int64_t>& s) {
  if (s.empty()) return "scalar";
  return fmt::format("{}", fmt::join(s, "x"));
}

class InspectCommand final : public Command {
 public:
  std::string name() const override { return "inspect"; }
  std::string summary() const override {
    return "Show the tensors in .safetensors, .npy, IDX (.gz) or .csv files: dtype, shape, bytes, min/max/mean, NaN/Inf";
  }
  std::string doc_page() const override { return "docs/formats.md"; }
  void configure(CLI::App& sub) override {
    sub.add_option("files", files_, "Files to inspect")->required()->check(CLI::ExistingFile);
    sub.add_flag("--no-stats", no_stats_, "Skip min/max/mean/NaN/Inf (the data is still read and validated)");
  }
  int run(const Context& ctx) override {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& path : files_) files.push_back(describe(path));
    if (ctx.json) {
      std::cout << nlohmann::json{{"ok", true}, {"files", files}}.dump() << std::endl;
      return 0;
    }
    for (const auto& f : files) {
      std::cout << fmt::format("{}: {}, {} bytes, {} tensor{}\n", f["file"].get<std::string>(),
                               f["format"].get<std::string>(), f["bytes"].get<uint64_t>(), f["tensors"].size(),
                               f["tensors"].size() == 1 ? "" : "s");
      for (const auto& [k, v] : f["metadata"].items())
        std::cout << fmt::format("  metadata {} = {}\n", k, v.get<std::string>());
      for (const auto& t : f["tensors"]) {
        std::cout << fmt::format("  {}  {}  {}  {} bytes", t["name"].get<std::string>(), t["dtype"].get<std::string>(),
                                 shape_text(t["shape"].get<std::vector<int64_t>>()), t["bytes"].get<uint64_t>());
        if (t.contains("count")) {
          if (t["min"].is_null())
            std::cout << "  (no finite values)";
          else
            std::cout << fmt::format("  min {:.6g}  max {:.6g}  mean {:.6g}", t["min"].get<double>(),
                                     t["max"].get<double>(), t["mean"].get<double>());
          std::cout << fmt::format("  nan {}  inf {}", t["nan"].get<int64_t>(), t["inf"].get<int64_t>());
        }
        std::cout << "\n";
      }
    }
    return 0;
  }

 private:
  nlohmann::json describe(const std::string& path) const {
    Format format;
    ReadOptions ro;
    ro.csv.allow_nonfinite = true;
    TensorFile f = read_tensor_file(path, &format, ro);
    nlohmann::json jf{{"file", path}, {"format", std::string(format_name(format))},
                      {"bytes", std::filesystem::file_size(path)}, {"metadata", f.metadata},
                      {"tensors", nlohmann::json::array()}};
    for (const auto& [name, t] : f.tensors) {
      nlohmann::json jt{{"name", name}, {"dtype", std::string(dtype_long_name(t.dtype))}, {"shape", t.shape},
                        {"bytes", t.nbytes()}};
      if (!no_stats_) {
        const TensorStats s = tensor_stats(t);
        jt["count"] = s.count;
        jt["min"] = s.finite > 0 ? nlohmann::json(s.min) : nlohmann::json();
        jt["max"] = s.finite > 0 ? nlohmann::json(s.max) : nlohmann::json();
        jt["mean"] = s.finite > 0 ? nlohmann::json(s.mean) : nlohmann::json();
        jt["nan"] = s.nan;
        jt["inf"] = s.pos_inf + s.neg_inf;
      }
      jf["tensors"].push_back(std::move(jt));
    }
    return jf;
  }

  std::vector<std::string> files_;
  bool no_stats_ = false;
};

FACTORKIT_REGISTER_COMMAND(InspectCommand);

}  // namespace
}  // namespace factorkit::cli
