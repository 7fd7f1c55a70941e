#include "checkpoint.h"

#include <fmt/format.h>

#include <cctype>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/source.h"

namespace factorkit::esma {

namespace {

// as large as a search's own bounds: 10^9 left-hand sides, one hit per sign
// period (< 2^17 for lengths up to 16), depth 10^5, terms at <= 10^6 digits
constexpr int64_t kMaxItems = 1'000'000'000, kMaxHits = 1 << 17, kMaxTerms = 100'000, kMaxDigits = 2'000'000;

struct Reader {
  const std::string& name;
  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw MalformedFile(name, field, expected, "BadCheckpoint");
  }
  const nlohmann::json& get(const nlohmann::json& obj, const char* key, const std::string& path) const {
    auto it = obj.find(key);
    if (it == obj.end()) fail(path + key, "the field to be present");
    return *it;
  }
  int64_t integer(const nlohmann::json& v, const std::string& field, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer()) fail(field, fmt::format("an integer in [{}, {}]", lo, hi));
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                          ? INT64_MAX
                          : v.get<int64_t>();
    if (x < lo || x > hi) fail(field, fmt::format("an integer in [{}, {}], got {}", lo, hi, x));
    return x;
  }
  const nlohmann::json& array(const nlohmann::json& v, const std::string& field, int64_t max) const {
    if (!v.is_array()) fail(field, "an array");
    if (static_cast<int64_t>(v.size()) > max) fail(field, fmt::format("at most {} entries", max));
    return v;
  }
};

bool is_decimal_integer(const std::string& s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size() || static_cast<int64_t>(s.size()) > kMaxDigits) return false;
  if (s[i] == '0' && s.size() > i + 1) return false;  // canonical: no leading zeros
  if (s == "-0") return false;
  for (; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

}  // namespace

Checkpoint parse_checkpoint(std::string_view text, const std::string& name) {
  Reader r{name};
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) r.fail("(document)", "valid JSON (the file is truncated or not a checkpoint)");
  if (!j.is_object()) r.fail("(document)", "a JSON object");
  const auto& format = r.get(j, "format", "");
  if (!format.is_string() || format.get<std::string>() != "factorkit-esma-checkpoint")
    r.fail("format", "\"factorkit-esma-checkpoint\"");
  if (r.integer(r.get(j, "version", ""), "version", 1, 1) != 1) r.fail("version", "1");
  Checkpoint c;
  c.search = r.get(j, "search", "");
  if (!c.search.is_object()) r.fail("search", "an object with the search parameters");
  c.items = r.integer(r.get(j, "items", ""), "items", 0, kMaxItems);
  const auto& done = r.array(r.get(j, "done", ""), "done", c.items);
  int64_t previous = -1;
  for (size_t k = 0; k < done.size(); ++k) {
    const std::string at = fmt::format("done[{}].", k);
    const auto& d = done[k];
    if (!d.is_object()) r.fail(at.substr(0, at.size() - 1), "an object");
    CheckpointItem item;
    item.index = r.integer(r.get(d, "i", at), at + "i", 0, c.items - 1);
    if (item.index <= previous) r.fail(at + "i", fmt::format("an index above the previous one ({})", previous));
    previous = item.index;
    item.candidates = r.integer(r.get(d, "candidates", at), at + "candidates", 0, 1L << 40);
    item.zero_terms = r.integer(r.get(d, "zero_terms", at), at + "zero_terms", 0, item.candidates);
    item.precision_stops = r.integer(r.get(d, "precision_stops", at), at + "precision_stops", 0, item.candidates);
    const auto& hits = r.array(r.get(d, "hits", at), at + "hits", kMaxHits);
    for (size_t h = 0; h < hits.size(); ++h) {
      const std::string hat = fmt::format("{}hits[{}].", at, h);
      const auto& hj = hits[h];
      if (!hj.is_object()) r.fail(hat.substr(0, hat.size() - 1), "an object");
      CheckpointHit hit;
      hit.period = r.integer(r.get(hj, "period", hat), hat + "period", 0, 1L << 40);
      hit.L = r.integer(r.get(hj, "L", hat), hat + "L", 0, kMaxTerms);
      const auto& cs = r.array(r.get(hj, "c", hat), hat + "c", kMaxTerms + 1);
      if (static_cast<int64_t>(cs.size()) != hit.L + 1) r.fail(hat + "c", fmt::format("L + 1 = {} coefficients", hit.L + 1));
      for (size_t i = 0; i < cs.size(); ++i)
        hit.c.push_back(static_cast<long>(r.integer(cs[i], fmt::format("{}c[{}]", hat, i), -(1L << 62), 1L << 62)));
      if (hit.c[0] != 1) r.fail(hat + "c[0]", "1");
      const auto& ts = r.array(r.get(hj, "terms", hat), hat + "terms", kMaxTerms);
      if (static_cast<int64_t>(ts.size()) < hit.L) r.fail(hat + "terms", fmt::format("at least L = {} terms", hit.L));
      for (size_t i = 0; i < ts.size(); ++i) {
        if (!ts[i].is_string() || !is_decimal_integer(ts[i].get<std::string>()))
          r.fail(fmt::format("{}terms[{}]", hat, i), "a decimal integer as a string, e.g. \"-12\"");
        hit.terms.push_back(ts[i].get<std::string>());
      }
      item.hits.push_back(std::move(hit));
    }
    c.done.push_back(std::move(item));
  }
  return c;
}

Checkpoint read_checkpoint(const std::string& path) {
  FileSource src(path);
  if (src.size() > (uint64_t{1} << 31)) throw MalformedFile(path, "(size)", "a checkpoint below 2 GiB", "BadCheckpoint");
  const auto bytes = src.read_vector(0, static_cast<size_t>(src.size()));
  return parse_checkpoint(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

std::string format_checkpoint(const Checkpoint& c) {
  nlohmann::json done = nlohmann::json::array();
  for (const auto& item : c.done) {
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& h : item.hits) hits.push_back({{"period", h.period}, {"c", h.c}, {"L", h.L}, {"terms", h.terms}});
    done.push_back({{"i", item.index},
                    {"candidates", item.candidates},
                    {"zero_terms", item.zero_terms},
                    {"precision_stops", item.precision_stops},
                    {"hits", hits}});
  }
  nlohmann::json j{{"format", "factorkit-esma-checkpoint"},
                   {"version", 1},
                   {"search", c.search},
                   {"items", c.items},
                   {"done", done}};
  return j.dump() + "\n";
}

void write_checkpoint(const std::string& path, const Checkpoint& c) { write_file_atomic(path, format_checkpoint(c)); }

}  // namespace factorkit::esma
