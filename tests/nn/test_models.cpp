// The reference models' shapes and masks, the model summary's FLOP counts,
// the tokenizer, the LM metrics and TorchScript loading.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "factorkit/core/error.h"
#include "factorkit/data/wordnet.h"
#include "factorkit/data/wordnet_tasks.h"
#include "factorkit/nn/models.h"
#include "factorkit/nn/summary.h"
#include "factorkit/nn/tasks.h"
#include "factorkit/nn/tokenizer.h"
#include "factorkit/nn/torchscript.h"
#include "test_util.h"

namespace fn = factorkit::nn;
using factorkit::testing::TempDir;

TEST(Models, CnnShapesAndNamedLayers) {
  fn::Cnn m(fn::CnnOptions{});
  m->eval();
  EXPECT_EQ(m->forward(at::randn({3, 1, 28, 28})).sizes(), (std::vector<std::int64_t>{3, 10}));
  EXPECT_THROW(m->forward(at::randn({3, 1, 32, 32})), factorkit::InvalidInput);
  EXPECT_THROW(fn::Cnn(fn::CnnOptions{1, 28, 10, 0}), factorkit::InvalidInput);
}

TEST(Models, DecoderIsCausal) {
  at::manual_seed(0);
  fn::DecoderLM m(fn::DecoderOptions{100, 16, 32, 4, 2});
  m->eval();
  at::Tensor ids = at::randint(5, 100, {2, 12}, at::kLong);
  const at::Tensor a = m->forward(ids);
  EXPECT_EQ(a.sizes(), (std::vector<std::int64_t>{2, 12, 100}));
  ids.index_put_({at::indexing::Slice(), 8}, 7);  // change token 8
  const at::Tensor b = m->forward(ids);
  EXPECT_TRUE(at::allclose(a.narrow(1, 0, 8), b.narrow(1, 0, 8), 1e-5, 1e-6));  // earlier positions unchanged
  EXPECT_FALSE(at::allclose(a.narrow(1, 8, 4), b.narrow(1, 8, 4)));
  EXPECT_EQ(m->options.ffn_hidden(), 96);  // 8/3·32 rounded up to a multiple of 32
  // SwiGLU parameter names (what FactorLLM splits)
  bool found = false;
  for (const auto& p : m->named_parameters()) found |= p.key() == "blocks.1.ffn.gate_proj.weight";
  EXPECT_TRUE(found);
}

TEST(Models, EncoderIgnoresPadding) {
  at::manual_seed(0);
  fn::TransformerEncoder m(fn::EncoderOptions{100, 32, 32, 4, 2, 64, 3, 0, 0.1});
  m->eval();
  const at::Tensor short_ids = at::tensor({2, 17, 23, 3}, at::kLong).view({1, 4});
  const at::Tensor padded = at::cat({short_ids, at::zeros({1, 6}, at::kLong)}, 1);
  EXPECT_TRUE(at::allclose(m->forward(short_ids), m->forward(padded), 1e-5, 1e-6));
  EXPECT_EQ(m->forward(padded).sizes(), (std::vector<std::int64_t>{1, 3}));
  EXPECT_THROW(m->forward(at::zeros({1, 40}, at::kLong)), factorkit::InvalidInput);  // longer than max_len
}

TEST(Summary, FlopsAreTheKnownAnswers) {
  torch::nn::Linear lin(10, 20);
  const at::Tensor x = at::randn({3, 10});
  fn::FlopCount f = fn::count_flops([&] { lin->forward(x); });
  EXPECT_EQ(f.total, 2 * 3 * 10 * 20 + 3 * 20);  // multiply-adds plus the bias
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 8, 3).padding(1).stride(2));
  const at::Tensor img = at::randn({2, 3, 16, 16});
  f = fn::count_flops([&] { conv->forward(img); });
  EXPECT_EQ(f.total, 2 * (2 * 8 * 8 * 8) * (3 * 3 * 3));  // 2 × outputs × (Cin·kh·kw)
  EXPECT_EQ(f.by_op.at("conv"), f.total);
  const at::Tensor a = at::randn({4, 5, 6}), b = at::randn({4, 6, 7});
  EXPECT_EQ(fn::count_flops([&] { at::matmul(a, b); }).total, 2 * 4 * 5 * 6 * 7);
  EXPECT_EQ(fn::count_flops([&] { at::relu(a); }).total, 0);
}

