// ANNCUR on WordNet sense linking: trained cross-encoders as the scorer, a
// dual encoder and TF-IDF as retrieve-and-rerank baselines (experiment.h).
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "experiment.h"
#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/nn/reference.h"

namespace factorkit::anncur {

WordNetExperimentResult run_wordnet(const WordNetExperimentOptions& o) {
  if (o.items < 2 || o.anchor_queries < 1 || o.test_queries < 2)
    throw InvalidInput("wordnet benchmark", fmt::format("{} items, {} anchor, {} test queries", o.items, o.anchor_queries, o.test_queries),
                       "at least 2 items, 1 anchor and 2 test queries", "BadOption");
  const nn::Tokenizer tok = nn::wordnet_tokenizer();
  const auto data = linking_data(tok);
  const auto& task = data->task;

  // the world
  std::vector<std::size_t> mentions = task.split.test;
  std::mt19937_64 rng(derive_seed(o.seed, {0x3E, 1}));
  shuffle(mentions, rng);
  const std::size_t need = std::size_t(o.anchor_queries + o.test_queries);
  if (mentions.size() < need)
    throw InvalidInput("wordnet benchmark", fmt::format("{} queries", need),
                       fmt::format("at most {} (test-split mentions)", mentions.size()), "BadOption");
  mentions.resize(need);
  std::vector<std::int64_t> items;
  std::set<std::int64_t> in_world;
  for (auto m : mentions)
    if (in_world.insert(std::int64_t(task.examples[m].entity)).second) items.push_back(std::int64_t(task.examples[m].entity));
  if (std::int64_t(items.size()) > o.items)
    throw InvalidInput("wordnet benchmark", fmt::format("{} items", o.items),
                       fmt::format("at least {} (the gold senses of the queries)", items.size()), "BadOption");
  // the other items: senses of the test and dev splits (never seen in training, and with examples, as the golds)
  std::vector<std::size_t> unseen = task.split.test;
  unseen.insert(unseen.end(), task.split.dev.begin(), task.split.dev.end());
  auto others = entities_of(*data, unseen);
  shuffle(others, rng);
  for (auto e : others) {
    if (std::int64_t(items.size()) >= o.items) break;
    if (in_world.insert(e).second) items.push_back(e);
  }
  if (std::int64_t(items.size()) < o.items)
    throw InvalidInput("wordnet benchmark", fmt::format("{} items", o.items),
                       fmt::format("at most {} (the senses of the dev and test splits)", items.size()), "BadOption");
  shuffle(items, rng);
  std::vector<std::vector<int>> qids, iids;
  std::vector<std::string> contexts, item_text;
  for (auto m : mentions) {
    qids.push_back(example_query_ids(tok, *data, task.examples[m]));
    contexts.push_back(task.examples[m].context);
  }
  for (auto e : items) {
    iids.push_back(data->entity_ids[std::size_t(e)]);
    item_text.push_back(data->entity_text[std::size_t(e)]);
  }
  const auto anchors = at::arange(o.anchor_queries, at::kLong);
  const auto tests = at::arange(o.anchor_queries, o.anchor_queries + o.test_queries, at::kLong);
  const auto all_items = at::arange(o.items, at::kLong);

  WordNetExperimentResult res;
  res.items = o.items;
  res.anchor_queries = o.anchor_queries;
  res.test_queries = o.test_queries;

  // baselines
  const TfIdf world_tfidf(item_text);
  auto tfidf_rank = at::empty({o.test_queries, o.items}, at::kFloat);
  for (std::int64_t q = 0; q < o.test_queries; ++q) {
    auto s = world_tfidf.scores(contexts[std::size_t(o.anchor_queries + q)]);
    tfidf_rank[q].copy_(at::tensor(s, at::kFloat));
  }
  DeRecipe dr = de_recipe();
  dr.train_queries = o.train_queries;
  dr.train.seed = o.seed;
  const auto de_dir = nn::reference_model_dir(o.model_prefix + "-de");
  const auto de_trained = train_dual_encoder(*data, dr, de_dir);
  res.dual_train_seconds = de_trained.seconds;
  res.dual_info = de_trained.info;
  auto de = load_dual_encoder(de_dir);
  auto t = std::chrono::steady_clock::now();
  std::vector<std::vector<int>> test_q(qids.begin() + o.anchor_queries, qids.end());
  auto de_rank = at::matmul(embed_all(de, test_q), embed_all(de, iids).t());
  res.dual_embed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();

  for (auto form : o.forms) {
    WordNetFormResult fr;
    fr.form = form;
    CeRecipe cr = ce_recipe(form);
    cr.train_queries = o.train_queries;
    cr.negatives = o.negatives;
    cr.train.seed = o.seed;
    const auto dir = nn::reference_model_dir(fmt::format("{}-ce-{}", o.model_prefix, to_string(form)));
    const auto trained = train_cross_encoder(*data, cr, dir);
    fr.train_seconds = trained.seconds;
    fr.model_info = trained.info;
    TextScorer scorer(load_cross_encoder(dir), qids, iids, fmt::format("{}-ce", to_string(form)));
    t = std::chrono::steady_clock::now();
    GridOptions g;
    g.label = fmt::format("{}-CE anchor scores", to_string(form));
    auto r = score_grid(scorer, anchors, all_items, g);
    fr.index_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    fr.index_calls = scorer.calls();
    t = std::chrono::steady_clock::now();
    g.label = fmt::format("{}-CE exact scores (evaluation)", to_string(form));
    auto exact = score_grid(scorer, tests, all_items, g);
    fr.exact_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    fr.comparison = compare_at_equal_cost(anchors, r, exact, {{"dual encoder", de_rank}, {"tf-idf", tfidf_rank}}, o.compare);
    for (auto ki : o.compare.anchor_items) {
      if (ki > o.items) continue;
      IndexOptions io = o.compare.index;
      io.anchor_items = ki;
      io.seed = derive_seed(o.compare.index.seed, {std::uint64_t(ki)});
      fr.cur_error[ki] = cur_relative_error(index_from_scores(anchors, r, io), exact);
    }
    res.forms.push_back(std::move(fr));
  }
  return res;
}

}  // namespace factorkit::anncur
