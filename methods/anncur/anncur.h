// methods/anncur/anncur.h — ANNCUR (Yadav et al., EMNLP 2022): k-nearest-
// neighbour search under an expensive black-box scorer (a cross-encoder) by a
// CUR decomposition of the query × item score matrix.
//
//   index   k_q anchor queries Q_a, all items I:  R = s(Q_a, I)     k_q·|I| calls
//           k_i anchor items I_a ⊂ I:             U = pinv(R[:, I_a])  (k_i × k_q)
//           item embeddings                       E = U R              (k_i × |I|)
//   search  c_q = s(q, I_a)                                            k_i calls
//           ŝ = c_q E (approximate scores of every item), the top k_r by ŝ
//           scored exactly (k_r calls), the exact top k returned.
//
// A query therefore costs exactly k_i + k_r scorer calls; the anchor items'
// exact scores are not merged into the reranking pool (the paper's accounting).
// Every scorer call goes through `Scorer::score*`, which counts it.
#pragma once

#include <ATen/core/Tensor.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace factorkit::anncur {

// ---- scorers ------------------------------------------------------------------------
// Queries and items are numbered 0 … queries()−1 and 0 … items()−1.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::int64_t queries() const = 0;
  virtual std::int64_t items() const = 0;
  virtual std::string describe() const = 0;
  // Pairs per call the scorer handles well (a batching hint).
  virtual std::int64_t preferred_batch() const { return 256; }

  // Scores of the pairs (query[k], item[k]) (int64, equal lengths) → float
  // (n). Counts n calls. InvalidInput when an id is out of range.
  at::Tensor score(const at::Tensor& query, const at::Tensor& item);
  // Every query in `queries` against every item in `items` → (|queries|,
  // |items|). Counts |queries|·|items| calls.
  at::Tensor score_block(const at::Tensor& queries, const at::Tensor& items);

  std::int64_t calls() const noexcept { return calls_.load(); }
  void reset_calls() noexcept { calls_ = 0; }

 protected:
  // Implementations: ids are checked and in range.
  virtual at::Tensor score_pairs(const at::Tensor& query, const at::Tensor& item) = 0;
  // Default: the pairs, in batches of preferred_batch().
  virtual at::Tensor score_block_impl(const at::Tensor& queries, const at::Tensor& items);

 private:
  std::atomic<std::int64_t> calls_{0};
};

// A score matrix already computed (queries × items): look-ups, counted like
// any scorer. For precomputed cross-encoder matrices (the reference release's
// form) and for tests.
class MatrixScorer final : public Scorer {
 public:
  explicit MatrixScorer(at::Tensor scores, std::string name = "matrix");
  std::int64_t queries() const override;
  std::int64_t items() const override;
  std::string describe() const override { return name_; }
  std::int64_t preferred_batch() const override { return 1 << 16; }
  const at::Tensor& matrix() const { return m_; }

 protected:
  at::Tensor score_pairs(const at::Tensor& query, const at::Tensor& item) override;
  at::Tensor score_block_impl(const at::Tensor& queries, const at::Tensor& items) override;

 private:
  at::Tensor m_;
  std::string name_;
};

// A C++ callback on pairs.
class FunctionScorer final : public Scorer {
 public:
  using Fn = std::function<at::Tensor(const at::Tensor& query, const at::Tensor& item)>;
  FunctionScorer(std::int64_t queries, std::int64_t items, Fn fn, std::string name = "function",
                 std::int64_t batch = 256);
  std::int64_t queries() const override { return nq_; }
  std::int64_t items() const override { return ni_; }
  std::string describe() const override { return name_; }
  std::int64_t preferred_batch() const override { return batch_; }

 protected:
  at::Tensor score_pairs(const at::Tensor& query, const at::Tensor& item) override;

 private:
  std::int64_t nq_, ni_, batch_;
  Fn fn_;
  std::string name_;
};

// ---- score matrices with progress and checkpoints --------------------------------------
struct GridOptions {
  std::string label = "scoring";  // the progress bar's
  // A checkpoint file (.safetensors): rows finished so far, rewritten
  // atomically at most every `checkpoint_seconds`; a rerun with the same
  // identity resumes from it; removed when the grid is whole. Empty: none.
  std::string checkpoint;
  double checkpoint_seconds = 30;
  nlohmann::json identity = nlohmann::json::object();  // what makes this grid this grid
  std::int64_t rows_per_block = 0;                       // 0: about preferred_batch() pairs per block, at least 1 row
};
// s(queries, items) row block by row block. Resuming reads the finished rows
// from the checkpoint (they are not scored again and not counted again).
// InvalidInput when the checkpoint belongs to another grid, MalformedFile when
// it is damaged.
at::Tensor score_grid(Scorer& scorer, const at::Tensor& queries, const at::Tensor& items, const GridOptions& opts = {});

// ---- the index -----------------------------------------------------------------------
enum class AnchorChoice {
  Uniform,  // uniformly at random without replacement, sorted (the paper's)
  Diverse,  // the first pivots of a column-pivoted QR of R: the items whose
            // score columns are the most linearly independent (no extra calls)
};
std::string to_string(AnchorChoice c);
AnchorChoice parse_anchor_choice(const std::string& s, const std::string& where);

