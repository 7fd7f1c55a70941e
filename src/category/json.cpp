// Diagrams as JSON: a strict reader (every field checked, errors name it) and a writer.
#include "factorkit/category/json.h"

#include <nlohmann/json.hpp>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/source.h"

namespace factorkit::category {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxLegs = 1 << 16;      // per spider
constexpr std::size_t kMaxFileBytes = 1 << 28;  // 256 MiB
constexpr std::int64_t kMaxWinding = 64;        // objects and boxes: x.l.l... at most 64 deep

struct Reader {
  const std::string& where;

  [[noreturn]] void fail(const std::string& field, const std::string& expected, const char* code = "BadDiagram") const {
    throw MalformedFile(where, field, expected, code);
  }

  Ob ob(const json& j, const std::string& field) const {
    if (j.is_string()) {
      try {
        return parse_ob(j.get<std::string>(), field);
      } catch (const InvalidInput&) {
        fail(field, "an object: a name with optional .l/.r suffixes, e.g. \"n\", \"n.l\"");
      }
    }
    if (j.is_object()) {
      if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
        fail(field + ".name", "a non-empty string");
      std::int64_t z = 0;
      if (j.contains("z")) {
        if (!j["z"].is_number_integer()) fail(field + ".z", "an integer winding number");
        z = j["z"].get<std::int64_t>();
        if (z < -kMaxWinding || z > kMaxWinding) fail(field + ".z", "a winding number within ±64");
      }
      for (const auto& [k, v] : j.items())
        if (k != "name" && k != "z") fail(field + "." + k, "only \"name\" and \"z\"");
      return Ob(j["name"].get<std::string>(), std::int32_t(z));
    }
    fail(field, "an object name (string) or {\"name\", \"z\"}");
  }

  Ty ty(const json& j, const std::string& field) const {
    if (!j.is_array()) fail(field, "an array of objects");
    std::vector<Ob> obs;
    obs.reserve(j.size());
    for (std::size_t k = 0; k < j.size(); ++k) obs.push_back(ob(j[k], field + "[" + std::to_string(k) + "]"));
    return Ty(std::move(obs));
  }

  const json& need(const json& j, const char* key, const std::string& field) const {
    if (!j.contains(key)) fail(field + "." + key, "present");
    return j[key];
  }

  std::size_t count(const json& j, const std::string& field, std::size_t max) const {
    if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0))
      fail(field, "a non-negative integer");
    const auto v = j.get<std::uint64_t>();
    if (v > max) fail(field, "at most " + std::to_string(max));
    return std::size_t(v);
  }

  Box box(const json& j, const std::string& field) const {
    if (!j.is_object()) fail(field, "an object describing a box");
    std::string kind = "box";
    if (j.contains("kind")) {
      if (!j["kind"].is_string()) fail(field + ".kind", "a string");
      kind = j["kind"].get<std::string>();
    }
    // the keys each kind may have; anything else is an error, not ignored
    const std::vector<std::string> keys =
        kind == "box"      ? std::vector<std::string>{"kind", "name", "dom", "cod", "z", "dagger", "data", "param"}
        : kind == "word"   ? std::vector<std::string>{"kind", "name", "cod", "dom", "z", "dagger"}
        : kind == "cup"    ? std::vector<std::string>{"kind", "dom"}
        : kind == "cap"    ? std::vector<std::string>{"kind", "cod"}
        : kind == "swap"   ? std::vector<std::string>{"kind", "dom"}
        : kind == "spider" ? std::vector<std::string>{"kind", "legs", "ob"}
                           : std::vector<std::string>{};
    if (keys.empty()) fail(field + ".kind", "one of box, word, cup, cap, swap, spider");
    for (const auto& item : j.items())
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
        std::string list;
        for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
        fail(field + "." + item.key(), "only " + list + " for a " + kind);
      }
    auto two = [&](const char* key) {
      const Ty t = ty(need(j, key, field), field + "." + key);
      if (t.size() != 2) fail(field + "." + key, "exactly two objects");
      return t;
    };
    try {
      if (kind == "cup") {
        const Ty t = two("dom");
        return cup(t[0], t[1]);
      }
      if (kind == "cap") {
        const Ty t = two("cod");
        return cap(t[0], t[1]);
      }
      if (kind == "swap") {
        const Ty t = two("dom");
        return swap(t[0], t[1]);
      }
    } catch (const AxiomError& e) {
      fail(field, e.expected(), "BadDiagram");
    }
    if (kind == "spider") {
      const json& legs = need(j, "legs", field);
      if (!legs.is_array() || legs.size() != 2) fail(field + ".legs", "[inputs, outputs]");
      return spider(count(legs[0], field + ".legs[0]", kMaxLegs), count(legs[1], field + ".legs[1]", kMaxLegs),
                    ob(need(j, "ob", field), field + ".ob"));
    }
    const json& name = need(j, "name", field);
    if (!name.is_string()) fail(field + ".name", "a string");
    // dom and cod are the generator's; the dagger and then z half-turns apply to it
    std::int64_t z = 0;
    if (j.contains("z")) {
      if (!j["z"].is_number_integer()) fail(field + ".z", "an integer");
      z = j["z"].get<std::int64_t>();
      if (z < -kMaxWinding || z > kMaxWinding) fail(field + ".z", "a winding number within ±64");
    }
    bool dagger = false;
    if (j.contains("dagger")) {
      if (!j["dagger"].is_boolean()) fail(field + ".dagger", "true or false");
      dagger = j["dagger"].get<bool>();
    }
    const Ty cod = ty(need(j, "cod", field), field + ".cod");
    Box b = word(name.get<std::string>(), cod);
    if (kind == "word") {
      if (j.contains("dom") && !(j["dom"].is_array() && j["dom"].empty()))
        fail(field + ".dom", "absent or [] (a word is a state)");
    } else {
      const Ty dom = ty(need(j, "dom", field), field + ".dom");
      std::vector<double> data;
      if (j.contains("data")) {
        const json& d = j["data"];
        if (!d.is_array()) fail(field + ".data", "an array of numbers");
        for (std::size_t k = 0; k < d.size(); ++k) {
          if (!d[k].is_number()) fail(field + ".data[" + std::to_string(k) + "]", "a number");
          data.push_back(d[k].get<double>());
        }
      }
      Symbol param;
      if (j.contains("param")) {
        if (!j["param"].is_string() || j["param"].get<std::string>().empty())
          fail(field + ".param", "a non-empty parameter name");
        param = Symbol(j["param"].get<std::string>());
      }
      b = Box(name.get<std::string>(), dom, cod, std::move(data), param);
    }
    if (dagger) b = b.dagger();
    for (std::int64_t k = 0; k < (z < 0 ? -z : z); ++k) b = z < 0 ? b.l() : b.r();
    return b;
  }
};

