// Training throughput of the reference models in factorkit's loop
// (nn::train: AdamW, warmup + cosine, clipping), for bench/nn/run.py.
// Prints one JSON line: samples/s of each measured run and their median.
#include <CLI/CLI.hpp>
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/data/wordnet.h"
#include "factorkit/data/wordnet_tasks.h"
#include "factorkit/nn/models.h"
#include "factorkit/nn/reference.h"
#include "factorkit/nn/tasks.h"
#include "factorkit/nn/trainer.h"

namespace fn = factorkit::nn;

int main(int argc, char** argv) {
  CLI::App app{"factorkit nn training throughput"};
  std::string workload = "cnn", export_tokens;
  std::int64_t steps = 60, warmup = 10;
  int repeats = 3, threads = 2;
  app.add_option("--workload", workload, "cnn or lm")->check(CLI::IsMember({"cnn", "lm"}));
  app.add_option("--steps", steps, "Measured steps per run");
  app.add_option("--warmup", warmup, "Unmeasured steps first");
  app.add_option("--repeats", repeats, "Measured runs (the median is reported)");
  app.add_option("--threads", threads, "LibTorch threads");
  app.add_option("--export-tokens", export_tokens, "lm: write the training token stream here (.npy) for the peer");
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);
  at::manual_seed(0);

  fn::TrainOptions o;
  o.adamw.lr = 2e-3;
  o.adamw.weight_decay = 0.01;
  o.warmup_steps = 5;
  o.clip_norm = 1.0;
  o.label.clear();
  std::vector<double> rates;
  std::int64_t batch = 0, params = 0;
  double last_loss = 0;
  auto measure = [&](torch::nn::Module& model, const fn::Task& task) {
    for (const auto& p : model.parameters()) params += p.numel();
    o.max_steps = warmup;
    fn::train(model, task, o);
    for (int r = 0; r < repeats; ++r) {
      o.max_steps = steps;
      o.seed = std::uint64_t(r + 1);
      o.on_eval = [&](const fn::EvalRecord& e) { last_loss = e.train_loss; };
      o.eval_every = steps;
      rates.push_back(fn::train(model, task, o).samples_per_second);
    }
  };
  if (workload == "cnn") {
    const fn::ImageDataset train = fn::load_fashion_mnist("train");
    fn::LoaderOptions lo;
    lo.batch_size = batch = 128;
    const fn::ImageLoader loader(train, lo);
    fn::Cnn model(fn::CnnOptions{});
    const fn::Forward fwd = [&](const at::Tensor& x) { return model->forward(x); };
    measure(*model, fn::image_classification(fwd, loader, nullptr));
  } else {
    const fn::Tokenizer tok = fn::wordnet_tokenizer();
    const auto corpus = factorkit::data::text_corpus(factorkit::data::read_wordnet());
    const at::Tensor stream = fn::token_stream(tok, corpus.train);
    if (!export_tokens.empty()) factorkit::write_npy(export_tokens, factorkit::from_torch(stream));
    const fn::LmLoader loader(stream, 64, batch = 16, 0);
    fn::DecoderOptions mo = fn::lm_recipe().model;
    mo.vocab = tok.vocab_size();
    fn::DecoderLM model(mo);
    const fn::Forward fwd = [&](const at::Tensor& x) { return model->forward(x); };
    measure(*model, fn::language_modelling(fwd, loader, nullptr));
  }
  std::vector<double> sorted = rates;
  std::sort(sorted.begin(), sorted.end());
  std::cout << nlohmann::json{{"workload", workload}, {"samples_per_second", sorted[sorted.size() / 2]},
                              {"runs", rates}, {"batch", batch}, {"params", params}, {"threads", threads},
                              {"steps", steps}, {"last_loss", last_loss}}
                   .dump()
            << std::endl;
  return 0;
}