TEST(Summary, ParametersPerModuleAndThroughput) {
  fn::Cnn m(fn::CnnOptions{});
  const at::Tensor x = at::randn({8, 1, 28, 28});
  const fn::Summary s = fn::summarize(*m, [&] { m->forward(x); }, 8, 2);
  // conv1 1·32·9+32, bn 64, conv2 32·64·9+64, bn 128, fc 3136·128+128, fc 128·10+10
  const std::int64_t expected = (288 + 32) + 64 + (18432 + 64) + 128 + (401408 + 128) + (1280 + 10);
  EXPECT_EQ(s.params, expected);
  EXPECT_EQ(s.modules.front().params, expected);
  std::int64_t sum_own = 0;
  for (const auto& r : s.modules) sum_own += r.own_params;
  EXPECT_EQ(sum_own, expected);
  // conv FLOPs per image: 2·(28·28·32)·9 + 2·(14·14·64)·288; linear: 2·3136·128 + 128 + 2·128·10 + 10
  EXPECT_EQ(s.flops.by_op.at("conv"), 8 * (2 * 28 * 28 * 32 * 9 + 2 * 14 * 14 * 64 * 288));
  EXPECT_EQ(s.flops.by_op.at("mm"), 8 * (2 * 3136 * 128 + 128 + 2 * 128 * 10 + 10));
  EXPECT_GT(s.samples_per_second, 0);
  EXPECT_NE(fn::format_summary(s).find("features.0"), std::string::npos);
}

namespace {
const fn::Tokenizer& tokenizer() {
  static const fn::Tokenizer t = fn::wordnet_tokenizer();
  return t;
}
}  // namespace

