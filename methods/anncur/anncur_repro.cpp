// `factorkit reproduce anncur`: ANNCUR against retrieve-and-rerank at equal
// cross-encoder cost — on the synthetic non-factorizable scorer, and on WordNet
// sense linking with trained cross-encoders.
#include <fmt/format.h>

#include "experiment.h"
#include "factorkit/cli/registry.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::anncur;

nlohmann::json rows_json(const Comparison& c) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : c.rows)
    rows.push_back({{"cost", r.cost},
                    {"k", r.k},
                    {"anncur", r.anncur},
                    {"k_i_first_half", r.k_i_first},
                    {"k_i_second_half", r.k_i_second},
                    {"baselines", r.baselines}});
  return rows;
}

std::string table_line(const Comparison& c, std::int64_t cost, const std::string& baseline) {
  std::string s;
  for (std::int64_t k : {1, 10, 50, 100})
    s += fmt::format("top-{} {:.3f} vs {:.3f}; ", k, c.anncur_at(cost, k), c.baseline_at(baseline, cost, k));
  return s;
}

ReproResult synthetic(const ReproContext& ctx) {
  SyntheticExperimentOptions o;
  o.seed = ctx.seed;
  o.scorer.seed = ctx.seed;
  o.dual.seed = ctx.seed;
  o.compare.index.seed = ctx.seed;
  if (ctx.quick) {
    o.scorer.queries = 1400;
    o.scorer.items = 4000;
    o.anchor_queries = 200;
    o.test_queries = 400;
  } else {
    o.anchor_queries = 500;
    o.test_queries = 1000;
    o.compare.anchor_items = {10, 20, 50, 100, 200, 500};
  }
  const auto r = run_synthetic(o);
  const auto& c = r.comparison;
  constexpr std::int64_t m = 500;
  const double a100 = c.anncur_at(m, 100), d100 = c.baseline_at("dual encoder", m, 100);
  const double a10 = c.anncur_at(m, 10), d10 = c.baseline_at("dual encoder", m, 10);
  ReproResult res;
  res.paper = "for k > 10, better top-k recall than dual-encoder retrieve-and-rerank at the same cross-encoder cost; "
              "a crossover at k = 1 is expected. Acceptance (reference note): at m = 500 calls per query, ANNCUR's "
              "top-100 recall > the dual encoder's, and top-10 recall >= it";
  res.ours = fmt::format("at m = {} calls per query, ANNCUR vs dual encoder: {}", m, table_line(c, m, "dual encoder"));
  res.pass = a100 > d100 && a10 >= d10;
  res.note = fmt::format(
      "Synthetic scorer: a 96→{}→1 MLP on [q; i; q⊙i] trained ({:.1f} s) on a sum of {} Gaussian kernels over "
      "facets of planted-topic vectors (d = {}, {} topics; held-out RMSE {:.3f}); {} queries × {} items. Index: {} "
      "anchor queries ({} calls, {:.1f} s); {} test queries scored exhaustively for the truth ({:.1f} s). Dual "
      "encoder: two {}→{}→{} towers distilled listwise from the scorer on the {} non-test queries ({} scorer calls, "
      "{:.1f} s). ANNCUR's split (k_i, k_r) at each cost is chosen on one half of the test queries and scored on the "
      "other. CUR relative error of the score matrix on the test rows: {}. The same for an [EMB]-like scorer v·tanh(Aq ⊙ "
      "Bi + b) trained on the same relevance (held-out RMSE {:.3f}), the paper's rank effect: {}.",
      o.scorer.hidden, r.scorer_seconds, o.scorer.facets, o.scorer.dim, o.scorer.topics, r.fit_rmse, r.queries, r.items,
      o.anchor_queries, r.index_calls, r.index_seconds, o.test_queries, r.exact_seconds, o.scorer.dim, o.dual.hidden,
      o.dual.out, r.queries - o.test_queries, r.dual_calls, r.dual_seconds, [&] {
        std::string s;
        for (auto [ki, e] : r.cur_error) s += fmt::format("k_i {}: {:.3f}; ", ki, e);
        return s;
      }(),
      r.fit_rmse_emb, [&] {
        std::string s;
        for (auto [ki, e] : r.cur_error_emb) s += fmt::format("k_i {}: {:.3f}; ", ki, e);
        return s;
      }());
  res.figures = write_recall_charts(c, o.compare.ks, ctx.out_dir, "synthetic", "synthetic scorer");
  res.details = {{"rows", rows_json(c)},
                 {"index_calls", r.index_calls},
                 {"dual_encoder_calls", r.dual_calls},
                 {"fit_rmse", r.fit_rmse},
                 {"cur_error", [&] {
                    nlohmann::json j = nlohmann::json::object();
                    for (auto [ki, e] : r.cur_error) j[std::to_string(ki)] = e;
                    return j;
                  }()},
                 {"cur_error_emb", [&] {
                    nlohmann::json j = nlohmann::json::object();
                    for (auto [ki, e] : r.cur_error_emb) j[std::to_string(ki)] = e;
                    return j;
                  }()}};
  return res;
}

