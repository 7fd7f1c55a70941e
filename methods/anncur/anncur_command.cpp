// `factorkit anncur train|index|search|eval`: ANNCUR from the command line
// (docs/methods/anncur.md).
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>

#include "experiment.h"
#include "factorkit/cli/matrix_io.h"
#include "factorkit/cli/options.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/nn/checkpoint.h"
#include "scorers.h"
#include "text.h"

namespace fs = std::filesystem;

namespace factorkit::cli {
namespace {

using namespace factorkit::anncur;

void check_positive_list(const std::vector<std::int64_t>& v, const char* option, std::int64_t hi) {
  if (v.empty()) throw InvalidInput(option, "(empty)", "a comma-separated list of positive integers", "BadOption");
  for (auto x : v)
    if (x < 1 || x > hi) throw InvalidInput(option, std::to_string(x), fmt::format("integers in 1 … {}", hi), "BadOption");
}

// "all" (every query but the anchors), "A:B" (a range), "3,7,9", or a file of integer ids.
at::Tensor parse_query_ids(const std::string& spec, std::int64_t n, const at::Tensor& exclude, const char* option) {
  at::Tensor ids;
  if (spec == "all") {
    auto keep = at::ones({n}, at::kBool);
    if (exclude.defined() && exclude.numel()) keep.index_put_({exclude.clamp(0, n - 1)}, false);
    ids = at::arange(n, at::kLong).masked_select(keep);
  } else if (fs::exists(spec)) {
    ids = read_tensor(spec).reshape({-1});
    if (ids.is_floating_point() && !at::equal(ids, ids.round()))
      throw MalformedFile(spec, "ids", "integer query ids", "BadIds");
    ids = ids.to(at::kLong);
  } else if (auto colon = spec.find(':'); colon != std::string::npos) {
    try {
      const std::int64_t a = std::stoll(spec.substr(0, colon)), b = std::stoll(spec.substr(colon + 1));
      if (a < 0 || b <= a) throw std::invalid_argument("range");
      ids = at::arange(a, b, at::kLong);
    } catch (const std::exception&) {
      throw InvalidInput(option, spec, "all, A:B (0 <= A < B), a comma list or a file of ids", "BadOption");
    }
  } else {
    std::vector<std::int64_t> v;
    std::size_t start = 0;
    try {
      while (start <= spec.size()) {
        const auto comma = spec.find(',', start);
        const auto item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        std::size_t used = 0;
        v.push_back(std::stoll(item, &used));
        if (used != item.size()) throw std::invalid_argument("trailing");
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } catch (const std::exception&) {
      throw InvalidInput(option, spec, "all, A:B, a comma list of ids, or a file of ids", "BadOption");
    }
    ids = at::tensor(v, at::kLong);
  }
  if (ids.numel() == 0) throw InvalidInput(option, spec, "at least one query", "BadOption");
  if (ids.min().item<std::int64_t>() < 0 || ids.max().item<std::int64_t>() >= n)
    throw InvalidInput(option, spec, fmt::format("query ids in [0, {})", n), "IdOutOfRange");
  return ids;
}

at::Tensor random_ids(std::int64_t n, std::int64_t k, std::uint64_t seed, std::uint64_t stream, const at::Tensor& exclude) {
  std::set<std::int64_t> skip;
  if (exclude.defined())
    for (std::int64_t j = 0; j < exclude.numel(); ++j) skip.insert(exclude[j].item<std::int64_t>());
  std::mt19937_64 rng(derive_seed(seed, {0xC11, stream}));
  std::vector<std::int64_t> out;
  for (auto j : permutation(n, rng)) {
    if (std::int64_t(out.size()) == k) break;
    if (!skip.count(j)) out.push_back(j);
  }
  std::sort(out.begin(), out.end());
  return at::tensor(out, at::kLong);
}

void refuse_existing(const std::string& path, bool force, const char* option) {
  if (!force && fs::exists(path))
    throw InvalidInput(option, path, "a path that does not exist yet (or --force to replace it)", "OutputExists");
}

}  // namespace

class AnncurCommand final : public Command {
 public:
  std::string name() const override { return "anncur"; }
  std::string summary() const override {
    return "ANNCUR: k-NN search under a cross-encoder by CUR of its score matrix (train, index, search, eval)";
  }
  std::string doc_page() const override { return "docs/methods/anncur.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    train_ = sub.add_subcommand("train", "Train a WordNet sense-linking cross-encoder ([EMB] or [CLS]) or dual encoder");
    train_->add_option("--form", form_, "emb, cls (cross-encoders) or dual (a dual encoder)")->capture_default_str();
    train_->add_option("--out", out_, "Model folder (resumes from its checkpoints)")->required();
    train_->add_option("--train-queries", train_queries_, "Training mentions (0: all)")->capture_default_str();
    train_->add_option("--negatives", negatives_, "Negatives per mention (cross-encoders)")->capture_default_str();
    train_->add_option("--hard-fraction", hard_fraction_, "Share of TF-IDF hard negatives")->capture_default_str();
    train_->add_option("--epochs", epochs_, "Epochs")->capture_default_str();
    train_->add_flag("--no-match", no_match_, "Cross-encoders without the exact-match input feature");

    index_ = sub.add_subcommand("index", "Score anchor queries against every item and build the CUR index");
    add_scorer(index_);
    index_->add_option("--anchor-queries", anchor_queries_, "Anchor queries: a count (drawn with --seed) or ids (A:B, list, file)")
        ->required();
    index_->add_option("--anchor-items", anchor_items_, "k_i: anchor items")->capture_default_str();
    index_->add_option("--choice", choice_, "uniform (the paper's) or diverse (pivoted QR of R)")->capture_default_str();
    index_->add_option("--rcond", rcond_, "pinv cutoff relative to the largest singular value")->capture_default_str();
    index_->add_option("-o,--output", output_, "Index file (.safetensors)")->required();
    index_->add_option("--checkpoint", checkpoint_, "Partial scores (default: OUTPUT.partial); a rerun resumes from it");
    index_->add_flag("--force", force_, "Replace an existing output");

    search_ = sub.add_subcommand("search", "Search queries with an index: k_i + k_r scorer calls per query");
    add_scorer(search_);
    search_->add_option("--index", index_file_, "Index file from `anncur index`")->required();
    search_->add_option("--query-ids", query_ids_, "all (every non-anchor query), A:B, a comma list, or a file of ids")
        ->capture_default_str();
    search_->add_option("-k,--k", k_, "Results per query")->capture_default_str();
    search_->add_option("--rerank", rerank_, "k_r: candidates scored exactly")->capture_default_str();
    search_->add_option("-o,--output", output_, "Results: .csv (query,rank,item,score) or .safetensors (items, scores)")
        ->required();
    search_->add_flag("--force", force_, "Replace an existing output");

    eval_ = sub.add_subcommand("eval", "Recall against the exact scorer over a grid of (k_i, k_r), beside baselines");
    add_scorer(eval_);
    eval_->add_option("--anchor-queries", anchor_queries_, "Anchor queries: a count or ids")->required();
    eval_->add_option("--test-queries", test_queries_, "Test queries: a count (drawn from the rest) or ids")->required();
    eval_->add_option("--anchor-items", anchor_list_, "k_i values")->delimiter(',')->capture_default_str();
    eval_->add_option("--budgets", budgets_, "Calls per query m = k_i + k_r")->delimiter(',')->capture_default_str();
    eval_->add_option("--ks", ks_, "k of top-k recall")->delimiter(',')->capture_default_str();
    eval_->add_option("--choice", choice_, "uniform or diverse")->capture_default_str();
    eval_->add_option("--baseline", baselines_,
                      "NAME=FILE: a first-stage ranking (test queries × items, e.g. dual-encoder scores); repeatable");
    eval_->add_option("--out", out_, "Folder for results.json and the recall charts")->required();
    eval_->add_option("--checkpoint", checkpoint_, "Partial exact scores (default: OUT/exact.partial.safetensors)");
  }

