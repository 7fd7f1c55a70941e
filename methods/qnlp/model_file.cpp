// Model files and training checkpoints of the QNLP pipeline (JSON).
#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/source.h"
#include "pipeline.h"

namespace factorkit::qnlp {

namespace qc = factorkit::category::circuit;
using nlohmann::json;

namespace {

constexpr const char* kModelFormat = "factorkit-qnlp-model";
constexpr const char* kCheckpointFormat = "factorkit-qnlp-checkpoint";

// strict reading: every key known, every required key present, each of its type
class Reader {
 public:
  Reader(const json& j, std::string where, std::string path) : j_(j), where_(std::move(where)), path_(std::move(path)) {
    if (!j_.is_object()) throw bad("", "a JSON object");
  }
  MalformedFile bad(const std::string& key, const std::string& expected) const {
    const std::string field = path_.empty() ? (key.empty() ? "document" : key) : (key.empty() ? path_ : path_ + "." + key);
    return MalformedFile(where_, field, expected, "BadModelFile");
  }
  void only(std::initializer_list<const char*> keys) const {
    const std::set<std::string> ok(keys.begin(), keys.end());
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!ok.count(it.key())) throw bad(it.key(), "no such field (known: " + fmt::format("{}", fmt::join(ok, ", ")) + ")");
  }
  const json& get(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end()) throw bad(key, "this field (missing)");
    return *it;
  }
  bool has(const char* key) const { return j_.contains(key); }
  std::string str(const char* key) const {
    const json& v = get(key);
    if (!v.is_string()) throw bad(key, "a string");
    return v.get<std::string>();
  }
  bool boolean(const char* key) const {
    const json& v = get(key);
    if (!v.is_boolean()) throw bad(key, "true or false");
    return v.get<bool>();
  }
  std::uint64_t count(const char* key, std::uint64_t max = std::uint64_t(1) << 53) const {
    const json& v = get(key);
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max) throw bad(key, fmt::format("an integer 0 … {}", max));
    return v.get<std::uint64_t>();
  }
  double number(const char* key) const { return number_of(get(key), key); }
  double number_of(const json& v, const std::string& key) const {
    if (!v.is_number() || !std::isfinite(v.get<double>())) throw bad(key, "a finite number");
    return v.get<double>();
  }
  std::vector<double> numbers(const char* key) const {
    const json& v = get(key);
    if (!v.is_array()) throw bad(key, "an array of numbers");
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(number_of(v[i], fmt::format("{}[{}]", key, i)));
    return out;
  }
  std::vector<std::string> strings(const char* key) const {
    const json& v = get(key);
    if (!v.is_array()) throw bad(key, "an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) throw bad(fmt::format("{}[{}]", key, i), "a string");
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }
  Reader object(const char* key) const { return Reader(get(key), where_, path_.empty() ? key : path_ + "." + key); }
  const json& raw() const { return j_; }
  const std::string& where() const { return where_; }

 private:
  const json& j_;
  std::string where_, path_;
};

json parse_json(std::string_view text, const std::string& where) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw MalformedFile(where, "document", "JSON", "BadModelFile");
  return j;
}

void check_format(const Reader& r, const char* format) {
  if (r.str("format") != format) throw r.bad("format", fmt::format("\"{}\"", format));
  if (r.count("version") != 1) throw r.bad("version", "1");
}

}  // namespace

std::string format_model(const Model& m) {
  const PipelineOptions& o = m.options();
  json qubits = json::object();
  for (const auto& [name, k] : o.ansatz.qubits) qubits[name] = k;
  json params = json::object();
  for (std::size_t k = 0; k < m.parameters().size(); ++k) params[m.parameters()[k]] = m.weights()[k];
  const json j{{"format", kModelFormat},
               {"version", 1},
               {"ansatz", qc::ansatz_kind_name(o.ansatz.kind)},
               {"layers", o.ansatz.layers},
               {"single_qubit_params", o.ansatz.single_qubit_params},
               {"qubits", qubits},
               {"remove_cups", o.remove_cups},
               {"target", o.target},
               {"lexicon", m.lexicon_text()},
               {"parameters", params}};
  return j.dump(1) + "\n";
}

Model parse_model(std::string_view text, const std::string& where) {
  const json j = parse_json(text, where);
  const Reader r(j, where, "");
  r.only({"format", "version", "ansatz", "layers", "single_qubit_params", "qubits", "remove_cups", "target", "lexicon",
          "parameters"});
  check_format(r, kModelFormat);
  PipelineOptions o;
  try {
    o.ansatz.kind = qc::parse_ansatz_kind(r.str("ansatz"));
  } catch (const InvalidInput&) {
    throw r.bad("ansatz", "iqp, sim14 or sim15");
  }
  o.ansatz.layers = r.count("layers", 64);
  o.ansatz.single_qubit_params = r.count("single_qubit_params", 64);
  const Reader q = r.object("qubits");
  o.ansatz.qubits.clear();
  for (auto it = q.raw().begin(); it != q.raw().end(); ++it) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 8) throw q.bad(it.key(), "a number of qubits 0 … 8");
    o.ansatz.qubits[it.key()] = it->get<std::size_t>();
  }
  o.remove_cups = r.boolean("remove_cups");
  o.target = r.str("target");
  Model m(r.str("lexicon"), where + " (lexicon)", o);
  const Reader p = r.object("parameters");
  std::vector<std::pair<std::string, double>> values;
  for (auto it = p.raw().begin(); it != p.raw().end(); ++it) values.emplace_back(it.key(), p.number_of(*it, it.key()));
  m.set_parameters(values);
  return m;
}

