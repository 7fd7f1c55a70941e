// `factorkit anncur index|search|eval` end to end with each kind of scorer (a
// score matrix, a TorchScript model, a text cross-encoder folder), and bad
// input refused with exit 2, a message naming the file or option, and nothing
// written.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/script.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/tokenizer.h"
#include "test_util.h"
#include "text.h"

namespace fs = std::filesystem;
namespace fa = factorkit::anncur;
using factorkit::testing::read_bytes;
using factorkit::testing::run;
using factorkit::testing::TempDir;
using factorkit::testing::write_bytes;

namespace {

at::Tensor scores_matrix(std::uint64_t seed) {
  at::manual_seed(seed);
  return (at::matmul(at::randn({50, 6}), at::randn({6, 300})) + 0.3 * at::randn({50, 300})).contiguous();
}

void expect_refused(const std::string& args, const std::string& cwd, const std::string& fragment) {
  auto r = run(args, cwd);
  EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << args << "\nmessage lacks \"" << fragment << "\": " << r.err;
}

// query,rank,item,score rows → items per query
std::map<std::int64_t, std::vector<std::int64_t>> read_results(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  EXPECT_EQ(line, "query,rank,item,score");
  std::map<std::int64_t, std::vector<std::int64_t>> out;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string q, rank, item;
    std::getline(ss, q, ',');
    std::getline(ss, rank, ',');
    std::getline(ss, item, ',');
    out[std::stoll(q)].push_back(std::stoll(item));
  }
  return out;
}

}  // namespace

TEST(AnncurCli, MatrixScorerIndexSearchAndEval) {
  TempDir d;
  const auto m = scores_matrix(1);
  factorkit::write_npy(d.file("s.npy"), factorkit::from_torch(m));
  auto r = run("anncur index --scores s.npy --anchor-queries 0:20 --anchor-items 15 -o ix.safetensors", d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(d.file("ix.safetensors")));
  EXPECT_FALSE(fs::exists(d.file("ix.safetensors.partial")));
  // rerank every item: the exact top-5 of each non-anchor query
  r = run("--json anncur search --scores s.npy --index ix.safetensors --rerank 300 -k 5 -o r.csv", d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["queries"], 30);
  EXPECT_EQ(j["calls"], 30 * (15 + 300));
  const auto res = read_results(d.file("r.csv"));
  ASSERT_EQ(res.size(), 30u);
  for (const auto& [q, items] : res) {
    EXPECT_GE(q, 20);
    auto top = std::get<1>(m[q].topk(5));
    for (std::int64_t k = 0; k < 5; ++k) EXPECT_EQ(items[std::size_t(k)], top[k].item<std::int64_t>()) << q;
  }
  // safetensors results
  r = run("anncur search --scores s.npy --index ix.safetensors --query-ids 20,21,22 --rerank 40 -k 3 -o r.safetensors", d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  auto t = factorkit::nn::load_tensors(d.file("r.safetensors"));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].second.sizes(), (at::IntArrayRef{3, 3}));
  // eval beside a noisy baseline ranking of the same test rows
  auto noisy = m.narrow(0, 20, 30) + 2.0 * at::randn({30, 300});
  factorkit::write_npy(d.file("b.npy"), factorkit::from_torch(noisy.contiguous()));
  r = run("anncur eval --scores s.npy --anchor-queries 0:20 --test-queries 20:50 --anchor-items 5,10 "
          "--budgets 20,50,300 --ks 1,10 --baseline noisy=b.npy --out ev",
          d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ev = nlohmann::json::parse(read_bytes(d.file("ev/results.json")));
  EXPECT_EQ(ev["equal_cost"].size(), 6u);
  for (const auto& row : ev["equal_cost"]) {
    EXPECT_GE(row["anncur"].get<double>(), 0.0);
    EXPECT_TRUE(row["baselines"].contains("noisy"));
    if (row["cost"] == 300) EXPECT_DOUBLE_EQ(row["baselines"]["noisy"].get<double>(), 1.0);  // reranks every item
  }
  EXPECT_TRUE(fs::exists(d.file("ev/recall-top1.svg")));
  EXPECT_TRUE(fs::exists(d.file("ev/recall-top10.svg")));
  EXPECT_FALSE(fs::exists(d.file("ev/exact.partial.safetensors")));
}