  int run(const Context& ctx) override {
    if (train_->parsed()) return run_train(ctx);
    if (index_->parsed()) return run_index(ctx);
    if (search_->parsed()) return run_search(ctx);
    return run_eval(ctx);
  }

 private:
  void add_scorer(CLI::App* app) {
    app->add_option("--scores", spec_.scores, "A score matrix file (queries × items: .npy, .safetensors, .csv)");
    app->add_option("--tensor", spec_.tensor, "The matrix's name in a safetensors file of several");
    app->add_option("--model", spec_.model, "A cross-encoder folder (`anncur train`, or the cached reproduce models)");
    app->add_option("--queries", spec_.queries, "With --model: one sentence per line, the mention as [[mention]]");
    app->add_option("--items", spec_.items, "With --model: one item per line, name<TAB>description");
    app->add_option("--torchscript", spec_.torchscript, "A TorchScript scorer: forward(query_rows, item_rows) → scores");
    app->add_option("--query-features", spec_.query_features, "With --torchscript: one row per query");
    app->add_option("--item-features", spec_.item_features, "With --torchscript: one row per item");
    app->add_option("--batch", spec_.batch, "Pairs per scorer batch")->capture_default_str();
  }

  at::Tensor anchors_for(const Scorer& s, const at::Tensor& exclude, std::uint64_t seed) const {
    const auto nq = s.queries();
    if (!anchor_queries_.empty() && anchor_queries_.size() < 12 &&
        anchor_queries_.find_first_not_of("0123456789") == std::string::npos && !fs::exists(anchor_queries_)) {
      const std::int64_t k = std::stoll(anchor_queries_);
      if (k < 1 || k > nq) throw InvalidInput("--anchor-queries", anchor_queries_, fmt::format("1 … {} (the queries)", nq), "BadOption");
      return random_ids(nq, k, seed, 1, exclude);
    }
    return parse_query_ids(anchor_queries_, nq, {}, "--anchor-queries");
  }

