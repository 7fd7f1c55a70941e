// factorkit/nn/trainer.h — the one training loop every method uses.
//
// A task gives batches by (epoch, batch) and says how to score them; the loop
// does the rest: AdamW with warmup + cosine, gradient clipping, evaluation
// every N steps or each epoch, metrics (loss, accuracy, perplexity), early
// stopping on a monitored metric, a progress bar with loss and samples/s,
// checkpoints that resume exactly where a run stopped, and a deterministic
// mode (seeded, threads pinned, deterministic kernels).
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "factorkit/nn/optim.h"

namespace factorkit::nn {

// What one batch gives: its mean loss and what the metrics need.
struct BatchResult {
  at::Tensor loss;               // scalar; requires grad when training
  std::int64_t samples = 0;      // examples in the batch (samples/s, loss weights)
  std::int64_t correct = -1;     // correct predictions (-1: the task has no accuracy)
  std::int64_t predictions = 0;  // what `correct` counts out of
  std::int64_t tokens = 0;       // tokens the loss averages (> 0: perplexity is reported)
};

using Metrics = std::map<std::string, double>;

// Sums BatchResults into metrics: "loss" (weighted by tokens when given, else
// by samples), "accuracy" (when counted), "perplexity" (e^loss, when tokens
// are given).
class MetricSum {
 public:
  void add(const BatchResult& r);
  Metrics metrics() const;
  std::int64_t samples() const noexcept { return samples_; }

 private:
  double loss_sum_ = 0, weight_ = 0;
  std::int64_t samples_ = 0, correct_ = 0, predictions_ = 0, tokens_ = 0;
  bool has_accuracy_ = false;
};

struct Task {
  std::int64_t batches_per_epoch = 0;
  // Forward pass and loss of a training batch (the model is in train mode).
  // Must depend only on (epoch, batch) and the model, so resumed runs repeat.
  std::function<BatchResult(std::int64_t epoch, std::int64_t batch)> train_batch;
  // Held-out metrics (the model is in eval mode, gradients off); optional.
  std::function<Metrics()> evaluate;
  // What else makes this run this run (data, augmentation, limits, model
  // settings): stored in checkpoints, and a checkpoint of a task that differs
  // is not resumed. The loop adds its own settings.
  nlohmann::json identity = nlohmann::json::object();
};

struct EvalRecord {
  std::int64_t step = 0, epoch = 0;
  double lr = 0, train_loss = 0;  // mean training loss since the previous record
  Metrics metrics;
  double seconds = 0;  // since the run (or resumed run) started
};

struct TrainOptions {
  std::int64_t epochs = 1;
  std::int64_t max_steps = 0;  // > 0: stop after this many steps in total (the schedule's length)
  AdamWOptions adamw;
  bool decay_vectors = false;  // weight decay on biases and norm scales too
  std::int64_t warmup_steps = 0;
  double lr_floor = 0.0;   // the cosine ends at lr · lr_floor
  double clip_norm = 1.0;  // 0: no clipping
  std::int64_t eval_every = 0;  // steps; 0: at the end of each epoch
  std::string monitor = "loss";  // the metric early stopping and "best" follow
  bool maximize = false;         // true for accuracy
  int patience = 0;              // evaluations without improvement before stopping; 0: never stop early
  bool restore_best = true;      // end with the best evaluated parameters
  // Checkpoints: empty folder name = none. Written at every evaluation and
  // every `checkpoint_every` steps (0: evaluations only).
  std::string checkpoint_dir;
  std::int64_t checkpoint_every = 0;
  int keep = 2;
  bool resume = true;          // continue from checkpoint_dir's latest when there is one
  std::int64_t halt_after = 0;  // > 0: stop (checkpointed) after this many steps in this call
  bool deterministic = false;  // seed, pin threads, deterministic kernels
  int threads = 0;             // deterministic mode pins this many (0: the current count)
  std::uint64_t seed = 0;
  std::string label = "train";
  std::function<void(const EvalRecord&)> on_eval;
};

struct TrainReport {
  std::int64_t steps = 0;          // total steps done (including a resumed part)
  std::int64_t resumed_from = -1;  // the step a checkpoint restored, or −1
  bool stopped_early = false, halted = false;
  std::vector<EvalRecord> history;
  EvalRecord best;
  bool has_best = false;
  double samples_per_second = 0;  // training throughput of this call (forward + backward + step)
  double seconds = 0;
};

// A fresh run seeds LibTorch's default generator with options.seed (dropout
// and anything else drawing from it); a resumed run restores the generator's
// state from the checkpoint instead. Errors: InvalidInput for bad options or a
// checkpoint of another run, MalformedFile for a damaged checkpoint,
// NumericalFailure when the loss stops being finite.
TrainReport train(torch::nn::Module& model, const Task& task, const TrainOptions& options);

nlohmann::json to_json(const EvalRecord& r);

}  // namespace factorkit::nn
