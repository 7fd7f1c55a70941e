// Cross-encoders, the dual encoder and their training on WordNet sense linking (text.h).
#include "text.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <fmt/format.h>
#include <torch/nn/modules/loss.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/reference.h"
#include "index_file.h"

namespace fs = std::filesystem;

namespace factorkit::anncur {

std::string to_string(CeForm f) { return f == CeForm::Cls ? "cls" : "emb"; }
CeForm parse_ce_form(const std::string& s, const std::string& where) {
  if (s == "cls") return CeForm::Cls;
  if (s == "emb") return CeForm::Emb;
  throw InvalidInput(where, s, "cls or emb", "BadOption");
}

// ---- inputs ----------------------------------------------------------------------------
Markers markers_of(const nn::Tokenizer& tok) {
  // The byte piece of a control character (encode adds SentencePiece's dummy
  // prefix "▁" before it, so the piece is looked for among the ids).
  auto one = [&](const char* text, const char* piece, const char* name) {
    for (int id : tok.encode(text))
      if (tok.piece(id) == piece) return id;
    throw InvalidInput(tok.path(), name, fmt::format("a tokenizer with the byte piece {}", piece), "BadTokenizer");
  };
  return {one("\x01", "<0x01>", "mention start marker"), one("\x02", "<0x02>", "mention end marker"),
          one("\x03", "<0x03>", "item marker")};
}

namespace {

// The mention with its markers, then context from both sides until `budget` ids.
std::vector<int> window(std::vector<int> before, std::vector<int> mention, std::vector<int> after, const Markers& m,
                        std::int64_t budget) {
  const std::size_t room = std::size_t(std::max<std::int64_t>(3, budget));
  if (mention.size() + 2 > room) mention.resize(room - 2);
  std::size_t left = room - mention.size() - 2;
  std::size_t take_b = std::min(before.size(), left / 2), take_a = std::min(after.size(), left - take_b);
  take_b = std::min(before.size(), left - take_a);
  std::vector<int> out(before.end() - std::ptrdiff_t(take_b), before.end());
  out.push_back(m.start);
  out.insert(out.end(), mention.begin(), mention.end());
  out.push_back(m.end);
  out.insert(out.end(), after.begin(), after.begin() + std::ptrdiff_t(take_a));
  return out;
}

}  // namespace

std::vector<int> marked_query_ids(const nn::Tokenizer& tok, const Markers& m, const std::string& text,
                                  std::int64_t query_tokens, const std::string& where) {
  check_marked_query(text, where, "query");
  const auto a = text.find("[["), b = text.find("]]", a + 2);
  return window(tok.encode(text.substr(0, a)), tok.encode(text.substr(a + 2, b - a - 2)), tok.encode(text.substr(b + 2)),
                m, query_tokens);
}

std::vector<int> item_ids(const nn::Tokenizer& tok, const Markers& m, const std::string& text, std::int64_t item_tokens) {
  std::vector<int> out{m.item};
  auto ids = tok.encode(text);
  const std::size_t keep = std::min(ids.size(), std::size_t(std::max<std::int64_t>(1, item_tokens - 1)));
  out.insert(out.end(), ids.begin(), ids.begin() + std::ptrdiff_t(keep));
  return out;
}

std::vector<int> pair_ids(const std::vector<int>& q, const std::vector<int>& i) {
  std::vector<int> out;
  out.reserve(q.size() + i.size() + 3);
  out.push_back(nn::Tokenizer::kCls);
  out.insert(out.end(), q.begin(), q.end());
  out.push_back(nn::Tokenizer::kSep);
  out.insert(out.end(), i.begin(), i.end());
  out.push_back(nn::Tokenizer::kSep);
  return out;
}

namespace {
std::vector<int> single_ids(const std::vector<int>& t) {
  std::vector<int> out;
  out.reserve(t.size() + 2);
  out.push_back(nn::Tokenizer::kCls);
  out.insert(out.end(), t.begin(), t.end());
  out.push_back(nn::Tokenizer::kSep);
  return out;
}

std::vector<int> example_query(const nn::Tokenizer& tok, const Markers& m, const data::LinkingExample& e,
                               std::int64_t budget) {
  const std::string& c = e.context;
  return window(tok.encode(c.substr(0, e.begin)), tok.encode(e.mention),
                tok.encode(c.substr(std::min(c.size(), e.begin + e.mention.size()))), m, budget);
}
}  // namespace

std::vector<std::int64_t> entities_of(const LinkingData& d, const std::vector<std::size_t>& split) {
  std::vector<std::int64_t> out;
  for (auto x : split) out.push_back(std::int64_t(d.task.examples[x].entity));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int> example_query_ids(const nn::Tokenizer& tok, const LinkingData& d, const data::LinkingExample& e) {
  return example_query(tok, d.markers, e, d.query_tokens);
}

std::shared_ptr<const LinkingData> linking_data(const nn::Tokenizer& tok, std::int64_t query_tokens,
                                                std::int64_t item_tokens, std::uint64_t seed) {
  auto d = std::make_shared<LinkingData>();
  d->task = data::sense_linking_task(data::read_wordnet(), seed);
  d->markers = markers_of(tok);
  d->query_tokens = query_tokens;
  d->item_tokens = item_tokens;
  d->entity_ids.reserve(d->task.entities.size());
  d->entity_text.reserve(d->task.entities.size());
  for (const auto& e : d->task.entities) {
    d->entity_text.push_back(e.name + ": " + e.description);
    d->entity_ids.push_back(item_ids(tok, d->markers, d->entity_text.back(), item_tokens));
  }
  return d;
}

// ---- models -------------------------------------------------------------------------------
CrossEncoderImpl::CrossEncoderImpl(nn::EncoderOptions o, CeForm f, Markers m, bool use_match)
    : form(f), markers(m), match(use_match) {
  o.classes = 1;
  encoder = register_module("encoder", nn::TransformerEncoder(o));
  if (match) {
    match_embedding = register_module("match", torch::nn::Embedding(2, o.dim));
    at::NoGradGuard g;
    match_embedding->weight.normal_(0, 0.02);
  }
}

at::Tensor CrossEncoderImpl::matches(const at::Tensor& ids) const {
  // segment: 0 up to and including the first [SEP], 1 after it
  const auto sep = (ids == nn::Tokenizer::kSep).to(at::kInt);
  const auto seg = (sep.cumsum(1) - sep) > 0;
  auto content = ids > nn::Tokenizer::kMask;
  content &= (ids != markers.start) & (ids != markers.end) & (ids != markers.item);
  auto same = ids.unsqueeze(2) == ids.unsqueeze(1);  // (B, T, T)
  same &= seg.unsqueeze(2) != seg.unsqueeze(1);      // in the other text
  same &= content.unsqueeze(1);
  return same.any(2) & content;
}

at::Tensor CrossEncoderImpl::forward(const at::Tensor& ids) {
  at::Tensor h;
  if (match) {
    auto& e = *encoder;
    if (ids.dim() != 2 || ids.scalar_type() != at::kLong || ids.size(1) > e.options.max_len || ids.size(1) < 1)
      throw InvalidInput("cross-encoder", "input",
                         fmt::format("token ids (B, T) int64 with 1 ≤ T ≤ {}", e.options.max_len), "BadShape");
    const at::Tensor padding = ids == e.options.pad_id;
    at::Tensor x = e.tokens->forward(ids) + e.positions->weight.narrow(0, 0, ids.size(1)) +
                   match_embedding->forward(matches(ids).to(at::kLong));
    for (const auto& b : *e.blocks) x = b->as<nn::EncoderBlock>()->forward(x, padding);
    h = e.norm->forward(x);
  } else {
    h = encoder->encode(ids);  // (B, T, D)
  }
  if (form == CeForm::Cls) return encoder->head->forward(h.select(1, 0)).squeeze(1);
  auto rows = at::arange(ids.size(0), at::kLong);
  auto at_first = [&](int id) { return h.index({rows, (ids == id).to(at::kInt).argmax(1)}); };
  auto mention = (at_first(markers.start) + at_first(markers.end)) * 0.5;
  return (mention * at_first(markers.item)).sum(1) / std::sqrt(double(h.size(2)));
}

DualEncoderImpl::DualEncoderImpl(nn::EncoderOptions o) {
  o.classes = 1;
  encoder = register_module("encoder", nn::TransformerEncoder(o));
}
at::Tensor DualEncoderImpl::embed(const at::Tensor& ids) { return encoder->encode(ids).select(1, 0); }

// ---- training ----------------------------------------------------------------------------------
namespace {

nn::EncoderOptions small_encoder() {
  nn::EncoderOptions o;
  o.dim = 64;
  o.heads = 4;
  o.layers = 2;
  o.ffn = 256;
  o.dropout = 0.1;
  return o;
}

nn::TrainOptions text_train_options(const std::string& label) {
  nn::TrainOptions t;
  t.epochs = 1;
  t.adamw.lr = 2e-3;
  t.adamw.weight_decay = 0.01;
  t.warmup_steps = 50;
  t.eval_every = 100;
  t.lr_floor = 0.1;
  t.monitor = "accuracy";
  t.maximize = true;
  t.checkpoint_every = 100;
  t.label = label;
  return t;
}

at::Tensor pad(const std::vector<std::vector<int>>& rows) { return nn::Tokenizer::pad_batch(rows); }

// Training queries (a seeded subset of the split), their golds, the split's
// senses (the negatives come from them: senses that have example sentences,
// as the golds do, so "looks like a sense with examples" is no shortcut) and
// TF-IDF hard pools among those senses.
struct QuerySet {
  std::vector<std::vector<int>> ids;
  std::vector<std::int64_t> gold;
  std::vector<std::vector<std::int64_t>> hard;
  std::vector<std::int64_t> pool;
};

QuerySet query_set(const LinkingData& d, const nn::Tokenizer& tok, const std::vector<std::size_t>& split,
                   std::int64_t limit, std::int64_t hard, std::uint64_t seed) {
  QuerySet s;
  s.pool = entities_of(d, split);
  std::vector<std::string> texts;
  for (auto e : s.pool) texts.push_back(d.entity_text[std::size_t(e)]);
  const TfIdf tfidf(texts);
  std::vector<std::size_t> pick = split;
  std::mt19937_64 rng(seed);
  shuffle(pick, rng);
  if (limit > 0 && std::int64_t(pick.size()) > limit) pick.resize(std::size_t(limit));
  for (auto x : pick) {
    const auto& e = d.task.examples[x];
    s.ids.push_back(example_query(tok, d.markers, e, d.query_tokens));
    s.gold.push_back(std::int64_t(e.entity));
    std::vector<std::int64_t> h;
    if (hard > 0) {
      const auto at = std::lower_bound(s.pool.begin(), s.pool.end(), std::int64_t(e.entity)) - s.pool.begin();
      for (auto k : tfidf.top(e.context, std::size_t(hard), std::int64_t(at))) h.push_back(s.pool[std::size_t(k)]);
    }
    s.hard.push_back(std::move(h));
  }
  return s;
}

std::int64_t random_negative(const QuerySet& s, std::size_t q, std::mt19937_64& rng) {
  for (;;) {
    const auto e = s.pool[std::size_t(uniform53(rng) * double(s.pool.size()))];
    if (e != s.gold[q] || s.pool.size() == 1) return e;
  }
}

// Gold first, then `neg` negatives: hard ones drawn from the pool, the rest uniform.
std::vector<std::int64_t> candidates(const QuerySet& s, std::size_t q, std::int64_t neg, double hard_fraction,
                                     std::mt19937_64& rng) {
  std::vector<std::int64_t> c{s.gold[q]};
  auto pool = s.hard[q];
  shuffle(pool, rng);
  const auto nh = std::min<std::int64_t>(std::int64_t(pool.size()), std::llround(double(neg) * hard_fraction));
  for (std::int64_t j = 0; j < nh; ++j) c.push_back(pool[std::size_t(j)]);
  while (std::int64_t(c.size()) < neg + 1) c.push_back(random_negative(s, q, rng));
  return c;
}

bool cached(const std::string& dir, const nlohmann::json& recipe) {
  if (!fs::exists(dir + "/model.json")) return false;
  try {
    auto info = nn::read_model_info(dir);
    return info.value("recipe", nlohmann::json()) == recipe;
  } catch (const Error&) {
    return false;
  }
}

void start_fresh(const std::string& dir, const nlohmann::json& recipe) {
  // A folder of another recipe (model.json or checkpoints) is replaced.
  if (fs::exists(dir + "/model.json") || fs::exists(dir + "/recipe.json")) {
    std::string old;
    if (std::ifstream f(dir + "/recipe.json"); f) {
      std::stringstream ss;
      ss << f.rdbuf();
      old = ss.str();
    }
    if (old != recipe.dump()) fs::remove_all(dir);
  }
  fs::create_directories(dir);
  write_file_atomic(dir + "/recipe.json", recipe.dump());
}

nlohmann::json recipe_json(const CeRecipe& r, const LinkingData& d) {
  return {{"kind", "cross-encoder"}, {"negatives_from", "split senses"}, {"match", r.match},
          {"form", to_string(r.form)},
          {"model", nn::to_json(r.model)},
          {"train_queries", r.train_queries},
          {"negatives", r.negatives},
          {"hard_fraction", r.hard_fraction},
          {"hard_pool", r.hard_pool},
          {"batch_queries", r.batch_queries},
          {"dev_queries", r.dev_queries},
          {"epochs", r.train.epochs},
          {"lr", r.train.adamw.lr},
          {"seed", r.train.seed},
          {"query_tokens", d.query_tokens},
          {"item_tokens", d.item_tokens}};
}

nn::EncoderOptions sized(nn::EncoderOptions o, const LinkingData& d, const nn::Tokenizer& tok) {
  o.vocab = tok.vocab_size();
  o.max_len = d.query_tokens + d.item_tokens + 3;
  o.pad_id = nn::Tokenizer::kPad;
  o.classes = 1;
  return o;
}

using BatchFn = std::function<nn::BatchResult(const QuerySet&, const std::vector<std::int64_t>&, std::mt19937_64&)>;

// The loop both text models share: the training queries in a seeded order per
// epoch, each batch's negatives from a seed of its own (a resumed run repeats
// them), the dev queries in fixed batches with fixed negatives, checkpoints in
// DIR/checkpoints. `whole`: every batch has exactly `bq` queries (in-batch
// negatives need them; the remainder of an epoch is skipped).
nn::TrainReport fit_text_model(torch::nn::Module& model, const QuerySet& train, const QuerySet& dev, std::int64_t bq,
                               bool whole, const BatchFn& batch, const nlohmann::json& recipe, nn::TrainOptions o,
                               const std::string& dir) {
  const std::int64_t nq = std::int64_t(train.ids.size());
  const std::uint64_t seed = o.seed;
  nn::Task task;
  task.batches_per_epoch = whole ? nq / bq : (nq + bq - 1) / bq;
  auto order = std::make_shared<std::pair<std::int64_t, std::vector<std::int64_t>>>(-1, std::vector<std::int64_t>{});
  task.train_batch = [&train, &batch, order, nq, bq, seed](std::int64_t epoch, std::int64_t b) {
    if (order->first != epoch) {
      std::mt19937_64 rng(derive_seed(seed, {3, std::uint64_t(epoch)}));
      order->second = permutation(nq, rng);
      order->first = epoch;
    }
    std::vector<std::int64_t> qs(order->second.begin() + b * bq, order->second.begin() + std::min(nq, (b + 1) * bq));
    std::mt19937_64 rng(derive_seed(seed, {4, std::uint64_t(epoch), std::uint64_t(b)}));
    return batch(train, qs, rng);
  };
  const std::int64_t eval_batch = whole ? bq : 32;
  task.evaluate = [&dev, &batch, eval_batch, whole, seed] {
    nn::MetricSum sum;
    std::mt19937_64 rng(derive_seed(seed, {5}));  // the same negatives at every evaluation
    const std::int64_t n = std::int64_t(dev.ids.size());
    for (std::int64_t s = 0; s < n && (!whole || s + eval_batch <= n); s += eval_batch) {
      std::vector<std::int64_t> qs(static_cast<std::size_t>(std::min(eval_batch, n - s)));
      std::iota(qs.begin(), qs.end(), s);
      sum.add(batch(dev, qs, rng));
    }
    return sum.metrics();
  };
  task.identity = recipe;
  o.checkpoint_dir = dir + "/checkpoints";
  return nn::train(model, task, o);
}

// model.safetensors, then model.json: `info` plus what every text model records.
nlohmann::json write_text_model(const torch::nn::Module& model, const std::string& dir, nlohmann::json info,
                                const nn::EncoderOptions& arch, const LinkingData& d, const nn::Tokenizer& tok,
                                const nlohmann::json& recipe, const nn::TrainReport& report) {
  info["architecture"] = nn::to_json(arch);
  info["query_tokens"] = d.query_tokens;
  info["item_tokens"] = d.item_tokens;
  info["tokenizer"] = {{"path", tok.path()}, {"vocab_size", tok.vocab_size()}};
  info["recipe"] = recipe;
  info["training"] = {{"steps", report.steps},
                      {"seconds", report.seconds},
                      {"samples_per_second", report.samples_per_second},
                      {"threads", at::get_num_threads()}};
  nn::save_module(model, dir + "/model.safetensors");
  write_file_atomic(dir + "/model.json", info.dump(1) + "\n");
  return info;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

CeRecipe ce_recipe(CeForm form) {
  CeRecipe r;
  r.form = form;
  r.model = small_encoder();
  r.train = text_train_options(fmt::format("train {}-cross-encoder", to_string(form)));
  return r;
}

DeRecipe de_recipe() {
  DeRecipe r;
  r.model = small_encoder();
  r.train = text_train_options("train dual encoder");
  r.train.epochs = 2;  // a dual-encoder step is cheap (2B texts, no pairs): it gets two passes
  return r;
}

TrainedText train_cross_encoder(const LinkingData& d, const CeRecipe& rc, const std::string& dir) {
  if (rc.negatives < 1 || rc.batch_queries < 1 || !(rc.hard_fraction >= 0 && rc.hard_fraction <= 1))
    throw InvalidInput("cross-encoder recipe", "negatives / batch / hard_fraction", "≥ 1, ≥ 1, in [0, 1]", "BadOption");
  const nn::Tokenizer tok = nn::wordnet_tokenizer();
  const auto recipe = recipe_json(rc, d);
  if (cached(dir, recipe)) return {dir, nn::read_model_info(dir), 0};
  start_fresh(dir, recipe);
  const auto t0 = std::chrono::steady_clock::now();
  const QuerySet train = query_set(d, tok, d.task.split.train, rc.train_queries, rc.hard_pool,
                                   derive_seed(rc.train.seed, {1}));
  const QuerySet dev = query_set(d, tok, d.task.split.dev, rc.dev_queries, rc.hard_pool,
                                 derive_seed(rc.train.seed, {2}));
  const auto model_opts = sized(rc.model, d, tok);
  at::manual_seed(rc.train.seed);
  CrossEncoder model(model_opts, rc.form, d.markers, rc.match);
  auto batch = [&](const QuerySet& s, const std::vector<std::int64_t>& qs, std::mt19937_64& rng) {
    std::vector<std::vector<int>> rows;
    for (auto q : qs)
      for (auto e : candidates(s, std::size_t(q), rc.negatives, rc.hard_fraction, rng))
        rows.push_back(pair_ids(s.ids[std::size_t(q)], d.entity_ids[std::size_t(e)]));
    const auto n = std::int64_t(qs.size());
    auto sc = model->forward(pad(rows)).reshape({n, rc.negatives + 1});
    nn::BatchResult r;
    r.loss = at::cross_entropy_loss(sc, at::zeros({n}, at::kLong));
    r.samples = n;
    r.correct = (sc.argmax(1) == 0).sum().item<std::int64_t>();
    r.predictions = n;
    return r;
  };
  const auto report = fit_text_model(*model, train, dev, rc.batch_queries, false, batch, recipe, rc.train, dir);
  TrainedText out{dir, {}, seconds_since(t0)};
  if (report.halted) return out;
  out.info = write_text_model(
      *model, dir,
      {{"form", to_string(rc.form)},
       {"match", rc.match},
       {"markers", {{"start", d.markers.start}, {"end", d.markers.end}, {"item", d.markers.item}}},
       {"metrics",
        {{"dev_accuracy", report.has_best ? report.best.metrics.at("accuracy") : 0.0},
         {"dev_candidates", rc.negatives + 1}}}},
      model_opts, d, tok, recipe, report);
  return out;
}

TrainedText train_dual_encoder(const LinkingData& d, const DeRecipe& rc, const std::string& dir) {
  if (rc.batch_queries < 2) throw InvalidInput("dual-encoder recipe", "batch_queries", "at least 2", "BadOption");
  const nn::Tokenizer tok = nn::wordnet_tokenizer();
  nlohmann::json recipe = {{"kind", "dual-encoder"},
                           {"negatives_from", "split senses"},
                           {"model", nn::to_json(rc.model)},
                           {"train_queries", rc.train_queries},
                           {"batch_queries", rc.batch_queries},
                           {"hard_pool", rc.hard_pool},
                           {"dev_queries", rc.dev_queries},
                           {"epochs", rc.train.epochs},
                           {"lr", rc.train.adamw.lr},
                           {"seed", rc.train.seed},
                           {"query_tokens", d.query_tokens},
                           {"item_tokens", d.item_tokens}};
  if (cached(dir, recipe)) return {dir, nn::read_model_info(dir), 0};
  start_fresh(dir, recipe);
  const auto t0 = std::chrono::steady_clock::now();
  const QuerySet train = query_set(d, tok, d.task.split.train, rc.train_queries, rc.hard_pool,
                                   derive_seed(rc.train.seed, {1}));
  const QuerySet dev = query_set(d, tok, d.task.split.dev, rc.dev_queries, rc.hard_pool,
                                 derive_seed(rc.train.seed, {2}));
  auto model_opts = sized(rc.model, d, tok);
  model_opts.max_len = std::max(d.query_tokens, d.item_tokens) + 2;
  at::manual_seed(rc.train.seed);
  DualEncoder model(model_opts);
  // B queries against their B golds and one hard negative each (in-batch softmax over 2B items)
  auto batch = [&](const QuerySet& s, const std::vector<std::int64_t>& qs, std::mt19937_64& rng) {
    std::vector<std::vector<int>> qrows, irows;
    for (auto q : qs) qrows.push_back(single_ids(s.ids[std::size_t(q)]));
    for (auto q : qs) irows.push_back(single_ids(d.entity_ids[std::size_t(s.gold[std::size_t(q)])]));
    for (auto q : qs) {
      const auto& pool = s.hard[std::size_t(q)];
      const auto e = pool.empty() ? random_negative(s, std::size_t(q), rng)
                                  : pool[std::size_t(uniform53(rng) * double(pool.size()))];
      irows.push_back(single_ids(d.entity_ids[std::size_t(e)]));
    }
    auto sc = at::matmul(model->embed(pad(qrows)), model->embed(pad(irows)).t());
    const auto n = std::int64_t(qs.size());
    auto target = at::arange(n, at::kLong);
    nn::BatchResult r;
    r.loss = at::cross_entropy_loss(sc, target);
    r.samples = n;
    r.correct = (sc.argmax(1) == target).sum().item<std::int64_t>();
    r.predictions = n;
    return r;
  };
  const auto report = fit_text_model(*model, train, dev, rc.batch_queries, true, batch, recipe, rc.train, dir);
  TrainedText out{dir, {}, seconds_since(t0)};
  if (report.halted) return out;
  out.info = write_text_model(*model, dir,
                              {{"metrics",
                                {{"dev_in_batch_accuracy", report.has_best ? report.best.metrics.at("accuracy") : 0.0},
                                 {"dev_candidates", 2 * rc.batch_queries}}}},
                              model_opts, d, tok, recipe, report);
  return out;
}

CrossEncoder load_cross_encoder(const std::string& dir) {
  const auto info = nn::read_model_info(dir);
  const std::string where = dir + "/model.json";
  try {
    auto opts = nn::encoder_options_from_json(info.at("architecture"), where);
    const auto& mk = info.at("markers");
    Markers m{mk.at("start").get<int>(), mk.at("end").get<int>(), mk.at("item").get<int>()};
    CrossEncoder model(opts, parse_ce_form(info.at("form").get<std::string>(), where + ": form"), m,
                       info.value("match", false));
    nn::load_module(*model, dir + "/model.safetensors");
    model->eval();
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw MalformedFile(where, "form / markers", fmt::format("a cross-encoder's model.json ({})", e.what()),
                        "BadModelInfo");
  }
}

DualEncoder load_dual_encoder(const std::string& dir) {
  const auto info = nn::read_model_info(dir);
  DualEncoder model(nn::encoder_options_from_json(info.at("architecture"), dir + "/model.json"));
  nn::load_module(*model, dir + "/model.safetensors");
  model->eval();
  return model;
}

// ---- the scorer -----------------------------------------------------------------------------------
TextScorer::TextScorer(CrossEncoder model, std::vector<std::vector<int>> queries, std::vector<std::vector<int>> items,
                       std::string name, std::int64_t batch)
    : model_(std::move(model)), q_(std::move(queries)), i_(std::move(items)), name_(std::move(name)),
      batch_(std::max<std::int64_t>(1, batch)) {
  model_->eval();
  const auto max_len = model_->encoder->options.max_len;
  auto longest = [](const std::vector<std::vector<int>>& v) {
    std::size_t m = 0;
    for (const auto& x : v) m = std::max(m, x.size());
    return m;
  };
  if (std::int64_t(longest(q_) + longest(i_) + 3) > max_len)
    throw InvalidInput(name_, fmt::format("pairs of up to {} ids", longest(q_) + longest(i_) + 3),
                       fmt::format("at most {} ids (the model's positions)", max_len), "TooLong");
}

at::Tensor TextScorer::run(const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs) {
  c10::InferenceMode guard;
  const std::size_t n = pairs.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto len = [&](std::size_t k) { return q_[std::size_t(pairs[k].first)].size() + i_[std::size_t(pairs[k].second)].size(); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return len(a) < len(b); });
  auto out = at::empty({std::int64_t(n)}, at::kFloat);
  auto* o = out.data_ptr<float>();
  for (std::size_t s = 0; s < n; s += std::size_t(batch_)) {
    const std::size_t e = std::min(n, s + std::size_t(batch_));
    std::vector<std::vector<int>> rows;
    rows.reserve(e - s);
    for (std::size_t k = s; k < e; ++k)
      rows.push_back(pair_ids(q_[std::size_t(pairs[order[k]].first)], i_[std::size_t(pairs[order[k]].second)]));
    auto sc = model_->forward(pad(rows)).to(at::kFloat).contiguous();
    const float* p = sc.data_ptr<float>();
    for (std::size_t k = s; k < e; ++k) o[order[k]] = p[k - s];
  }
  return out;
}

at::Tensor TextScorer::score_pairs(const at::Tensor& q, const at::Tensor& i) {
  auto qa = q.accessor<std::int64_t, 1>();
  auto ia = i.accessor<std::int64_t, 1>();
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs(std::size_t(q.numel()));
  for (std::int64_t k = 0; k < q.numel(); ++k) pairs[std::size_t(k)] = {qa[k], ia[k]};
  return run(pairs);
}

at::Tensor TextScorer::score_block_impl(const at::Tensor& qs, const at::Tensor& is) {
  auto qa = qs.accessor<std::int64_t, 1>();
  auto ia = is.accessor<std::int64_t, 1>();
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
  pairs.reserve(std::size_t(qs.numel() * is.numel()));
  for (std::int64_t a = 0; a < qs.numel(); ++a)
    for (std::int64_t b = 0; b < is.numel(); ++b) pairs.emplace_back(qa[a], ia[b]);
  return run(pairs).reshape({qs.numel(), is.numel()});
}

at::Tensor embed_all(DualEncoder& model, const std::vector<std::vector<int>>& texts, std::int64_t batch) {
  c10::InferenceMode guard;
  model->eval();
  const std::size_t n = texts.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return texts[a].size() < texts[b].size(); });
  at::Tensor out;
  for (std::size_t s = 0; s < n; s += std::size_t(batch)) {
    const std::size_t e = std::min(n, s + std::size_t(batch));
    std::vector<std::vector<int>> rows;
    for (std::size_t k = s; k < e; ++k) rows.push_back(single_ids(texts[order[k]]));
    auto emb = model->embed(pad(rows)).to(at::kFloat);
    if (!out.defined()) out = at::empty({std::int64_t(n), emb.size(1)}, at::kFloat);
    for (std::size_t k = s; k < e; ++k) out[std::int64_t(order[k])].copy_(emb[std::int64_t(k - s)]);
  }
  return out.defined() ? out : at::empty({0, model->encoder->options.dim}, at::kFloat);
}

}  // namespace factorkit::anncur