  void write_json_or_text(const Context& ctx, const nlohmann::json& j, const std::string& text) const {
    if (ctx.json)
      std::cout << j.dump() << std::endl;
    else if (!ctx.quiet)
      std::cout << text;
  }

  int run_train(const Context& ctx) {
    if (form_ != "emb" && form_ != "cls" && form_ != "dual")
      throw InvalidInput("--form", form_, "emb, cls or dual", "BadOption");
    if (train_queries_ < 0) throw InvalidInput("--train-queries", std::to_string(train_queries_), ">= 0", "BadOption");
    if (negatives_ < 1 || negatives_ > 1023) throw InvalidInput("--negatives", std::to_string(negatives_), "1 … 1023", "BadOption");
    if (!(hard_fraction_ >= 0 && hard_fraction_ <= 1))
      throw InvalidInput("--hard-fraction", fmt::format("{}", hard_fraction_), "a number in [0, 1]", "BadOption");
    if (epochs_ < 1 || epochs_ > 1000) throw InvalidInput("--epochs", std::to_string(epochs_), "1 … 1000", "BadOption");
    check_writable_folder(out_, out_, "--out");
    const nn::Tokenizer tok = nn::wordnet_tokenizer();
    const auto data = linking_data(tok);
    TrainedText t;
    if (form_ == "dual") {
      DeRecipe r = de_recipe();
      r.train_queries = train_queries_;
      r.train.epochs = epochs_;
      r.train.seed = ctx.seed;
      t = train_dual_encoder(*data, r, out_);
    } else {
      CeRecipe r = ce_recipe(parse_ce_form(form_, "--form"));
      r.train_queries = train_queries_;
      r.negatives = negatives_;
      r.hard_fraction = hard_fraction_;
      r.match = !no_match_;
      r.train.epochs = epochs_;
      r.train.seed = ctx.seed;
      t = train_cross_encoder(*data, r, out_);
    }
    write_json_or_text(ctx, {{"command", "anncur train"}, {"out", out_}, {"model", t.info}},
                       fmt::format("trained {} model in {} ({:.0f} s; metrics {})\n", form_, out_, t.seconds,
                                   t.info.value("metrics", nlohmann::json::object()).dump()));
    return 0;
  }

  int run_index(const Context& ctx) {
    spec_.check();
    if (fs::path(output_).extension() != ".safetensors")
      throw InvalidInput("--output", output_, "a .safetensors file", "BadOption");
    refuse_existing(output_, force_, "--output");
    check_output_file(output_, "--output");
    IndexOptions o;
    o.anchor_items = anchor_items_;
    o.choice = parse_anchor_choice(choice_, "--choice");
    o.rcond = rcond_;
    o.seed = ctx.seed;
    if (!(rcond_ >= 0 && rcond_ < 1)) throw InvalidInput("--rcond", fmt::format("{}", rcond_), "a number in [0, 1)", "BadOption");
    auto scorer = open_scorer(spec_);
    if (anchor_items_ < 1 || anchor_items_ > scorer->items())
      throw InvalidInput("--anchor-items", std::to_string(anchor_items_), fmt::format("1 … {} (the items)", scorer->items()),
                         "BadOption");
    auto anchors = anchors_for(*scorer, {}, ctx.seed);
    GridOptions g;
    g.label = "anchor scores";
    g.checkpoint = checkpoint_.empty() ? output_ + ".partial" : checkpoint_;
    g.identity = {{"anchor_queries_spec", anchor_queries_}, {"seed", ctx.seed}};
    auto ix = build_index(*scorer, anchors, o, g);
    const double calls_per_s = double(ix.info["index_calls"].get<std::int64_t>()) /
                               std::max(1e-9, ix.info["scoring_seconds"].get<double>());
    ix.info["calls_per_second"] = calls_per_s;
    save_index(ix, output_);
    write_json_or_text(ctx, {{"command", "anncur index"}, {"output", output_}, {"index", ix.info}},
                       fmt::format("index of {} items: {} anchor queries × {} anchor items, {} scorer calls in {:.1f} s "
                                   "({:.0f}/s), algebra {:.3f} s → {}\n",
                                   ix.items(), ix.k_q(), ix.k_i(), ix.info["index_calls"].get<std::int64_t>(),
                                   ix.info["scoring_seconds"].get<double>(), calls_per_s,
                                   ix.info["algebra_seconds"].get<double>(), output_));
    return 0;
  }

