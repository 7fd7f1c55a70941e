// bench_anncur: how fast factorkit scores a cross-encoder while building an
// ANNCUR index (anchor queries × every item, batched by length, on all
// threads), the CUR algebra, and a search's time per query. The model is the
// quick reproduce recipe's [EMB] cross-encoder architecture (2 layers, 64 wide;
// random weights unless --model names a trained folder: speed does not depend
// on them); queries and items are WordNet sense-linking mentions and senses.
// --export DIR writes the weights and token ids for bench/anncur/peer.py.
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "anncur.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/reference.h"
#include "text.h"

namespace fa = factorkit::anncur;

int main(int argc, char** argv) {
  CLI::App app("bench_anncur");
  std::int64_t items = 2000, anchor_queries = 10, anchor_items = 10, rerank = 100, search_queries = 50, batch = 256;
  int repeats = 3, threads = 2;
  std::string export_dir, model_dir, form = "emb";
  app.add_option("--items", items);
  app.add_option("--anchor-queries", anchor_queries);
  app.add_option("--anchor-items", anchor_items);
  app.add_option("--rerank", rerank);
  app.add_option("--search-queries", search_queries);
  app.add_option("--batch", batch);
  app.add_option("--repeats", repeats);
  app.add_option("--threads", threads);
  app.add_option("--form", form);
  app.add_option("--model", model_dir, "a trained cross-encoder folder (default: random weights)");
  app.add_option("--export", export_dir);
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);
  try {
    const auto tok = factorkit::nn::wordnet_tokenizer();
    const auto data = fa::linking_data(tok);
    const auto& task = data->task;
    // queries: test-split mentions in split order; items: dev and test senses, sorted
    std::vector<std::vector<int>> q, it;
    for (std::size_t k = 0; k < std::size_t(anchor_queries + search_queries) && k < task.split.test.size(); ++k)
      q.push_back(fa::example_query_ids(tok, *data, task.examples[task.split.test[k]]));
    std::vector<std::size_t> unseen = task.split.test;
    unseen.insert(unseen.end(), task.split.dev.begin(), task.split.dev.end());
    for (auto e : fa::entities_of(*data, unseen)) {
      if (std::int64_t(it.size()) == items) break;
      it.push_back(data->entity_ids[std::size_t(e)]);
    }
    items = std::int64_t(it.size());
    fa::CrossEncoder model{nullptr};
    if (!model_dir.empty()) {
      model = fa::load_cross_encoder(model_dir);
    } else {
      auto r = fa::ce_recipe(fa::parse_ce_form(form, "--form"));
      auto o = r.model;
      o.vocab = tok.vocab_size();
      o.max_len = data->query_tokens + data->item_tokens + 3;
      at::manual_seed(0);
      model = fa::CrossEncoder(o, r.form, data->markers, r.match);
    }
    model->eval();
    fa::TextScorer scorer(model, q, it, "bench", batch);
    const auto aq = at::arange(anchor_queries, at::kLong);
    const auto all = at::arange(items, at::kLong);
    std::vector<double> grid_s;
    at::Tensor r;
    for (int k = 0; k < repeats; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      r = fa::score_grid(scorer, aq, all);
      grid_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    // the CUR algebra (pinv of the intersection, E = U R), on this R
    fa::IndexOptions io;
    io.anchor_items = std::min(anchor_items, items);
    std::vector<double> algebra_s;
    fa::Index ix;
    for (int k = 0; k < std::max(repeats, 5); ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      ix = fa::index_from_scores(aq, r, io);
      algebra_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    // a search: k_i + k_r calls per query; the MIPS part (c_q E, top k_r) timed apart
    const auto sq = at::arange(anchor_queries, std::int64_t(q.size()), at::kLong);
    const auto t0 = std::chrono::steady_clock::now();
    auto res = fa::search(ix, scorer, sq, {10, std::min(rerank, items)});
    const double search_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<double> mips_s;
    {
      auto c = at::randn({sq.numel(), ix.k_i()});
      for (int k = 0; k < 5; ++k) {
        const auto t1 = std::chrono::steady_clock::now();
        auto s = at::matmul(c, ix.e);
        auto top = s.topk(std::min(rerank, items), 1);
        mips_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
      }
    }
    // the algebra and the MIPS step at the paper's scale (YuGiOh: 10 031 items; k_q 500, k_i 100), on random R
    const std::int64_t big_items = 10000, big_q = 500, big_i = 100;
    at::manual_seed(1);
    const auto big_r = at::randn({big_q, big_items});
    fa::IndexOptions bo;
    bo.anchor_items = big_i;
    std::vector<double> big_algebra_s, big_mips_s;
    fa::Index big;
    for (int k = 0; k < 3; ++k) {
      const auto t1 = std::chrono::steady_clock::now();
      big = fa::index_from_scores(at::arange(big_q, at::kLong), big_r, bo);
      big_algebra_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
    }
    {
      auto c = at::randn({100, big_i});
      for (int k = 0; k < 5; ++k) {
        const auto t1 = std::chrono::steady_clock::now();
        auto top = at::matmul(c, big.e).topk(100, 1);
        big_mips_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() / 100);
      }
    }
    if (!export_dir.empty()) {
      std::filesystem::create_directories(export_dir);
      for (const auto& [name, t] : factorkit::nn::module_tensors(*model))
        factorkit::write_npy(export_dir + "/" + name + ".npy", factorkit::from_torch(t.contiguous()));
      auto ids = [](const std::vector<std::vector<int>>& rows) {
        std::size_t w = 0;
        for (const auto& x : rows) w = std::max(w, x.size());
        auto t = at::full({std::int64_t(rows.size()), std::int64_t(w)}, -1, at::kLong);
        for (std::size_t a = 0; a < rows.size(); ++a)
          for (std::size_t b = 0; b < rows[a].size(); ++b) t[std::int64_t(a)][std::int64_t(b)] = rows[a][b];
        return t;
      };
      factorkit::write_npy(export_dir + "/queries.npy", factorkit::from_torch(ids(std::vector<std::vector<int>>(
                                                             q.begin(), q.begin() + anchor_queries))));
      factorkit::write_npy(export_dir + "/items.npy", factorkit::from_torch(ids(it)));
      factorkit::write_npy(export_dir + "/ours_r.npy", factorkit::from_torch(r.contiguous()));
      std::ofstream(export_dir + "/model.json")
          << nlohmann::json{{"architecture", factorkit::nn::to_json(model->encoder->options)},
                            {"form", fa::to_string(model->form)},
                            {"match", model->match},
                            {"markers", {{"start", model->markers.start}, {"end", model->markers.end}, {"item", model->markers.item}}}}
                 .dump();
    }
    const double g = median(grid_s);
    nlohmann::json j{{"items", items},
                     {"anchor_queries", anchor_queries},
                     {"pairs", anchor_queries * items},
                     {"batch", batch},
                     {"threads", threads},
                     {"form", fa::to_string(model->form)},
                     {"seconds", g},
                     {"calls_per_second", double(anchor_queries * items) / g},
                     {"algebra_seconds", median(algebra_s)},
                     {"anchor_items", ix.k_i()},
                     {"rerank", rerank},
                     {"search_queries", sq.numel()},
                     {"search_seconds_per_query", search_s / double(sq.numel())},
                     {"search_calls_per_query", double(res.calls) / double(sq.numel())},
                     {"mips_seconds_per_query", median(mips_s) / double(sq.numel())},
                     {"large", {{"items", big_items}, {"anchor_queries", big_q}, {"anchor_items", big_i},
                                {"algebra_seconds", median(big_algebra_s)},
                                {"mips_seconds_per_query", median(big_mips_s)}}}};
    std::cout << j.dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "bench_anncur: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
