// factorkit/core/formats.h — tensor file readers and writers.
//
// Formats: safetensors, numpy .npy, IDX (plain or gzip), CSV of numbers.
// Every reader validates sizes against the real input before allocating and
// throws MalformedFile with the file, the field and the expectation; the
// `code` of the error names the rule (see docs/formats.md for the full list).
// Writers go through AtomicFile: a failed write leaves no file behind.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "factorkit/core/raw_tensor.h"
#include "factorkit/core/source.h"

namespace factorkit {

enum class Format { Safetensors, Npy, Idx, Csv };
std::string_view format_name(Format f) noexcept;

// From the extension (.safetensors, .npy, .idx/-ubyte (optionally .gz), .csv).
std::optional<Format> format_from_extension(const std::string& path) noexcept;
// From the first bytes, falling back to the extension. Throws InvalidInput if
// neither tells.
Format detect_format(const Source& src, const std::string& path);

// ---- safetensors ----------------------------------------------------------
inline constexpr uint64_t kSafetensorsMaxHeader = 100'000'000;
// Validates exactly as the reference Rust crate does (docs/formats.md).
TensorFile read_safetensors(const Source& src);
// Serialized bytes of a safetensors file: header padded with spaces to a
// multiple of 8, offsets contiguous from 0 in the given order.
std::vector<std::byte> encode_safetensors(const TensorFile& f);
void write_safetensors(const std::string& path, const TensorFile& f);

// ---- npy --------------------------------------------------------------------
inline constexpr std::size_t kNpyMaxHeader = 10'000;
// Versions 1.0, 2.0, 3.0; either byte order; C or Fortran order. The result is
// always little-endian C order. Object and structured dtypes are refused.
RawTensor read_npy(const Source& src);
// Writes version 1.0 (2.0 if the header would not fit), little-endian, C order.
// BF16 has no numpy dtype and is refused with InvalidInput.
std::vector<std::byte> encode_npy(const RawTensor& t, const std::string& where = "<npy>");
void write_npy(const std::string& path, const RawTensor& t);

// ---- IDX --------------------------------------------------------------------
// Plain or gzip-compressed. Types: u8 i8 i16 i32 f32 f64 (0x08..0x0E).
// `max_bytes` caps the decompressed size (zip-bomb guard).
RawTensor read_idx(const Source& src, std::size_t max_bytes = std::size_t(8) << 30);
RawTensor read_idx_file(const std::string& path, std::size_t max_bytes = std::size_t(8) << 30);
std::vector<std::byte> encode_idx(const RawTensor& t, const std::string& where = "<idx>");
void write_idx(const std::string& path, const RawTensor& t);  // gzip if path ends in .gz

// ---- CSV --------------------------------------------------------------------
struct CsvOptions {
  // nullopt: auto (a first row with any non-numeric field is a header).
  std::optional<bool> header;
  char delimiter = ',';
  DType dtype = DType::F64;   // parse straight into this type (exact for integers)
  bool allow_nonfinite = false;  // accept nan/inf fields
  std::size_t max_field = 128 * 1024;
};
struct CsvTable {
  std::vector<std::string> columns;  // empty when there is no header row
  RawTensor values;                  // rows x cols
};
CsvTable read_csv(const Source& src, const CsvOptions& opt = {});
// A 0-, 1- or 2-D tensor (1-D is one column). Floats are written in the
// shortest form that reads back to the same bits.
std::string encode_csv(const RawTensor& t, const std::vector<std::string>& columns = {},
                       const std::string& where = "<csv>");
void write_csv(const std::string& path, const RawTensor& t,
               const std::vector<std::string>& columns = {});

// ---- any format ---------------------------------------------------------------
struct ReadOptions {
  CsvOptions csv;
};
// Reads any supported file as a TensorFile; single-tensor formats give one
// tensor named after the file stem. A CSV header row is kept as
// metadata["columns"], a JSON array of strings.
TensorFile read_tensor_file(const std::string& path, Format* detected = nullptr,
                            const ReadOptions& opt = {});
// Writes in the format of `path`'s extension (or `format`). Single-tensor
// formats require exactly one tensor.
void write_tensor_file(const std::string& path, const TensorFile& f,
                       std::optional<Format> format = std::nullopt);

}  // namespace factorkit