  int run_search(const Context& ctx) {
    spec_.check();
    const auto ext = fs::path(output_).extension();
    if (ext != ".csv" && ext != ".safetensors") throw InvalidInput("--output", output_, "a .csv or .safetensors file", "BadOption");
    refuse_existing(output_, force_, "--output");
    check_output_file(output_, "--output");
    if (k_ < 1) throw InvalidInput("--k", std::to_string(k_), "at least 1", "BadOption");
    auto ix = load_index(index_file_);
    if (rerank_ < 1 || rerank_ > ix.items())
      throw InvalidInput("--rerank", std::to_string(rerank_), fmt::format("1 … {} (the index's items)", ix.items()), "BadOption");
    auto scorer = open_scorer(spec_);
    if (scorer->items() != ix.items())
      throw InvalidInput("--index", index_file_,
                         fmt::format("an index of {} items (the scorer's); it has {}", scorer->items(), ix.items()),
                         "IndexMismatch");
    auto queries = parse_query_ids(query_ids_, scorer->queries(), ix.anchor_queries, "--query-ids");
    const auto t0 = std::chrono::steady_clock::now();
    auto res = search(ix, *scorer, queries, {k_, rerank_});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (ext == ".safetensors") {
      nn::save_tensors(output_, {{"queries", queries}, {"items", res.items}, {"scores", res.scores.to(at::kFloat)}},
                       {{"calls", std::to_string(res.calls)}});
    } else {
      std::string csv = "query,rank,item,score\n";
      auto it = res.items.accessor<std::int64_t, 2>();
      auto sc = res.scores.to(at::kDouble).contiguous();
      auto sa = sc.accessor<double, 2>();
      auto qa = queries.accessor<std::int64_t, 1>();
      for (std::int64_t a = 0; a < res.items.size(0); ++a)
        for (std::int64_t b = 0; b < res.items.size(1); ++b)
          csv += fmt::format("{},{},{},{}\n", qa[a], b + 1, it[a][b], sa[a][b]);
      write_file_atomic(output_, csv);
    }
    write_json_or_text(ctx,
                       {{"command", "anncur search"}, {"output", output_}, {"queries", queries.numel()},
                        {"calls", res.calls}, {"calls_per_query", double(res.calls) / double(queries.numel())},
                        {"seconds", secs}},
                       fmt::format("{} queries, {} scorer calls ({} per query: k_i {} + k_r {}), {:.2f} s → {}\n",
                                   queries.numel(), res.calls, res.calls / queries.numel(), ix.k_i(), rerank_, secs,
                                   output_));
    return 0;
  }

