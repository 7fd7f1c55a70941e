// Reference models: recipes, training, saving, loading, cache.
#include "factorkit/nn/reference.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/data/wordnet.h"
#include "factorkit/data/wordnet_tasks.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/tasks.h"

namespace fs = std::filesystem;

namespace factorkit::nn {

namespace {

constexpr std::int64_t kCnnValidation = 5000;  // the last training images, held out for model selection

nlohmann::json history_json(const TrainReport& r) {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& e : r.history) h.push_back(to_json(e));
  return h;
}

nlohmann::json training_json(const TrainReport& r, const TrainOptions& o, std::int64_t batch_size) {
  return {{"steps", r.steps},
          {"batch_size", batch_size},
          {"lr", o.adamw.lr},
          {"weight_decay", o.adamw.weight_decay},
          {"warmup_steps", o.warmup_steps},
          {"seed", o.seed},
          {"deterministic", o.deterministic},
          {"threads", at::get_num_threads()},
          {"samples_per_second", r.samples_per_second},
          {"seconds", r.seconds},
          {"resumed_from", r.resumed_from},
          {"stopped_early", r.stopped_early},
          {"history", history_json(r)}};
}

// model.safetensors first, model.json last: a folder with model.json is whole
void write_model(const std::string& dir, const torch::nn::Module& m, const nlohmann::json& info) {
  fs::create_directories(dir);
  save_module(m, dir + "/model.safetensors");
  write_file_atomic(dir + "/model.json", info.dump(1) + "\n");
}

TrainOptions with_checkpoints(TrainOptions o, const std::string& out_dir) {
  if (o.checkpoint_dir.empty()) o.checkpoint_dir = out_dir + "/checkpoints";
  return o;
}

ImageDataset rows(const ImageDataset& d, std::int64_t start, std::int64_t n) {
  ImageDataset out = d;
  out.images = d.images.narrow(0, start, n);
  out.labels = d.labels.narrow(0, start, n);
  return out;
}

nlohmann::json tokenizer_json(const Tokenizer& tok, const TokenizerOptions& o) {
  return {{"path", tok.path()}, {"vocab_size", tok.vocab_size()}, {"model_type", o.model_type}};
}

}  // namespace

nlohmann::json read_model_info(const std::string& dir) {
  const std::string path = dir + "/model.json";
  std::ifstream f(path);
  if (!f) throw InvalidInput(path, "file", "a trained model folder (factorkit train … --out DIR)", "FileNotFound");
  std::stringstream ss;
  ss << f.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ss.str(), nullptr, true, false);
  } catch (const nlohmann::json::exception& e) {
    throw MalformedFile(path, "JSON", std::string("valid JSON (") + e.what() + ")", "BadJson");
  }
  if (!j.is_object() || !j.contains("architecture")) throw MalformedFile(path, "architecture", "the model's architecture", "MissingField");
  return j;
}

namespace {
// A model folder: the architecture from model.json, then the weights.
template <class Module, class Options>
Module load_folder(const std::string& dir, Options (*from_json)(const nlohmann::json&, const std::string&)) {
  const nlohmann::json info = read_model_info(dir);
  Module m(from_json(info.at("architecture"), dir + "/model.json"));
  load_module(*m, dir + "/model.safetensors");
  m->eval();
  return m;
}
}  // namespace

std::string reference_model_dir(const std::string& name) { return cache_dir() + "/models/" + name; }

// ---- CNN ----------------------------------------------------------------------------

CnnRecipe cnn_recipe() {
  CnnRecipe r;
  r.train.epochs = 4;
  r.train.adamw.lr = 2e-3;
  r.train.adamw.weight_decay = 1e-4;
  r.train.warmup_steps = 200;
  r.train.clip_norm = 1.0;
  r.train.monitor = "accuracy";
  r.train.maximize = true;
  r.train.label = "train cnn";
  return r;
}

