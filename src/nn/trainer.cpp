// The training loop.
#include "factorkit/nn/trainer.h"

#include <ATen/ATen.h>
#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>

#include "factorkit/core/error.h"
#include "factorkit/core/progress.h"
#include "factorkit/nn/checkpoint.h"

namespace factorkit::nn {

void MetricSum::add(const BatchResult& r) {
  const double w = r.tokens > 0 ? double(r.tokens) : double(r.samples);
  loss_sum_ += r.loss.item<double>() * w;
  weight_ += w;
  samples_ += r.samples;
  tokens_ += r.tokens;
  if (r.correct >= 0) {
    has_accuracy_ = true;
    correct_ += r.correct;
    predictions_ += r.predictions;
  }
}

Metrics MetricSum::metrics() const {
  Metrics m;
  if (weight_ > 0) m["loss"] = loss_sum_ / weight_;
  if (has_accuracy_ && predictions_ > 0) m["accuracy"] = double(correct_) / double(predictions_);
  if (tokens_ > 0 && weight_ > 0) m["perplexity"] = std::exp(loss_sum_ / weight_);
  return m;
}

nlohmann::json to_json(const EvalRecord& r) {
  return {{"step", r.step}, {"epoch", r.epoch}, {"lr", r.lr}, {"train_loss", r.train_loss}, {"metrics", r.metrics},
          {"seconds", r.seconds}};
}

namespace {

EvalRecord record_from_json(const nlohmann::json& j) {
  EvalRecord r;
  r.step = j.at("step").get<std::int64_t>();
  r.epoch = j.at("epoch").get<std::int64_t>();
  // JSON has no NaN or infinity: nlohmann writes them as null
  auto number = [](const nlohmann::json& v) { return v.is_null() ? std::nan("") : v.get<double>(); };
  r.lr = number(j.at("lr"));
  r.train_loss = number(j.at("train_loss"));
  for (const auto& [k, v] : j.at("metrics").items()) r.metrics[k] = number(v);
  r.seconds = number(j.at("seconds"));
  return r;
}

void check_options(const Task& task, const TrainOptions& o) {
  auto bad = [](const std::string& field, const std::string& expected) {
    throw InvalidInput("training", field, expected, "BadOption");
  };
  if (task.batches_per_epoch < 1 || !task.train_batch) bad("task", "at least one batch per epoch and a train_batch function");
  if (o.epochs < 1 && o.max_steps < 1) bad("epochs / max steps", "at least one epoch or one step");
  if (o.epochs < 0 || o.max_steps < 0 || o.warmup_steps < 0 || o.eval_every < 0 || o.checkpoint_every < 0 ||
      o.halt_after < 0)
    bad("step counts", "non-negative (epochs, max steps, warmup, eval every, checkpoint every, halt after)");
  if (!(o.adamw.lr > 0) || !std::isfinite(o.adamw.lr)) bad("learning rate", "a positive number");
  if (!(o.lr_floor >= 0 && o.lr_floor <= 1)) bad("lr floor", "a fraction in [0, 1]");
  if (!(o.clip_norm >= 0) || !std::isfinite(o.clip_norm)) bad("clip norm", "0 (off) or a positive number");
  if (o.patience < 0) bad("patience", "0 (off) or a positive count");
  if (o.threads < 0) bad("threads", "0 (current) or a positive count");
}

bool better(double a, double b, bool maximize) { return maximize ? a > b : a < b; }

}  // namespace

TrainReport train(torch::nn::Module& model, const Task& task, const TrainOptions& o) {
  check_options(task, o);
  const std::int64_t per_epoch = task.batches_per_epoch;
  const std::int64_t total = o.max_steps > 0 ? o.max_steps : o.epochs * per_epoch;
  // deterministic kernels for this run only (the caller's setting comes back)
  struct DeterministicScope {
    bool was = at::globalContext().deterministicAlgorithms();
    bool warn = at::globalContext().deterministicAlgorithmsWarnOnly();
    ~DeterministicScope() { at::globalContext().setDeterministicAlgorithms(was, warn); }
  } deterministic_scope;
  if (o.deterministic) {
    if (o.threads > 0) at::set_num_threads(o.threads);
    at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  }
  const int threads = at::get_num_threads();

  const NamedTensors params = module_parameters(model);
  std::vector<at::Tensor> trainable;
  for (const auto& [n, p] : params)
    if (p.requires_grad()) trainable.push_back(p);
  AdamW opt(params, o.adamw, o.decay_vectors);

  const nlohmann::json identity = {{"batches_per_epoch", per_epoch},
                                   {"total_steps", total},
                                   {"seed", o.seed},
                                   {"lr", o.adamw.lr},
                                   {"betas", {o.adamw.beta1, o.adamw.beta2}},
                                   {"eps", o.adamw.eps},
                                   {"weight_decay", o.adamw.weight_decay},
                                   {"decay_vectors", o.decay_vectors},
                                   {"warmup", o.warmup_steps},
                                   {"lr_floor", o.lr_floor},
                                   {"clip_norm", o.clip_norm},
                                   {"eval_every", o.eval_every},
                                   {"monitor", o.monitor},
                                   {"maximize", o.maximize},
                                   {"patience", o.patience},
                                   {"restore_best", o.restore_best},
                                   {"deterministic", o.deterministic},
                                   {"task", task.identity}};

  TrainReport rep;
  std::int64_t step = 0, epoch = 0, batch = 0, bad_evals = 0;
  double run_loss = 0;
  std::int64_t run_count = 0;
  std::optional<NamedTensors> best_params;
  std::optional<CheckpointDir> ckpt;
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  if (!o.checkpoint_dir.empty()) ckpt.emplace(o.checkpoint_dir, o.keep);

  std::optional<std::string> latest = ckpt && o.resume ? ckpt->latest() : std::nullopt;
  if (latest) {
    CheckpointDir::Saved s = ckpt->load(*latest);
    const std::string json_path = *latest + "/trainer.json";
    const nlohmann::json& st = s.state;
    try {
      if (st.at("identity") != identity)
        throw InvalidInput(o.checkpoint_dir, "checkpoint",
                           fmt::format("a run with the same settings (it has {}, this run {}); use another checkpoint "
                                       "folder or --no-resume to start afresh",
                                       st.at("identity").dump(), identity.dump()),
                           "CheckpointMismatch");
      if (o.deterministic && st.at("threads").get<int>() != threads)
        throw InvalidInput(o.checkpoint_dir, "threads",
                           fmt::format("{} threads, as the run that wrote it (deterministic mode)", st.at("threads").get<int>()),
                           "CheckpointMismatch");
      step = st.at("step").get<std::int64_t>();
      epoch = st.at("epoch").get<std::int64_t>();
      batch = st.at("batch").get<std::int64_t>();
      bad_evals = st.at("bad_evals").get<std::int64_t>();
      run_loss = st.at("run_loss").get<double>();
      run_count = st.at("run_count").get<std::int64_t>();
      for (const auto& r : st.at("history")) rep.history.push_back(record_from_json(r));
      if (st.contains("best")) rep.best = record_from_json(st.at("best")), rep.has_best = true;
      rep.stopped_early = st.value("stopped_early", false);
    } catch (const nlohmann::json::exception& e) {
      throw MalformedFile(json_path, "fields", std::string("a factorkit checkpoint state (") + e.what() + ")", "BadCheckpoint");
    }
    if (step < 0 || step > total || batch < 0 || batch >= per_epoch || epoch < 0)
      throw MalformedFile(json_path, "step / epoch / batch", "a position inside the run", "BadCheckpoint");
    assign_tensors(module_tensors(model), s.model, *latest + "/model.safetensors");
    NamedTensors opt_state;
    at::Tensor rng;
    for (auto& [n, t] : s.trainer) {
      if (n == "rng.torch_cpu")
        rng = t;
      else
        opt_state.emplace_back(n, t);
    }
    if (!rng.defined() || rng.scalar_type() != at::kByte)
      throw MalformedFile(*latest + "/trainer.safetensors", "rng.torch_cpu", "the generator state (uint8)", "MissingTensor");
    opt.load_state(opt_state, *latest + "/trainer.safetensors");
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      try {
        gen.set_state(rng);
      } catch (const c10::Error&) {
        throw MalformedFile(*latest + "/trainer.safetensors", "rng.torch_cpu", "a CPU generator state", "BadValue");
      }
    }
    if (o.restore_best && !s.best.empty()) {
      best_params = module_tensors(model);
      for (auto& [n, t] : *best_params) t = t.detach().clone();
      assign_tensors(*best_params, s.best, *latest + "/best.safetensors");
    }
    rep.resumed_from = step;
  } else {
    if (ckpt) ckpt->clear();  // a fresh run in a folder with an old run's checkpoints
    at::manual_seed(o.seed);
  }

  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  double train_seconds = 0;
  std::int64_t train_samples = 0, steps_this_call = 0;

