// The index file's checks and the text-line readers (index_file.h).
#include "index_file.h"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <span>

#include "factorkit/core/error.h"

namespace factorkit::anncur {

namespace {

const RawTensor& need(const TensorFile& f, const std::string& path, const char* name, std::size_t dims, bool integer) {
  const RawTensor* t = f.find(name);
  if (!t) throw MalformedFile(path, name, "present (an index from `factorkit anncur index`)", "MissingTensor");
  const bool ok_type = integer ? t->dtype == DType::I64 : (t->dtype == DType::F32 || t->dtype == DType::F64);
  if (!ok_type || t->shape.size() != dims)
    throw MalformedFile(path, name, fmt::format("a {}-D {} tensor", dims, integer ? "int64" : "float32/float64"),
                        "BadTensor");
  return *t;
}

}  // namespace

IndexLayout check_index_file(const TensorFile& f, const std::string& path) {
  const auto fmt_it = f.metadata.find("format");
  if (fmt_it == f.metadata.end() || fmt_it->second != kIndexFormat)
    throw MalformedFile(path, "__metadata__.format", fmt::format("\"{}\" (an index from `factorkit anncur index`)", kIndexFormat),
                        "NotAnIndex");
  const auto& aq = need(f, path, "anchor_queries", 1, true);
  const auto& ai = need(f, path, "anchor_items", 1, true);
  const auto& r = need(f, path, "r", 2, false);
  const auto& u = need(f, path, "u", 2, false);
  const auto& e = need(f, path, "e", 2, false);
  IndexLayout L;
  L.anchor_queries = aq.shape[0];
  L.anchor_items = ai.shape[0];
  L.items = r.shape[1];
  if (L.anchor_queries < 1 || L.anchor_items < 1 || L.items < 1)
    throw MalformedFile(path, "anchor_items", "at least one anchor query, one anchor item and one item", "BadTensor");
  if (r.shape[0] != L.anchor_queries)
    throw MalformedFile(path, "r", fmt::format("{} rows (one per anchor query)", L.anchor_queries), "BadTensor");
  if (u.dtype != DType::F64 || u.shape[0] != L.anchor_items || u.shape[1] != L.anchor_queries)
    throw MalformedFile(path, "u", fmt::format("float64 of shape ({}, {})", L.anchor_items, L.anchor_queries), "BadTensor");
  if (e.shape[0] != L.anchor_items || e.shape[1] != L.items)
    throw MalformedFile(path, "e", fmt::format("shape ({}, {})", L.anchor_items, L.items), "BadTensor");
  std::set<double> seen;
  for (std::int64_t k = 0; k < L.anchor_items; ++k) {
    const double v = ai.element_as_double(std::size_t(k));
    if (!(v >= 0 && v < double(L.items)) || !seen.insert(v).second)
      throw MalformedFile(path, "anchor_items", fmt::format("distinct item ids in [0, {})", L.items), "BadTensor");
  }
  for (std::int64_t k = 0; k < L.anchor_queries; ++k)
    if (!(aq.element_as_double(std::size_t(k)) >= 0))
      throw MalformedFile(path, "anchor_queries", "non-negative query ids", "BadTensor");
  for (const RawTensor* t : {&r, &u, &e})
    for (std::int64_t k = 0; k < t->numel(); ++k)
      if (!std::isfinite(t->element_as_double(std::size_t(k))))
        throw MalformedFile(path, t == &r ? "r" : t == &u ? "u" : "e", "finite numbers", "BadTensor");
  const auto meta = f.metadata.find("anncur");
  try {
    if (meta == f.metadata.end()) throw nlohmann::json::other_error::create(501, "missing", nullptr);
    L.info = nlohmann::json::parse(meta->second, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > 16) throw nlohmann::json::other_error::create(502, "too deep", nullptr);
      return true;
    });
  } catch (const nlohmann::json::exception&) {
    throw MalformedFile(path, "__metadata__.anncur", "a JSON object (the index's settings)", "BadMetadata");
  }
  if (!L.info.is_object()) throw MalformedFile(path, "__metadata__.anncur", "a JSON object", "BadMetadata");
  return L;
}

std::vector<std::string> read_lines(const Source& src, const std::string& what) {
  const std::size_t n = src.size();
  if (n > (std::size_t(1) << 30))
    throw MalformedFile(src.name(), what, "at most 1 GiB of text", "TooLarge");
  std::string text(n, '\0');
  if (n) src.read(0, std::as_writable_bytes(std::span<char>(text.data(), n)));
  std::vector<std::string> lines;
  std::size_t start = 0, line_no = 1;
  while (start < n) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = n;
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = fmt::format("{} line {}", what, line_no);
    if (line.empty()) throw MalformedFile(src.name(), where, "a non-empty line", "EmptyLine");
    for (char c : line)
      if (c == '\0' || c == '\x01' || c == '\x02' || c == '\x03')
        throw MalformedFile(src.name(), where, "text without NUL or control bytes 0x01-0x03", "BadByte");
    lines.push_back(std::move(line));
    start = end + 1;
    ++line_no;
  }
  if (lines.empty()) throw MalformedFile(src.name(), what, "at least one line", "Empty");
  return lines;
}

void check_marked_query(const std::string& line, const std::string& file, const std::string& where) {
  const auto a = line.find("[[");
  const auto b = a == std::string::npos ? std::string::npos : line.find("]]", a + 2);
  if (a == std::string::npos || b == std::string::npos || b == a + 2 || line.find("[[", b) != std::string::npos)
    throw MalformedFile(file, where, "a sentence with its mention marked once as [[mention]]", "NoMention");
}

std::string item_text(const std::string& line) {
  const auto tab = line.find('\t');
  if (tab == std::string::npos) return line;
  return line.substr(0, tab) + ": " + line.substr(tab + 1);
}

}  // namespace factorkit::anncur