TrainedModel train_cnn(const CnnRecipe& rc, const std::string& out) {
  const ImageOptions io{true, rc.model.image_size == 28 ? 0 : rc.model.image_size, 0};
  const ImageDataset all = load_fashion_mnist("train", io, rc.data_dir);
  const ImageDataset test = load_fashion_mnist("test", io, rc.data_dir);
  if (all.images.size(2) != rc.model.image_size || rc.model.in_channels != 1 || rc.model.classes != 10)
    throw InvalidInput("train cnn", "model", "1 input channel, 10 classes and the images' size", "BadOption");
  if (all.size() <= kCnnValidation)
    throw InvalidInput(rc.data_dir, "training images",
                       fmt::format("more than {} (the last {} are held out for model selection), not {}", kCnnValidation,
                                   kCnnValidation, all.size()),
                       "BadDataset");
  const std::int64_t n_train = all.size() - kCnnValidation;
  const ImageDataset train = rows(all, 0, rc.limit > 0 ? std::min(rc.limit, n_train) : n_train);
  const ImageDataset valid = rows(all, n_train, kCnnValidation);
  at::manual_seed(rc.train.seed);
  Cnn model(rc.model);
  LoaderOptions lo;
  lo.batch_size = rc.batch_size;
  lo.seed = rc.train.seed;
  lo.augment = rc.augment;
  const ImageLoader loader(train, lo);
  const Forward fwd = [&](const at::Tensor& x) { return model->forward(x); };
  const TrainOptions o = with_checkpoints(rc.train, out);
  Task task = image_classification(fwd, loader, &valid);
  task.identity = {{"model", to_json(rc.model)},
                   {"data_dir", rc.data_dir},
                   {"train_images", train.size()},
                   {"batch_size", rc.batch_size},
                   {"augment", {rc.augment.crop_padding, rc.augment.horizontal_flip}}};
  TrainedModel tm{out, {}, nn::train(*model, task, o)};
  if (tm.report.halted) return tm;
  model->eval();
  Metrics test_m;
  {
    at::NoGradGuard g;
    test_m = evaluate_images(fwd, test);
  }
  tm.info = {{"architecture", to_json(rc.model)},
             {"data", {{"dataset", "fashion-mnist"}, {"dir", rc.data_dir}, {"train_images", train.size()},
                       {"validation_images", valid.size()}, {"mean", all.mean}, {"std", all.std},
                       {"augment", {{"crop_padding", rc.augment.crop_padding}, {"horizontal_flip", rc.augment.horizontal_flip}}}}},
             {"metrics", {{"test_accuracy", test_m.at("accuracy")}, {"test_loss", test_m.at("loss")},
                          {"validation_accuracy", tm.report.has_best ? tm.report.best.metrics.at("accuracy") : 0.0}}},
             {"training", training_json(tm.report, o, rc.batch_size)}};
  write_model(out, *model, tm.info);
  return tm;
}

Cnn load_cnn(const std::string& dir) { return load_folder<Cnn>(dir, cnn_options_from_json); }

// ---- encoder on supersenses -------------------------------------------------------------

EncoderRecipe encoder_recipe() {
  EncoderRecipe r;
  r.train.epochs = 2;
  r.train.adamw.lr = 1e-3;
  r.train.adamw.weight_decay = 0.01;
  r.train.warmup_steps = 200;
  r.train.monitor = "accuracy";
  r.train.maximize = true;
  r.train.label = "train transformer";
  return r;
}

namespace {
TextSet text_set(const Tokenizer& tok, const data::SupersenseTask& task, const std::vector<std::size_t>& idx,
                 std::int64_t max_len, std::int64_t limit) {
  TextSet s;
  for (std::size_t i : idx) {
    if (limit > 0 && std::int64_t(s.ids.size()) >= limit) break;
    s.ids.push_back(tok.encode_single(task.examples[i].text, std::size_t(max_len)));
    s.labels.push_back(task.examples[i].label);
  }
  return s;
}
}  // namespace

TrainedModel train_encoder(const EncoderRecipe& rc, const std::string& out) {
  if (rc.max_len < 3 || rc.max_len > rc.model.max_len)
    throw InvalidInput("train transformer", "max_len", fmt::format("3 … {} (the model's positions)", rc.model.max_len), "BadOption");
  const Tokenizer tok = wordnet_tokenizer(rc.tokenizer);
  const data::SupersenseTask task = data::supersense_task(data::read_wordnet());
  const TextSet train = text_set(tok, task, task.split.train, rc.max_len, rc.limit);
  const TextSet dev = text_set(tok, task, task.split.dev, rc.max_len, 0);
  const TextSet test = text_set(tok, task, task.split.test, rc.max_len, 0);
  EncoderOptions mo = rc.model;
  mo.vocab = tok.vocab_size();
  mo.classes = std::int64_t(task.classes.size());
  mo.pad_id = Tokenizer::kPad;
  at::manual_seed(rc.train.seed);
  TransformerEncoder model(mo);
  const Forward fwd = [&](const at::Tensor& x) { return model->forward(x); };
  const TrainOptions o = with_checkpoints(rc.train, out);
  Task loop_task = text_classification(fwd, train, &dev, rc.batch_size, o.seed);
  loop_task.identity = {{"model", to_json(mo)},
                   {"task", "wordnet-supersense"},
                   {"train", train.ids.size()},
                   {"max_len", rc.max_len},
                   {"batch_size", rc.batch_size},
                   {"tokenizer", tokenizer_json(tok, rc.tokenizer)}};
  TrainedModel tm{out, {}, nn::train(*model, loop_task, o)};
  if (tm.report.halted) return tm;
  model->eval();
  Metrics test_m;
  {
    at::NoGradGuard g;
    test_m = evaluate_text(fwd, test);
  }
  // the majority class of the training split: the floor to beat
  std::vector<std::int64_t> counts(task.classes.size());
  for (std::int64_t y : train.labels) ++counts[std::size_t(y)];
  std::int64_t majority = 0;
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > counts[std::size_t(majority)]) majority = std::int64_t(c);
  std::int64_t hits = 0;
  for (std::int64_t y : test.labels) hits += y == majority;
  tm.info = {{"architecture", to_json(mo)},
             {"tokenizer", tokenizer_json(tok, rc.tokenizer)},
             {"task", {{"name", "wordnet-supersense"}, {"classes", task.classes}, {"max_len", rc.max_len},
                       {"train", train.ids.size()}, {"dev", dev.ids.size()}, {"test", test.ids.size()}}},
             {"metrics", {{"test_accuracy", test_m.at("accuracy")}, {"test_loss", test_m.at("loss")},
                          {"majority_accuracy", double(hits) / double(std::max<std::size_t>(1, test.labels.size()))},
                          {"dev_accuracy", tm.report.has_best ? tm.report.best.metrics.at("accuracy") : 0.0}}},
             {"training", training_json(tm.report, o, rc.batch_size)}};
  write_model(out, *model, tm.info);
  return tm;
}

