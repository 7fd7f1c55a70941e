// The QNLP pipeline: exact gradients, training, checkpoints, model files, CLI.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include <nlohmann/json.hpp>

#include "factorkit/core/error.h"
#include "pipeline.h"
#include "test_util.h"

using namespace factorkit::qnlp;
namespace qc = factorkit::category::circuit;

namespace {

Model mc_model(const Task& t, PipelineOptions o, Split* tr = nullptr, Split* dev = nullptr, Split* test = nullptr) {
  Model m(t.lexicon, "mc lexicon", o);
  Split a = add_split(m, t.train), b = add_split(m, t.dev), c = add_split(m, t.test);
  m.sort_parameters();
  m.initialise(0);
  if (tr) *tr = a;
  if (dev) *dev = b;
  if (test) *test = c;
  return m;
}

}  // namespace

TEST(QnlpPipeline, RemovingCupsChangesNoPrediction) {
  const Task t = generate_mc(0);
  for (auto kind : {qc::AnsatzKind::IQP, qc::AnsatzKind::Sim14, qc::AnsatzKind::Sim15}) {
    PipelineOptions o;
    o.ansatz.kind = kind;
    Model bent = mc_model(t, o);
    o.remove_cups = false;
    Model full = mc_model(t, o);
    ASSERT_EQ(bent.parameters(), full.parameters());
    for (std::size_t i = 0; i < bent.size(); ++i) {
      const auto a = bent.predict(i, bent.weights().data()), b = full.predict(i, full.weights().data());
      EXPECT_NEAR(a[0], b[0], 1e-12) << bent.sentence(i).sentence << " " << qc::ansatz_kind_name(kind);
    }
  }
}

TEST(QnlpPipeline, ExactGradientMatchesFiniteDifferences) {
  const Task t = generate_mc(3);
  for (auto kind : {qc::AnsatzKind::IQP, qc::AnsatzKind::Sim14}) {
    PipelineOptions o;
    o.ansatz.kind = kind;
    o.ansatz.layers = 2;
    Split tr;
    Model m = mc_model(t, o, &tr);
    const std::vector<std::size_t> batch(tr.items.begin(), tr.items.begin() + 12);
    const std::vector<int> labels(tr.labels.begin(), tr.labels.begin() + 12);
    std::vector<double> w = m.weights(), g(w.size(), 0.0);
    const double loss = m.score(batch, labels, w.data(), g.data()).loss;
    EXPECT_DOUBLE_EQ(loss, m.score(batch, labels, w.data()).loss);  // the gradient pass does not change the loss
    double checked = 0;
    for (std::size_t p = 0; p < w.size(); ++p) {
      const double h = 1e-6, keep = w[p];
      w[p] = keep + h;
      const double lp = m.score(batch, labels, w.data()).loss;
      w[p] = keep - h;
      const double lm = m.score(batch, labels, w.data()).loss;
      w[p] = keep;
      EXPECT_NEAR(g[p], (lp - lm) / (2 * h), 1e-6 * (1 + std::abs(g[p]))) << m.parameters()[p];
      checked += std::abs(g[p]) > 1e-6;
    }
    EXPECT_GT(checked, 10);  // the batch moves many parameters
  }
}

TEST(QnlpPipeline, LossIsLambeqsBinaryCrossEntropy) {
  const Task t = generate_mc(1);
  Split tr;
  Model m = mc_model(t, PipelineOptions(), &tr);
  const auto p = m.predict(tr.items[0], m.weights().data());
  EXPECT_NEAR(p[0] + p[1], 1, 1e-12);
  const int label = tr.labels[0];
  const double y = (label == 1 ? p[0] : p[1]) + 1e-9, z = p[0] + p[1] + 2e-9;
  const auto s = m.score({tr.items[0]}, {label}, m.weights().data());
  EXPECT_NEAR(s.loss, -std::log(y / z), 1e-12);
  EXPECT_EQ(s.accuracy, (p[0] > p[1]) == (label == 1) ? 1.0 : 0.0);
}

