// Equal-cost comparisons, recall charts and the synthetic benchmark (experiment.h).
#include "experiment.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/core/svg_plot.h"

namespace factorkit::anncur {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// ANNCUR points at exactly the budgets: for each k_i < m, k_r = m − k_i.
std::vector<CurvePoint> anncur_at_budgets(const at::Tensor& aq, const at::Tensor& r, const at::Tensor& exact,
                                          const CompareOptions& o) {
  std::vector<CurvePoint> out;
  const auto n = r.size(1);
  for (auto ki : o.anchor_items) {
    if (ki < 1 || ki > n) continue;
    std::vector<std::int64_t> reranks;
    for (auto m : o.budgets)
      if (m > ki && m - ki <= n) reranks.push_back(m - ki);
    if (reranks.empty()) continue;
    for (auto& p : anncur_curve(aq, r, exact, {ki}, reranks, o.ks, o.index)) out.push_back(std::move(p));
  }
  return out;
}

const CurvePoint* best_at(const std::vector<CurvePoint>& pts, std::int64_t cost, std::int64_t k) {
  const CurvePoint* best = nullptr;
  for (const auto& p : pts)
    if (p.method == "anncur" && p.cost == cost && (!best || p.recall.at(k) > best->recall.at(k))) best = &p;
  return best;
}

const CurvePoint* with_split(const std::vector<CurvePoint>& pts, std::int64_t ki, std::int64_t cost) {
  for (const auto& p : pts)
    if (p.method == "anncur" && p.anchor_items == ki && p.cost == cost) return &p;
  return nullptr;
}

}  // namespace

double Comparison::anncur_at(std::int64_t cost, std::int64_t k) const {
  for (const auto& r : rows)
    if (r.cost == cost && r.k == k) return r.anncur;
  return -1;
}
double Comparison::baseline_at(const std::string& name, std::int64_t cost, std::int64_t k) const {
  for (const auto& r : rows)
    if (r.cost == cost && r.k == k) {
      auto it = r.baselines.find(name);
      return it == r.baselines.end() ? -1 : it->second;
    }
  return -1;
}

Comparison compare_at_equal_cost(const at::Tensor& aq, const at::Tensor& r, const at::Tensor& exact,
                                 const std::vector<std::pair<std::string, at::Tensor>>& baselines,
                                 const CompareOptions& o) {
  if (exact.size(0) < 2) throw InvalidInput("test queries", std::to_string(exact.size(0)), "at least 2", "BadOption");
  Comparison c;
  c.curves = anncur_at_budgets(aq, r, exact, o);
  std::vector<std::int64_t> budgets;
  for (auto m : o.budgets)
    if (m <= exact.size(1)) budgets.push_back(m);
  for (const auto& [name, ranking] : baselines)
    for (auto& p : rerank_curve(name, ranking, exact, budgets, o.ks)) c.curves.push_back(std::move(p));
  // halves: even and odd rows
  auto first = at::arange(0, exact.size(0), 2, at::kLong), second = at::arange(1, exact.size(0), 2, at::kLong);
  auto a = anncur_at_budgets(aq, r, exact.index_select(0, first), o);
  auto b = anncur_at_budgets(aq, r, exact.index_select(0, second), o);
  const double wa = double(first.numel()) / double(exact.size(0)), wb = 1 - wa;
  for (auto m : budgets)
    for (auto k : o.ks) {
      EqualCostRow row;
      row.cost = m;
      row.k = k;
      const auto* pa = best_at(a, m, k);
      const auto* pb = best_at(b, m, k);
      if (pa && pb) {
        // the split chosen on one half, scored on the other
        const auto* on_b = with_split(b, pa->anchor_items, m);
        const auto* on_a = with_split(a, pb->anchor_items, m);
        row.k_i_first = pa->anchor_items;
        row.k_i_second = pb->anchor_items;
        row.anncur = wb * on_b->recall.at(k) + wa * on_a->recall.at(k);
      }
      for (const auto& p : c.curves)
        if (p.method != "anncur" && p.cost == m) row.baselines[p.method] = p.recall.at(k);
      c.rows.push_back(std::move(row));
    }
  return c;
}