ReproResult wordnet(const ReproContext& ctx) {
  WordNetExperimentOptions o;
  o.seed = ctx.seed;
  o.compare.index.seed = ctx.seed;
  if (ctx.quick) {
    o.forms = {CeForm::Emb};
    o.items = 1000;
    o.anchor_queries = 50;
    o.test_queries = 100;
    o.train_queries = 8000;
    o.compare.budgets = {10, 20, 50, 100, 200, 500};
    o.compare.anchor_items = {5, 10, 20, 50};
    o.model_prefix = "anncur-quick";
  } else {
    o.items = 2000;
    o.anchor_queries = 100;
    o.test_queries = 200;
    o.train_queries = 12000;
    o.compare.budgets = {10, 20, 50, 100, 200, 500, 1000};
    o.compare.anchor_items = {5, 10, 20, 50, 100};
    o.model_prefix = "anncur-full";
  }
  const std::int64_t m = o.items / 10;
  const auto r = run_wordnet(o);
  ReproResult res;
  res.paper = "for k > 10, ANNCUR gives better top-k recall than dual-encoder and TF-IDF retrieve-and-rerank at the "
              "same cross-encoder cost (ZeShEL, BERT-base cross-encoders); [EMB]-CE score matrices are approximated "
              "better than [CLS]-CE ones (unverified). Acceptance here: with the [EMB] cross-encoder at m = |I|/10 calls "
              "per query, ANNCUR's top-50 and top-100 recall above both baselines'";
  std::string ours;
  res.pass = false;
  nlohmann::json forms = nlohmann::json::array();
  for (const auto& f : r.forms) {
    const auto& c = f.comparison;
    ours += fmt::format("[{}]-CE at m = {}: ", to_string(f.form) == "emb" ? "EMB" : "CLS", m);
    for (std::int64_t k : {1, 10, 50, 100})
      ours += fmt::format("top-{} ANNCUR {:.3f} / DE {:.3f} / TF-IDF {:.3f}; ", k, c.anncur_at(m, k),
                          c.baseline_at("dual encoder", m, k), c.baseline_at("tf-idf", m, k));
    if (f.form == CeForm::Emb) {
      res.pass = true;
      for (std::int64_t k : {50, 100})
        res.pass = res.pass && c.anncur_at(m, k) > std::max(c.baseline_at("dual encoder", m, k), c.baseline_at("tf-idf", m, k));
    }
    const auto prefix = fmt::format("wordnet-{}", to_string(f.form));
    for (auto& file : write_recall_charts(c, o.compare.ks, ctx.out_dir, prefix,
                                          fmt::format("WordNet sense linking, [{}]-CE", to_string(f.form))))
      res.figures.push_back(file);
    nlohmann::json cur = nlohmann::json::object();
    for (auto [ki, e] : f.cur_error) cur[std::to_string(ki)] = e;
    forms.push_back({{"form", to_string(f.form)},
                     {"rows", rows_json(c)},
                     {"cur_error", cur},
                     {"model", f.model_info},
                     {"train_seconds", f.train_seconds},
                     {"index_seconds", f.index_seconds},
                     {"index_calls", f.index_calls},
                     {"calls_per_second", double(f.index_calls) / std::max(1e-9, f.index_seconds)},
                     {"exact_seconds", f.exact_seconds}});
  }
  res.ours = ours;
  std::string models;
  for (const auto& f : r.forms) {
    std::string cur;
    for (auto [ki, e] : f.cur_error) cur += fmt::format("{}: {:.3f}, ", ki, e);
    models += fmt::format(
        "[{}]-CE: dev accuracy {:.3f} among {} candidates, index {} calls in {:.1f} s ({:.0f} calls/s), CUR relative "
        "error by k_i {}; ",
        to_string(f.form), f.model_info["metrics"].value("dev_accuracy", 0.0),
        f.model_info["metrics"].value("dev_candidates", 0), f.index_calls, f.index_seconds,
        double(f.index_calls) / std::max(1e-9, f.index_seconds), cur);
  }
  res.note = fmt::format(
      "World: {} test-split mentions (senses never seen in training) as {} anchor and {} test queries; {} items (their "
      "gold senses and other senses of the dev and test splits, drawn uniformly). Cross-encoders: 2-layer, 64-wide Transformers trained from scratch in "
      "C++ (one epoch) on {} training mentions, gold against {} negatives (half TF-IDF hard, half random, both among "
      "training senses), with the exact-match input feature (docs/methods/anncur.md). Dual encoder: the same "
      "Transformer as two towers (shared), two epochs, in-batch and TF-IDF hard negatives, dev in-batch accuracy {:.3f} "
      "among {}, training {:.0f} s (0: cached), embedding the world {:.1f} s. TF-IDF: scikit-learn's TfidfVectorizer "
      "weighting on words of letters and digits of 'name: definition'. {}ANNCUR's split at each cost is "
      "chosen on one half of the test queries and scored on the other. Models are cached under <cache>/models/{}-*.",
      o.anchor_queries + o.test_queries, o.anchor_queries, o.test_queries, o.items, o.train_queries, o.negatives,
      r.dual_info["metrics"].value("dev_in_batch_accuracy", 0.0), r.dual_info["metrics"].value("dev_candidates", 0),
      r.dual_train_seconds, r.dual_embed_seconds, models, o.model_prefix);
  res.details = {{"forms", forms}, {"dual_encoder", r.dual_info}, {"dual_train_seconds", r.dual_train_seconds},
                 {"budget_checked", m}};
  return res;
}

FACTORKIT_REGISTER_REPRO(ReproEntry{
    "anncur", "wordnet-linking",
    "On sense linking with a trained cross-encoder, ANNCUR gives better top-k recall (k > 10) than dual-encoder or "
    "TF-IDF retrieve-and-rerank at the same number of cross-encoder calls",
    wordnet});

FACTORKIT_REGISTER_REPRO(ReproEntry{
    "anncur", "synthetic",
    "ANNCUR (CUR of the cross-encoder score matrix) gives better top-k recall than dual-encoder retrieve-and-rerank "
    "for k > 10 at the same number of cross-encoder calls, on a scorer that does not factorize",
    synthetic});

}  // namespace
}  // namespace factorkit::cli
