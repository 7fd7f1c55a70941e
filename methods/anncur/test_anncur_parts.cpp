// The pieces around ANNCUR's algebra: TF-IDF against scikit-learn, the text
// inputs' readers and their malformed cases, the index file's checks, the
// synthetic scorer's two evaluation paths, the distilled dual encoder's cost.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstring>

#include "factorkit/core/error.h"
#include "factorkit/core/source.h"
#include "index_file.h"
#include "synthetic.h"
#include "tfidf.h"

namespace fa = factorkit::anncur;
using factorkit::MalformedFile;

TEST(AnncurTfIdf, MatchesScikitLearn) {
  EXPECT_EQ(fa::words("Hello, World! x2 _y Café"), (std::vector<std::string>{"hello", "world", "x2", "y", "café"}));
  // TfidfVectorizer(token_pattern=r"(?u)\b\w+\b").fit(docs); (X @ transform(["a cat on the mat"]).T)
  const fa::TfIdf t({"The cat sat.", "the dog sat on the mat", "Cats and dogs; 2 cats"});
  const auto s = t.scores("a cat on the mat");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_NEAR(s[0], 0.5681561147281111, 1e-6);
  EXPECT_NEAR(s[1], 0.6874976844893751, 1e-6);
  EXPECT_EQ(s[2], 0.0f);
  EXPECT_EQ(t.top("a cat on the mat", 3), (std::vector<std::int64_t>{1, 0, 2}));  // zero scores fill in index order
  EXPECT_EQ(t.top("a cat on the mat", 2, 1), (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(t.top("unknown words only", 2), (std::vector<std::int64_t>{0, 1}));
}

namespace {
factorkit::MemorySource text_source(const std::string& s) {
  return factorkit::MemorySource(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), "in.txt");
}
}  // namespace

TEST(AnncurInputs, LinesAndMarkedQueries) {
  const std::string ok = "the [[bank]] of the river\r\nno final newline";
  EXPECT_EQ(fa::read_lines(text_source(ok), "queries"),
            (std::vector<std::string>{"the [[bank]] of the river", "no final newline"}));
  const std::string empty_line = "a\n\nb\n";
  EXPECT_THROW(fa::read_lines(text_source(empty_line), "queries"), MalformedFile);
  try {
    fa::read_lines(text_source(empty_line), "queries");
  } catch (const MalformedFile& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
  const std::string nul("a\0b\n", 4);
  EXPECT_THROW(fa::read_lines(text_source(nul), "items"), MalformedFile);
  EXPECT_THROW(fa::read_lines(text_source("x\x01y\n"), "items"), MalformedFile);
  EXPECT_THROW(fa::read_lines(text_source(""), "items"), MalformedFile);
  EXPECT_NO_THROW(fa::check_marked_query("the [[bank]] of", "f", "line 1"));
  for (const char* bad : {"no mention", "[[]] empty", "open [[only", "two [[a]] and [[b]]"})
    EXPECT_THROW(fa::check_marked_query(bad, "f", "line 1"), MalformedFile) << bad;
  EXPECT_EQ(fa::item_text("bank\tsloping land"), "bank: sloping land");
  EXPECT_EQ(fa::item_text("just text"), "just text");
}

namespace {
factorkit::RawTensor raw_f64(std::vector<std::int64_t> shape, std::vector<double> v) {
  factorkit::RawTensor r;
  r.dtype = factorkit::DType::F64;
  r.shape = std::move(shape);
  r.data.resize(v.size() * 8);
  std::memcpy(r.data.data(), v.data(), r.data.size());
  return r;
}
factorkit::RawTensor raw_i64(std::vector<std::int64_t> v) {
  factorkit::RawTensor r;
  r.dtype = factorkit::DType::I64;
  r.shape = {std::int64_t(v.size())};
  r.data.resize(v.size() * 8);
  std::memcpy(r.data.data(), v.data(), r.data.size());
  return r;
}
factorkit::TensorFile index_file() {
  factorkit::TensorFile f;
  f.metadata = {{"format", fa::kIndexFormat}, {"anncur", R"({"anchor_items":2})"}};
  f.tensors = {{"anchor_queries", raw_i64({0, 3})},
               {"anchor_items", raw_i64({1, 2})},
               {"r", raw_f64({2, 3}, {1, 2, 3, 4, 5, 6})},
               {"u", raw_f64({2, 2}, {1, 0, 0, 1})},
               {"e", raw_f64({2, 3}, {1, 2, 3, 4, 5, 6})}};
  return f;
}
factorkit::RawTensor& tensor(factorkit::TensorFile& f, const std::string& name) {
  for (auto& [n, t] : f.tensors)
    if (n == name) return t;
  throw std::logic_error(name);
}
}  // namespace

TEST(AnncurIndexFile, ChecksEveryTensor) {
  auto good = index_file();
  const auto L = fa::check_index_file(good, "ix");
  EXPECT_EQ(L.anchor_queries, 2);
  EXPECT_EQ(L.anchor_items, 2);
  EXPECT_EQ(L.items, 3);
  EXPECT_EQ(L.info["anchor_items"], 2);
  auto expect_bad = [](factorkit::TensorFile f, const std::string& field) {
    try {
      fa::check_index_file(f, "ix.safetensors");
      ADD_FAILURE() << "accepted a file with a bad " << field;
    } catch (const MalformedFile& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("ix.safetensors"), std::string::npos) << e.what();
    }
  };
  {
    auto f = index_file();
    f.metadata["format"] = "something-else";
    expect_bad(f, "format");
  }
  {
    auto f = index_file();
    f.tensors.pop_back();
    expect_bad(f, "e");
  }
  {
    auto f = index_file();
    tensor(f, "anchor_items") = raw_i64({2, 2});  // repeated
    expect_bad(f, "anchor_items");
  }
  {
    auto f = index_file();
    tensor(f, "anchor_items") = raw_i64({1, 3});  // out of range
    expect_bad(f, "anchor_items");
  }
  {
    auto f = index_file();
    tensor(f, "anchor_queries") = raw_i64({0, -1});
    expect_bad(f, "anchor_queries");
  }
  {
    auto f = index_file();
    tensor(f, "e") = raw_f64({2, 3}, {1, 2, 3, 4, NAN, 6});
    expect_bad(f, "e");
  }
  {
    auto f = index_file();
    tensor(f, "u") = raw_f64({2, 3}, {1, 0, 0, 1, 0, 0});
    expect_bad(f, "u");
  }
  {
    auto f = index_file();
    tensor(f, "r") = raw_f64({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    expect_bad(f, "r");
  }
  {
    auto f = index_file();
    f.metadata["anncur"] = "[[[";
    expect_bad(f, "anncur");
    f.metadata["anncur"] = std::string(100000, '[');
    expect_bad(f, "anncur");
    f.metadata["anncur"] = "3";
    expect_bad(f, "anncur");
  }
}

TEST(AnncurSynthetic, BlockAndPairPathsAgreeAndCostsAreCounted) {
  for (auto form : {fa::SyntheticForm::Cls, fa::SyntheticForm::Emb}) {
    fa::SyntheticOptions o;
    o.queries = 30;
    o.items = 70;
    o.topics = 5;
    o.hidden = 16;
    o.train_steps = 50;
    o.train_batch = 256;
    o.form = form;
    fa::SyntheticScorer s(o);
    EXPECT_LT(s.fit_rmse(), 1.0);
    auto qs = at::arange(30, at::kLong), is = at::arange(70, at::kLong);
    auto block = s.score_block(qs, is);
    auto pairs = s.score(qs.repeat_interleave(70), is.repeat({30})).reshape({30, 70});
    EXPECT_TRUE(at::allclose(block, pairs, 1e-5, 1e-5));
    EXPECT_EQ(s.calls(), 2 * 30 * 70);
    auto y = s.relevance(qs, is);
    EXPECT_GE(y.min().item<float>(), 0.0f);
    EXPECT_LE(y.max().item<float>(), 1.0f);
    // the same seed gives the same scorer
    fa::SyntheticScorer again(o);
    EXPECT_TRUE(at::equal(again.score_block(qs, is), block));
    // distillation's scorer calls: steps × queries per step × items per step
    fa::DualEncoderOptions d;
    d.steps = 5;
    d.queries_per_step = 4;
    d.items_per_step = 10;
    d.hidden = 8;
    d.out = 4;
    s.reset_calls();
    auto de = fa::distill_dual_encoder(s, at::arange(10, at::kLong), d);
    EXPECT_EQ(de.scorer_calls, 5 * 4 * 10);
    EXPECT_EQ(de.scores(at::arange(3, at::kLong)).sizes(), (at::IntArrayRef{3, 70}));
  }
}
