// The QNLP pipeline: sentence → pregroup parse (lexicon) → remove_cups → ansatz
// circuit → compiled state-vector program → outcome probabilities → binary
// cross-entropy, and training with SPSA (as lambeq) or Adam on exact
// gradients (the diagrammatic derivative of every parameterised gate).
#pragma once

#include <cstdint>
#include <functional>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data.h"
#include "factorkit/category/ansatz.h"
#include "factorkit/category/circuit_sim.h"
#include "factorkit/category/pregroup.h"

namespace factorkit::qnlp {

struct PipelineOptions {
  category::circuit::AnsatzOptions ansatz;  // kind, qubits per type, layers
  bool remove_cups = true;
  std::string target = "s";  // the sentence type
};

struct SentenceCircuit {
  std::string sentence;
  category::Diagram diagram;  // the pregroup diagram (after remove_cups when on)
  category::Diagram circuit;
  category::circuit::Program program;
  std::vector<std::size_t> params;  // the program's parameter k is the model's params[k]
};

class Model {
 public:
  // `lexicon` is a lexicon file's text (MalformedFile naming `lexicon_source`).
  Model(std::string lexicon, std::string lexicon_source, PipelineOptions options);

  // Parses and compiles a sentence; returns its index. New parameters are
  // added (value 0) when `new_parameters`, otherwise a sentence needing one
  // is refused, naming the word. Sentences must map to one qubit (two
  // outcomes: binary classification).
  std::size_t add(const std::string& sentence, bool new_parameters = true);
  // lambeq's order: parameters sorted by name (byte order).
  void sort_parameters();
  // Uniform on [0, 1) from a seeded generator, in parameter order (as lambeq's
  // np.random.rand after sorting).
  void initialise(std::uint64_t seed);
  // Values by name (a model file): every name must be new; they are kept for
  // the sentences added later (which then need no new parameters).
  void set_parameters(const std::vector<std::pair<std::string, double>>& values);

  const std::vector<std::string>& parameters() const noexcept { return names_; }
  std::vector<double>& weights() noexcept { return weights_; }
  const std::vector<double>& weights() const noexcept { return weights_; }
  const SentenceCircuit& sentence(std::size_t i) const { return sentences_.at(i); }
  std::size_t size() const noexcept { return sentences_.size(); }
  const PipelineOptions& options() const noexcept { return options_; }
  const std::string& lexicon_text() const noexcept { return lexicon_text_; }

  // Outcome probabilities of sentence i at weights w: |amplitude|² normalised
  // over the two outcomes (divided by max(1e-9, sum), as lambeq's models).
  std::array<double, 2> predict(std::size_t i, const double* w) const;

  // lambeq's BinaryCrossEntropyLoss: label t ↦ target (t, 1 − t) over the
  // outcomes (outcome 0 is label 1); y = p + 1e-9 renormalised;
  // −Σ target·log y, averaged over the batch. The exact gradient is added to
  // `grad` (size parameters()) when given. Accuracy: the label of the larger
  // probability.
  struct Score {
    double loss = 0, accuracy = 0;
  };
  Score score(const std::vector<std::size_t>& batch, const std::vector<int>& labels, const double* w,
              double* grad = nullptr) const;

 private:
  PipelineOptions options_;
  std::string lexicon_text_;
  category::Lexicon lexicon_;
  category::Ty target_;
  std::vector<SentenceCircuit> sentences_;
  std::vector<std::string> names_;
  std::map<std::string, std::size_t> index_;
  std::vector<double> weights_;
};

// A split as model sentence indices with labels.
struct Split {
  std::vector<std::size_t> items;
  std::vector<int> labels;
};
Split add_split(Model& model, const std::vector<Example>& examples, bool new_parameters = true);

struct TrainOptions {
  std::string optimizer = "spsa";  // "spsa" or "adam"
  std::size_t epochs = 120, batch_size = 30;
  std::uint64_t seed = 0;
  // SPSA (lambeq's defaults; A < 0 means 0.01 · epochs as the notebooks set it):
  // a_k = a / (k + A)^0.602, c_k = c / k^0.101, k counting batches from 1.
  double spsa_a = 0.2, spsa_c = 0.06, spsa_A = -1;
  // Adam on exact gradients
  double learning_rate = 0.05, beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
  // Early stopping on dev accuracy (ties: lower dev loss): stop after this many
  // epochs without improvement; 0 never stops. With a dev split, the best
  // epoch's weights are restored at the end.
  std::size_t patience = 0;
  std::string checkpoint;  // written atomically after every epoch when set
  bool resume = false;     // continue from `checkpoint` when it exists
  std::function<void(std::size_t epoch, double train_loss, double train_acc, double dev_loss, double dev_acc)> on_epoch;
};

struct EpochRecord {
  std::size_t epoch = 0;
  double train_loss = 0, train_acc = 0, dev_loss = 0, dev_acc = 0, seconds = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;
  std::size_t best_epoch = 0;  // 0: no dev split (the last weights are kept)
  bool stopped_early = false;
  bool resumed = false;
  double seconds = 0;  // this run's training time (without a resumed run's earlier part)
  Model::Score train, dev, test;  // at the final weights
};

// Trains model.weights() (initialised by the caller, or taken from the
// checkpoint when resuming).
TrainResult train(Model& model, const Split& train, const Split& dev, const Split& test, const TrainOptions& options);

// Model files: JSON with the pipeline options, the lexicon and the trained
// parameters by name (docs/formats.md). Reading is strict: MalformedFile
// naming the file and field.
std::string format_model(const Model& model);
Model parse_model(std::string_view text, const std::string& where);
Model read_model(const std::string& path);
void write_model(const std::string& path, const Model& model);

// Checkpoints: the run's settings, the weights, optimizer state, generator
// state, history and the best weights so far. parse_checkpoint validates the
// document alone; train() checks it against the model and options when
// resuming (CheckpointMismatch naming the field). The generator state is the
// C++ standard library's text form: a checkpoint resumes with the library that
// wrote it.
struct Checkpoint {
  // the run: resuming requires the same values
  std::string optimizer;
  std::uint64_t seed = 0;
  std::size_t batch_size = 0, epochs = 0, patience = 0, train_size = 0;
  double learning_rate = 0, spsa_a = 0, spsa_c = 0, spsa_A = 0;  // spsa_A resolved (0.01 · epochs by default)
  // the state
  std::size_t epoch = 0, step = 0;
  bool stopped = false;  // early stopping ended the run
  std::vector<std::string> parameters;
  std::vector<double> weights, adam_m, adam_v, best_weights;
  std::size_t best_epoch = 0;
  double best_dev_acc = -1, best_dev_loss = 0;
  std::size_t since_best = 0;
  std::string rng;
  std::vector<EpochRecord> history;
};
std::string format_checkpoint(const Checkpoint& c);
// One record per epoch (the checkpoint's and the results file's "history").
nlohmann::json history_json(const std::vector<EpochRecord>& history);
Checkpoint parse_checkpoint(std::string_view text, const std::string& where);

}  // namespace factorkit::qnlp
