// Scorers opened from files (scorers.h).
#include "scorers.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <fmt/format.h>

#include <filesystem>

#include "factorkit/cli/matrix_io.h"
#include "factorkit/core/error.h"
#include "factorkit/core/source.h"
#include "factorkit/nn/reference.h"
#include "factorkit/nn/torchscript.h"
#include "index_file.h"
#include "text.h"

namespace factorkit::anncur {

ScriptScorer::ScriptScorer(const std::string& path, at::Tensor qf, at::Tensor itf, std::int64_t batch)
    : model_(std::make_unique<nn::ScriptModel>(nn::ScriptModel::load(path))), path_(path), qf_(std::move(qf)),
      if_(std::move(itf)), batch_(std::max<std::int64_t>(1, batch)) {
  if (qf_.dim() < 1 || if_.dim() < 1 || qf_.size(0) < 1 || if_.size(0) < 1)
    throw InvalidInput(path, "features", "query and item features with at least one row each", "BadShape");
  // a trial: two pairs must give two finite-shaped scores
  c10::InferenceMode guard;
  auto two = at::zeros({2}, at::kLong);
  auto s = model_->forward(std::vector<at::Tensor>{qf_.index_select(0, two), if_.index_select(0, two)});
  if (s.numel() != 2 || !s.is_floating_point())
    throw InvalidInput(path, "forward(queries, items)",
                       fmt::format("one floating-point score per pair (B or (B, 1)); got {} for B = 2",
                                   c10::str(s.sizes())),
                       "BadOutput");
}
ScriptScorer::~ScriptScorer() = default;

at::Tensor ScriptScorer::score_pairs(const at::Tensor& q, const at::Tensor& i) {
  c10::InferenceMode guard;
  auto s = model_->forward(std::vector<at::Tensor>{qf_.index_select(0, q), if_.index_select(0, i)});
  if (s.numel() != q.numel())
    throw InvalidInput(path_, "forward(queries, items)", fmt::format("{} scores for {} pairs", q.numel(), q.numel()),
                       "BadOutput");
  return s.reshape({-1}).to(at::kFloat);
}

void ScorerSpec::check() const {
  const int kinds = int(!scores.empty()) + int(!model.empty()) + int(!torchscript.empty());
  if (kinds != 1)
    throw InvalidInput("--scores / --model / --torchscript", kinds == 0 ? "none" : "several",
                       "exactly one scorer: a score matrix, a factorkit cross-encoder folder, or a TorchScript model",
                       "BadOption");
  if (!model.empty() && (queries.empty() || items.empty()))
    throw InvalidInput("--model", model, "--queries and --items text files with it", "BadOption");
  if (!torchscript.empty() && (query_features.empty() || item_features.empty()))
    throw InvalidInput("--torchscript", torchscript, "--query-features and --item-features with it", "BadOption");
  if (model.empty() && (!queries.empty() || !items.empty()))
    throw InvalidInput("--queries / --items", queries.empty() ? items : queries, "only with --model", "BadOption");
  if (torchscript.empty() && (!query_features.empty() || !item_features.empty()))
    throw InvalidInput("--query-features / --item-features", query_features.empty() ? item_features : query_features,
                       "only with --torchscript", "BadOption");
  if (batch < 1 || batch > (1 << 20)) throw InvalidInput("--batch", std::to_string(batch), "1 to 2^20 pairs", "BadOption");
  for (const auto* p : {&scores, &queries, &items, &torchscript, &query_features, &item_features})
    if (!p->empty() && !std::filesystem::is_regular_file(*p))
      throw InvalidInput(*p, "file", "an existing file", "FileNotFound");
  if (!model.empty() && !std::filesystem::is_regular_file(model + "/model.json"))
    throw InvalidInput(model, "--model", "a cross-encoder folder (model.json, model.safetensors)", "FileNotFound");
}

std::unique_ptr<Scorer> open_scorer(const ScorerSpec& spec) {
  spec.check();
  if (!spec.scores.empty()) {
    auto m = cli::read_tensor(spec.scores, spec.tensor);
    if (m.dim() != 2 || m.size(0) < 1 || m.size(1) < 1 || !m.is_floating_point())
      throw MalformedFile(spec.scores, "scores", fmt::format("a non-empty 2-D floating-point matrix (queries × items); got {} {}",
                                                             c10::str(m.sizes()), c10::toString(m.scalar_type())),
                          "BadShape");
    auto bad = (~at::isfinite(m)).nonzero();
    if (bad.size(0) > 0)
      throw MalformedFile(spec.scores, fmt::format("row {}, column {}", bad[0][0].item<std::int64_t>(), bad[0][1].item<std::int64_t>()),
                          "finite scores", "NonFinite");
    return std::make_unique<MatrixScorer>(m, "matrix:" + spec.scores);
  }
  if (!spec.torchscript.empty()) {
    auto qf = cli::read_tensor(spec.query_features);
    auto itf = cli::read_tensor(spec.item_features);
    return std::make_unique<ScriptScorer>(spec.torchscript, qf, itf, spec.batch);
  }
  // a factorkit text cross-encoder
  const auto info = nn::read_model_info(spec.model);
  auto model = load_cross_encoder(spec.model);
  // the tokenizer the model was trained with (its path in model.json), else WordNet's default
  const std::string tok_path = info.contains("tokenizer") && info["tokenizer"].is_object()
                                   ? info["tokenizer"].value("path", std::string())
                                   : std::string();
  const nn::Tokenizer tok = !tok_path.empty() && std::filesystem::is_regular_file(tok_path)
                                ? nn::Tokenizer::load(tok_path)
                                : nn::wordnet_tokenizer();
  if (tok.vocab_size() != model->encoder->options.vocab)
    throw MalformedFile(spec.model + "/model.json", "tokenizer",
                        fmt::format("a tokenizer of {} pieces (the model's vocabulary); found {} at {}",
                                    model->encoder->options.vocab, tok.vocab_size(), tok.path()),
                        "TokenizerMismatch");
  std::int64_t qt = 20, it = 24;
  try {
    qt = info.at("query_tokens").get<std::int64_t>();
    it = info.at("item_tokens").get<std::int64_t>();
  } catch (const nlohmann::json::exception&) {
    throw MalformedFile(spec.model + "/model.json", "query_tokens / item_tokens", "integers", "BadModelInfo");
  }
  const Markers mk = model->markers;
  std::vector<std::vector<int>> q, items;
  const auto qlines = read_lines(FileSource(spec.queries), "queries");
  for (std::size_t k = 0; k < qlines.size(); ++k) {
    check_marked_query(qlines[k], spec.queries, fmt::format("queries line {}", k + 1));
    q.push_back(marked_query_ids(tok, mk, qlines[k], qt, spec.queries));
  }
  for (const auto& line : read_lines(FileSource(spec.items), "items")) items.push_back(item_ids(tok, mk, item_text(line), it));
  return std::make_unique<TextScorer>(model, std::move(q), std::move(items), "cross-encoder:" + spec.model, spec.batch);
}

}  // namespace factorkit::anncur