TEST(Tokenizer, RoundTripsTextAndHasTheSpecialTokens) {
  const fn::Tokenizer& t = tokenizer();
  EXPECT_EQ(t.vocab_size(), 4000);
  EXPECT_EQ(t.piece(fn::Tokenizer::kPad), "[PAD]");
  EXPECT_EQ(t.piece(fn::Tokenizer::kCls), "[CLS]");
  EXPECT_EQ(t.piece(fn::Tokenizer::kSep), "[SEP]");
  EXPECT_EQ(t.piece(fn::Tokenizer::kMask), "[MASK]");
  const factorkit::data::TextCorpus corpus = factorkit::data::text_corpus(factorkit::data::read_wordnet());
  std::size_t failures = 0, tokens = 0, chars = 0;
  for (const std::string& line : corpus.valid) {
    const std::vector<int> ids = t.encode(line);
    tokens += ids.size();
    chars += line.size();
    failures += t.decode(ids) != line;
  }
  EXPECT_EQ(failures, 0u);
  EXPECT_GT(double(chars) / double(tokens), 3.0);  // a subword vocabulary, not characters
  for (const std::string s : {"  two  spaces ", "naïve café — Ελληνικά, 日本語 ☃", "tabs\tand\nnewlines", ""})
    EXPECT_EQ(t.decode(t.encode(s)), s);
  for (int id : t.encode("日本語")) EXPECT_NE(id, fn::Tokenizer::kUnk);  // byte fallback
  const std::vector<int> pair = t.encode_pair("a dog", "a domestic animal", 64);
  EXPECT_EQ(pair.front(), fn::Tokenizer::kCls);
  EXPECT_EQ(pair.back(), fn::Tokenizer::kSep);
  EXPECT_EQ(std::count(pair.begin(), pair.end(), fn::Tokenizer::kSep), 2);
  const std::vector<int> cut = t.encode_pair(std::string(400, 'x'), "short one", 16);
  EXPECT_EQ(cut.size(), 16u);
  EXPECT_EQ(t.encode_single(std::string(400, 'y'), 8).size(), 8u);
  const at::Tensor batch = fn::Tokenizer::pad_batch({{2, 9, 3}, {2, 3}});
  EXPECT_EQ(batch.sizes(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(batch[1][2].item<std::int64_t>(), fn::Tokenizer::kPad);
  EXPECT_THROW(t.decode({-1}), factorkit::InvalidInput);
}

TEST(Tokenizer, TrainingIsDeterministicAndBadFilesAreRefused) {
  TempDir d;
  std::vector<std::string> lines = factorkit::data::text_corpus(factorkit::data::read_wordnet()).test;
  lines.resize(2000);
  const fn::Tokenizer a = fn::Tokenizer::train(lines, {500, "unigram"}, d.file("a.model"));
  const fn::Tokenizer b = fn::Tokenizer::train(lines, {500, "unigram"}, d.file("b.model"));
  // the same pieces with the same scores (the files differ only in the
  // temporary paths spm_train records)
  ASSERT_EQ(a.vocab_size(), b.vocab_size());
  int differ = 0;
  for (int i = 0; i < a.vocab_size(); ++i)
    differ += a.model().piece(i).text != b.model().piece(i).text || a.model().piece(i).score != b.model().piece(i).score;
  EXPECT_EQ(differ, 0);
  EXPECT_EQ(a.decode(a.encode(lines[5])), lines[5]);
  factorkit::testing::write_bytes(d.file("bad.model"), "garbage");
  EXPECT_THROW(fn::Tokenizer::load(d.file("bad.model")), factorkit::MalformedFile);
  EXPECT_THROW(fn::Tokenizer::load(d.file("none.model")), factorkit::InvalidInput);
  EXPECT_THROW(fn::Tokenizer::train(lines, {10, "unigram"}, d.file("c.model")), factorkit::InvalidInput);
  EXPECT_THROW(fn::Tokenizer::train(lines, {400, "bpe"}, d.file("c.model")), factorkit::InvalidInput);
  // a vocabulary larger than the text allows: spm_train's own complaint is passed on
  const std::vector<std::string> tiny{"ab"};
  EXPECT_THROW(fn::Tokenizer::train(tiny, {5000, "unigram"}, d.file("c.model")), factorkit::InvalidInput);
  EXPECT_FALSE(std::filesystem::exists(d.file("c.model")));
}

// factorkit's encoder (data/sentencepiece.h) against SentencePiece's own
// spm_encode (Debian's sentencepiece) on every validation line of the WordNet
// text, plus lines that exercise spaces, unknown characters and user symbols.
TEST(Tokenizer, IdsEqualSpmEncode) {
  const fn::Tokenizer& t = tokenizer();
  TempDir d;
  std::vector<std::string> lines = factorkit::data::text_corpus(factorkit::data::read_wordnet()).valid;
  for (const std::string s : {"  two  spaces ", " lead", "trail ", "naïve café — Ελληνικά, 日本語 ☃", "[CLS] a [SEP] b [SEP]",
                              "x[MASK]y", "1234567 3.14", "\x01\x7f control", "\xff\xfe broken utf-8"})
    lines.push_back(s);
  {
    std::ofstream f(d.file("in.txt"), std::ios::binary);
    for (const auto& l : lines) f << l << '\n';
  }
  const std::string cmd = "spm_encode --model='" + t.path() + "' --output_format=id < '" + d.file("in.txt") + "' > '" +
                          d.file("out.txt") + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream f(d.file("out.txt"));
  std::size_t i = 0, mismatches = 0;
  for (std::string line; std::getline(f, line); ++i) {
    ASSERT_LT(i, lines.size());
    std::vector<int> want;
    std::istringstream ls(line);
    for (int id; ls >> id;) want.push_back(id);
    const std::vector<int> got = t.encode(lines[i]);
    if (got != want && ++mismatches <= 5) ADD_FAILURE() << "line " << i << ": '" << lines[i] << "'";
  }
  EXPECT_EQ(i, lines.size());
  EXPECT_EQ(mismatches, 0u);
}

TEST(TextClassification, EpochsCoverEveryTextOnceInLengthBucketedBatches) {
  fn::TextSet set;
  std::mt19937_64 rng(4);
  for (int i = 0; i < 1000; ++i) {
    std::vector<int> ids(2 + rng() % 60, 7);
    ids[0] = 10 + i;  // the text's number, to see the order
    set.ids.push_back(ids);
    set.labels.push_back(i % 3);
  }
  std::int64_t padded = 0, real = 0;
  std::vector<std::int64_t> seen;
  const fn::Forward fwd = [&](const at::Tensor& x) {
    padded += x.numel();
    real += (x != fn::Tokenizer::kPad).sum().item<std::int64_t>();
    for (std::int64_t r = 0; r < x.size(0); ++r) seen.push_back(x[r][0].item<std::int64_t>() - 10);
    return at::zeros({x.size(0), 3}, at::kFloat).requires_grad_(true);
  };
  auto epoch = [&](std::int64_t e, std::uint64_t seed) {
    seen.clear();
    const fn::Task t = fn::text_classification(fwd, set, nullptr, 16, seed);
    EXPECT_EQ(t.batches_per_epoch, 63);
    for (std::int64_t b = 0; b < t.batches_per_epoch; ++b) t.train_batch(e, b);
    return seen;
  };
  const std::vector<std::int64_t> a = epoch(2, 9);
  std::vector<std::int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[std::size_t(i)], i);  // every text once
  EXPECT_LT(double(padded), 1.15 * double(real));  // bucketing keeps padding small (unsorted: ~1.8×)
  EXPECT_EQ(epoch(2, 9), a);  // the same seed and epoch: the same batches
  EXPECT_NE(epoch(3, 9), a);  // another epoch: another order
  EXPECT_NE(epoch(2, 10), a);
}

TEST(LanguageModelling, EveryTokenButTheFirstIsPredictedOnce) {
  const at::Tensor stream = at::arange(1, 102, at::kLong) % 10;  // 101 tokens
  std::int64_t predicted = 0;
  const fn::Forward uniform = [&](const at::Tensor& x) {
    predicted += x.numel();
    return at::zeros({x.size(0), x.size(1), 10});
  };
  const fn::Metrics m = fn::evaluate_lm(uniform, stream, 16, 3);
  EXPECT_EQ(predicted, 100);
  EXPECT_NEAR(m.at("perplexity"), 10.0, 1e-4);  // uniform over 10 tokens
  // a model that knows the next token is x + 1 (mod 10): perplexity 1, only if
  // targets are the inputs shifted by one
  const fn::Forward oracle = [](const at::Tensor& x) { return at::one_hot((x + 1) % 10, 10).to(at::kFloat) * 50; };
  EXPECT_NEAR(fn::evaluate_lm(oracle, stream, 16, 3).at("perplexity"), 1.0, 1e-6);
  // the unigram baseline: counts of a non-uniform stream (+1 each), scored on
  // every token but the first: train 0,0,0,1 → p(0) = 4/6, p(1) = 2/6 (vocab 2)
  const at::Tensor eval01 = at::tensor({1, 0, 1}, at::kLong);  // predicted: 0, 1
  EXPECT_NEAR(fn::unigram_perplexity(at::tensor({0, 0, 0, 1}, at::kLong), eval01, 2),
              std::exp(-(std::log(4.0 / 6) + std::log(2.0 / 6)) / 2), 1e-12);
  const fn::LmLoader loader(stream, 16, 4, 0);
  EXPECT_EQ(loader.batches(), 2);  // 6 windows
  const auto [x, y] = loader.batch(0, 0);
  EXPECT_TRUE(at::equal(x.narrow(1, 1, 15), y.narrow(1, 0, 15)));  // targets are inputs shifted by one
}

TEST(TorchScript, LoadsATrustedModelAndRefusesJunk) {
  TempDir d;
  torch::jit::Module shift("Shift");
  shift.register_parameter("b", at::full({3}, 1.0f), false);
  shift.define(R"(
    def forward(self, x):
        return x + self.b
  )");
  torch::jit::Module m("Scale");
  m.register_parameter("w", at::full({3}, 2.0f), false);
  m.register_module("shift", shift);
  m.define(R"(
    def forward(self, x):
        return self.shift.forward(x) * self.w
  )");
  m.save(d.file("scale.pt"));
  fn::ScriptModel s = fn::ScriptModel::load(d.file("scale.pt"));
  EXPECT_TRUE(at::equal(s.forward(at::ones({3})), at::full({3}, 4.0f)));
  EXPECT_EQ(s.named_parameters().size(), 2u);
  EXPECT_EQ(s.submodules(), std::vector<std::string>{"shift"});
  EXPECT_TRUE(at::equal(s.forward_submodule("shift", at::ones({3})), at::full({3}, 2.0f)));  // the model split at a layer
  EXPECT_THROW(s.forward_submodule("nope", at::ones({3})), factorkit::InvalidInput);
  EXPECT_NE(s.submodule_type("shift").find("Shift"), std::string::npos) << s.submodule_type("shift");
  EXPECT_THROW(s.submodule_type("nope"), factorkit::InvalidInput);
  EXPECT_THROW(s.forward(at::ones({4})), factorkit::InvalidInput);
  factorkit::testing::write_bytes(d.file("junk.pt"), "PK not really a zip");
  EXPECT_THROW(fn::ScriptModel::load(d.file("junk.pt")), factorkit::MalformedFile);
  EXPECT_THROW(fn::ScriptModel::load(d.file("missing.pt")), factorkit::InvalidInput);
}