Model read_model(const std::string& path) { return parse_model(read_file_text(path, std::size_t(1) << 28), path); }

void write_model(const std::string& path, const Model& m) { write_file_atomic(path, format_model(m)); }

json history_json(const std::vector<EpochRecord>& h) {
  json history = json::array();
  for (const EpochRecord& e : h)
    history.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"train_acc", e.train_acc},
                       {"dev_loss", e.dev_loss}, {"dev_acc", e.dev_acc}, {"seconds", e.seconds}});
  return history;
}

std::string format_checkpoint(const Checkpoint& c) {
  const json history = history_json(c.history);
  const json j{{"format", kCheckpointFormat}, {"version", 1},           {"optimizer", c.optimizer},
               {"seed", c.seed},              {"batch_size", c.batch_size}, {"epochs", c.epochs},
               {"patience", c.patience},      {"train_size", c.train_size}, {"learning_rate", c.learning_rate},
               {"spsa_a", c.spsa_a},          {"spsa_c", c.spsa_c},     {"spsa_A", c.spsa_A},
               {"stopped", c.stopped},
               {"epoch", c.epoch},            {"step", c.step},         {"parameters", c.parameters},
               {"weights", c.weights},        {"adam_m", c.adam_m},     {"adam_v", c.adam_v},
               {"best_weights", c.best_weights}, {"best_epoch", c.best_epoch}, {"best_dev_acc", c.best_dev_acc},
               {"best_dev_loss", c.best_dev_loss}, {"since_best", c.since_best}, {"rng", c.rng},
               {"history", history}};
  return j.dump() + "\n";
}

Checkpoint parse_checkpoint(std::string_view text, const std::string& where) {
  const json j = parse_json(text, where);
  const Reader r(j, where, "");
  r.only({"format", "version", "optimizer", "seed", "batch_size", "epochs", "patience", "train_size", "learning_rate",
          "spsa_a", "spsa_c", "spsa_A", "stopped", "epoch", "step", "parameters", "weights", "adam_m", "adam_v",
          "best_weights", "best_epoch", "best_dev_acc", "best_dev_loss", "since_best", "rng", "history"});
  check_format(r, kCheckpointFormat);
  Checkpoint c;
  c.optimizer = r.str("optimizer");
  if (c.optimizer != "spsa" && c.optimizer != "adam") throw r.bad("optimizer", "spsa or adam");
  c.seed = r.count("seed", ~std::uint64_t(0));
  c.batch_size = r.count("batch_size");
  c.epochs = r.count("epochs");
  c.patience = r.count("patience");
  c.train_size = r.count("train_size");
  c.learning_rate = r.number("learning_rate");
  c.spsa_a = r.number("spsa_a");
  c.spsa_c = r.number("spsa_c");
  c.spsa_A = r.number("spsa_A");
  c.stopped = r.boolean("stopped");
  c.epoch = r.count("epoch");
  c.step = r.count("step");
  c.parameters = r.strings("parameters");
  c.weights = r.numbers("weights");
  c.adam_m = r.numbers("adam_m");
  c.adam_v = r.numbers("adam_v");
  c.best_weights = r.numbers("best_weights");
  c.best_epoch = r.count("best_epoch");
  c.best_dev_acc = r.number("best_dev_acc");
  c.best_dev_loss = r.number("best_dev_loss");
  c.since_best = r.count("since_best");
  c.rng = r.str("rng");
  {
    std::mt19937_64 rng;
    std::istringstream in(c.rng);
    in >> rng;
    if (in.fail() || !(in >> std::ws).eof()) throw r.bad("rng", "a generator state (mt19937_64, this C++ library's text form)");
  }
  if (c.epoch > c.epochs) throw r.bad("epoch", fmt::format("at most the {} epochs of the run", c.epochs));
  if (c.best_epoch > c.epoch) throw r.bad("best_epoch", fmt::format("an epoch done (at most {})", c.epoch));
  const std::size_t n = c.parameters.size();
  if (c.weights.size() != n) throw r.bad("weights", fmt::format("{} values (one per parameter)", n));
  if (c.adam_m.size() != n || c.adam_v.size() != n) throw r.bad("adam_m", fmt::format("{} values (one per parameter)", n));
  if (!c.best_weights.empty() && c.best_weights.size() != n)
    throw r.bad("best_weights", fmt::format("none or {} values (one per parameter)", n));
  const json& h = r.get("history");
  if (!h.is_array() || h.size() != c.epoch) throw r.bad("history", fmt::format("an array of {} epochs", c.epoch));
  for (std::size_t i = 0; i < h.size(); ++i) {
    const Reader e(h[i], where, fmt::format("history[{}]", i));
    e.only({"epoch", "train_loss", "train_acc", "dev_loss", "dev_acc", "seconds"});
    EpochRecord rec;
    rec.epoch = e.count("epoch");
    if (rec.epoch != i + 1) throw e.bad("epoch", std::to_string(i + 1));
    rec.train_loss = e.number("train_loss");
    rec.train_acc = e.number("train_acc");
    rec.dev_loss = e.number("dev_loss");
    rec.dev_acc = e.number("dev_acc");
    rec.seconds = e.number("seconds");
    c.history.push_back(rec);
  }
  return c;
}

}  // namespace factorkit::qnlp