TEST(QnlpPipeline, TrainingIsSeededAndResumesExactly) {
  const Task t = generate_mc(2);
  factorkit::testing::TempDir dir;
  for (const char* optimizer : {"spsa", "adam"}) {
    Split tr, dev, test;
    Model a = mc_model(t, PipelineOptions(), &tr, &dev, &test);
    TrainOptions o;
    o.optimizer = optimizer;
    o.epochs = 12;
    const TrainResult whole = train(a, tr, dev, test, o);
    Model b = mc_model(t, PipelineOptions(), &tr, &dev, &test);
    const TrainResult again = train(b, tr, dev, test, o);
    EXPECT_EQ(a.weights(), b.weights()) << optimizer;  // bitwise: the same seed, the same run
    // interrupted after 5 epochs (the checkpoint of a 12-epoch run), then resumed
    Model c = mc_model(t, PipelineOptions(), &tr, &dev, &test);
    TrainOptions first = o;
    first.checkpoint = dir.file(std::string(optimizer) + ".ckpt");
    first.on_epoch = [](std::size_t e, double, double, double, double) {
      if (e == 5) throw std::runtime_error("interrupted");
    };
    EXPECT_THROW(train(c, tr, dev, test, first), std::runtime_error);
    Model d = mc_model(t, PipelineOptions(), &tr, &dev, &test);
    TrainOptions rest = o;
    rest.checkpoint = first.checkpoint;
    rest.resume = true;
    const TrainResult resumed = train(d, tr, dev, test, rest);
    EXPECT_TRUE(resumed.resumed);
    EXPECT_EQ(d.weights(), a.weights()) << optimizer;
    ASSERT_EQ(resumed.history.size(), whole.history.size());
    for (std::size_t e = 0; e < whole.history.size(); ++e) EXPECT_EQ(resumed.history[e].dev_loss, whole.history[e].dev_loss);
    // a checkpoint from another run is refused, naming the field
    TrainOptions other = rest;
    other.seed = 7;
    Model e = mc_model(t, PipelineOptions(), &tr, &dev, &test);
    factorkit::testing::expect_error<factorkit::InvalidInput>([&] { train(e, tr, dev, test, other); }, "CheckpointMismatch",
                                                              {"seed"});
    other = rest;
    other.epochs = 20;  // SPSA's A depends on it: not the same run
    factorkit::testing::expect_error<factorkit::InvalidInput>([&] { train(e, tr, dev, test, other); }, "CheckpointMismatch",
                                                              {"epochs"});
  }
}

TEST(QnlpPipeline, EarlyStoppingKeepsTheBestDevEpoch) {
  const Task t = generate_mc(4);
  Split tr, dev, test;
  Model m = mc_model(t, PipelineOptions(), &tr, &dev, &test);
  TrainOptions o;
  o.optimizer = "adam";
  o.learning_rate = 0.1;
  o.epochs = 200;
  o.patience = 5;
  const TrainResult r = train(m, tr, dev, test, o);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_LT(r.history.size(), 200u);
  ASSERT_GT(r.best_epoch, 0u);
  EXPECT_EQ(r.history.size(), r.best_epoch + 5);
  EXPECT_DOUBLE_EQ(r.dev.accuracy, r.history[r.best_epoch - 1].dev_acc);
  EXPECT_DOUBLE_EQ(r.dev.loss, r.history[r.best_epoch - 1].dev_loss);
  // resuming a run that stopped early does not train on
  factorkit::testing::TempDir dir;
  Model a = mc_model(t, PipelineOptions(), &tr, &dev, &test);
  TrainOptions c = o;
  c.checkpoint = dir.file("c.json");
  const TrainResult first = train(a, tr, dev, test, c);
  ASSERT_TRUE(first.stopped_early);
  c.resume = true;
  Model b = mc_model(t, PipelineOptions(), &tr, &dev, &test);
  const TrainResult again = train(b, tr, dev, test, c);
  EXPECT_TRUE(again.stopped_early);
  EXPECT_EQ(again.history.size(), first.history.size());
  EXPECT_EQ(b.weights(), a.weights());
}