std::vector<std::string> write_recall_charts(const Comparison& c, const std::vector<std::int64_t>& ks,
                                             const std::string& dir, const std::string& prefix,
                                             const std::string& title) {
  std::vector<std::string> files;
  std::set<std::string> methods;
  std::set<std::int64_t> kis;
  for (const auto& p : c.curves) {
    if (p.method == "anncur")
      kis.insert(p.anchor_items);
    else
      methods.insert(p.method);
  }
  for (auto k : ks) {
    std::vector<Series> series;
    for (auto ki : kis) {
      Series s;
      s.label = fmt::format("ANNCUR k_i={}", ki);
      s.dashed = true;
      for (const auto& p : c.curves)
        if (p.method == "anncur" && p.anchor_items == ki) {
          s.x.push_back(double(p.cost));
          s.y.push_back(p.recall.at(k));
        }
      series.push_back(std::move(s));
    }
    Series best;
    best.label = "ANNCUR (split chosen on held-out half)";
    for (const auto& row : c.rows)
      if (row.k == k && row.anncur >= 0) {
        best.x.push_back(double(row.cost));
        best.y.push_back(row.anncur);
      }
    best.colour = "#000000";
    series.push_back(std::move(best));
    for (const auto& m : methods) {
      Series s;
      s.label = m + " + rerank";
      for (const auto& p : c.curves)
        if (p.method == m) {
          s.x.push_back(double(p.cost));
          s.y.push_back(p.recall.at(k));
        }
      series.push_back(std::move(s));
    }
    ChartOptions co;
    co.title = fmt::format("{}: top-{} recall", title, k);
    co.x_label = "cross-encoder calls per query";
    co.y_label = fmt::format("top-{} recall", k);
    const std::string name = fmt::format("{}-top{}.svg", prefix, k);
    write_file_atomic(dir + "/" + name, line_chart(series, co));
    files.push_back(name);
  }
  return files;
}

double cur_relative_error(const Index& ix, const at::Tensor& exact) {
  auto approx = at::matmul(exact.index_select(1, ix.anchor_items).to(ix.e.scalar_type()), ix.e);
  return ((approx - exact).to(at::kDouble).norm() / exact.to(at::kDouble).norm()).item<double>();
}

// ---- the synthetic benchmark ---------------------------------------------------------------
SyntheticExperimentResult run_synthetic(const SyntheticExperimentOptions& o) {
  if (o.anchor_queries < 1 || o.test_queries < 2 || o.anchor_queries + o.test_queries > o.scorer.queries)
    throw InvalidInput("synthetic benchmark",
                       fmt::format("{} anchor + {} test queries of {}", o.anchor_queries, o.test_queries, o.scorer.queries),
                       "at least 1 anchor and 2 test queries, together at most the queries", "BadOption");
  SyntheticExperimentResult res;
  auto t = std::chrono::steady_clock::now();
  SyntheticScorer scorer(o.scorer);
  res.scorer_seconds = seconds_since(t);
  res.fit_rmse = scorer.fit_rmse();
  res.queries = scorer.queries();
  res.items = scorer.items();
  std::mt19937_64 rng(derive_seed(o.seed, {0xE7, 1}));
  auto perm = permutation(scorer.queries(), rng);
  auto all = at::tensor(perm, at::kLong);
  auto test = all.narrow(0, 0, o.test_queries);
  auto anchors = all.narrow(0, o.test_queries, o.anchor_queries);
  auto train = all.narrow(0, o.test_queries, all.numel() - o.test_queries);  // the dual encoder's: every non-test query

  const auto items = at::arange(scorer.items(), at::kLong);
  scorer.reset_calls();
  t = std::chrono::steady_clock::now();
  GridOptions g;
  g.label = "anchor scores";
  auto r = score_grid(scorer, anchors, items, g);
  res.index_seconds = seconds_since(t);
  res.index_calls = scorer.calls();
  t = std::chrono::steady_clock::now();
  g.label = "exact scores (evaluation)";
  auto exact = score_grid(scorer, test, items, g);
  res.exact_seconds = seconds_since(t);

  scorer.reset_calls();
  auto de = distill_dual_encoder(scorer, train, o.dual);
  res.dual_calls = de.scorer_calls;
  res.dual_seconds = de.seconds;

  res.comparison = compare_at_equal_cost(anchors, r, exact, {{"dual encoder", de.scores(test)}}, o.compare);
  auto errors = [&](const at::Tensor& rr, const at::Tensor& ex) {
    std::map<std::int64_t, double> out;
    for (auto ki : o.compare.anchor_items) {
      if (ki > scorer.items()) continue;
      IndexOptions io = o.compare.index;
      io.anchor_items = ki;
      io.seed = derive_seed(o.compare.index.seed, {std::uint64_t(ki)});
      out[ki] = cur_relative_error(index_from_scores(anchors, rr, io), ex);
    }
    return out;
  };
  res.cur_error = errors(r, exact);
  if (o.emb_form_too) {
    SyntheticOptions so = o.scorer;
    so.form = o.scorer.form == SyntheticForm::Cls ? SyntheticForm::Emb : SyntheticForm::Cls;
    SyntheticScorer other(so);  // same points (the same seed draws them), the other scorer form
    res.fit_rmse_emb = other.fit_rmse();
    res.cur_error_emb = errors(score_grid(other, anchors, items), score_grid(other, test, items));
  }
  return res;
}

}  // namespace factorkit::anncur
