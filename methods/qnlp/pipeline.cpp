// The QNLP model (sentences to compiled circuits, loss and exact gradient) and
// its training loop with SPSA or Adam, checkpoints and early stopping.
#include "pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <iterator>
#include <cmath>
#include <random>
#include <sstream>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/source.h"

namespace factorkit::qnlp {

namespace fc = factorkit::category;
namespace qc = factorkit::category::circuit;

namespace {

constexpr double kEps = 1e-9;  // lambeq's smoothing and normalisation floor

std::vector<double> gather(const SentenceCircuit& s, const double* w) {
  std::vector<double> x(s.params.size());
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = w[s.params[k]];
  return x;
}

}  // namespace

Model::Model(std::string lexicon, std::string lexicon_source, PipelineOptions options)
    : options_(std::move(options)),
      lexicon_text_(std::move(lexicon)),
      lexicon_(fc::parse_lexicon(lexicon_text_, lexicon_source)),
      target_(fc::parse_type(options_.target, "target type")) {
  const auto& a = options_.ansatz;
  if (a.layers > 64 || a.single_qubit_params > 64)
    throw InvalidInput("qnlp model", "layers / single-qubit parameters", "0 … 64 each", "BadOption");
  for (const auto& [name, k] : a.qubits)
    if (k > 8) throw InvalidInput("qnlp model", "qubits of " + name, "0 … 8 qubits per type", "BadOption");
}

std::size_t Model::add(const std::string& text, bool new_parameters) {
  fc::Diagram d = fc::parse_sentence(fc::tokenize(text), lexicon_, target_);
  if (options_.remove_cups) d = fc::remove_cups(d);
  fc::Diagram circuit = qc::ansatz(d, options_.ansatz);
  qc::Program program(circuit);
  if (program.outputs() != 1)
    throw InvalidInput("sentence \"" + text + "\"", "qubits of the sentence type " + options_.target,
                       fmt::format("one qubit (two outcomes, binary classification); it maps to {}", program.outputs()),
                       "BadAnsatz");
  std::vector<std::size_t> params;
  for (const fc::Symbol& s : program.params()) {
    const std::string name = s.str();
    auto it = index_.find(name);
    if (it == index_.end()) {
      if (!new_parameters)
        throw InvalidInput("sentence \"" + text + "\"", "parameter " + name,
                           "words the model was trained on, with the same types", "UnknownParameter");
      it = index_.emplace(name, names_.size()).first;
      names_.push_back(name);
      weights_.push_back(0);
    }
    params.push_back(it->second);
  }
  sentences_.push_back(SentenceCircuit{text, std::move(d), std::move(circuit), std::move(program), std::move(params)});
  return sentences_.size() - 1;
}

void Model::sort_parameters() {
  std::vector<std::size_t> order(names_.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return names_[a] < names_[b]; });
  std::vector<std::size_t> new_index(order.size());
  std::vector<std::string> names(order.size());
  std::vector<double> weights(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    new_index[order[k]] = k;
    names[k] = names_[order[k]];
    weights[k] = weights_[order[k]];
  }
  names_ = std::move(names);
  weights_ = std::move(weights);
  for (auto& [name, i] : index_) i = new_index[i];
  for (SentenceCircuit& s : sentences_)
    for (std::size_t& p : s.params) p = new_index[p];
}

void Model::set_parameters(const std::vector<std::pair<std::string, double>>& values) {
  for (const auto& [name, v] : values) {
    if (!index_.emplace(name, names_.size()).second)
      throw InvalidInput("model", "parameter " + name, "each parameter once", "DuplicateParameter");
    names_.push_back(name);
    weights_.push_back(v);
  }
}

void Model::initialise(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (double& w : weights_) w = double(rng() >> 11) * 0x1.0p-53;
}

