// safetensors reader and writer. The validation follows the reference Rust
// crate's read_metadata + Metadata::validate, rule by rule and in its order;
// each rule raises MalformedFile with the crate's error name as the code.
#include <algorithm>
#include <cstring>
#include <set>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/utf8.h"

namespace factorkit {

namespace {

constexpr int kMaxJsonDepth = 128;  // serde_json's recursion limit

struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

[[noreturn]] void bad(const Source& src, const std::string& field, const std::string& expected,
                      const char* code) {
  throw MalformedFile(src.name(), field, expected, code);
}

uint64_t json_u64(const Source& src, const nlohmann::ordered_json& v, const std::string& field) {
  if (!v.is_number_unsigned())
    bad(src, field, fmt::format("a non-negative integer, got {}", v.dump()),
        "InvalidHeaderDeserialization");
  return v.get<uint64_t>();
}

}  // namespace

TensorFile read_safetensors(const Source& src) {
  const uint64_t len = src.size();
  if (len < 8)
    bad(src, "header length", fmt::format("an 8-byte little-endian length, the file has {} bytes", len),
        "HeaderTooSmall");
  unsigned char lenbuf[8];
  src.read(0, std::span<std::byte>(reinterpret_cast<std::byte*>(lenbuf), 8));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | lenbuf[i];
  if (n > kSafetensorsMaxHeader)
    bad(src, "header length",
        fmt::format("at most {} bytes, the file claims {}", kSafetensorsMaxHeader, n),
        "HeaderTooLarge");
  if (n + 8 > len)
    bad(src, "header length",
        fmt::format("8 + {} header bytes to fit in the file's {} bytes", n, len),
        "InvalidHeaderLength");

  std::string header(std::size_t(n), '\0');
  src.read(8, std::span<std::byte>(reinterpret_cast<std::byte*>(header.data()), header.size()));
  if (std::size_t at = detail::utf8_invalid_at(header); at != std::string::npos)
    bad(src, fmt::format("header byte {}", at), "UTF-8 text", "InvalidHeader");

  // Parse with a depth limit and duplicate-name detection.
  std::set<std::string> seen;
  std::string duplicate;
  bool too_deep = false;
  // ordered_json keeps the header's order, so tensors that share an offset
  // (empty ones) come back in the order they were written.
  using Json = nlohmann::ordered_json;
  auto cb = [&](int depth, Json::parse_event_t ev, Json& parsed) {
    if (depth > kMaxJsonDepth) too_deep = true;
    if (ev == Json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      if (!seen.insert(parsed.get<std::string>()).second && duplicate.empty())
        duplicate = parsed.get<std::string>();
    }
    return !too_deep;
  };
  Json j;
  try {
    j = Json::parse(header, cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Json::exception& e) {
    if (!too_deep) bad(src, "header", fmt::format("valid JSON ({})", e.what()), "InvalidHeaderDeserialization");
  }
  if (too_deep)
    bad(src, "header", fmt::format("JSON nested at most {} levels deep", kMaxJsonDepth),
        "InvalidHeaderDeserialization");
  if (!j.is_object())
    bad(src, "header", "a JSON object mapping tensor names to {dtype, shape, data_offsets}",
        "InvalidHeaderDeserialization");
  if (!duplicate.empty())
    bad(src, fmt::format("header key \"{}\"", duplicate), "each tensor name once",
        "DuplicateTensorName");

  TensorFile out;
  std::vector<Entry> entries;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = it.value();
    if (key == "__metadata__") {
      if (v.is_null()) continue;
      if (!v.is_object())
        bad(src, "__metadata__", "an object mapping strings to strings",
            "InvalidHeaderDeserialization");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          bad(src, fmt::format("__metadata__.{}", m.key()),
              fmt::format("a string value, got {}", m.value().dump()),
              "InvalidHeaderDeserialization");
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string field = fmt::format("tensor \"{}\"", key);
    if (!v.is_object())
      bad(src, field, "an object {dtype, shape, data_offsets}", "InvalidHeaderDeserialization");
    Entry e;
    e.name = key;
    auto dt = v.find("dtype");
    if (dt == v.end() || !dt->is_string())
      bad(src, field + ".dtype", "a dtype string such as \"F32\"", "InvalidHeaderDeserialization");
    auto parsed = dtype_from_safetensors(dt->get<std::string>());
    if (!parsed) {
      static const std::set<std::string> known_elsewhere = {
          "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"};
      if (known_elsewhere.count(dt->get<std::string>()))
        bad(src, field + ".dtype",
            fmt::format("a dtype factorkit supports (F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 "
                        "BOOL), got \"{}\"", dt->get<std::string>()),
            "UnsupportedDType");
      bad(src, field + ".dtype",
          fmt::format("one of F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL, got {}", dt->dump()),
          "InvalidHeaderDeserialization");
    }
    e.dtype = *parsed;
    auto sh = v.find("shape");
    if (sh == v.end() || !sh->is_array())
      bad(src, field + ".shape", "an array of non-negative integers", "InvalidHeaderDeserialization");
    for (const auto& d : *sh) {
      uint64_t x = json_u64(src, d, field + ".shape");
      if (x > uint64_t(INT64_MAX))
        bad(src, field + ".shape", "dimensions whose product fits in 64 bits", "ValidationOverflow");
      e.shape.push_back(int64_t(x));
    }
    auto off = v.find("data_offsets");
    if (off == v.end() || !off->is_array() || off->size() != 2)
      bad(src, field + ".data_offsets", "an array [begin, end] of two non-negative integers",
          "InvalidHeaderDeserialization");
    e.begin = json_u64(src, (*off)[0], field + ".data_offsets");
    e.end = json_u64(src, (*off)[1], field + ".data_offsets");
    entries.push_back(std::move(e));
  }

  // Metadata::validate: sorted by (begin, end), contiguous from 0.
  std::vector<std::size_t> order(entries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(entries[a].begin, entries[a].end) < std::pair(entries[b].begin, entries[b].end);
  });
  uint64_t start = 0;
  for (std::size_t idx : order) {
    const Entry& e = entries[idx];
    const std::string field = fmt::format("tensor \"{}\".data_offsets", e.name);
    if (e.begin != start || e.end < e.begin)
      bad(src, field,
          fmt::format("[{}, end >= {}] so that tensors are contiguous from 0 with no gap or overlap, "
                      "got [{}, {}]", start, start, e.begin, e.end),
          "InvalidOffset");
    const auto nbytes = nbytes_of(e.shape, e.dtype, SIZE_MAX);
    if (!nbytes)
      bad(src, fmt::format("tensor \"{}\".shape", e.name), "a shape whose size in bytes fits in 64 bits",
          "ValidationOverflow");
    if (e.end - e.begin != *nbytes)
      bad(src, field,
          fmt::format("end - begin = {} bytes for {} with shape [{}], got {}", *nbytes,
                      dtype_name(e.dtype), fmt::join(e.shape, ", "), e.end - e.begin),
          "TensorInvalidInfo");
    start = e.end;
  }
  const uint64_t data_len = len - 8 - n;
  if (start != data_len)
    bad(src, "data buffer",
        start < data_len
            ? fmt::format("the tensors to cover all {} data bytes, {} trailing bytes are unaccounted for",
                          data_len, data_len - start)
            : fmt::format("{} data bytes as the offsets declare, the file has only {}", start, data_len),
        "MetadataIncompleteBuffer");

  // Every size is now bounded by the real file: allocate and copy (copying also
  // fixes any misalignment of the data in the file).
  // File order = data order, which is what a user expects to see.
  for (std::size_t idx : order) {
    const Entry& e = entries[idx];
    RawTensor t;
    t.dtype = e.dtype;
    t.shape = e.shape;
    t.data.resize(std::size_t(e.end - e.begin));
    src.read(8 + n + e.begin, t.data);
    out.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

std::vector<std::byte> encode_safetensors(const TensorFile& f) {
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!f.metadata.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (const auto& [k, v] : f.metadata) m[k] = v;
    h["__metadata__"] = m;
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, t] : f.tensors) {
    if (name == "__metadata__")
      throw InvalidInput("<safetensors>", "tensor name", "a name other than __metadata__", "ReservedName");
    if (!names.insert(name).second)
      throw InvalidInput("<safetensors>", fmt::format("tensor \"{}\"", name), "unique tensor names",
                         "DuplicateTensorName");
    check_consistent(t, "<safetensors>", fmt::format("tensor \"{}\"", name));
    nlohmann::ordered_json e;
    e["dtype"] = std::string(dtype_name(t.dtype));
    e["shape"] = t.shape;
    e["data_offsets"] = {offset, offset + t.data.size()};
    h[name] = e;
    offset += t.data.size();
  }
  std::string header = h.dump();
  header.append((8 - header.size() % 8) % 8, ' ');
  std::vector<std::byte> out(8 + header.size() + offset);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[std::size_t(i)] = std::byte((n >> (8 * i)) & 0xff);
  std::memcpy(out.data() + 8, header.data(), header.size());
  std::size_t pos = 8 + header.size();
  for (const auto& [name, t] : f.tensors) {
    if (!t.data.empty()) std::memcpy(out.data() + pos, t.data.data(), t.data.size());
    pos += t.data.size();
  }
  return out;
}

void write_safetensors(const std::string& path, const TensorFile& f) {
  try {
    auto bytes = encode_safetensors(f);
    write_file_atomic(path, bytes);
  } catch (const InvalidInput& e) {
    if (e.where() == "<safetensors>") throw InvalidInput(path, e.field(), e.expected(), e.code());
    throw;
  }
}

}  // namespace factorkit
