// numpy .npy reader and writer (format versions 1.0, 2.0, 3.0).
// The header is a Python dict literal; we parse it with a small strict
// recursive-descent parser (never an evaluator) and refuse object dtypes, whose
// payload is a pickle.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <fmt/format.h>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "byteorder.h"
#include "factorkit/core/utf8.h"

namespace factorkit {

namespace {

constexpr unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

struct PyValue {
  enum Kind { Str, Bool, Int, Tuple, List, Dict, None } kind = None;
  std::string s;
  bool b = false;
  uint64_t i = 0;
  std::vector<PyValue> items;
  std::vector<std::string> keys;  // dict keys; values in `items`
};

class HeaderParser {
 public:
  HeaderParser(const Source& src, std::string_view text) : src_(src), t_(text) {}

  PyValue parse() {
    PyValue v = value(0);
    ws();
    if (p_ != t_.size())
      fail(fmt::format("the end of the header dict at byte {}", p_));
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& expected) {
    throw MalformedFile(src_.name(), "header", expected, "InvalidHeader");
  }
  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r'))
      ++p_;
  }
  bool eat(char c) {
    ws();
    if (p_ < t_.size() && t_[p_] == c) { ++p_; return true; }
    return false;
  }
  PyValue value(int depth) {
    if (depth > 8) fail("a header nested at most 8 levels deep");
    ws();
    if (p_ >= t_.size()) fail("a value, found the end of the header");
    char c = t_[p_];
    PyValue v;
    if (c == '\'' || c == '"') {
      v.kind = PyValue::Str;
      v.s = str();
    } else if (c == '{') {
      ++p_;
      v.kind = PyValue::Dict;
      while (!eat('}')) {
        ws();
        if (p_ >= t_.size() || (t_[p_] != '\'' && t_[p_] != '"')) fail(fmt::format("a string key at byte {}", p_));
        std::string k = str();
        if (!eat(':')) fail(fmt::format("':' after key '{}'", k));
        v.keys.push_back(k);
        v.items.push_back(value(depth + 1));
        if (!eat(',')) {
          if (!eat('}')) fail(fmt::format("',' or '}}' at byte {}", p_));
          break;
        }
      }
    } else if (c == '(' || c == '[') {
      char close = c == '(' ? ')' : ']';
      ++p_;
      v.kind = c == '(' ? PyValue::Tuple : PyValue::List;
      while (!eat(close)) {
        v.items.push_back(value(depth + 1));
        if (!eat(',')) {
          if (!eat(close)) fail(fmt::format("',' or '{}' at byte {}", close, p_));
          break;
        }
      }
    } else if (t_.substr(p_, 4) == "True") {
      p_ += 4; v.kind = PyValue::Bool; v.b = true;
    } else if (t_.substr(p_, 5) == "False") {
      p_ += 5; v.kind = PyValue::Bool; v.b = false;
    } else if (t_.substr(p_, 4) == "None") {
      p_ += 4; v.kind = PyValue::None;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      v.kind = PyValue::Int;
      uint64_t x = 0;
      while (p_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[p_]))) {
        if (__builtin_mul_overflow(x, uint64_t(10), &x) ||
            __builtin_add_overflow(x, uint64_t(t_[p_] - '0'), &x))
          throw MalformedFile(src_.name(), "header.shape", "dimensions that fit in 64 bits",
                              "ValidationOverflow");
        ++p_;
      }
      if (p_ < t_.size() && (t_[p_] == 'L' || t_[p_] == 'l')) ++p_;  // Python 2 long
      v.i = x;
    } else {
      fail(fmt::format("a Python literal at byte {} (found '{}')", p_, c));
    }
    return v;
  }
  std::string str() {
    char q = t_[p_++];
    std::string out;
    while (p_ < t_.size() && t_[p_] != q) {
      if (t_[p_] == '\\') {
        if (++p_ >= t_.size()) break;
      }
      out += t_[p_++];
      if (out.size() > 1024) fail("strings of at most 1024 characters");
    }
    if (p_ >= t_.size()) fail("a closing quote");
    ++p_;
    return out;
  }

  const Source& src_;
  std::string_view t_;
  std::size_t p_ = 0;
};

struct Descr {
  DType dtype;
  bool big_endian;
};

