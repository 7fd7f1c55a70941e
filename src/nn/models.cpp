// The reference models.
#include "factorkit/nn/models.h"

#include <fmt/format.h>

#include <cmath>

#include "factorkit/core/error.h"

namespace factorkit::nn {

namespace F = torch::nn::functional;

namespace {

void check_range(const std::string& where, const std::string& field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi) throw InvalidInput(where, field, fmt::format("{} … {}, not {}", lo, hi, v), "BadOption");
}
void check_dropout(const std::string& where, double p) {
  if (!(p >= 0 && p < 1)) throw InvalidInput(where, "dropout", "a probability in [0, 1)", "BadOption");
}

}  // namespace

// ---- CNN --------------------------------------------------------------------

CnnImpl::CnnImpl(CnnOptions o) : options(o) {
  check_range("cnn", "in_channels", o.in_channels, 1, 64);
  check_range("cnn", "image_size", o.image_size, 4, 1024);
  check_range("cnn", "classes", o.classes, 1, 100000);
  check_range("cnn", "width", o.width, 1, 1024);
  check_range("cnn", "hidden", o.hidden, 1, 65536);
  check_dropout("cnn", o.dropout);
  namespace tn = torch::nn;
  const std::int64_t w = o.width, side = o.image_size / 4;
  features = register_module(
      "features", tn::Sequential(tn::Conv2d(tn::Conv2dOptions(o.in_channels, w, 3).padding(1)), tn::BatchNorm2d(w),
                                 tn::ReLU(), tn::MaxPool2d(2), tn::Conv2d(tn::Conv2dOptions(w, 2 * w, 3).padding(1)),
                                 tn::BatchNorm2d(2 * w), tn::ReLU(), tn::MaxPool2d(2)));
  head = register_module("head", tn::Sequential(tn::Flatten(), tn::Linear(2 * w * side * side, o.hidden), tn::ReLU(),
                                                tn::Dropout(o.dropout), tn::Linear(o.hidden, o.classes)));
}

at::Tensor CnnImpl::forward(const at::Tensor& x) {
  if (x.dim() != 4 || x.size(1) != options.in_channels || x.size(2) != options.image_size ||
      x.size(3) != options.image_size)
    throw InvalidInput("cnn", "input",
                       fmt::format("images (N, {}, {}, {})", options.in_channels, options.image_size, options.image_size),
                       "BadShape");
  return head->forward(features->forward(x));
}

// ---- attention, norms, SwiGLU ----------------------------------------------------

MultiHeadAttentionImpl::MultiHeadAttentionImpl(std::int64_t d, std::int64_t h, bool c, bool bias, double p)
    : dim(d), heads(h), causal(c), dropout(p) {
  if (d < 1 || h < 1 || d % h != 0) throw InvalidInput("attention", "dim / heads", "a dimension divisible by the heads", "BadOption");
  check_dropout("attention", p);
  qkv = register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(d, 3 * d).bias(bias)));
  out = register_module("out", torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(bias)));
}

at::Tensor MultiHeadAttentionImpl::forward(const at::Tensor& x, const at::Tensor& padding) {
  const std::int64_t b = x.size(0), t = x.size(1), dh = dim / heads;
  const at::Tensor qkv_ = qkv->forward(x).view({b, t, 3, heads, dh}).permute({2, 0, 3, 1, 4});
  const at::Tensor q = qkv_[0], k = qkv_[1], v = qkv_[2];  // (B, H, T, dh)
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(double(dh)));
  if (causal) {
    const at::Tensor future = at::ones({t, t}, x.options().dtype(at::kBool)).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
  }
  if (padding.defined())
    scores = scores.masked_fill(padding.view({b, 1, 1, t}), -std::numeric_limits<float>::infinity());
  at::Tensor attn = at::softmax(scores, -1);
  if (dropout > 0 && is_training()) attn = at::dropout(attn, dropout, true);
  return out->forward(at::matmul(attn, v).transpose(1, 2).reshape({b, t, dim}));
}

RMSNormImpl::RMSNormImpl(std::int64_t dim, double e) : eps(e) { weight = register_parameter("weight", at::ones({dim})); }

at::Tensor RMSNormImpl::forward(const at::Tensor& x) {
  return x * at::rsqrt(x.pow(2).mean(-1, true) + eps) * weight;
}

SwiGLUImpl::SwiGLUImpl(std::int64_t dim, std::int64_t hidden) {
  gate_proj = register_module("gate_proj", torch::nn::Linear(torch::nn::LinearOptions(dim, hidden).bias(false)));
  up_proj = register_module("up_proj", torch::nn::Linear(torch::nn::LinearOptions(dim, hidden).bias(false)));
  down_proj = register_module("down_proj", torch::nn::Linear(torch::nn::LinearOptions(hidden, dim).bias(false)));
}

