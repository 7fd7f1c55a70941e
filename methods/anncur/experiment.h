// methods/anncur/experiment.h — recall against cost, ANNCUR beside
// retrieve-and-rerank baselines at equal numbers of scorer calls per query, and
// the synthetic benchmark built on it.
#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "anncur.h"
#include "synthetic.h"
#include "text.h"

namespace factorkit::anncur {

struct CompareOptions {
  std::vector<std::int64_t> budgets{20, 50, 100, 200, 500, 1000};  // calls per query (m = k_i + k_r)
  std::vector<std::int64_t> anchor_items{10, 20, 50, 100, 200};    // k_i tried at each budget
  std::vector<std::int64_t> ks{1, 10, 50, 100};
  IndexOptions index;  // choice, seed, rcond (anchor_items set per point)
};

// One cost, one k. ANNCUR's split of the budget (k_i, k_r = m − k_i) is chosen
// on one half of the test queries and scored on the other (both ways, averaged),
// so the choice never sees the queries it is scored on.
struct EqualCostRow {
  std::int64_t cost = 0, k = 0;
  double anncur = -1;               // −1: no split fits the budget
  std::int64_t k_i_first = 0, k_i_second = 0;  // the split chosen for each half
  std::map<std::string, double> baselines;     // rerank of the baseline's top m
};

struct Comparison {
  std::vector<CurvePoint> curves;  // every point on all test queries (anncur per k_i, then baselines)
  std::vector<EqualCostRow> rows;
  double anncur_at(std::int64_t cost, std::int64_t k) const;
  double baseline_at(const std::string& name, std::int64_t cost, std::int64_t k) const;
};

// `exact`: the scorer on the test queries (n × |I|); `r`: on the anchor
// queries; baselines: (name, ranking n × |I|).
Comparison compare_at_equal_cost(const at::Tensor& anchor_queries, const at::Tensor& r, const at::Tensor& exact,
                                 const std::vector<std::pair<std::string, at::Tensor>>& baselines,
                                 const CompareOptions& o);

// One SVG per k: top-k recall against calls per query, ANNCUR per k_i and the baselines.
std::vector<std::string> write_recall_charts(const Comparison& c, const std::vector<std::int64_t>& ks,
                                             const std::string& dir, const std::string& prefix,
                                             const std::string& title);

// ‖M − C U R‖_F / ‖M‖_F on the test rows for an index built from R.
double cur_relative_error(const Index& ix, const at::Tensor& exact);

// ---- the synthetic benchmark ------------------------------------------------------------
struct SyntheticExperimentOptions {
  SyntheticOptions scorer;
  std::int64_t anchor_queries = 200, test_queries = 1000;
  DualEncoderOptions dual;
  CompareOptions compare;
  bool emb_form_too = true;  // also train the [EMB]-like scorer and report its CUR errors (the rank effect)
  std::uint64_t seed = 0;
};
struct SyntheticExperimentResult {
  Comparison comparison;
  double fit_rmse = 0;
  std::int64_t index_calls = 0, dual_calls = 0;
  double scorer_seconds = 0;  // training the scorer
  double index_seconds = 0, exact_seconds = 0, dual_seconds = 0;
  std::map<std::int64_t, double> cur_error;      // k_i → relative error on the test rows
  std::map<std::int64_t, double> cur_error_emb;  // the same for the [EMB]-like scorer (same points, anchors)
  double fit_rmse_emb = 0;
  std::int64_t queries = 0, items = 0;
};
SyntheticExperimentResult run_synthetic(const SyntheticExperimentOptions& o);

// ---- WordNet sense linking ------------------------------------------------------------------
// A "world" as in zero-shot entity linking: mentions of test-split senses
// (never seen in training), split into anchor queries and test queries, and
// items = their gold senses plus uniformly drawn other senses.
struct WordNetExperimentOptions {
  std::vector<CeForm> forms{CeForm::Emb, CeForm::Cls};
  std::int64_t items = 1000, anchor_queries = 50, test_queries = 100;
  std::int64_t train_queries = 3000;  // training examples of each model
  std::int64_t negatives = 7;
  CompareOptions compare;
  std::uint64_t seed = 0;
  std::string model_prefix = "anncur";  // cached models: <cache>/models/<prefix>-{ce-emb,ce-cls,de}
};
struct WordNetFormResult {
  CeForm form = CeForm::Emb;
  Comparison comparison;
  nlohmann::json model_info;
  double train_seconds = 0;  // 0 when the model was cached
  double index_seconds = 0, exact_seconds = 0;
  std::int64_t index_calls = 0;
  std::map<std::int64_t, double> cur_error;
};
struct WordNetExperimentResult {
  std::vector<WordNetFormResult> forms;
  nlohmann::json dual_info;
  double dual_train_seconds = 0, dual_embed_seconds = 0;
  std::int64_t items = 0, anchor_queries = 0, test_queries = 0;
};
WordNetExperimentResult run_wordnet(const WordNetExperimentOptions& o);

}  // namespace factorkit::anncur