Descr parse_descr(const Source& src, const std::string& d) {
  const std::string field = "header.descr";
  if (d.empty()) throw MalformedFile(src.name(), field, "a dtype string such as '<f4'", "InvalidHeader");
  char order = d[0];
  std::string code = d;
  if (order == '<' || order == '>' || order == '|' || order == '=') code = d.substr(1);
  else order = '=';
  if (code.find('O') != std::string::npos)
    throw MalformedFile(src.name(), field,
                        "a numeric dtype; object arrays are pickles and are never loaded",
                        "ObjectDType");
  static const std::map<std::string, DType> codes = {
      {"f8", DType::F64}, {"f4", DType::F32}, {"f2", DType::F16}, {"i8", DType::I64},
      {"i4", DType::I32}, {"i2", DType::I16}, {"i1", DType::I8},  {"u8", DType::U64},
      {"u4", DType::U32}, {"u2", DType::U16}, {"u1", DType::U8},  {"b1", DType::BOOL},
      {"?", DType::BOOL}, {"d", DType::F64},  {"f", DType::F32},  {"e", DType::F16},
      {"B", DType::U8},   {"b", DType::I8}};
  auto it = codes.find(code);
  if (it == codes.end())
    throw MalformedFile(src.name(), field,
                        fmt::format("a supported numeric dtype (f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1), got '{}'", d),
                        "UnsupportedDType");
  DType t = it->second;
  if (dtype_size(t) > 1 && order == '|')
    throw MalformedFile(src.name(), field, fmt::format("a byte order '<' or '>' for '{}'", d),
                        "InvalidHeader");
  return {t, order == '>'};
}

