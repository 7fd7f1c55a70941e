#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

namespace factorkit {

namespace {
bool ends_with(const std::string& s, std::string_view suf) {
  return s.size() >= suf.size() && std::equal(suf.rbegin(), suf.rend(), s.rbegin(), [](char a, char b) {
           return std::tolower(a) == std::tolower(b);
         });
}

std::string stem_of(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (std::string_view suf : {".gz", ".safetensors", ".npy", ".csv", ".idx"})
    if (ends_with(name, suf)) name.resize(name.size() - suf.size());
  return name.empty() ? "data" : name;
}
}  // namespace

std::string_view format_name(Format f) noexcept {
  switch (f) {
    case Format::Safetensors: return "safetensors";
    case Format::Npy: return "npy";
    case Format::Idx: return "idx";
    case Format::Csv: return "csv";
  }
  return "?";
}

std::optional<Format> format_from_extension(const std::string& path) noexcept {
  if (ends_with(path, ".safetensors")) return Format::Safetensors;
  if (ends_with(path, ".npy")) return Format::Npy;
  if (ends_with(path, ".csv") || ends_with(path, ".tsv")) return Format::Csv;
  std::string p = path;
  if (ends_with(p, ".gz")) p.resize(p.size() - 3);
  if (ends_with(p, ".idx") || ends_with(p, "-ubyte") || ends_with(p, ".idx1") || ends_with(p, ".idx3"))
    return Format::Idx;
  return std::nullopt;
}

Format detect_format(const Source& src, const std::string& path) {
  unsigned char b[9] = {};
  const std::size_t n = std::size_t(std::min<uint64_t>(src.size(), sizeof b));
  src.read(0, std::span<std::byte>(reinterpret_cast<std::byte*>(b), n));
  if (n >= 6 && std::memcmp(b, "\x93NUMPY", 6) == 0) return Format::Npy;
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Format::Idx;  // gzip: the only compressed format we read
  auto ext = format_from_extension(path);
  if (ext) return *ext;
  if (n >= 9 && b[8] == '{') return Format::Safetensors;
  if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] >= 0x08 && b[2] <= 0x0E && b[3] >= 1) return Format::Idx;
  throw InvalidInput(path, "format",
                     "a .safetensors, .npy, .csv or IDX file (by extension or content); cannot tell which this is",
                     "UnknownFormat");
}

TensorFile read_tensor_file(const std::string& path, Format* detected, const ReadOptions& opt) {
  FileSource src(path);
  Format f = detect_format(src, path);
  if (detected) *detected = f;
  TensorFile out;
  switch (f) {
    case Format::Safetensors: return read_safetensors(src);
    case Format::Npy: out.tensors.emplace_back(stem_of(path), read_npy(src)); break;
    case Format::Idx: out.tensors.emplace_back(stem_of(path), read_idx(src)); break;
    case Format::Csv: {
      CsvOptions co = opt.csv;
      if (ends_with(path, ".tsv")) co.delimiter = '\t';
      CsvTable t = read_csv(src, co);
      if (!t.columns.empty()) out.metadata["columns"] = nlohmann::json(t.columns).dump();
      out.tensors.emplace_back(stem_of(path), std::move(t.values));
      break;
    }
  }
  return out;
}

void write_tensor_file(const std::string& path, const TensorFile& f, std::optional<Format> format) {
  auto fmt_ = format ? format : format_from_extension(path);
  if (!fmt_)
    throw InvalidInput(path, "extension", "one of .safetensors, .npy, .csv, .idx (optionally .gz)",
                       "UnknownFormat");
  if (*fmt_ == Format::Safetensors) return write_safetensors(path, f);
  if (f.tensors.size() != 1)
    throw InvalidInput(path, "tensors",
                       fmt::format("exactly one tensor for {} (got {}; select one with --tensor NAME)",
                                   format_name(*fmt_), f.tensors.size()),
                       "OneTensorOnly");
  const RawTensor& t = f.tensors[0].second;
  switch (*fmt_) {
    case Format::Npy: return write_npy(path, t);
    case Format::Idx: return write_idx(path, t);
    case Format::Csv: return write_csv(path, t);
    default: break;
  }
}

}  // namespace factorkit