std::array<double, 2> Model::predict(std::size_t i, const double* w) const {
  const SentenceCircuit& s = sentences_.at(i);
  const std::vector<double> x = gather(s, w);
  const auto a = s.program.amplitudes(x.data());
  const double q0 = std::norm(a[0]), q1 = std::norm(a[1]), d = std::max(kEps, q0 + q1);
  return {q0 / d, q1 / d};
}

Model::Score Model::score(const std::vector<std::size_t>& batch, const std::vector<int>& labels, const double* w,
                          double* grad) const {
  Score out;
  if (batch.empty()) return out;
  const double inv_b = 1.0 / double(batch.size());
  std::size_t correct = 0;
  for (std::size_t b = 0; b < batch.size(); ++b) {
    const SentenceCircuit& s = sentences_.at(batch[b]);
    const std::vector<double> x = gather(s, w);
    const auto a = s.program.amplitudes(x.data());
    const double q[2] = {std::norm(a[0]), std::norm(a[1])};
    const double sum = q[0] + q[1], d = std::max(kEps, sum);
    const double p[2] = {q[0] / d, q[1] / d};
    const double y[2] = {p[0] + kEps, p[1] + kEps}, z = y[0] + y[1];
    const double t[2] = {labels[b] == 1 ? 1.0 : 0.0, labels[b] == 1 ? 0.0 : 1.0};
    out.loss -= inv_b * (t[0] * std::log(y[0] / z) + t[1] * std::log(y[1] / z));
    correct += (p[0] > p[1] ? 1 : 0) == labels[b];
    if (!grad) continue;
    // chain: loss ← y ← p ← q = |a|² ← a ← weights
    const double dl_dp[2] = {-t[0] / y[0] + (t[0] + t[1]) / z, -t[1] / y[1] + (t[0] + t[1]) / z};
    double dl_dq[2];
    for (int m = 0; m < 2; ++m) {
      dl_dq[m] = 0;
      for (int o = 0; o < 2; ++o) {
        const double dp = sum > kEps ? (o == m ? 1 / sum : 0) - q[o] / (sum * sum) : (o == m ? 1 / kEps : 0);
        dl_dq[m] += dl_dp[o] * dp;
      }
    }
    const auto jac = s.program.jacobian(x.data());
    for (std::size_t k = 0; k < s.params.size(); ++k) {
      double g = 0;
      for (int m = 0; m < 2; ++m) g += dl_dq[m] * 2 * std::real(std::conj(a[std::size_t(m)]) * jac[2 * k + std::size_t(m)]);
      grad[s.params[k]] += inv_b * g;
    }
  }
  out.accuracy = double(correct) / double(batch.size());
  return out;
}

Split add_split(Model& model, const std::vector<Example>& examples, bool new_parameters) {
  Split s;
  for (const Example& e : examples) {
    s.items.push_back(model.add(e.sentence, new_parameters));
    s.labels.push_back(e.label);
  }
  return s;
}

namespace {

// Fisher–Yates with the generator's raw output: the same order on every platform
void shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

}  // namespace