// Fortran (column-major) bytes -> C (row-major) bytes.
std::vector<std::byte> fortran_to_c(const std::vector<std::byte>& in, const std::vector<int64_t>& shape,
                                    std::size_t es) {
  const std::size_t nd = shape.size();
  if (nd <= 1 || in.empty()) return in;
  std::vector<std::byte> out(in.size());
  std::vector<std::size_t> fstride(nd);
  std::size_t s = 1;
  for (std::size_t k = 0; k < nd; ++k) { fstride[k] = s; s *= std::size_t(shape[k]); }
  std::vector<int64_t> idx(nd, 0);
  const std::size_t n = in.size() / es;
  std::size_t foff = 0;  // fortran element offset of idx
  for (std::size_t c = 0; c < n; ++c) {
    std::memcpy(out.data() + c * es, in.data() + foff * es, es);
    for (std::size_t k = nd; k-- > 0;) {  // increment the C-order index (last fastest)
      if (++idx[k] < shape[k]) { foff += fstride[k]; break; }
      foff -= fstride[k] * std::size_t(idx[k] - 1);
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace

RawTensor read_npy(const Source& src) {
  const uint64_t len = src.size();
  if (len < 10)
    throw MalformedFile(src.name(), "magic", fmt::format("at least 10 bytes, the file has {}", len),
                        "FileTooSmall");
  unsigned char pre[12] = {};
  src.read(0, std::span<std::byte>(reinterpret_cast<std::byte*>(pre), std::min<uint64_t>(12, len)));
  if (std::memcmp(pre, kMagic, 6) != 0)
    throw MalformedFile(src.name(), "magic", "the bytes \\x93NUMPY", "BadMagic");
  const int major = pre[6], minor = pre[7];
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    throw MalformedFile(src.name(), "version", fmt::format("1.0, 2.0 or 3.0, got {}.{}", major, minor),
                        "UnsupportedVersion");
  uint64_t hlen, hstart;
  if (major == 1) {
    hlen = uint64_t(pre[8]) | uint64_t(pre[9]) << 8;
    hstart = 10;
  } else {
    if (len < 12)
      throw MalformedFile(src.name(), "header length", "a 4-byte header length", "FileTooSmall");
    hlen = uint64_t(pre[8]) | uint64_t(pre[9]) << 8 | uint64_t(pre[10]) << 16 | uint64_t(pre[11]) << 24;
    hstart = 12;
  }
  if (hlen > kNpyMaxHeader)
    throw MalformedFile(src.name(), "header length",
                        fmt::format("at most {} bytes (numpy's limit), got {}", kNpyMaxHeader, hlen),
                        "HeaderTooLarge");
  if (hstart + hlen > len)
    throw MalformedFile(src.name(), "header length",
                        fmt::format("{} header bytes inside the file's {} bytes", hlen, len),
                        "InvalidHeaderLength");
  std::string header(std::size_t(hlen), '\0');
  src.read(hstart, std::span<std::byte>(reinterpret_cast<std::byte*>(header.data()), header.size()));
  if (major == 3 && detail::utf8_invalid_at(header) != std::string::npos)
    throw MalformedFile(src.name(), "header", "UTF-8 text (format 3.0)", "InvalidHeader");

  PyValue d = HeaderParser(src, header).parse();
  if (d.kind != PyValue::Dict)
    throw MalformedFile(src.name(), "header", "a dict {'descr', 'fortran_order', 'shape'}", "InvalidHeader");
  const PyValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (std::size_t ki = 0; ki < d.keys.size(); ++ki) {
    const std::string& k = d.keys[ki];
    const PyValue& v = d.items[ki];
    const PyValue** slot = k == "descr" ? &descr : k == "fortran_order" ? &fortran : k == "shape" ? &shape : nullptr;
    if (!slot)
      throw MalformedFile(src.name(), "header",
                          fmt::format("exactly the keys descr, fortran_order, shape (found '{}')", k),
                          "InvalidHeader");
    if (*slot)
      throw MalformedFile(src.name(), "header", fmt::format("the key '{}' once", k), "InvalidHeader");
    *slot = &v;
  }
  if (!descr || !fortran || !shape)
    throw MalformedFile(src.name(), "header", "the keys descr, fortran_order and shape", "InvalidHeader");
  if (descr->kind == PyValue::List)
    throw MalformedFile(src.name(), "header.descr",
                        "a plain numeric dtype; structured (record) dtypes are not supported",
                        "UnsupportedDType");
  if (descr->kind != PyValue::Str)
    throw MalformedFile(src.name(), "header.descr", "a dtype string such as '<f4'", "InvalidHeader");
  if (fortran->kind != PyValue::Bool)
    throw MalformedFile(src.name(), "header.fortran_order", "True or False", "InvalidHeader");
  if (shape->kind != PyValue::Tuple)
    throw MalformedFile(src.name(), "header.shape", "a tuple of non-negative integers", "InvalidHeader");
  Descr dd = parse_descr(src, descr->s);

  RawTensor t;
  t.dtype = dd.dtype;
  for (const auto& x : shape->items) {
    if (x.kind != PyValue::Int || x.i > uint64_t(INT64_MAX))
      throw MalformedFile(src.name(), "header.shape", "a tuple of non-negative integers", "InvalidHeader");
    t.shape.push_back(int64_t(x.i));
  }
  const uint64_t avail = len - hstart - hlen;
  const auto size = nbytes_of(t.shape, t.dtype);
  if (!size)
    throw MalformedFile(src.name(), "header.shape",
                        fmt::format("a size that fits in 2^62 bytes (shape ({}) x {} bytes overflows)",
                                    fmt::join(t.shape, ", "), dtype_size(t.dtype)),
                        "ValidationOverflow");
  const std::size_t nbytes = *size;
  if (nbytes != avail)
    throw MalformedFile(src.name(), "data",
                        fmt::format("{} data bytes for {} with shape ({}), the file has {}", nbytes,
                                    dtype_long_name(t.dtype), fmt::join(t.shape, ", "), avail),
                        nbytes > avail ? "DataTooShort" : "TrailingBytes");
  t.data.resize(nbytes);
  src.read(hstart + hlen, t.data);
  if (dd.big_endian) detail::byteswap_elements(t.data, dtype_size(t.dtype));
  if (fortran->b) t.data = fortran_to_c(t.data, t.shape, dtype_size(t.dtype));
  return t;
}

std::vector<std::byte> encode_npy(const RawTensor& t, const std::string& where) {
  const char* code = nullptr;
  switch (t.dtype) {
    case DType::F64: code = "<f8"; break;
    case DType::F32: code = "<f4"; break;
    case DType::F16: code = "<f2"; break;
    case DType::I64: code = "<i8"; break;
    case DType::I32: code = "<i4"; break;
    case DType::I16: code = "<i2"; break;
    case DType::I8: code = "|i1"; break;
    case DType::U64: code = "<u8"; break;
    case DType::U32: code = "<u4"; break;
    case DType::U16: code = "<u2"; break;
    case DType::U8: code = "|u1"; break;
    case DType::BOOL: code = "|b1"; break;
    case DType::BF16:
      throw InvalidInput(where, "dtype",
                         "a dtype numpy has; bfloat16 has none (cast with --dtype f32 or write .safetensors)",
                         "UnsupportedDType");
  }
  check_consistent(t, where);
  std::string shape = "(";
  for (std::size_t i = 0; i < t.shape.size(); ++i) {
    shape += std::to_string(t.shape[i]);
    if (t.shape.size() == 1 || i + 1 < t.shape.size()) shape += ",";
    if (i + 1 < t.shape.size()) shape += " ";
  }
  shape += ")";
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", code, shape);
  int major = 1;
  std::size_t prefix = 10;
  if ((header.size() + 1 + prefix + 63) / 64 * 64 - prefix > 65535) { major = 2; prefix = 12; }
  std::size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<std::byte> out(prefix + header.size() + t.data.size());
  std::memcpy(out.data(), kMagic, 6);
  out[6] = std::byte(major);
  out[7] = std::byte(0);
  uint64_t hl = header.size();
  for (std::size_t i = 0; i < prefix - 8; ++i) out[8 + i] = std::byte((hl >> (8 * i)) & 0xff);
  std::memcpy(out.data() + prefix, header.data(), header.size());
  if (!t.data.empty()) std::memcpy(out.data() + prefix + header.size(), t.data.data(), t.data.size());
  return out;
}

void write_npy(const std::string& path, const RawTensor& t) {
  write_file_atomic(path, encode_npy(t, path));
}

}  // namespace factorkit