TEST(QnlpPipeline, ModelFilesRoundTripAndRefuseUnknownWords) {
  const Task t = generate_mc(5);
  Split tr;
  Model m = mc_model(t, PipelineOptions(), &tr);
  const std::string text = format_model(m);
  Model back = parse_model(text, "model.json");
  EXPECT_EQ(back.parameters(), m.parameters());
  for (std::size_t k = 0; k < 5; ++k) {
    const std::size_t i = back.add(t.train[k].sentence, false);
    EXPECT_EQ(back.predict(i, back.weights().data()), m.predict(tr.items[k], m.weights().data()));
  }
  // a word the lexicon lacks, and a known word with a type the model never trained
  EXPECT_THROW(back.add("man bakes pizza .", false), factorkit::InvalidInput);
  // a word in the lexicon that training never met
  Model small(t.lexicon, "mc lexicon", PipelineOptions());
  small.add("man prepares sauce .");
  Model loaded = parse_model(format_model(small), "small.json");
  EXPECT_NO_THROW(loaded.add("sauce prepares man", false));
  factorkit::testing::expect_error<factorkit::InvalidInput>([&] { loaded.add("woman bakes dinner .", false); },
                                                            "UnknownParameter", {"parameter bakes__n.r@s@n.l_0", "woman bakes dinner"});
}

TEST(QnlpPipeline, MalformedModelFilesNameTheField) {
  const Model m = mc_model(generate_mc(0), PipelineOptions());
  const nlohmann::json good = nlohmann::json::parse(format_model(m));
  auto expect_bad = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& field,
                        const std::string& code = "BadModelFile") {
    nlohmann::json j = good;
    edit(j);
    factorkit::testing::expect_error<factorkit::MalformedFile>([&] { parse_model(j.dump(), "m.json"); }, code,
                                                               {"m.json", field});
  };
  expect_bad([](auto& j) { j["version"] = 2; }, "version");
  expect_bad([](auto& j) { j["format"] = "other"; }, "format");
  expect_bad([](auto& j) { j["extra"] = 1; }, "extra");
  expect_bad([](auto& j) { j.erase("lexicon"); }, "lexicon");
  expect_bad([](auto& j) { j["ansatz"] = "qaoa"; }, "ansatz");
  expect_bad([](auto& j) { j["layers"] = -1; }, "layers");
  expect_bad([](auto& j) { j["qubits"]["n"] = 99; }, "qubits.n");
  expect_bad([](auto& j) { j["parameters"][j["parameters"].begin().key()] = "x"; }, "parameters");
  expect_bad([](auto& j) { j["lexicon"] = "man n\n"; }, "lexicon", "BadLexicon");
  factorkit::testing::expect_error<factorkit::MalformedFile>([&] { parse_model("{\"format\": ", "m.json"); }, "BadModelFile", {"JSON"});
  // checkpoints: a real one round-trips; a broken generator state or epoch count is refused
  {
    const Task t = generate_mc(0);
    Split tr, dev, test;
    Model a = mc_model(t, PipelineOptions(), &tr, &dev, &test);
    factorkit::testing::TempDir dir;
    TrainOptions o;
    o.epochs = 2;
    o.checkpoint = dir.file("c.json");
    train(a, tr, dev, test, o);
    const std::string text = factorkit::testing::read_bytes(o.checkpoint);
    const Checkpoint c = parse_checkpoint(text, "c.json");
    EXPECT_EQ(c.epoch, 2u);
    EXPECT_EQ(format_checkpoint(c), text);
    auto broken = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& field) {
      nlohmann::json j = nlohmann::json::parse(text);
      edit(j);
      factorkit::testing::expect_error<factorkit::MalformedFile>([&] { parse_checkpoint(j.dump(), "c.json"); },
                                                                 "BadModelFile", {"c.json", field});
    };
    broken([](auto& j) { j["rng"] = "5489"; }, "rng");
    broken([](auto& j) { j["rng"] = j["rng"].template get<std::string>() + " 7"; }, "rng");
    broken([](auto& j) { j["best_epoch"] = 3; }, "best_epoch");
    broken([](auto& j) { j["history"][1]["epoch"] = 5; }, "history[1].epoch");
    broken([](auto& j) { j["weights"].push_back(1.0); }, "weights");
  }
  factorkit::testing::expect_error<factorkit::MalformedFile>(
      [&] { parse_checkpoint(R"({"format":"factorkit-qnlp-checkpoint","version":1})", "c.json"); }, "BadModelFile",
      {"c.json", "optimizer"});
}
