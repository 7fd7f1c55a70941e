// `factorkit inspect FILE...`: format, tensors, dtypes, shapes, sizes, statistics.
#include <CLI/CLI.hpp>
#include <cstdio>
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
    sub.add_flag("--no-stats", no_stats_, "Skip min/max/mean/NaN/Inf (header only)");
  }
  int run(const Context& ctx) override {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& path : files_) {
      Format fmt_ = Format::Csv;
      ReadOptions ro;
      ro.csv.allow_nonfinite = true;
      TensorFile f = read_tensor_file(path, &fmt_, ro);
      FileSource probe(path);
      nlohmann::json jf;
      jf["file"] = path;
      jf["format"] = std::string(format_name(fmt_));
      jf["bytes"] = probe.size();
      jf["metadata"] = f.metadata;
      jf["tensors"] = nlohmann::json::array();
      if (!ctx.json)
        std::cout << fmt::format("{}: {}, {} bytes, {} tensor{}\n", path, format_name(fmt_), probe.size(),
                                 f.tensors.size(), f.tensors.size() == 1 ? "" : "s");
      for (const auto& [k, v] : f.metadata)
        if (!ctx.json) std::cout << fmt::format("  metadata {} = {}\n", k, v);
      for (const auto& [name, t] : f.tensors) {
        nlohmann::json jt;
        jt["name"] = name;
        jt["dtype"] = std::string(dtype_long_name(t.dtype));
        jt["shape"] = t.shape;
        jt["bytes"] = t.nbytes();
        std::string line = fmt::format("  {}  {}  {}  {} bytes", name, dtype_long_name(t.dtype),
                                       shape_text(t.shape), t.nbytes());
        if (!no_stats_) {
          TensorStats s = tensor_stats(t);
          jt["count"] = s.count;
          if (s.finite > 0) {
            jt["min"] = s.min;
            jt["max"] = s.max;
            jt["mean"] = s.mean;
          } else {
            jt["min"] = jt["max"] = jt["mean"] = nullptr;
          }
          jt["nan"] = s.nan;
          jt["inf"] = s.pos_inf + s.neg_inf;
          if (s.finite > 0)
            line += fmt::format("  min {:.6g}  max {:.6g}  mean {:.6g}", s.min, s.max, s.mean);
          else
            line += "  (no finite values)";
          line += fmt::format("  nan {}  inf {}", s.nan, s.pos_inf + s.neg_inf);
        }
        if (!ctx.json) std::cout << line << "\n";
        jf["tensors"].push_back(std::move(jt));
      }
      all.push_back(std::move(jf));
    }
    if (ctx.json) std::cout << nlohmann::json{{"ok", true}, {"files", all}}.dump() << std::endl;
    return 0;
  }

 private:
  std::vector<std::string> files_;
  bool no_stats_ = false;
};

FACTORKIT_REGISTER_COMMAND(InspectCommand);

}  // namespace
}  // namespace factorkit::cli
