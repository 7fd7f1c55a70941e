// ANNCUR: scorers, score grids with checkpoints, the index, search and the
// recall evaluation (see anncur.h).
#include "anncur.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/source.h"
#include "factorkit/core/torch_bridge.h"
#include "index_file.h"
#include "factorkit/core/progress.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/linalg/cur.h"
#include "factorkit/linalg/svd.h"
#include "factorkit/nn/checkpoint.h"

namespace factorkit::anncur {

namespace {

void check_ids(const at::Tensor& ids, std::int64_t n, const char* what) {
  if (!ids.defined() || ids.dim() != 1 || ids.scalar_type() != at::kLong)
    throw InvalidInput(what, ids.defined() ? c10::str(ids.sizes(), " ", ids.scalar_type()) : "undefined",
                       "a 1-D int64 tensor of ids", "BadIds");
  if (ids.numel() == 0) return;
  const auto lo = ids.min().item<std::int64_t>(), hi = ids.max().item<std::int64_t>();
  if (lo < 0 || hi >= n)
    throw InvalidInput(what, fmt::format("ids from {} to {}", lo, hi), fmt::format("ids in [0, {})", n), "IdOutOfRange");
}

}  // namespace

// ---- scorers ---------------------------------------------------------------------------
at::Tensor Scorer::score(const at::Tensor& query, const at::Tensor& item) {
  check_ids(query, queries(), "query ids");
  check_ids(item, items(), "item ids");
  if (query.numel() != item.numel())
    throw InvalidInput("pairs", fmt::format("{} query ids, {} item ids", query.numel(), item.numel()),
                       "as many query ids as item ids", "BadPairs");
  calls_ += query.numel();
  if (query.numel() == 0) return at::empty({0}, at::kFloat);
  auto s = score_pairs(query.contiguous(), item.contiguous()).reshape({-1});
  if (s.numel() != query.numel())
    throw InvalidInput(describe(), c10::str(s.sizes()), fmt::format("{} scores", query.numel()), "BadScorer");
  return s;
}

at::Tensor Scorer::score_block(const at::Tensor& qs, const at::Tensor& is) {
  check_ids(qs, queries(), "query ids");
  check_ids(is, items(), "item ids");
  calls_ += qs.numel() * is.numel();
  if (qs.numel() == 0 || is.numel() == 0) return at::empty({qs.numel(), is.numel()}, at::kFloat);
  auto s = score_block_impl(qs.contiguous(), is.contiguous());
  if (s.dim() != 2 || s.size(0) != qs.numel() || s.size(1) != is.numel())
    throw InvalidInput(describe(), c10::str(s.sizes()), fmt::format("({}, {}) scores", qs.numel(), is.numel()),
                       "BadScorer");
  return s;
}

at::Tensor Scorer::score_block_impl(const at::Tensor& qs, const at::Tensor& is) {
  const std::int64_t nq = qs.numel(), ni = is.numel(), n = nq * ni;
  auto q = qs.repeat_interleave(ni), i = is.repeat({nq});
  const std::int64_t b = std::max<std::int64_t>(1, preferred_batch());
  std::vector<at::Tensor> parts;
  for (std::int64_t s = 0; s < n; s += b) {
    const auto e = std::min(n, s + b);
    parts.push_back(score_pairs(q.slice(0, s, e), i.slice(0, s, e)).reshape({-1}));
  }
  return at::cat(parts).reshape({nq, ni});
}

MatrixScorer::MatrixScorer(at::Tensor scores, std::string name) : m_(std::move(scores)), name_(std::move(name)) {
  if (!m_.defined() || m_.dim() != 2 || !m_.is_floating_point())
    throw InvalidInput(name_, m_.defined() ? c10::str(m_.sizes()) : "undefined", "a 2-D floating-point score matrix",
                       "BadShape");
}
std::int64_t MatrixScorer::queries() const { return m_.size(0); }
std::int64_t MatrixScorer::items() const { return m_.size(1); }
at::Tensor MatrixScorer::score_pairs(const at::Tensor& q, const at::Tensor& i) { return m_.index({q, i}); }
at::Tensor MatrixScorer::score_block_impl(const at::Tensor& q, const at::Tensor& i) {
  return m_.index_select(0, q).index_select(1, i);
}

FunctionScorer::FunctionScorer(std::int64_t queries, std::int64_t items, Fn fn, std::string name, std::int64_t batch)
    : nq_(queries), ni_(items), batch_(std::max<std::int64_t>(1, batch)), fn_(std::move(fn)), name_(std::move(name)) {}
at::Tensor FunctionScorer::score_pairs(const at::Tensor& q, const at::Tensor& i) { return fn_(q, i); }

// ---- grids ------------------------------------------------------------------------------
namespace {

constexpr const char* kGridFormat = "factorkit-anncur-grid/1";

struct GridCheckpoint {
  std::int64_t rows = 0;
  at::Tensor done;  // (rows, |items|)
};

std::optional<GridCheckpoint> read_grid_checkpoint(const std::string& path, const std::string& identity,
                                                   std::int64_t nrows, std::int64_t ncols) {
  if (path.empty() || !std::filesystem::exists(path)) return std::nullopt;
  std::map<std::string, std::string> meta;
  auto t = nn::load_tensors(path, &meta);
  if (meta["format"] != kGridFormat) throw MalformedFile(path, "format", kGridFormat, "BadCheckpoint");
  if (meta["identity"] != identity)
    throw InvalidInput(path, "identity",
                       "a checkpoint of this same grid (scorer, queries, items); remove it to start over",
                       "CheckpointMismatch");
  if (t.size() != 1 || t[0].first != "scores") throw MalformedFile(path, "tensors", "one tensor named scores", "BadCheckpoint");
  auto s = t[0].second;
  if (s.dim() != 2 || s.size(0) > nrows || s.size(1) != ncols || !s.is_floating_point())
    throw MalformedFile(path, "scores", fmt::format("(at most {}, {}) floating-point scores", nrows, ncols),
                        "BadCheckpoint");
  return GridCheckpoint{s.size(0), s};
}

}  // namespace

at::Tensor score_grid(Scorer& scorer, const at::Tensor& qs, const at::Tensor& is, const GridOptions& opts) {
  check_ids(qs, scorer.queries(), "query ids");
  check_ids(is, scorer.items(), "item ids");
  const std::int64_t nq = qs.numel(), ni = is.numel();
  nlohmann::json id = opts.identity;
  id["scorer"] = scorer.describe();
  id["queries"] = nq;
  id["items"] = ni;
  // The ids themselves, cheaply: sums and a position-weighted checksum.
  auto digest = [](const at::Tensor& t) {
    if (t.numel() == 0) return std::int64_t(0);
    auto w = at::arange(1, t.numel() + 1, at::kLong);
    return (t * w).sum().item<std::int64_t>() ^ (t.sum().item<std::int64_t>() << 20);
  };
  id["query_digest"] = digest(qs);
  id["item_digest"] = digest(is);
  const std::string identity = id.dump();

  std::vector<at::Tensor> rows;
  std::int64_t done = 0;
  if (auto ck = read_grid_checkpoint(opts.checkpoint, identity, nq, ni)) {
    done = ck->rows;
    if (done > 0) rows.push_back(ck->done);
  }
  const std::int64_t per_block =
      opts.rows_per_block > 0 ? opts.rows_per_block
                              : std::max<std::int64_t>(1, scorer.preferred_batch() / std::max<std::int64_t>(1, ni));
  Progress bar(opts.label, nq * ni);
  bar.set(done * ni);
  auto last = std::chrono::steady_clock::now();
  auto save = [&](std::int64_t upto) {
    if (opts.checkpoint.empty()) return;
    auto all = rows.empty() ? at::empty({0, ni}, at::kFloat) : at::cat(rows, 0);
    nn::save_tensors(opts.checkpoint, {{"scores", all.contiguous()}},
                     {{"format", kGridFormat}, {"identity", identity}, {"rows", std::to_string(upto)}});
  };
  for (std::int64_t r = done; r < nq; r += per_block) {
    const auto e = std::min(nq, r + per_block);
    rows.push_back(scorer.score_block(qs.slice(0, r, e), is));
    bar.set(e * ni);
    const auto now = std::chrono::steady_clock::now();
    if (e < nq && std::chrono::duration<double>(now - last).count() >= opts.checkpoint_seconds) {
      save(e);
      last = now;
    }
  }
  bar.finish();
  if (!opts.checkpoint.empty()) std::filesystem::remove(opts.checkpoint);
  if (rows.empty()) return at::empty({nq, ni}, at::kFloat);
  // A resumed part may be stored in another dtype than the fresh rows.
  auto dtype = rows.back().scalar_type();
  for (auto& t : rows) t = t.to(dtype);
  return at::cat(rows, 0);
}

// ---- the index ------------------------------------------------------------------------------
std::string to_string(AnchorChoice c) { return c == AnchorChoice::Uniform ? "uniform" : "diverse"; }
AnchorChoice parse_anchor_choice(const std::string& s, const std::string& where) {
  if (s == "uniform") return AnchorChoice::Uniform;
  if (s == "diverse") return AnchorChoice::Diverse;
  throw InvalidInput(where, s, "uniform or diverse", "BadOption");
}

at::Tensor choose_anchor_items(const at::Tensor& r, const IndexOptions& opts) {
  const std::int64_t n = r.size(1), k = opts.anchor_items;
  if (k < 1 || k > n)
    throw InvalidInput("anchor items", std::to_string(k), fmt::format("1 to {} (the number of items)", n), "BadOption");
  if (opts.choice == AnchorChoice::Diverse) {
    // Pivoted QR picks at most min(k_q, |I|) independent columns; the rest
    // (k_i > k_q) are drawn uniformly from the remaining items.
    const std::int64_t kp = std::min(k, r.size(0));
    auto piv = linalg::pivoted_qr_columns(r.to(at::kDouble), kp);
    if (kp == k) return std::get<0>(piv.sort());
    std::vector<char> used(std::size_t(n), 0);
    auto pa = piv.accessor<std::int64_t, 1>();
    std::vector<std::int64_t> chosen;
    for (std::int64_t j = 0; j < kp; ++j) {
      used[std::size_t(pa[j])] = 1;
      chosen.push_back(pa[j]);
    }
    std::mt19937_64 rng(derive_seed(opts.seed, {0xA11C, 2}));
    for (auto j : permutation(n, rng)) {
      if (std::int64_t(chosen.size()) == k) break;
      if (!used[std::size_t(j)]) chosen.push_back(j);
    }
    std::sort(chosen.begin(), chosen.end());
    return at::tensor(chosen, at::kLong);
  }
  std::mt19937_64 rng(derive_seed(opts.seed, {0xA11C, 1}));
  auto p = permutation(n, rng);
  p.resize(std::size_t(k));
  std::sort(p.begin(), p.end());
  return at::tensor(p, at::kLong);
}

Index index_from_scores(const at::Tensor& anchor_queries, const at::Tensor& r, const IndexOptions& opts) {
  if (!r.defined() || r.dim() != 2 || !r.is_floating_point() || r.size(0) < 1 || r.size(1) < 1)
    throw InvalidInput("R", r.defined() ? c10::str(r.sizes()) : "undefined",
                       "a non-empty (anchor queries × items) floating-point matrix", "BadShape");
  if (anchor_queries.numel() != r.size(0))
    throw InvalidInput("anchor queries", std::to_string(anchor_queries.numel()), fmt::format("{} (rows of R)", r.size(0)),
                       "BadShape");
  if (!(opts.rcond >= 0)) throw InvalidInput("rcond", fmt::format("{}", opts.rcond), "a number >= 0", "BadOption");
  if (!at::isfinite(r).all().item<bool>())
    throw NumericalFailure("R", "scores", "finite scores of the anchor queries", "NonFinite");
  Index ix;
  ix.anchor_queries = anchor_queries.to(at::kLong).contiguous();
  ix.r = r.contiguous();
  ix.anchor_items = choose_anchor_items(r, opts);
  auto rd = r.to(at::kDouble);
  // The intersection R[:, I_a] is k_q × k_i; its pseudo-inverse U is k_i × k_q.
  ix.u = linalg::pinv(rd.index_select(1, ix.anchor_items), opts.rcond).contiguous();
  ix.e = at::matmul(ix.u, rd).to(r.scalar_type()).contiguous();
  ix.info = {{"anchor_items", ix.k_i()},
             {"anchor_queries", ix.k_q()},
             {"items", ix.items()},
             {"choice", to_string(opts.choice)},
             {"seed", opts.seed},
             {"rcond", opts.rcond},
             {"index_calls", ix.k_q() * ix.items()}};
  return ix;
}

Index build_index(Scorer& scorer, const at::Tensor& anchor_queries, const IndexOptions& opts, const GridOptions& grid) {
  const std::int64_t n = scorer.items();
  if (opts.anchor_items < 1 || opts.anchor_items > n)
    throw InvalidInput("anchor items", std::to_string(opts.anchor_items), fmt::format("1 to {} (the number of items)", n),
                       "BadOption");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = score_grid(scorer, anchor_queries, at::arange(n, at::kLong), grid);
  const double score_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto t1 = std::chrono::steady_clock::now();
  auto ix = index_from_scores(anchor_queries, r, opts);
  ix.info["scorer"] = scorer.describe();
  ix.info["scoring_seconds"] = score_s;
  ix.info["algebra_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return ix;
}

void save_index(const Index& ix, const std::string& path) {
  nn::save_tensors(path,
                   {{"anchor_queries", ix.anchor_queries},
                    {"anchor_items", ix.anchor_items},
                    {"r", ix.r},
                    {"u", ix.u},
                    {"e", ix.e}},
                   {{"format", kIndexFormat}, {"anncur", ix.info.dump()}});
}

Index load_index(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw InvalidInput(path, "index", "an index file from `factorkit anncur index`", "FileNotFound");
  const TensorFile f = read_safetensors(FileSource(path));
  const IndexLayout layout = check_index_file(f, path);
  Index ix;
  ix.anchor_queries = to_torch(*f.find("anchor_queries"), path);
  ix.anchor_items = to_torch(*f.find("anchor_items"), path);
  ix.r = to_torch(*f.find("r"), path);
  ix.u = to_torch(*f.find("u"), path);
  ix.e = to_torch(*f.find("e"), path);
  ix.info = layout.info;
  return ix;
}

// ---- search ----------------------------------------------------------------------------------
SearchResult search(const Index& ix, Scorer& scorer, const at::Tensor& queries, const SearchOptions& opts) {
  const std::int64_t n = ix.items();
  if (scorer.items() != n)
    throw InvalidInput("scorer", fmt::format("{} items", scorer.items()), fmt::format("{} items (the index's)", n),
                       "IndexMismatch");
  if (opts.rerank < 1 || opts.rerank > n)
    throw InvalidInput("rerank", std::to_string(opts.rerank), fmt::format("1 to {} (the number of items)", n), "BadOption");
  if (opts.k < 1) throw InvalidInput("k", std::to_string(opts.k), "at least 1", "BadOption");
  check_ids(queries, scorer.queries(), "query ids");
  const auto before = scorer.calls();
  const std::int64_t nq = queries.numel(), kr = opts.rerank, k = std::min(opts.k, kr);
  SearchResult out;
  auto c = scorer.score_block(queries, ix.anchor_items);  // (nq, k_i)
  out.approx = at::matmul(c.to(ix.e.scalar_type()), ix.e);
  auto cand = std::get<1>(out.approx.topk(kr, 1, true, false));  // (nq, k_r)
  cand = std::get<0>(cand.sort(1));                                  // by id, for the tie rule
  auto exact = scorer.score(queries.repeat_interleave(kr), cand.reshape({-1})).reshape({nq, kr});
  auto order = std::get<1>(exact.sort(/*stable=*/true, 1, /*descending=*/true)).narrow(1, 0, k);
  out.items = cand.gather(1, order);
  out.scores = exact.gather(1, order);
  out.calls = scorer.calls() - before;
  return out;
}

// ---- evaluation ---------------------------------------------------------------------------------
at::Tensor exact_top_k(const at::Tensor& exact, std::int64_t k) {
  k = std::min(k, exact.size(1));
  return std::get<1>(exact.sort(/*stable=*/true, 1, /*descending=*/true)).narrow(1, 0, k).contiguous();
}

at::Tensor rerank(const at::Tensor& ranking, const at::Tensor& exact, std::int64_t kr, std::int64_t k) {
  kr = std::min(kr, ranking.size(1));
  auto cand = std::get<0>(std::get<1>(ranking.topk(kr, 1, true, false)).sort(1));
  auto ex = exact.gather(1, cand);
  auto order = std::get<1>(ex.sort(true, 1, true)).narrow(1, 0, std::min(k, kr));
  return cand.gather(1, order);
}

double top_k_recall(const at::Tensor& returned, const at::Tensor& truth, std::int64_t k) {
  const std::int64_t n = truth.size(0);
  if (n == 0) return 0;
  auto r = returned.narrow(1, 0, std::min(k, returned.size(1))).contiguous();
  auto t = truth.narrow(1, 0, std::min(k, truth.size(1))).contiguous();
  // hits: for each returned id, is it among the truth row's ids
  auto hits = (r.unsqueeze(2) == t.unsqueeze(1)).any(2).sum().item<std::int64_t>();
  return double(hits) / double(n * k);
}

nlohmann::json to_json(const CurvePoint& p) {
  nlohmann::json r = nlohmann::json::object();
  for (auto& [k, v] : p.recall) r[std::to_string(k)] = v;
  return {{"method", p.method}, {"anchor_items", p.anchor_items}, {"rerank", p.rerank}, {"cost", p.cost}, {"recall", r}};
}

std::vector<CurvePoint> rerank_curve(const std::string& method, const at::Tensor& ranking, const at::Tensor& exact,
                                     const std::vector<std::int64_t>& reranks, const std::vector<std::int64_t>& ks,
                                     std::int64_t extra_cost) {
  const std::int64_t kmax = *std::max_element(ks.begin(), ks.end());
  auto truth = exact_top_k(exact, kmax);
  std::vector<CurvePoint> out;
  for (auto kr : reranks) {
    if (kr < 1 || kr > exact.size(1)) continue;
    auto ret = rerank(ranking, exact, kr, kmax);
    CurvePoint p{method, extra_cost, kr, extra_cost + kr, {}};
    for (auto k : ks) p.recall[k] = top_k_recall(ret, truth, k);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<CurvePoint> anncur_curve(const at::Tensor& anchor_queries, const at::Tensor& r, const at::Tensor& exact,
                                     const std::vector<std::int64_t>& anchor_items,
                                     const std::vector<std::int64_t>& reranks, const std::vector<std::int64_t>& ks,
                                     const IndexOptions& base) {
  std::vector<CurvePoint> out;
  for (auto ki : anchor_items) {
    if (ki < 1 || ki > r.size(1)) continue;
    IndexOptions o = base;
    o.anchor_items = ki;
    o.seed = derive_seed(base.seed, {std::uint64_t(ki)});
    auto ix = index_from_scores(anchor_queries, r, o);
    auto c = exact.index_select(1, ix.anchor_items).to(ix.e.scalar_type());
    auto approx = at::matmul(c, ix.e);
    for (auto& p : rerank_curve("anncur", approx, exact, reranks, ks, ki)) out.push_back(std::move(p));
  }
  return out;
}

double best_within(const std::vector<CurvePoint>& curve, const std::string& method, std::int64_t cost, std::int64_t k,
                   const CurvePoint** which) {
  double best = -1;
  for (const auto& p : curve) {
    if (p.method != method || p.cost > cost) continue;
    auto it = p.recall.find(k);
    if (it != p.recall.end() && it->second > best) {
      best = it->second;
      if (which) *which = &p;
    }
  }
  return best;
}

}  // namespace factorkit::anncur
