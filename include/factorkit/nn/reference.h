// factorkit/nn/reference.h — the reference models, trained by recipe, saved
// and cached: a CNN on Fashion-MNIST, a Transformer encoder on WordNet
// supersenses (text classification), and a decoder-only SwiGLU language model
// on the WordNet text.
//
// A trained model is a folder: model.safetensors (parameters and buffers),
// model.json (architecture, tokenizer, data, metrics, training figures) and
// checkpoints/ (the loop's; a rerun resumes, or returns at once when done).
// Later methods load them with load_cnn / load_encoder / load_lm, or the
// cached defaults with reference_cnn() etc. (trained on first use).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "factorkit/nn/images.h"
#include "factorkit/nn/models.h"
#include "factorkit/nn/tokenizer.h"
#include "factorkit/nn/trainer.h"

namespace factorkit::nn {

struct TrainedModel {
  std::string dir;
  nlohmann::json info;  // model.json
  TrainReport report;
};

// ---- CNN on Fashion-MNIST ----------------------------------------------------------
struct CnnRecipe {
  CnnOptions model;
  TrainOptions train;  // defaults: 4 epochs, AdamW 2e-3, warmup 200, cosine, clip 1, monitor accuracy
  std::int64_t batch_size = 128;
  Augment augment;
  std::int64_t limit = 0;  // training images (0: all 60 000)
  std::string data_dir = data::kFashionMnistDir;
};
CnnRecipe cnn_recipe();
TrainedModel train_cnn(const CnnRecipe& recipe, const std::string& out_dir);
Cnn load_cnn(const std::string& dir);

// ---- Transformer encoder on supersenses ------------------------------------------------
struct EncoderRecipe {
  EncoderOptions model;  // vocab and classes are set from the tokenizer and the task
  TokenizerOptions tokenizer;
  TrainOptions train;  // defaults: 2 epochs, AdamW 1e-3, warmup 200, cosine, monitor accuracy
  std::int64_t batch_size = 64, max_len = 64;
  std::int64_t limit = 0;  // training definitions (0: all)
};
EncoderRecipe encoder_recipe();
TrainedModel train_encoder(const EncoderRecipe& recipe, const std::string& out_dir);
TransformerEncoder load_encoder(const std::string& dir);

// ---- decoder LM on the WordNet text ------------------------------------------------------
struct LmRecipe {
  DecoderOptions model;  // vocab set from the tokenizer
  TokenizerOptions tokenizer;
  TrainOptions train;  // defaults: 800 steps, AdamW 2e-3, warmup 100, cosine, eval every 200
  std::int64_t batch_size = 16, seq_len = 64;
  std::int64_t limit = 0;  // training lines (0: all)
};
LmRecipe lm_recipe();
TrainedModel train_lm(const LmRecipe& recipe, const std::string& out_dir);
DecoderLM load_lm(const std::string& dir);

// <cache_dir()>/models/<name>
std::string reference_model_dir(const std::string& name);
// The cached reference models (trained with the default recipe on first use).
Cnn reference_cnn();
TransformerEncoder reference_encoder();
DecoderLM reference_lm();

// model.json of a model folder, checked to be an object with "architecture".
nlohmann::json read_model_info(const std::string& dir);

}  // namespace factorkit::nn