  auto save = [&] {
    if (!ckpt) return;
    CheckpointDir::Saved s;
    s.model = module_tensors(model);
    s.trainer = opt.state();
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      s.trainer.emplace_back("rng.torch_cpu", gen.get_state());
    }
    nlohmann::json hist = nlohmann::json::array();
    for (const auto& r : rep.history) hist.push_back(to_json(r));
    s.state = {{"format", "factorkit-checkpoint"}, {"version", 1}, {"identity", identity}, {"threads", threads},
               {"step", step},   {"epoch", epoch},   {"batch", batch},   {"bad_evals", bad_evals},
               {"run_loss", run_loss}, {"run_count", run_count}, {"history", hist}, {"stopped_early", rep.stopped_early}};
    if (rep.has_best) s.state["best"] = to_json(rep.best);
    if (best_params) s.best = *best_params;
    ckpt->save(step, s);
  };

  auto evaluate = [&]() {
    EvalRecord r;
    r.step = step;
    r.epoch = epoch;
    r.lr = warmup_cosine(std::max<std::int64_t>(0, step - 1), o.warmup_steps, total, o.adamw.lr, o.lr_floor);
    r.train_loss = run_count > 0 ? run_loss / double(run_count) : std::nan("");
    run_loss = 0;
    run_count = 0;
    if (task.evaluate) {
      model.eval();
      {
        at::NoGradGuard no_grad;
        r.metrics = task.evaluate();
      }
      model.train();
    }
    r.seconds = elapsed();
    rep.history.push_back(r);
    if (task.evaluate) {
      auto it = r.metrics.find(o.monitor);
      if (it == r.metrics.end()) {
        std::string names;
        for (const auto& [k, v] : r.metrics) names += (names.empty() ? "" : ", ") + k;
        throw InvalidInput("training", "monitor " + o.monitor, "a metric the evaluation reports (" + names + ")", "BadOption");
      }
      if (!rep.has_best || better(it->second, rep.best.metrics.at(o.monitor), o.maximize)) {
        rep.best = r;
        rep.has_best = true;
        bad_evals = 0;
        if (o.restore_best) {
          best_params = module_tensors(model);
          for (auto& [n, t] : *best_params) t = t.detach().clone();
        }
      } else {
        ++bad_evals;
      }
      if (o.patience > 0 && bad_evals >= o.patience) rep.stopped_early = true;
    }
    if (o.on_eval) o.on_eval(r);
  };

  Progress bar(o.label, total);
  bar.set(step);
  model.train();
  bool done = step >= total || rep.stopped_early;
  while (!done) {
    const auto s0 = std::chrono::steady_clock::now();
    const double lr = warmup_cosine(step, o.warmup_steps, total, o.adamw.lr, o.lr_floor);
    for (const at::Tensor& p : trainable) p.mutable_grad() = at::Tensor();
    BatchResult r = task.train_batch(epoch, batch);
    const double loss = r.loss.item<double>();
    if (!std::isfinite(loss))
      throw NumericalFailure("training", fmt::format("loss at step {} (epoch {}, batch {})", step, epoch, batch),
                             "a finite loss (lower the learning rate or enable gradient clipping)", "Diverged");
    r.loss.backward();
    if (o.clip_norm > 0) clip_grad_norm(trainable, o.clip_norm);
    opt.step(lr);
    train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    train_samples += r.samples;
    run_loss += loss;
    ++run_count;
    ++step;
    ++steps_this_call;
    if (++batch == per_epoch) batch = 0, ++epoch;
    if (bar.enabled())
      bar.set_note(fmt::format("loss {:.4f} · {:.0f} samples/s", loss, double(train_samples) / std::max(1e-9, train_seconds)));
    bar.set(step);
    const bool epoch_end = batch == 0;
    const bool eval_due = o.eval_every > 0 ? step % o.eval_every == 0 : epoch_end;
    done = step >= total;
    if (eval_due || done) evaluate();
    if (rep.stopped_early) done = true;
    const bool halt = !done && o.halt_after > 0 && steps_this_call >= o.halt_after;
    if (eval_due || done || halt || (o.checkpoint_every > 0 && step % o.checkpoint_every == 0)) save();
    if (halt) {
      rep.halted = true;
      break;
    }
  }
  bar.finish();
  if (o.restore_best && best_params && !rep.halted) assign_tensors(module_tensors(model), *best_params, "the best parameters");
  rep.steps = step;
  rep.samples_per_second = train_seconds > 0 ? double(train_samples) / train_seconds : 0;
  rep.seconds = elapsed();
  return rep;
}

}  // namespace factorkit::nn
