// factorkit/nn/models.h — the small reference models later methods probe or
// compress: a CNN for Fashion-MNIST, a Transformer encoder (text classifier
// or cross-encoder) and a decoder-only language model with SwiGLU blocks.
//
// Modules are LibTorch C++ modules with stable, PyTorch-style parameter names
// (features.0.weight, blocks.1.ffn.gate_proj.weight), so a method can split a
// model at a named layer or swap a block, and the weights load in Python.
#pragma once

#include <torch/nn.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace factorkit::nn {

// ---- CNN --------------------------------------------------------------------
struct CnnOptions {
  std::int64_t in_channels = 1, image_size = 28, classes = 10;
  std::int64_t width = 32;    // channels of the first block (the second has 2×)
  std::int64_t hidden = 128;  // the classifier's hidden layer
  double dropout = 0.25;
};
// features: conv3×3(w)-BN-ReLU-maxpool, conv3×3(2w)-BN-ReLU-maxpool
// (features.0 … features.7); head: flatten, linear(hidden), ReLU, dropout,
// linear(classes) (head.0 … head.4). forward → logits.
class CnnImpl : public torch::nn::Module {
 public:
  explicit CnnImpl(CnnOptions options = {});
  at::Tensor forward(const at::Tensor& images);
  CnnOptions options;
  torch::nn::Sequential features{nullptr}, head{nullptr};
};
TORCH_MODULE(Cnn);

// ---- attention and blocks ----------------------------------------------------
class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  MultiHeadAttentionImpl(std::int64_t dim, std::int64_t heads, bool causal, bool bias = true, double dropout = 0.0);
  // x (B, T, D); `padding` (B, T) bool, true at padded keys (or undefined).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& padding = {});
  std::int64_t dim, heads;
  bool causal;
  double dropout;
  torch::nn::Linear qkv{nullptr}, out{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

class RMSNormImpl : public torch::nn::Module {
 public:
  explicit RMSNormImpl(std::int64_t dim, double eps = 1e-6);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

// down_proj(silu(gate_proj(x)) ⊙ up_proj(x)), no biases (LLaMA's FFN).
class SwiGLUImpl : public torch::nn::Module {
 public:
  SwiGLUImpl(std::int64_t dim, std::int64_t hidden);
  at::Tensor forward(const at::Tensor& x);
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(SwiGLU);

// ---- Transformer encoder -----------------------------------------------------
struct EncoderOptions {
  std::int64_t vocab = 4000, max_len = 128, dim = 128, heads = 4, layers = 2, ffn = 512;
  std::int64_t classes = 2;  // head outputs; 1 = a score (cross-encoder)
  std::int64_t pad_id = 0;
  double dropout = 0.1;
};
// Pre-LayerNorm blocks (attention, GELU feed-forward), learned positions,
// the [CLS] (first) position's final state → linear head.
class EncoderBlockImpl : public torch::nn::Module {
 public:
  EncoderBlockImpl(const EncoderOptions& o);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& padding);
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  MultiHeadAttention attn{nullptr};
  torch::nn::Sequential ffn{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(EncoderBlock);

class TransformerEncoderImpl : public torch::nn::Module {
 public:
  explicit TransformerEncoderImpl(EncoderOptions options = {});
  // ids (B, T) int64 → final states (B, T, D); padding from ids == pad_id
  at::Tensor encode(const at::Tensor& ids);
  // ids → head outputs at [CLS]: (B, classes)
  at::Tensor forward(const at::Tensor& ids);
  EncoderOptions options;
  torch::nn::Embedding tokens{nullptr}, positions{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(TransformerEncoder);

// ---- decoder-only language model ------------------------------------------------
struct DecoderOptions {
  std::int64_t vocab = 4000, max_len = 128, dim = 128, heads = 4, layers = 2;
  std::int64_t ffn = 0;  // SwiGLU hidden width; 0: 8/3·dim rounded up to a multiple of 32
  double dropout = 0.0;
  std::int64_t ffn_hidden() const { return ffn > 0 ? ffn : ((8 * dim / 3 + 31) / 32) * 32; }
};
class DecoderBlockImpl : public torch::nn::Module {
 public:
  DecoderBlockImpl(const DecoderOptions& o);
  at::Tensor forward(const at::Tensor& x);
  RMSNorm norm1{nullptr}, norm2{nullptr};
  MultiHeadAttention attn{nullptr};
  SwiGLU ffn{nullptr};
};
TORCH_MODULE(DecoderBlock);

// RMSNorm pre-norm blocks with causal attention and SwiGLU, learned
// positions, output projection tied to the token embedding.
class DecoderLMImpl : public torch::nn::Module {
 public:
  explicit DecoderLMImpl(DecoderOptions options = {});
  at::Tensor forward(const at::Tensor& ids);  // (B, T) → logits (B, T, vocab)
  DecoderOptions options;
  torch::nn::Embedding tokens{nullptr}, positions{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(DecoderLM);

// Architecture options as JSON (stored beside the weights) and back; the
// reader checks every field (MalformedFile naming `where`).
nlohmann::json to_json(const CnnOptions& o);
nlohmann::json to_json(const EncoderOptions& o);
nlohmann::json to_json(const DecoderOptions& o);
CnnOptions cnn_options_from_json(const nlohmann::json& j, const std::string& where);
EncoderOptions encoder_options_from_json(const nlohmann::json& j, const std::string& where);
DecoderOptions decoder_options_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace factorkit::nn