json ob_json(const Ob& o) {
  const std::string& n = o.name.str();
  // the string form "name.l.r" only when it reads back unambiguously
  const bool plain = !n.empty() && n.back() != '.' &&
                     !(n.size() >= 2 && n[n.size() - 2] == '.' && (n.back() == 'l' || n.back() == 'r'));
  if (plain) return o.str();
  return json{{"name", n}, {"z", o.z}};
}

json ty_json(const Ty& t) {
  json a = json::array();
  for (const Ob& o : t) a.push_back(ob_json(o));
  return a;
}

json box_json(const Box& b) {
  json j;
  switch (b.kind()) {
    case BoxKind::Cup:
      return json{{"kind", "cup"}, {"dom", ty_json(b.dom())}};
    case BoxKind::Cap:
      return json{{"kind", "cap"}, {"cod", ty_json(b.cod())}};
    case BoxKind::Swap:
      return json{{"kind", "swap"}, {"dom", ty_json(b.dom())}};
    case BoxKind::Spider:
      return json{{"kind", "spider"},
                  {"legs", {b.dom().size(), b.cod().size()}},
                  {"ob", ob_json(b.spider_object())}};
    default: {
      // the generator's types, then the dagger and the winding number
      const Box g = b.generator();
      if (b.kind() == BoxKind::Word)
        j = json{{"kind", "word"}, {"name", b.name()}, {"cod", ty_json(g.cod())}};
      else
        j = json{{"name", b.name()}, {"dom", ty_json(g.dom())}, {"cod", ty_json(g.cod())}};
      if (b.z()) j["z"] = b.z();
      if (b.is_dagger()) j["dagger"] = true;
      if (!b.data().empty()) j["data"] = b.data();
      if (b.param().id() != 0) j["param"] = b.param().str();
      return j;
    }
  }
}

}  // namespace

Ob parse_ob(std::string_view text, const std::string& where) {
  std::int32_t z = 0;
  std::string_view s = text;
  std::size_t suffixes = 0;
  while (s.size() >= 2 && s[s.size() - 2] == '.' && (s.back() == 'l' || s.back() == 'r')) {
    z += s.back() == 'l' ? -1 : 1;
    s.remove_suffix(2);
    if (++suffixes > std::size_t(kMaxWinding))
      throw InvalidInput(where, "object", "at most 64 .l/.r suffixes", "BadObject");
  }
  if (s.empty() || s.back() == '.')
    throw InvalidInput(where, std::string(text), "an object name (not ending in '.') followed by optional .l/.r suffixes",
                       "BadObject");
  return Ob(s, z);
}