TrainResult train(Model& model, const Split& tr, const Split& dev, const Split& test, const TrainOptions& o) {
  if (o.optimizer != "spsa" && o.optimizer != "adam")
    throw InvalidInput("train", "optimizer " + o.optimizer, "spsa or adam", "BadOption");
  if (o.batch_size == 0) throw InvalidInput("train", "batch size", "at least 1", "BadOption");
  if (tr.items.empty()) throw InvalidInput("train", "training split", "at least one sentence", "BadOption");
  auto positive = [](double x) { return std::isfinite(x) && x > 0; };
  if (!positive(o.spsa_a) || !positive(o.spsa_c) || !(std::isfinite(o.spsa_A)))
    throw InvalidInput("train", "SPSA a, c, A", "finite, with a > 0 and c > 0", "BadOption");
  if (!positive(o.learning_rate) || !(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1) ||
      !positive(o.adam_eps))
    throw InvalidInput("train", "Adam settings", "learning rate > 0, betas in [0, 1), eps > 0", "BadOption");
  for (const Split* s : {&tr, &dev, &test}) {
    if (s->labels.size() != s->items.size())
      throw InvalidInput("train", "split", "one label per sentence", "BadOption");
    for (std::size_t k = 0; k < s->items.size(); ++k)
      if (s->items[k] >= model.size() || (s->labels[k] != 0 && s->labels[k] != 1))
        throw InvalidInput("train", "split", "sentences of this model with labels 0 or 1", "BadOption");
  }
  if (o.resume && o.checkpoint.empty())
    throw InvalidInput("train", "resume", "a checkpoint file to resume from", "BadOption");
  const std::size_t P = model.parameters().size();
  std::vector<double>& w = model.weights();
  const double A = o.spsa_A < 0 ? 0.01 * double(o.epochs) : o.spsa_A;
  Checkpoint st;
  st.optimizer = o.optimizer;
  st.seed = o.seed;
  st.batch_size = o.batch_size;
  st.epochs = o.epochs;
  st.patience = o.patience;
  st.train_size = tr.items.size();
  st.learning_rate = o.learning_rate;
  st.spsa_a = o.spsa_a;
  st.spsa_c = o.spsa_c;
  st.spsa_A = A;
  st.parameters = model.parameters();
  st.adam_m.assign(P, 0);
  st.adam_v.assign(P, 0);
  std::mt19937_64 rng(o.seed);
  TrainResult res;
  if (o.resume && !o.checkpoint.empty() && std::ifstream(o.checkpoint).good()) {
    Checkpoint c = parse_checkpoint(read_file_text(o.checkpoint, std::size_t(1) << 30), o.checkpoint);
    auto mismatch = [&](const std::string& field, const std::string& expected) {
      return InvalidInput(o.checkpoint, field, expected + " (the checkpoint is from another run)", "CheckpointMismatch");
    };
    if (c.optimizer != o.optimizer) throw mismatch("optimizer", "optimizer " + o.optimizer);
    if (c.seed != o.seed) throw mismatch("seed", fmt::format("seed {}", o.seed));
    if (c.batch_size != o.batch_size) throw mismatch("batch_size", fmt::format("batch size {}", o.batch_size));
    if (c.epochs != o.epochs) throw mismatch("epochs", fmt::format("{} epochs", o.epochs));
    if (c.patience != o.patience) throw mismatch("patience", fmt::format("patience {}", o.patience));
    if (c.train_size != tr.items.size()) throw mismatch("train_size", fmt::format("{} training sentences", tr.items.size()));
    if (c.learning_rate != o.learning_rate || c.spsa_a != o.spsa_a || c.spsa_c != o.spsa_c || c.spsa_A != A)
      throw mismatch("learning_rate", "the same step sizes (learning rate, SPSA a, c, A)");
    if (c.parameters != model.parameters()) throw mismatch("parameters", "the model's parameters, by name");
    if (c.weights.size() != P || c.adam_m.size() != P || c.adam_v.size() != P ||
        (!c.best_weights.empty() && c.best_weights.size() != P))
      throw mismatch("weights", fmt::format("{} values per vector", P));
    std::istringstream rs(c.rng);
    rs >> rng;
    if (rs.fail()) throw MalformedFile(o.checkpoint, "rng", "a saved mt19937_64 state", "BadCheckpoint");
    w = c.weights;
    st = std::move(c);
    res.history = st.history;
    res.resumed = true;
    res.stopped_early = st.stopped;
  }
  std::vector<std::size_t> order = tr.items;
  std::vector<int> label_of(model.size(), 0);
  for (std::size_t k = 0; k < tr.items.size(); ++k) label_of[tr.items[k]] = tr.labels[k];
  std::vector<double> g(P), plus(P), minus(P), delta(P);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t epoch = st.epoch + 1; epoch <= o.epochs && !st.stopped; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    std::sort(order.begin(), order.end());
    shuffle(order, rng);
    for (std::size_t b0 = 0; b0 < order.size(); b0 += o.batch_size) {
      const std::vector<std::size_t> batch(order.begin() + std::ptrdiff_t(b0),
                                           order.begin() + std::ptrdiff_t(std::min(order.size(), b0 + o.batch_size)));
      std::vector<int> labels;
      for (std::size_t i : batch) labels.push_back(label_of[i]);
      ++st.step;
      const double k = double(st.step);
      if (o.optimizer == "spsa") {
        // only the parameters of this batch's circuits move
        std::vector<char> used(P, 0);
        for (std::size_t i : batch)
          for (std::size_t p : model.sentence(i).params) used[p] = 1;
        const double ak = o.spsa_a / std::pow(k + A, 0.602), ck = o.spsa_c / std::pow(k, 0.101);
        for (std::size_t p = 0; p < P; ++p) {
          delta[p] = (rng() & 1) ? 1.0 : -1.0;
          plus[p] = w[p] + ck * delta[p];
          minus[p] = w[p] - ck * delta[p];
        }
        const double lp = model.score(batch, labels, plus.data()).loss, lm = model.score(batch, labels, minus.data()).loss;
        for (std::size_t p = 0; p < P; ++p)
          if (used[p]) w[p] -= ak * (lp - lm) / (2 * ck * delta[p]);
      } else {
        std::fill(g.begin(), g.end(), 0.0);
        model.score(batch, labels, w.data(), g.data());
        const double c1 = 1 - std::pow(o.beta1, k), c2 = 1 - std::pow(o.beta2, k);
        for (std::size_t p = 0; p < P; ++p) {
          st.adam_m[p] = o.beta1 * st.adam_m[p] + (1 - o.beta1) * g[p];
          st.adam_v[p] = o.beta2 * st.adam_v[p] + (1 - o.beta2) * g[p] * g[p];
          w[p] -= o.learning_rate * (st.adam_m[p] / c1) / (std::sqrt(st.adam_v[p] / c2) + o.adam_eps);
        }
      }
    }
    for (double x : w)
      if (!std::isfinite(x))
        throw NumericalFailure("qnlp train", fmt::format("weights at epoch {}", epoch), "finite values (lower the step size)",
                               "Diverged");
    EpochRecord rec;
    rec.epoch = epoch;
    const Model::Score s_tr = model.score(tr.items, tr.labels, w.data());
    const Model::Score s_dev = model.score(dev.items, dev.labels, w.data());
    rec.train_loss = s_tr.loss, rec.train_acc = s_tr.accuracy, rec.dev_loss = s_dev.loss, rec.dev_acc = s_dev.accuracy;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.history.push_back(rec);
    res.history.push_back(rec);
    bool stop = false;
    if (!dev.items.empty()) {
      if (rec.dev_acc > st.best_dev_acc || (rec.dev_acc == st.best_dev_acc && rec.dev_loss < st.best_dev_loss)) {
        st.best_dev_acc = rec.dev_acc;
        st.best_dev_loss = rec.dev_loss;
        st.best_epoch = epoch;
        st.best_weights = w;
        st.since_best = 0;
      } else if (o.patience > 0 && ++st.since_best >= o.patience) {
        stop = true;
      }
    }
    st.stopped = stop;
    st.epoch = epoch;
    st.weights = w;
    if (!o.checkpoint.empty()) {
      std::ostringstream rs;
      rs << rng;
      st.rng = rs.str();
      write_file_atomic(o.checkpoint, format_checkpoint(st));
    }
    if (o.on_epoch) o.on_epoch(epoch, rec.train_loss, rec.train_acc, rec.dev_loss, rec.dev_acc);
    if (stop) {
      res.stopped_early = true;
      break;
    }
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!dev.items.empty() && !st.best_weights.empty()) {
    w = st.best_weights;
    res.best_epoch = st.best_epoch;
  }
  res.train = model.score(tr.items, tr.labels, w.data());
  res.dev = model.score(dev.items, dev.labels, w.data());
  res.test = model.score(test.items, test.labels, w.data());
  return res;
}

}  // namespace factorkit::qnlp
