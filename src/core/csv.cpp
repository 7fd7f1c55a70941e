// CSV of numbers. Every error names the line and column (1-based).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "element.h"

namespace factorkit {

namespace {

struct Field {
  std::string text;
  bool quoted;
  std::size_t line, col;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// Calls on_row(fields) for each non-blank row (RFC 4180 quoting), one row at a
// time, so memory stays at the text plus one row.
template <class OnRow>
void for_each_row(const std::string& name, std::string_view text, const CsvOptions& opt, OnRow on_row) {
  std::vector<Field> row;
  std::size_t i = 0, line = 1, col = 1;
  const std::size_t n = text.size();
  if (n >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 BOM
  while (i < n) {
    Field f{{}, false, line, col};
    if (text[i] == '"') {
      f.quoted = true;
      ++i;
      for (;;) {
        if (i >= n)
          throw MalformedFile(name, fmt::format("line {}, column {}", f.line, f.col), "a closing quote",
                              "UnterminatedQuote");
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') { f.text += '"'; i += 2; continue; }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        f.text += text[i++];
        if (f.text.size() > opt.max_field)
          throw MalformedFile(name, fmt::format("line {}, column {}", f.line, f.col),
                              fmt::format("fields of at most {} bytes", opt.max_field), "FieldTooLarge");
      }
      while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < n && text[i] != opt.delimiter && text[i] != '\n' && text[i] != '\r')
        throw MalformedFile(name, fmt::format("line {}, column {}", f.line, f.col),
                            "a delimiter or the end of the line after a closing quote", "BadQuote");
    } else {
      std::size_t start = i;
      while (i < n && text[i] != opt.delimiter && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"')
          throw MalformedFile(name, fmt::format("line {}, column {}", line, col),
                              "quotes only around a whole field", "BadQuote");
        ++i;
        if (i - start > opt.max_field)
          throw MalformedFile(name, fmt::format("line {}, column {}", line, col),
                              fmt::format("fields of at most {} bytes", opt.max_field), "FieldTooLarge");
      }
      f.text.assign(text.substr(start, i - start));
    }
    row.push_back(std::move(f));
    if (i < n && text[i] == opt.delimiter) {
      ++i;
      ++col;
      if (i >= n || text[i] == '\n' || text[i] == '\r') row.push_back(Field{{}, false, line, col});
      continue;
    }
    // end of line
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    bool blank = row.size() == 1 && !row[0].quoted && trim(row[0].text).empty();
    if (!blank) on_row(row);
    row.clear();
    ++line;
    col = 1;
  }
  if (!row.empty()) on_row(row);
}

bool looks_numeric(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  double d;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return true;
  if (r.ec == std::errc::result_out_of_range && r.ptr == s.data() + s.size()) return true;
  return ieq(s, "true") || ieq(s, "false");
}

// Parses a whole field as T (float or double), with one correct rounding.
template <class T>
T parse_real(const std::string& name, const Field& f, const char* b, const char* e, bool allow_nonfinite,
             const std::string& where) {
  T v;
  auto r = std::from_chars(b, e, v);
  if (r.ptr != e || (r.ec != std::errc() && r.ec != std::errc::result_out_of_range))
    throw MalformedFile(name, where, fmt::format("a number, got \"{}\"", f.text), "NonNumeric");
  if (r.ec == std::errc::result_out_of_range)
    throw MalformedFile(name, where, fmt::format("a value within {} range, got {}", sizeof(T) == 4 ? "float32" : "float64", f.text),
                        "OutOfRange");
  if (!std::isfinite(v) && !allow_nonfinite)
    throw MalformedFile(name, where, fmt::format("a finite number, got {}", f.text), "NonFinite");
  return v;
}

void parse_into(const std::string& name, const Field& f, DType dt, bool allow_nonfinite, std::byte* out) {
  using detail::Value;
  std::string_view s = trim(f.text);
  const std::string where = fmt::format("line {}, column {}", f.line, f.col);
  if (!s.empty() && s.front() == '+' && s.size() > 1 && s[1] != '-') s.remove_prefix(1);
  if (s.empty()) throw MalformedFile(name, where, "a number, got an empty field", "NonNumeric");
  const char* b = s.data();
  const char* e = s.data() + s.size();
  Value v;
  if (dt == DType::F32) {  // parsed as float directly: one rounding
    float x = parse_real<float>(name, f, b, e, allow_nonfinite, where);
    std::memcpy(out, &x, sizeof x);
    return;
  }
  if (dtype_is_float(dt)) {
    v = Value::of(parse_real<double>(name, f, b, e, allow_nonfinite, where));
  } else if (dt == DType::BOOL && (ieq(s, "true") || ieq(s, "false"))) {
    v = Value::of(uint64_t(ieq(s, "true") ? 1 : 0));
  } else {
    // Integers: exact parse when possible, else an integral float.
    int64_t iv;
    uint64_t uv;
    double dv;
    if (auto r = std::from_chars(b, e, iv); r.ec == std::errc() && r.ptr == e) v = Value::of(iv);
    else if (auto r2 = std::from_chars(b, e, uv); r2.ec == std::errc() && r2.ptr == e) v = Value::of(uv);
    else if (auto r3 = std::from_chars(b, e, dv); r3.ec == std::errc() && r3.ptr == e) v = Value::of(dv);
    else throw MalformedFile(name, where, fmt::format("a number ({}), got \"{}\"", dtype_long_name(dt), f.text), "NonNumeric");
  }
  if (!detail::store_value(dt, v, out))
    throw MalformedFile(name, where, fmt::format("a value representable as {}, got {}", dtype_long_name(dt), f.text),
                        "OutOfRange");
}

std::string quote_if_needed(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) { if (c == '"') o += '"'; o += c; }
  return o + "\"";
}

void append_value(std::string& out, const RawTensor& t, std::size_t i) {
  char buf[64];
  const std::byte* p = t.data.data() + i * dtype_size(t.dtype);
  auto emit_float = [&](auto v) {
    if (std::isnan(v)) { out += std::signbit(v) ? "-nan" : "nan"; return; }
    if (std::isinf(v)) { out += v < 0 ? "-inf" : "inf"; return; }
    auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
    out.append(buf, r.ptr);
  };
  auto emit_int = [&](auto v) {
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  };
  switch (t.dtype) {
    case DType::F64: { double v; std::memcpy(&v, p, 8); emit_float(v); break; }
    case DType::F32: { float v; std::memcpy(&v, p, 4); emit_float(v); break; }
    case DType::F16: { uint16_t h; std::memcpy(&h, p, 2); emit_float(half_to_float(h)); break; }
    case DType::BF16: { uint16_t h; std::memcpy(&h, p, 2); emit_float(bf16_to_float(h)); break; }
    case DType::I64: { int64_t v; std::memcpy(&v, p, 8); emit_int(v); break; }
    case DType::I32: { int32_t v; std::memcpy(&v, p, 4); emit_int(v); break; }
    case DType::I16: { int16_t v; std::memcpy(&v, p, 2); emit_int(v); break; }
    case DType::I8: { int8_t v; std::memcpy(&v, p, 1); emit_int(int(v)); break; }
    case DType::U64: { uint64_t v; std::memcpy(&v, p, 8); emit_int(v); break; }
    case DType::U32: { uint32_t v; std::memcpy(&v, p, 4); emit_int(v); break; }
    case DType::U16: { uint16_t v; std::memcpy(&v, p, 2); emit_int(v); break; }
    case DType::U8: { uint8_t v; std::memcpy(&v, p, 1); emit_int(unsigned(v)); break; }
    case DType::BOOL: { uint8_t v; std::memcpy(&v, p, 1); out += v ? '1' : '0'; break; }
  }
}

}  // namespace

CsvTable read_csv(const Source& src, const CsvOptions& opt) {
  const std::string& name = src.name();
  std::string text(std::size_t(src.size()), '\0');
  src.read(0, std::span<std::byte>(reinterpret_cast<std::byte*>(text.data()), text.size()));
  if (text.find('\0') != std::string::npos)
    throw MalformedFile(name, fmt::format("byte {}", text.find('\0')), "text without NUL bytes", "BinaryData");
  CsvTable table;
  RawTensor& t = table.values;
  t.dtype = opt.dtype;
  const std::size_t es = dtype_size(opt.dtype);
  std::size_t ncols = 0, nrows = 0;
  bool first = true, has_header = false;
  for_each_row(name, text, opt, [&](const std::vector<Field>& row) {
    if (first) {
      first = false;
      ncols = row.size();
      has_header = opt.header.value_or(
          std::any_of(row.begin(), row.end(), [](const Field& f) { return !looks_numeric(f.text); }));
      if (has_header) {
        for (const auto& f : row) table.columns.emplace_back(trim(f.text));
        return;
      }
    }
    if (row.size() != ncols)
      throw MalformedFile(name, fmt::format("line {}", row[0].line),
                          fmt::format("{} fields like the first {}, got {}", ncols,
                                      has_header ? "(header) row" : "row", row.size()),
                          "RaggedRow");
    t.data.resize((nrows + 1) * ncols * es);  // geometric growth: amortized O(1) per row
    std::byte* out = t.data.data() + nrows * ncols * es;
    for (std::size_t c = 0; c < ncols; ++c) parse_into(name, row[c], opt.dtype, opt.allow_nonfinite, out + c * es);
    ++nrows;
  });
  t.shape = {int64_t(nrows), int64_t(ncols)};
  return table;
}

std::string encode_csv(const RawTensor& t, const std::vector<std::string>& columns, const std::string& where) {
  if (t.shape.size() > 2)
    throw InvalidInput(where, "shape",
                       fmt::format("a 0-, 1- or 2-D tensor for CSV, got {} dimensions", t.shape.size()),
                       "BadDims");
  check_consistent(t, where);
  const std::size_t rows = t.shape.empty() ? 1 : std::size_t(t.shape[0]);
  const std::size_t cols = t.shape.size() == 2 ? std::size_t(t.shape[1]) : 1;
  if (!columns.empty() && columns.size() != cols)
    throw InvalidInput(where, "columns", fmt::format("{} column names, got {}", cols, columns.size()), "BadColumns");
  std::string out;
  out.reserve(rows * cols * 12 + 64);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (c) out += ',';
    out += quote_if_needed(columns[c]);
  }
  if (!columns.empty()) out += '\n';
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (c) out += ',';
      append_value(out, t, r * cols + c);
    }
    out += '\n';
  }
  return out;
}

void write_csv(const std::string& path, const RawTensor& t, const std::vector<std::string>& columns) {
  write_file_atomic(path, encode_csv(t, columns, path));
}

}  // namespace factorkit