at::Tensor SwiGLUImpl::forward(const at::Tensor& x) {
  return down_proj->forward(at::silu(gate_proj->forward(x)) * up_proj->forward(x));
}

// ---- encoder ----------------------------------------------------------------------

namespace {
void check_transformer(const std::string& where, std::int64_t vocab, std::int64_t max_len, std::int64_t dim,
                       std::int64_t heads, std::int64_t layers, std::int64_t ffn, double dropout) {
  check_range(where, "vocab", vocab, 2, std::int64_t(1) << 22);
  check_range(where, "max_len", max_len, 1, 65536);
  check_range(where, "dim", dim, 1, 65536);
  check_range(where, "heads", heads, 1, dim);
  check_range(where, "layers", layers, 1, 1024);
  check_range(where, "ffn", ffn, 1, std::int64_t(1) << 20);
  if (dim % heads != 0) throw InvalidInput(where, "dim / heads", "a dimension divisible by the number of heads", "BadOption");
  check_dropout(where, dropout);
}
}  // namespace

EncoderBlockImpl::EncoderBlockImpl(const EncoderOptions& o) {
  namespace tn = torch::nn;
  norm1 = register_module("norm1", tn::LayerNorm(tn::LayerNormOptions({o.dim})));
  attn = register_module("attn", MultiHeadAttention(o.dim, o.heads, false, true, o.dropout));
  norm2 = register_module("norm2", tn::LayerNorm(tn::LayerNormOptions({o.dim})));
  ffn = register_module("ffn", tn::Sequential(tn::Linear(o.dim, o.ffn), tn::GELU(), tn::Linear(o.ffn, o.dim)));
  drop = register_module("drop", tn::Dropout(o.dropout));
}

at::Tensor EncoderBlockImpl::forward(const at::Tensor& x, const at::Tensor& padding) {
  at::Tensor h = x + drop->forward(attn->forward(norm1->forward(x), padding));
  return h + drop->forward(ffn->forward(norm2->forward(h)));
}

TransformerEncoderImpl::TransformerEncoderImpl(EncoderOptions o) : options(o) {
  check_transformer("transformer encoder", o.vocab, o.max_len, o.dim, o.heads, o.layers, o.ffn, o.dropout);
  check_range("transformer encoder", "classes", o.classes, 1, 1 << 20);
  check_range("transformer encoder", "pad_id", o.pad_id, 0, o.vocab - 1);
  namespace tn = torch::nn;
  tokens = register_module("tokens", tn::Embedding(o.vocab, o.dim));
  positions = register_module("positions", tn::Embedding(o.max_len, o.dim));
  blocks = register_module("blocks", tn::ModuleList());
  for (std::int64_t i = 0; i < o.layers; ++i) blocks->push_back(EncoderBlock(o));
  norm = register_module("norm", tn::LayerNorm(tn::LayerNormOptions({o.dim})));
  head = register_module("head", tn::Linear(o.dim, o.classes));
  at::NoGradGuard g;
  tokens->weight.normal_(0, 0.02);
  positions->weight.normal_(0, 0.02);
}

at::Tensor TransformerEncoderImpl::encode(const at::Tensor& ids) {
  if (ids.dim() != 2 || ids.scalar_type() != at::kLong || ids.size(1) > options.max_len || ids.size(1) < 1)
    throw InvalidInput("transformer encoder", "input",
                       fmt::format("token ids (B, T) int64 with 1 ≤ T ≤ {}", options.max_len), "BadShape");
  const at::Tensor padding = ids == options.pad_id;
  at::Tensor x = tokens->forward(ids) + positions->weight.narrow(0, 0, ids.size(1));
  for (const auto& b : *blocks) x = b->as<EncoderBlock>()->forward(x, padding);
  return norm->forward(x);
}

at::Tensor TransformerEncoderImpl::forward(const at::Tensor& ids) { return head->forward(encode(ids).select(1, 0)); }

// ---- decoder LM ---------------------------------------------------------------------

DecoderBlockImpl::DecoderBlockImpl(const DecoderOptions& o) {
  norm1 = register_module("norm1", RMSNorm(o.dim));
  attn = register_module("attn", MultiHeadAttention(o.dim, o.heads, true, false, o.dropout));
  norm2 = register_module("norm2", RMSNorm(o.dim));
  ffn = register_module("ffn", SwiGLU(o.dim, o.ffn_hidden()));
}

at::Tensor DecoderBlockImpl::forward(const at::Tensor& x) {
  at::Tensor h = x + attn->forward(norm1->forward(x));
  return h + ffn->forward(norm2->forward(h));
}

