// `factorkit convert IN OUT`: between .npy, .safetensors, .csv and IDX.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

namespace factorkit::cli {
namespace {

class ConvertCommand final : public Command {
 public:
  std::string name() const override { return "convert"; }
  std::string summary() const override {
    return "Convert tensors between .safetensors, .npy, .csv and IDX, optionally selecting tensors and casting";
  }
  std::string doc_page() const override { return "docs/formats.md"; }
  void configure(CLI::App& sub) override {
    sub.add_option("input", in_, "Input file")->required()->check(CLI::ExistingFile);
    sub.add_option("output", out_, "Output file; the format follows its extension")->required();
    sub.add_option("--tensor", tensors_, "Select a tensor by name (repeatable; default all)");
    sub.add_option("--dtype", dtype_,
                   "Cast to f64 f32 f16 bf16 i64 i32 i16 i8 u64 u32 u16 u8 bool (integer casts must be exact)");
    sub.add_option("--csv-header", csv_header_, "CSV input: is the first row a header? auto|yes|no")
        ->check(CLI::IsMember({"auto", "yes", "no"}))
        ->capture_default_str();
    sub.add_flag("--force", force_, "Replace OUTPUT if it exists");
  }
  int run(const Context& ctx) override {
    std::optional<DType> to;
    if (!dtype_.empty()) {
      to = parse_dtype(dtype_);
      if (!to)
        throw InvalidInput("--dtype", "value",
                           fmt::format("one of f64 f32 f16 bf16 i64 i32 i16 i8 u64 u32 u16 u8 bool, got \"{}\"", dtype_),
                           "BadDType");
    }
    if (!format_from_extension(out_))
      throw InvalidInput(out_, "extension", "one of .safetensors, .npy, .csv, .idx (optionally .gz)",
                         "UnknownFormat");
    if (std::filesystem::exists(out_) && !force_)
      throw InvalidInput(out_, "output", "a path that does not exist yet (pass --force to replace it)",
                         "OutputExists");
    ReadOptions ro;
    ro.csv.allow_nonfinite = true;
    if (csv_header_ != "auto") ro.csv.header = csv_header_ == "yes";
    // Parse straight into the target dtype when reading CSV: exact for integers.
    if (to && format_from_extension(in_) == Format::Csv) ro.csv.dtype = *to;
    Format infmt;
    TensorFile f = read_tensor_file(in_, &infmt, ro);

    TensorFile sel;
    sel.metadata = f.metadata;
    if (tensors_.empty()) {
      sel.tensors = std::move(f.tensors);
    } else {
      for (const auto& name : tensors_) {
        const RawTensor* t = f.find(name);
        if (!t) {
          std::vector<std::string> names;
          for (const auto& [n, _] : f.tensors) names.push_back(n);
          throw InvalidInput(in_, fmt::format("tensor \"{}\"", name),
                             fmt::format("one of the tensors in the file: {}", fmt::join(names, ", ")),
                             "TensorNotFound");
        }
        sel.tensors.emplace_back(name, *t);
      }
    }
    if (to)
      for (auto& [name, t] : sel.tensors) t = cast(t, *to, fmt::format("{} (tensor \"{}\")", in_, name));

    Format outfmt = *format_from_extension(out_);
    if (outfmt != Format::Safetensors && sel.tensors.size() != 1) {
      std::vector<std::string> names;
      for (const auto& [n, _] : sel.tensors) names.push_back(n);
      throw InvalidInput(in_, "tensors",
                         fmt::format("one tensor for {} output; the file has {} ({}): choose with --tensor NAME",
                                     format_name(outfmt), names.size(), fmt::join(names, ", ")),
                         "OneTensorOnly");
    }
    if (outfmt == Format::Csv) {
      std::vector<std::string> cols;
      auto it = sel.metadata.find("columns");
      if (infmt == Format::Csv && it != sel.metadata.end()) cols = nlohmann::json::parse(it->second);
      const RawTensor& t = sel.tensors[0].second;
      if (!cols.empty() && (t.shape.size() != 2 || std::size_t(t.shape[1]) != cols.size())) cols.clear();
      write_csv(out_, t, cols);
    } else {
      if (outfmt != Format::Safetensors) sel.metadata.clear();
      write_tensor_file(out_, sel, outfmt);
    }
    if (ctx.json) {
      nlohmann::json j{{"ok", true}, {"input", in_}, {"output", out_},
                       {"from", std::string(format_name(infmt))}, {"to", std::string(format_name(outfmt))}};
      j["tensors"] = nlohmann::json::array();
      for (const auto& [n, t] : sel.tensors)
        j["tensors"].push_back({{"name", n}, {"dtype", std::string(dtype_long_name(t.dtype))}, {"shape", t.shape}});
      std::cout << j.dump() << std::endl;
    } else if (!ctx.quiet) {
      std::cerr << fmt::format("wrote {} ({} tensor{})\n", out_, sel.tensors.size(), sel.tensors.size() == 1 ? "" : "s");
    }
    return 0;
  }

 private:
  std::string in_, out_, dtype_, csv_header_ = "auto";
  std::vector<std::string> tensors_;
  bool force_ = false;
};

FACTORKIT_REGISTER_COMMAND(ConvertCommand);

}  // namespace
}  // namespace factorkit::cli