TEST(AnncurCli, TorchScriptScorer) {
  TempDir d;
  torch::jit::Module bil("Bilinear");
  at::manual_seed(2);
  bil.register_parameter("w", at::randn({4, 5}), false);
  bil.define(R"(
    def forward(self, q, i):
        return (q.matmul(self.w) * i).sum(1)
  )");
  bil.save(d.file("bil.pt"));
  factorkit::write_npy(d.file("q.npy"), factorkit::from_torch(at::randn({30, 4})));
  factorkit::write_npy(d.file("i.npy"), factorkit::from_torch(at::randn({80, 5})));
  // a bilinear scorer has rank 4: 4 anchor items and 5 anchor queries recover it, so k_r = k finds the exact top-k
  auto r = run("anncur index --torchscript bil.pt --query-features q.npy --item-features i.npy --anchor-queries 5 "
               "--anchor-items 4 -o ix.safetensors",
               d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("anncur search --torchscript bil.pt --query-features q.npy --item-features i.npy --index ix.safetensors "
          "--rerank 3 -k 3 -o r.csv",
          d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto q = factorkit::to_torch(factorkit::read_npy(factorkit::FileSource(d.file("q.npy"))));
  const auto i = factorkit::to_torch(factorkit::read_npy(factorkit::FileSource(d.file("i.npy"))));
  const auto exact = at::matmul(at::matmul(q, bil.attr("w").toTensor()), i.t());
  for (const auto& [qid, items] : read_results(d.file("r.csv"))) {
    auto top = std::get<1>(exact[qid].topk(3));
    for (std::int64_t k = 0; k < 3; ++k) EXPECT_EQ(items[std::size_t(k)], top[k].item<std::int64_t>()) << qid;
  }
  // a model whose forward does not take two inputs
  torch::jit::Module one("One");
  one.define(R"(
    def forward(self, q):
        return q
  )");
  one.save(d.file("one.pt"));
  expect_refused("anncur index --torchscript one.pt --query-features q.npy --item-features i.npy --anchor-queries 5 "
                 "--anchor-items 4 -o x.safetensors",
                 d.path(), "one.pt");
  EXPECT_FALSE(fs::exists(d.file("x.safetensors")));
}

TEST(AnncurCli, TextCrossEncoderFolder) {
  TempDir d;
  const auto tok = factorkit::nn::wordnet_tokenizer();
  factorkit::nn::EncoderOptions o;
  o.vocab = tok.vocab_size();
  o.dim = 16;
  o.heads = 2;
  o.layers = 1;
  o.ffn = 32;
  o.max_len = 47;
  const auto mk = fa::markers_of(tok);
  fa::CrossEncoder ce(o, fa::CeForm::Emb, mk);
  fs::create_directories(d.file("ce"));
  factorkit::nn::save_module(*ce, d.file("ce/model.safetensors"));
  std::ofstream(d.file("ce/model.json")) << nlohmann::json{
      {"architecture", factorkit::nn::to_json(o)},
      {"form", "emb"},
      {"match", true},
      {"markers", {{"start", mk.start}, {"end", mk.end}, {"item", mk.item}}},
      {"query_tokens", 20},
      {"item_tokens", 24},
      {"tokenizer", {{"path", tok.path()}, {"vocab_size", tok.vocab_size()}}}}.dump();
  write_bytes(d.file("q.txt"), "the [[bank]] of the river\nshe went to the [[bank]] to borrow money\r\na [[dog]] barked\n"
                               "the [[cat]] sat\nhe [[ran]] home\n");
  write_bytes(d.file("i.txt"), "bank\tsloping land beside a body of water\nbank\ta financial institution\ndog\ta canine\n"
                               "cat\ta feline\nrun\tmove fast on foot\nriver\ta large natural stream of water\n");
  auto r = run("anncur index --model ce --queries q.txt --items i.txt --anchor-queries 0:2 --anchor-items 2 -o ix.safetensors",
               d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("--json anncur search --model ce --queries q.txt --items i.txt --index ix.safetensors --rerank 6 -k 2 -o r.csv",
          d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["calls"], 3 * (2 + 6));
  // the scores the program reranked with are the model's own
  fa::TextScorer direct(fa::load_cross_encoder(d.file("ce")),
                        {fa::marked_query_ids(tok, mk, "a [[dog]] barked", 20, "q")},
                        {fa::item_ids(tok, mk, "dog: a canine", 24), fa::item_ids(tok, mk, "cat: a feline", 24)}, "direct");
  auto s = direct.score_block(at::zeros({1}, at::kLong), at::arange(2, at::kLong));
  EXPECT_EQ(s.sizes(), (at::IntArrayRef{1, 2}));
  // malformed text inputs name the file and the line
  write_bytes(d.file("bad.txt"), "the [[bank]] of the river\nno mention here\n");
  expect_refused("anncur index --model ce --queries bad.txt --items i.txt --anchor-queries 1 --anchor-items 2 -o y.safetensors",
                 d.path(), "line 2");
  write_bytes(d.file("gap.txt"), "bank\tland\n\ndog\ta canine\n");
  expect_refused("anncur index --model ce --queries q.txt --items gap.txt --anchor-queries 1 --anchor-items 2 -o y.safetensors",
                 d.path(), "gap.txt");
  EXPECT_FALSE(fs::exists(d.file("y.safetensors")));
  expect_refused("anncur index --model nope --queries q.txt --items i.txt --anchor-queries 1 --anchor-items 2 -o y.safetensors",
                 d.path(), "nope");
}

TEST(AnncurCli, BadInputIsRefusedAndNothingIsWritten) {
  TempDir d;
  const auto m = scores_matrix(3);
  factorkit::write_npy(d.file("s.npy"), factorkit::from_torch(m));
  const std::string idx = "anncur index --scores s.npy --anchor-queries 10 --anchor-items 5 ";
  expect_refused("anncur index --anchor-queries 10 -o a.safetensors", d.path(), "--scores");
  expect_refused("anncur index --scores s.npy --torchscript x.pt --anchor-queries 10 -o a.safetensors", d.path(), "exactly one");
  expect_refused("anncur index --scores missing.npy --anchor-queries 10 -o a.safetensors", d.path(), "missing.npy");
  expect_refused(idx + "--anchor-items 301 -o a.safetensors", d.path(), "--anchor-items");
  expect_refused("anncur index --scores s.npy --anchor-queries 51 -o a.safetensors", d.path(), "--anchor-queries");
  expect_refused("anncur index --scores s.npy --anchor-queries 3:99 -o a.safetensors", d.path(), "--anchor-queries");
  expect_refused(idx + "-o a.npy", d.path(), "--output");
  expect_refused(idx + "--choice best -o a.safetensors", d.path(), "--choice");
  expect_refused(idx + "-o nodir/a.safetensors", d.path(), "--output");
  EXPECT_EQ(d.count(), 1u);  // only s.npy
  // non-finite scores: the position is named
  auto bad = m.clone();
  bad[4][7] = NAN;
  factorkit::write_npy(d.file("nan.npy"), factorkit::from_torch(bad));
  expect_refused("anncur index --scores nan.npy --anchor-queries 10 -o a.safetensors", d.path(), "row 4, column 7");
  // an existing output is kept unless --force
  ASSERT_EQ(run(idx + "-o ix.safetensors", d.path()).code, 0);
  const auto before = read_bytes(d.file("ix.safetensors"));
  expect_refused(idx + "-o ix.safetensors", d.path(), "--force");
  EXPECT_EQ(read_bytes(d.file("ix.safetensors")), before);
  ASSERT_EQ(run(idx + "--force -o ix.safetensors", d.path()).code, 0);
  // search: an index of another item set, a damaged index, bad k / k_r / ids
  factorkit::write_npy(d.file("s2.npy"), factorkit::from_torch(m.narrow(1, 0, 200).contiguous()));
  const std::string srch = "anncur search --index ix.safetensors -o r.csv ";
  expect_refused("anncur search --scores s2.npy --index ix.safetensors -o r.csv", d.path(), "items");
  write_bytes(d.file("junk.safetensors"), "junk");
  expect_refused("anncur search --scores s.npy --index junk.safetensors -o r.csv", d.path(), "junk.safetensors");
  factorkit::nn::save_tensors(d.file("other.safetensors"), {{"x", at::ones({2})}});
  expect_refused("anncur search --scores s.npy --index other.safetensors -o r.csv", d.path(), "format");
  expect_refused(srch + "--scores s.npy --rerank 0", d.path(), "--rerank");
  expect_refused(srch + "--scores s.npy -k 0", d.path(), "--k");
  expect_refused(srch + "--scores s.npy --query-ids 3,99", d.path(), "--query-ids");
  expect_refused(srch + "--scores s.npy --query-ids 3,x", d.path(), "--query-ids");
  EXPECT_FALSE(fs::exists(d.file("r.csv")));
  // eval: a baseline of the wrong shape, a count of test queries with a baseline, bad lists
  factorkit::write_npy(d.file("b.npy"), factorkit::from_torch(at::randn({7, 300})));
  const std::string ev = "anncur eval --scores s.npy --anchor-queries 0:10 --out ev ";
  expect_refused(ev + "--test-queries 10:20 --baseline de=b.npy", d.path(), "b.npy");
  expect_refused(ev + "--test-queries 10 --baseline de=b.npy", d.path(), "--test-queries");
  expect_refused(ev + "--test-queries 10:20 --baseline de", d.path(), "NAME=FILE");
  expect_refused(ev + "--test-queries 10:20 --ks 0,10", d.path(), "--ks");
  expect_refused(ev + "--test-queries 45", d.path(), "--test-queries");
  EXPECT_FALSE(fs::exists(d.file("ev/results.json")));
}

TEST(AnncurText, TrainingRunsResumesAndCaches) {
  TempDir d;
  const auto tok = factorkit::nn::wordnet_tokenizer();
  const auto data = fa::linking_data(tok);
  // the windows keep both markers and the mention between them
  const auto& ex = data->task.examples[data->task.split.train[0]];
  const auto q = fa::example_query_ids(tok, *data, ex);
  ASSERT_LE(std::int64_t(q.size()), data->query_tokens);
  const auto a = std::find(q.begin(), q.end(), data->markers.start), b = std::find(q.begin(), q.end(), data->markers.end);
  ASSERT_TRUE(a != q.end() && b != q.end());
  EXPECT_LT(a, b);
  auto ce = fa::ce_recipe(fa::CeForm::Cls);
  ce.train_queries = 48;
  ce.dev_queries = 40;
  ce.model.dim = 16;
  ce.model.heads = 2;
  ce.model.layers = 1;
  ce.model.ffn = 32;
  ce.train.eval_every = 0;
  const auto t = fa::train_cross_encoder(*data, ce, d.file("ce"));
  EXPECT_GT(t.seconds, 0.0);
  EXPECT_EQ(t.info["metrics"]["dev_candidates"], 8);
  EXPECT_EQ(t.info["form"], "cls");
  const auto again = fa::train_cross_encoder(*data, ce, d.file("ce"));  // cached: no training
  EXPECT_EQ(again.seconds, 0.0);
  EXPECT_EQ(again.info["metrics"], t.info["metrics"]);
  auto model = fa::load_cross_encoder(d.file("ce"));
  EXPECT_EQ(model->form, fa::CeForm::Cls);
  EXPECT_TRUE(model->match);
  // another recipe in the same folder starts over
  ce.negatives = 3;
  const auto other = fa::train_cross_encoder(*data, ce, d.file("ce"));
  EXPECT_GT(other.seconds, 0.0);
  EXPECT_EQ(other.info["metrics"]["dev_candidates"], 4);
  auto de = fa::de_recipe();
  de.train_queries = 64;
  de.dev_queries = 40;
  de.batch_queries = 16;
  de.model = ce.model;
  de.train.epochs = 1;
  de.train.eval_every = 0;
  const auto dt = fa::train_dual_encoder(*data, de, d.file("de"));
  EXPECT_EQ(dt.info["metrics"]["dev_candidates"], 32);
  auto dual = fa::load_dual_encoder(d.file("de"));
  auto emb = fa::embed_all(dual, {q, {5, 6, 7}});
  EXPECT_EQ(emb.sizes(), (at::IntArrayRef{2, 16}));
  // the match feature marks ids found in the other text only
  fa::CrossEncoder m(ce.model, fa::CeForm::Emb, data->markers);
  auto ids = at::tensor(std::vector<std::int64_t>{2, data->markers.start, 100, 101, data->markers.end, 3,
                                                 data->markers.item, 101, 102, 3},
                        at::kLong)
                 .reshape({1, -1});
  auto mt = m->matches(ids)[0];
  EXPECT_EQ(mt.to(at::kLong).sum().item<std::int64_t>(), 2);  // 101 in the query and 101 in the item
  EXPECT_TRUE(mt[3].item<bool>());
  EXPECT_TRUE(mt[7].item<bool>());
}