DecoderLMImpl::DecoderLMImpl(DecoderOptions o) : options(o) {
  check_transformer("decoder LM", o.vocab, o.max_len, o.dim, o.heads, o.layers, o.ffn_hidden(), o.dropout);
  namespace tn = torch::nn;
  tokens = register_module("tokens", tn::Embedding(o.vocab, o.dim));
  positions = register_module("positions", tn::Embedding(o.max_len, o.dim));
  blocks = register_module("blocks", tn::ModuleList());
  for (std::int64_t i = 0; i < o.layers; ++i) blocks->push_back(DecoderBlock(o));
  norm = register_module("norm", RMSNorm(o.dim));
  at::NoGradGuard g;
  tokens->weight.normal_(0, 0.02);
  positions->weight.normal_(0, 0.02);
}

at::Tensor DecoderLMImpl::forward(const at::Tensor& ids) {
  if (ids.dim() != 2 || ids.scalar_type() != at::kLong || ids.size(1) > options.max_len || ids.size(1) < 1)
    throw InvalidInput("decoder LM", "input", fmt::format("token ids (B, T) int64 with 1 ≤ T ≤ {}", options.max_len),
                       "BadShape");
  at::Tensor x = tokens->forward(ids) + positions->weight.narrow(0, 0, ids.size(1));
  for (const auto& b : *blocks) x = b->as<DecoderBlock>()->forward(x);
  return at::matmul(norm->forward(x), tokens->weight.t());
}

// ---- options as JSON ---------------------------------------------------------------------

nlohmann::json to_json(const CnnOptions& o) {
  return {{"model", "cnn"}, {"in_channels", o.in_channels}, {"image_size", o.image_size}, {"classes", o.classes},
          {"width", o.width}, {"hidden", o.hidden}, {"dropout", o.dropout}};
}
nlohmann::json to_json(const EncoderOptions& o) {
  return {{"model", "transformer"}, {"vocab", o.vocab}, {"max_len", o.max_len}, {"dim", o.dim}, {"heads", o.heads},
          {"layers", o.layers}, {"ffn", o.ffn}, {"classes", o.classes}, {"pad_id", o.pad_id}, {"dropout", o.dropout}};
}
nlohmann::json to_json(const DecoderOptions& o) {
  return {{"model", "lm"}, {"vocab", o.vocab}, {"max_len", o.max_len}, {"dim", o.dim}, {"heads", o.heads},
          {"layers", o.layers}, {"ffn", o.ffn_hidden()}, {"dropout", o.dropout}};
}

namespace {
template <class T>
T field(const nlohmann::json& j, const char* name, const std::string& where) {
  if (!j.is_object() || !j.contains(name))
    throw MalformedFile(where, name, "the architecture field (written by factorkit train)", "MissingField");
  const auto& v = j.at(name);
  if constexpr (std::is_same_v<T, double>) {
    if (!v.is_number()) throw MalformedFile(where, name, "a number", "BadField");
  } else {
    if (!v.is_number_integer()) throw MalformedFile(where, name, "an integer", "BadField");
  }
  return v.get<T>();
}
void expect_model(const nlohmann::json& j, const char* model, const std::string& where) {
  if (!j.is_object() || j.value("model", std::string()) != model)
    throw MalformedFile(where, "model", std::string("\"") + model + "\"", "BadField");
}
}  // namespace

CnnOptions cnn_options_from_json(const nlohmann::json& j, const std::string& w) {
  expect_model(j, "cnn", w);
  return {field<std::int64_t>(j, "in_channels", w), field<std::int64_t>(j, "image_size", w),
          field<std::int64_t>(j, "classes", w),     field<std::int64_t>(j, "width", w),
          field<std::int64_t>(j, "hidden", w),      field<double>(j, "dropout", w)};
}
EncoderOptions encoder_options_from_json(const nlohmann::json& j, const std::string& w) {
  expect_model(j, "transformer", w);
  return {field<std::int64_t>(j, "vocab", w),   field<std::int64_t>(j, "max_len", w), field<std::int64_t>(j, "dim", w),
          field<std::int64_t>(j, "heads", w),   field<std::int64_t>(j, "layers", w),  field<std::int64_t>(j, "ffn", w),
          field<std::int64_t>(j, "classes", w), field<std::int64_t>(j, "pad_id", w),  field<double>(j, "dropout", w)};
}
DecoderOptions decoder_options_from_json(const nlohmann::json& j, const std::string& w) {
  expect_model(j, "lm", w);
  return {field<std::int64_t>(j, "vocab", w),  field<std::int64_t>(j, "max_len", w), field<std::int64_t>(j, "dim", w),
          field<std::int64_t>(j, "heads", w),  field<std::int64_t>(j, "layers", w),  field<std::int64_t>(j, "ffn", w),
          field<double>(j, "dropout", w)};
}

}  // namespace factorkit::nn