DiagramDocument parse_diagram_json(std::string_view text, const std::string& where) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw MalformedFile(where, "byte " + std::to_string(e.byte), "valid JSON", "BadJson");
  } catch (const json::exception& e) {  // e.g. a number out of the double range
    throw MalformedFile(where, "document", std::string("valid JSON (") + e.what() + ")", "BadJson");
  }
  Reader r{where};
  if (!j.is_object()) r.fail("document", "a JSON object");
  if (!j.contains("format") || j["format"] != "factorkit.diagram")
    r.fail("format", "\"factorkit.diagram\"", "BadFormat");
  if (!j.contains("version") || j["version"] != 1) r.fail("version", "1", "BadVersion");
  for (const auto& [k, v] : j.items())
    if (k != "format" && k != "version" && k != "dom" && k != "cod" && k != "boxes" && k != "layers" && k != "dims")
      r.fail(k, "only format, version, dom, cod, boxes, layers, dims");
  const Ty dom = r.ty(r.need(j, "dom", "document"), "dom");
  const json& boxes_j = r.need(j, "boxes", "document");
  if (!boxes_j.is_array()) r.fail("boxes", "an array of boxes");
  std::vector<Box> boxes;
  for (std::size_t k = 0; k < boxes_j.size(); ++k) boxes.push_back(r.box(boxes_j[k], "boxes[" + std::to_string(k) + "]"));
  const json& layers_j = r.need(j, "layers", "document");
  if (!layers_j.is_array()) r.fail("layers", "an array of [box index, offset] pairs");
  std::vector<Layer> layers;
  layers.reserve(layers_j.size());
  for (std::size_t k = 0; k < layers_j.size(); ++k) {
    const std::string field = "layers[" + std::to_string(k) + "]";
    const json& l = layers_j[k];
    if (!l.is_array() || l.size() != 2) r.fail(field, "a pair [box index, offset]");
    const std::size_t b = r.count(l[0], field + "[0]", boxes.empty() ? 0 : boxes.size() - 1);
    if (boxes.empty()) r.fail(field + "[0]", "an index into boxes (there are none)");
    const std::size_t off = r.count(l[1], field + "[1]", 0xffffffffu);
    layers.push_back(Layer{boxes[b], std::uint32_t(off)});
  }
  DiagramDocument doc;
  Ty cod;
  const bool has_cod = j.contains("cod");
  if (has_cod) cod = r.ty(j["cod"], "cod");
  try {
    doc.diagram = Diagram::decode(dom, std::move(layers), has_cod ? &cod : nullptr);
  } catch (const AxiomError& e) {
    r.fail(e.where() == "diagram" ? e.field() : e.where(), e.expected(), "NotComposable");
  }
  if (j.contains("dims")) {
    const json& d = j["dims"];
    if (!d.is_object()) r.fail("dims", "an object {name: dimension}");
    for (const auto& [k, v] : d.items()) {
      const std::size_t n = r.count(v, "dims." + k, std::size_t(1) << 31);
      if (n == 0) r.fail("dims." + k, "a positive dimension");
      doc.dims[k] = std::int64_t(n);
    }
  }
  return doc;
}

DiagramDocument read_diagram_json(const std::string& path) {
  const std::vector<std::byte> bytes = read_file_bytes(path, kMaxFileBytes);
  return parse_diagram_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

std::string diagram_to_json(const Diagram& d, const std::map<std::string, std::int64_t>& dims, int indent) {
  json boxes = json::array(), layers = json::array();
  std::unordered_map<std::uint32_t, std::size_t> index;
  for (const Layer& l : d.layers()) {
    auto [it, fresh] = index.emplace(l.box.id(), boxes.size());
    if (fresh) boxes.push_back(box_json(l.box));
    layers.push_back({it->second, l.offset});
  }
  json j{{"format", "factorkit.diagram"}, {"version", 1}, {"dom", ty_json(d.dom())},
         {"cod", ty_json(d.cod())},        {"boxes", boxes}, {"layers", layers}};
  if (!dims.empty()) j["dims"] = dims;
  if (indent < 0) return j.dump();
  // readable and still compact: one line per key, one line per box
  std::string out = "{\n";
  const char* keys[] = {"format", "version", "dom", "cod", "dims", "boxes", "layers"};
  bool first = true;
  for (const char* k : keys) {
    if (!j.contains(k)) continue;
    out += first ? "" : ",\n";
    first = false;
    out += std::string(std::size_t(indent), ' ') + json(k).dump() + ": ";
    if (std::string(k) == "boxes" && !boxes.empty()) {
      out += "[\n";
      for (std::size_t b = 0; b < boxes.size(); ++b)
        out += std::string(std::size_t(2 * indent), ' ') + boxes[b].dump() + (b + 1 < boxes.size() ? ",\n" : "\n");
      out += std::string(std::size_t(indent), ' ') + "]";
    } else {
      out += j[k].dump();
    }
  }
  return out + "\n}";
}

void write_diagram_json(const std::string& path, const Diagram& d, const std::map<std::string, std::int64_t>& dims) {
  write_file_atomic(path, diagram_to_json(d, dims, 2) + "\n");
}

}  // namespace factorkit::category
