// One malformed file per rejection rule of every reader (docs/formats.md).
// Used by the library tests (error code + message), the CLI tests (exit code 2,
// nothing written) and the fuzzers (as seeds, via fuzz/make_corpus.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#include <zlib.h>

namespace factorkit::testing {

struct MalformedCase {
  std::string name;      // file name, with the format's extension
  std::string bytes;     // file content
  std::string code;      // the error code the reader must raise
  std::string message;   // a fragment the message must contain
  bool cli = true;       // also rejected by `factorkit convert` (CSV NaN is allowed there)
};

inline std::string u64le(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[std::size_t(i)] = char((v >> (8 * i)) & 0xff);
  return s;
}
inline std::string u32be(uint32_t v) {
  return std::string{char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
}
inline std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return u64le(header.size()) + header + data;
}
inline std::string npy_bytes(const std::string& header, const std::string& data, int major = 1) {
  std::string s = std::string("\x93NUMPY", 6) + char(major) + '\0';
  if (major == 1) s += std::string{char(header.size() & 0xff), char(header.size() >> 8)};
  else s += std::string{char(header.size() & 0xff), char((header.size() >> 8) & 0xff), char((header.size() >> 16) & 0xff), char(header.size() >> 24)};
  return s + header + data;
}
inline std::string idx_bytes(unsigned char type, std::vector<uint32_t> dims, const std::string& data) {
  std::string s{'\0', '\0', char(type), char(dims.size())};
  for (uint32_t d : dims) s += u32be(d);
  return s + data;
}
inline std::string gzip(const std::string& raw) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, uLong(raw.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = uInt(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

inline std::vector<MalformedCase> malformed_corpus() {
  const std::string f32x4(16, '\0');
  const std::string good = R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
  std::string deep = R"({"a":)";
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  deep += "}";
  std::vector<MalformedCase> c = {
      // ---- safetensors: the reference crate's rules, in its order ----
      {"st_too_small.safetensors", "\x05\x00\x00", "HeaderTooSmall", "8-byte"},
      {"st_header_too_large.safetensors", u64le(100'000'001) + "{}", "HeaderTooLarge", "at most 100000000"},
      {"st_claims_4gb.safetensors", u64le(4'294'967'296ull) + std::string(12, '{'), "HeaderTooLarge", "4294967296"},
      {"st_header_beyond_file.safetensors", u64le(100) + "{\"a\":1}", "InvalidHeaderLength", "8 + 100"},
      {"st_not_utf8.safetensors", safetensors_bytes("{\"\xff\xfe\":1}   ", ""), "InvalidHeader", "UTF-8"},
      {"st_bad_json.safetensors", safetensors_bytes("{not json", ""), "InvalidHeaderDeserialization", "valid JSON"},
      {"st_not_object.safetensors", safetensors_bytes("[1, 2, 3]", ""), "InvalidHeaderDeserialization", "JSON object"},
      {"st_too_deep.safetensors", safetensors_bytes(deep, ""), "InvalidHeaderDeserialization", "128 levels"},
      {"st_duplicate.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                         std::string(8, '\0')),
       "DuplicateTensorName", "each tensor name once"},
      {"st_bad_dtype.safetensors", safetensors_bytes(R"({"a":{"dtype":"X99","shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0')),
       "InvalidHeaderDeserialization", "X99"},
      {"st_missing_shape.safetensors", safetensors_bytes(R"({"a":{"dtype":"F32","data_offsets":[0,4]}})", std::string(4, '\0')),
       "InvalidHeaderDeserialization", "shape"},
      {"st_negative_dim.safetensors", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", std::string(4, '\0')),
       "InvalidHeaderDeserialization", "non-negative integer"},
      {"st_metadata_not_string.safetensors", safetensors_bytes(R"({"__metadata__":{"k":1}})", ""),
       "InvalidHeaderDeserialization", "__metadata__.k"},
      {"st_gap.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", std::string(12, '\0')),
       "InvalidOffset", "contiguous from 0"},
      {"st_overlap.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", std::string(12, '\0')),
       "InvalidOffset", "no gap or overlap"},
      {"st_not_from_zero.safetensors", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0')),
       "InvalidOffset", "got [4, 8]"},
      {"st_end_before_begin.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", std::string(4, '\0')),
       "InvalidOffset", "got [4, 0]"},
      {"st_overflow.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4611686018427387904,8],"data_offsets":[0,4]}})", std::string(4, '\0')),
       "ValidationOverflow", "fits in 64 bits"},
      {"st_size_mismatch.safetensors", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})", std::string(12, '\0')),
       "TensorInvalidInfo", "16 bytes"},
      {"st_trailing.safetensors", safetensors_bytes(good, f32x4 + "xxxx"), "MetadataIncompleteBuffer", "4 trailing bytes"},
      {"st_missing_bytes.safetensors", safetensors_bytes(good, std::string(8, '\0')), "MetadataIncompleteBuffer", "has only 8"},
      {"st_out_of_file.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"U8","shape":[1000000],"data_offsets":[0,1000000]}})", "x"),
       "MetadataIncompleteBuffer", "1000000 data bytes"},
      // ---- npy ----
      {"npy_too_small.npy", "\x93NUM", "FileTooSmall", "at least 10 bytes"},
      {"npy_bad_magic.npy", std::string("\x93NUMPZ\x01\x00\x10\x00", 10) + std::string(16, ' '), "BadMagic", "\\x93NUMPY"},
      {"npy_bad_version.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", "abcd", 4),
       "UnsupportedVersion", "got 4.0"},
      {"npy_header_too_large.npy", npy_bytes(std::string(20000, ' '), "", 2), "HeaderTooLarge", "at most 10000"},
      {"npy_header_beyond_file.npy", std::string("\x93NUMPY\x01\x00\xff\x00{}", 12), "InvalidHeaderLength", "255 header bytes"},
      {"npy_object.npy", npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", "\x80\x04."), "ObjectDType", "pickle"},
      {"npy_structured.npy", npy_bytes("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", "abcd"),
       "UnsupportedDType", "structured"},
      {"npy_complex.npy", npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", "abcdefgh"),
       "UnsupportedDType", "'<c8'"},
      {"npy_missing_key.npy", npy_bytes("{'descr': '<f4', 'shape': (1,), }\n", "abcd"), "InvalidHeader", "fortran_order"},
      {"npy_extra_key.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", "abcd"),
       "InvalidHeader", "found 'x'"},
      {"npy_not_literal.npy", npy_bytes("{'descr': '<f4', 'fortran_order': __import__('os'), 'shape': (1,)}\n", "abcd"),
       "InvalidHeader", "Python literal"},
      {"npy_bad_shape.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }\n", "abcd"),
       "InvalidHeader", "tuple"},
      {"npy_shape_overflow.npy",
       npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }\n", ""),
       "ValidationOverflow", "overflows"},
      {"npy_claims_4gb.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }\n", "abcd"),
       "DataTooShort", "4294967296 data bytes"},
      {"npy_trailing.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", "abcdefgh"),
       "TrailingBytes", "4 data bytes"},
      // ---- IDX ----
      {"idx_too_small.idx", std::string("\0\0", 2), "FileTooSmall", "4-byte magic"},
      {"idx_bad_magic.idx", idx_bytes(0x08, {2}, "ab").replace(0, 1, "\x01"), "BadMagic", "two zero bytes"},
      {"idx_bad_type.idx", idx_bytes(0x0A, {2}, "ab"), "BadType", "0x0A"},
      {"idx_zero_dims.idx", idx_bytes(0x08, {}, "ab"), "BadDims", "at least one dimension"},
      {"idx_negative_dim.idx", idx_bytes(0x08, {0x80000000u}, "ab"), "BadDims", "below 2^31"},
      {"idx_too_short.idx", idx_bytes(0x08, {10, 10}, "abcdefghij"), "DataTooShort", "100 bytes"},
      {"idx_trailing.idx", idx_bytes(0x0D, {2}, std::string(9, '\0')), "TrailingBytes", "8 bytes"},
      {"idx_claims_4gb.idx", idx_bytes(0x08, {65536, 65536}, "abcdefgh"), "DataTooShort", "4294967296 bytes"},
      {"idx_overflow.idx", idx_bytes(0x0E, {0x7fffffff, 0x7fffffff, 0x7fffffff}, "abcd"), "ValidationOverflow", "overflows"},
      {"idx_truncated.idx.gz", gzip(idx_bytes(0x08, {1000}, std::string(1000, 'x'))).substr(0, 30), "BadGzip", "truncated"},
      {"idx_gzip_claims_4gb.idx.gz", gzip(idx_bytes(0x08, {65536, 65536}, std::string(64, '\0'))), "DataTooShort",
       "4294967296 bytes"},
      {"idx_gzip_trailing.idx.gz", gzip(idx_bytes(0x08, {4}, "abcdefgh")), "TrailingBytes", "4 bytes"},
      {"idx_not_gzip.idx.gz", std::string("\x1f\x8b\x08\x00garbage-not-deflate", 23), "BadGzip", "gzip"},
      // ---- CSV ----
      {"csv_ragged.csv", "a,b,c\n1,2,3\n4,5\n", "RaggedRow", "line 3"},
      {"csv_non_numeric.csv", "1,2\n3,x\n", "NonNumeric", "line 2, column 2"},
      {"csv_nan.csv", "1,2\nnan,4\n", "NonFinite", "line 2, column 1", /*cli=*/false},
      {"csv_inf.csv", "1,inf\n", "NonFinite", "line 1, column 2", /*cli=*/false},
      {"csv_out_of_range.csv", "1,1e999\n", "OutOfRange", "line 1, column 2"},
      {"csv_unterminated_quote.csv", "\"a,b\n1,2\n", "UnterminatedQuote", "closing quote"},
      {"csv_field_too_large.csv", "1," + std::string(200000, '7') + "\n", "FieldTooLarge", "131072 bytes"},
      {"csv_binary.csv", std::string("1,2\n3,\0\n", 8), "BinaryData", "NUL"},
      {"csv_bad_quote.csv", "1,2\n3,4\"5\"\n", "BadQuote", "line 2, column 2"},
  };
  return c;
}

}  // namespace factorkit::testing