struct IndexOptions {
  std::int64_t anchor_items = 100;  // k_i
  AnchorChoice choice = AnchorChoice::Uniform;
  std::uint64_t seed = 0;
  double rcond = 1e-15;  // numpy.linalg.pinv's cutoff: singular values <= rcond·σ_max dropped
};

struct Index {
  at::Tensor anchor_queries;  // int64 (k_q): the scorer's query ids R was computed for
  at::Tensor anchor_items;    // int64 (k_i)
  at::Tensor r;               // (k_q, |I|) scores of the anchor queries
  at::Tensor u;               // float64 (k_i, k_q) = pinv(R[:, anchor_items])
  at::Tensor e;               // (k_i, |I|) = U R, in R's dtype
  nlohmann::json info = nlohmann::json::object();  // options, scorer, cost, timings

  std::int64_t items() const { return r.size(1); }
  std::int64_t k_i() const { return anchor_items.size(0); }
  std::int64_t k_q() const { return anchor_queries.size(0); }
};

// Anchor items for R (k_q × |I|): k_i distinct ids.
at::Tensor choose_anchor_items(const at::Tensor& r, const IndexOptions& opts);
// U and E from R and the chosen anchors (no scorer calls).
Index index_from_scores(const at::Tensor& anchor_queries, const at::Tensor& r, const IndexOptions& opts);
// R = s(anchor_queries, all items) via score_grid, then index_from_scores.
Index build_index(Scorer& scorer, const at::Tensor& anchor_queries, const IndexOptions& opts,
                  const GridOptions& grid = {});

// safetensors: anchor_queries, anchor_items, r, u, e; metadata "anncur" (the
// info JSON) and "format" = "factorkit-anncur-index/1". The reader checks
// every tensor's dtype and shape against the others (MalformedFile naming the
// file and tensor).
void save_index(const Index& index, const std::string& path);
Index load_index(const std::string& path);

// ---- search ---------------------------------------------------------------------------
struct SearchOptions {
  std::int64_t k = 10;        // results returned (at most `rerank`)
  std::int64_t rerank = 100;  // k_r: candidates scored exactly
};
struct SearchResult {
  at::Tensor items;   // int64 (n, min(k, k_r)): best first
  at::Tensor scores;  // their exact scores
  at::Tensor approx;  // (n, |I|) approximate scores c_q E (kept for evaluation)
  std::int64_t calls = 0;  // scorer calls this search made: n (k_i + k_r)
};
// Searches each query in `queries` (the scorer's query ids): one block of
// anchor scores, one matrix product, one batch of reranking pairs.
SearchResult search(const Index& index, Scorer& scorer, const at::Tensor& queries, const SearchOptions& opts);

// ---- evaluation against the exact scores ------------------------------------------------
// The exact top-k of each row (n × |I|): ties broken by the lower item id.
at::Tensor exact_top_k(const at::Tensor& exact, std::int64_t k);
// Retrieve-and-rerank from a full ranking matrix: the top `rerank` items of
// each row of `ranking` (n × |I|), ordered by `exact` (ties: lower id), first
// k kept → (n, min(k, rerank)).
at::Tensor rerank(const at::Tensor& ranking, const at::Tensor& exact, std::int64_t rerank, std::int64_t k);
// Mean over rows of |returned_i ∩ truth_i| / k (truth: n × k).
double top_k_recall(const at::Tensor& returned, const at::Tensor& truth, std::int64_t k);

struct CurvePoint {
  std::string method;  // "anncur", "de", "tfidf", …
  std::int64_t anchor_items = 0, rerank = 0;
  std::int64_t cost = 0;  // calls per query: anchor_items + rerank
  std::map<std::int64_t, double> recall;  // k → top-k recall
};
nlohmann::json to_json(const CurvePoint& p);

// Recall at every k of `ks` for each rerank budget, with `ranking` as the
// first stage (its own cost: 0 calls).
std::vector<CurvePoint> rerank_curve(const std::string& method, const at::Tensor& ranking, const at::Tensor& exact,
                                     const std::vector<std::int64_t>& reranks, const std::vector<std::int64_t>& ks,
                                     std::int64_t extra_cost = 0);
// ANNCUR on test queries whose exact scores are known: for each k_i, an index
// from R (anchor choice seeded per k_i), c_q read from `exact` (the calls a
// search would make), then rerank_curve. Points with k_i + k_r > |I| are kept.
std::vector<CurvePoint> anncur_curve(const at::Tensor& anchor_queries, const at::Tensor& r, const at::Tensor& exact,
                                     const std::vector<std::int64_t>& anchor_items,
                                     const std::vector<std::int64_t>& reranks, const std::vector<std::int64_t>& ks,
                                     const IndexOptions& base);

// The best recall at k a method reaches within `cost` calls per query (−1 if no point fits).
double best_within(const std::vector<CurvePoint>& curve, const std::string& method, std::int64_t cost,
                   std::int64_t k, const CurvePoint** which = nullptr);

}  // namespace factorkit::anncur