TransformerEncoder load_encoder(const std::string& dir) { return load_folder<TransformerEncoder>(dir, encoder_options_from_json); }

// ---- decoder LM --------------------------------------------------------------------------

LmRecipe lm_recipe() {
  LmRecipe r;
  r.train.max_steps = 800;
  r.train.adamw.lr = 2e-3;
  r.train.adamw.weight_decay = 0.01;
  r.train.warmup_steps = 100;
  r.train.lr_floor = 0.1;
  r.train.eval_every = 200;
  r.train.label = "train lm";
  return r;
}

TrainedModel train_lm(const LmRecipe& rc, const std::string& out) {
  if (rc.seq_len < 1 || rc.seq_len > rc.model.max_len)
    throw InvalidInput("train lm", "sequence length", fmt::format("1 … {} (the model's positions)", rc.model.max_len), "BadOption");
  const Tokenizer tok = wordnet_tokenizer(rc.tokenizer);
  data::TextCorpus corpus = data::text_corpus(data::read_wordnet());
  if (rc.limit > 0 && std::size_t(rc.limit) < corpus.train.size()) corpus.train.resize(std::size_t(rc.limit));
  const at::Tensor train_s = token_stream(tok, corpus.train), valid_s = token_stream(tok, corpus.valid),
                   test_s = token_stream(tok, corpus.test);
  DecoderOptions mo = rc.model;
  mo.vocab = tok.vocab_size();
  at::manual_seed(rc.train.seed);
  DecoderLM model(mo);
  const LmLoader loader(train_s, rc.seq_len, rc.batch_size, rc.train.seed);
  const Forward fwd = [&](const at::Tensor& x) { return model->forward(x); };
  const TrainOptions o = with_checkpoints(rc.train, out);
  Task task = language_modelling(fwd, loader, &valid_s);
  task.identity = {{"model", to_json(mo)},
                   {"corpus", "wordnet-text"},
                   {"train_lines", corpus.train.size()},
                   {"seq_len", rc.seq_len},
                   {"batch_size", rc.batch_size},
                   {"tokenizer", tokenizer_json(tok, rc.tokenizer)}};
  TrainedModel tm{out, {}, nn::train(*model, task, o)};
  if (tm.report.halted) return tm;
  model->eval();
  Metrics valid_m, test_m;
  {
    at::NoGradGuard g;
    valid_m = evaluate_lm(fwd, valid_s, rc.seq_len);
    test_m = evaluate_lm(fwd, test_s, rc.seq_len);
  }
  tm.info = {{"architecture", to_json(mo)},
             {"tokenizer", tokenizer_json(tok, rc.tokenizer)},
             {"data", {{"corpus", "wordnet-text"}, {"train_lines", corpus.train.size()}, {"train_tokens", train_s.size(0)},
                       {"valid_tokens", valid_s.size(0)}, {"test_tokens", test_s.size(0)}, {"seq_len", rc.seq_len}}},
             {"metrics", {{"valid_perplexity", valid_m.at("perplexity")}, {"test_perplexity", test_m.at("perplexity")},
                          {"valid_unigram_perplexity", unigram_perplexity(train_s, valid_s, mo.vocab)},
                          {"test_unigram_perplexity", unigram_perplexity(train_s, test_s, mo.vocab)}}},
             {"training", training_json(tm.report, o, rc.batch_size)}};
  write_model(out, *model, tm.info);
  return tm;
}

DecoderLM load_lm(const std::string& dir) { return load_folder<DecoderLM>(dir, decoder_options_from_json); }

// ---- cache ---------------------------------------------------------------------------------

Cnn reference_cnn() {
  const std::string dir = reference_model_dir("cnn");
  if (!fs::exists(dir + "/model.json")) train_cnn(cnn_recipe(), dir);
  return load_cnn(dir);
}
TransformerEncoder reference_encoder() {
  const std::string dir = reference_model_dir("transformer");
  if (!fs::exists(dir + "/model.json")) train_encoder(encoder_recipe(), dir);
  return load_encoder(dir);
}
DecoderLM reference_lm() {
  const std::string dir = reference_model_dir("lm");
  if (!fs::exists(dir + "/model.json")) train_lm(lm_recipe(), dir);
  return load_lm(dir);
}

}  // namespace factorkit::nn