  int run_eval(const Context& ctx) {
    spec_.check();
    check_positive_list(anchor_list_, "--anchor-items", 1 << 30);
    check_positive_list(budgets_, "--budgets", 1 << 30);
    check_positive_list(ks_, "--ks", 1 << 30);
    check_writable_folder(out_, out_, "--out");
    std::vector<std::pair<std::string, std::string>> base_files;
    for (const auto& b : baselines_) {
      const auto eq = b.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == b.size())
        throw InvalidInput("--baseline", b, "NAME=FILE", "BadOption");
      if (!fs::is_regular_file(b.substr(eq + 1)))
        throw InvalidInput("--baseline", b.substr(eq + 1), "an existing file", "FileNotFound");
      base_files.emplace_back(b.substr(0, eq), b.substr(eq + 1));
    }
    const bool test_is_count = !test_queries_.empty() && test_queries_.size() < 12 &&
                               test_queries_.find_first_not_of("0123456789") == std::string::npos &&
                               !fs::exists(test_queries_);
    if (!base_files.empty() && test_is_count)
      throw InvalidInput("--test-queries", test_queries_,
                         "explicit ids (A:B, a list or a file) when --baseline is given, so its rows match", "BadOption");
    auto scorer = open_scorer(spec_);
    auto anchors = anchors_for(*scorer, {}, ctx.seed);
    at::Tensor tests;
    if (test_is_count) {
      const std::int64_t k = std::stoll(test_queries_);
      if (k < 2 || k > scorer->queries() - anchors.numel())
        throw InvalidInput("--test-queries", test_queries_,
                           fmt::format("2 … {} (the queries that are not anchors)", scorer->queries() - anchors.numel()),
                           "BadOption");
      tests = random_ids(scorer->queries(), k, ctx.seed, 2, anchors);
    } else {
      tests = parse_query_ids(test_queries_, scorer->queries(), {}, "--test-queries");
    }
    std::vector<std::pair<std::string, at::Tensor>> baselines;
    for (const auto& [name, file] : base_files) {
      auto m = read_tensor(file);
      if (m.dim() != 2 || m.size(0) != tests.numel() || m.size(1) != scorer->items())
        throw MalformedFile(file, "ranking", fmt::format("a ({}, {}) matrix (test queries × items)", tests.numel(), scorer->items()),
                            "BadShape");
      baselines.emplace_back(name, m.to(at::kFloat));
    }
    CompareOptions co;
    co.anchor_items = anchor_list_;
    co.budgets = budgets_;
    co.ks = ks_;
    co.index.choice = parse_anchor_choice(choice_, "--choice");
    co.index.seed = ctx.seed;
    fs::create_directories(out_);
    GridOptions g;
    g.label = "anchor scores";
    const auto t0 = std::chrono::steady_clock::now();
    auto r = score_grid(*scorer, anchors, at::arange(scorer->items(), at::kLong), g);
    const double index_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    g.label = "exact scores (evaluation)";
    g.checkpoint = checkpoint_.empty() ? out_ + "/exact.partial.safetensors" : checkpoint_;
    g.identity = {{"test_queries_spec", test_queries_}, {"seed", ctx.seed}};
    auto exact = score_grid(*scorer, tests, at::arange(scorer->items(), at::kLong), g);
    auto cmp = compare_at_equal_cost(anchors, r, exact, baselines, co);
    auto figures = write_recall_charts(cmp, co.ks, out_, "recall", "ANNCUR");
    nlohmann::json rows = nlohmann::json::array(), curves = nlohmann::json::array();
    for (const auto& row : cmp.rows)
      rows.push_back({{"cost", row.cost}, {"k", row.k}, {"anncur", row.anncur}, {"k_i_first_half", row.k_i_first},
                      {"k_i_second_half", row.k_i_second}, {"baselines", row.baselines}});
    for (const auto& p : cmp.curves) curves.push_back(to_json(p));
    nlohmann::json out = {{"command", "anncur eval"},
                          {"scorer", scorer->describe()},
                          {"anchor_queries", anchors.numel()},
                          {"test_queries", tests.numel()},
                          {"items", scorer->items()},
                          {"index_calls", anchors.numel() * scorer->items()},
                          {"index_seconds", index_s},
                          {"equal_cost", rows},
                          {"curves", curves},
                          {"figures", figures}};
    write_file_atomic(out_ + "/results.json", out.dump(1) + "\n");
    std::string text = fmt::format("{} anchor and {} test queries, {} items; recall at equal cost (ANNCUR", anchors.numel(),
                                   tests.numel(), scorer->items());
    for (const auto& [n, f] : base_files) text += " / " + n;
    text += "):\n";
    for (const auto& row : cmp.rows) {
      text += fmt::format("  m {:>5}  top-{:<4} {:.3f}", row.cost, row.k, row.anncur);
      for (const auto& [n, v] : row.baselines) text += fmt::format("  {} {:.3f}", n, v);
      text += "\n";
    }
    text += fmt::format("→ {}/results.json and {} charts\n", out_, figures.size());
    write_json_or_text(ctx, out, text);
    return 0;
  }

  CLI::App *train_ = nullptr, *index_ = nullptr, *search_ = nullptr, *eval_ = nullptr;
  ScorerSpec spec_;
  std::string form_ = "emb", out_, output_, checkpoint_, index_file_, choice_ = "uniform", query_ids_ = "all";
  std::string anchor_queries_, test_queries_;
  std::int64_t train_queries_ = 8000, negatives_ = 7, epochs_ = 1, anchor_items_ = 100, k_ = 10, rerank_ = 100;
  double hard_fraction_ = 0.5, rcond_ = 1e-15;
  bool force_ = false, no_match_ = false;
  std::vector<std::int64_t> anchor_list_{10, 20, 50, 100}, budgets_{20, 50, 100, 200, 500}, ks_{1, 10, 50, 100};
  std::vector<std::string> baselines_;
};

FACTORKIT_REGISTER_COMMAND(AnncurCommand);

}  // namespace factorkit::cli
