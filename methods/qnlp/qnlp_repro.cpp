// reproduce qnlp: lambeq's MC experiment (IQP ansatz, exact simulation) on
// generated data, and the cup removal that keeps every prediction.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "factorkit/category/drawing.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/svg_plot.h"
#include "pipeline.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::qnlp;

struct Run {
  TrainResult result;
  Model model;
};

Run run_mc(const Task& task, const PipelineOptions& p, const TrainOptions& o) {
  Model m(task.lexicon, "generated mc lexicon", p);
  const Split tr = add_split(m, task.train), dev = add_split(m, task.dev), test = add_split(m, task.test);
  m.sort_parameters();
  m.initialise(o.seed);
  TrainResult r = train(m, tr, dev, test, o);
  return {std::move(r), std::move(m)};
}

TrainOptions notebook(std::uint64_t seed, const std::string& optimizer) {
  TrainOptions o;  // quantum-pipeline-jax.ipynb: SPSA a = 0.2, c = 0.06, A = 0.01 · 120, batch 30, 120 epochs
  o.optimizer = optimizer;
  o.seed = seed;
  return o;
}

ReproResult mc(const ReproContext& ctx) {
  const Task task = generate_mc(ctx.seed);
  const PipelineOptions p;  // IQP, n: 1, s: 1, one layer, three single-qubit parameters, cups removed
  const Run spsa = run_mc(task, p, notebook(ctx.seed, "spsa"));
  const Run adam = run_mc(task, p, notebook(ctx.seed, "adam"));
  // ten weight seeds for each optimizer (the data fixed)
  const std::size_t n_seeds = 10;
  std::vector<double> acc_spsa, acc_adam;
  double worst_seconds = std::max(spsa.result.seconds, adam.result.seconds);
  for (std::uint64_t s = 0; s < n_seeds; ++s) {
    const Run a = run_mc(task, p, notebook(ctx.seed + 1000 + s, "spsa"));
    const Run b = run_mc(task, p, notebook(ctx.seed + 1000 + s, "adam"));
    acc_spsa.push_back(a.result.test.accuracy);
    acc_adam.push_back(b.result.test.accuracy);
    worst_seconds = std::max({worst_seconds, a.result.seconds, b.result.seconds});
  }
  auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); };
  auto min = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
  // figures: the training curves, and one sentence's diagram and circuit
  std::vector<Series> curves;
  for (const auto* run : {&spsa, &adam}) {
    Series tr{run == &spsa ? "SPSA train" : "Adam train", {}, {}, false}, dv{run == &spsa ? "SPSA dev" : "Adam dev", {}, {}, true};
    for (const EpochRecord& e : run->result.history) {
      tr.x.push_back(double(e.epoch)), tr.y.push_back(e.train_loss);
      dv.x.push_back(double(e.epoch)), dv.y.push_back(e.dev_loss);
    }
    curves.push_back(tr), curves.push_back(dv);
  }
  ChartOptions co;
  co.title = "MC, IQP ansatz, exact simulation";
  co.x_label = "epoch";
  co.y_label = "binary cross-entropy";
  const std::filesystem::path dir(ctx.out_dir);
  write_file_atomic((dir / "mc-training.svg").string(), line_chart(curves, co));
  const SentenceCircuit& first = spsa.model.sentence(0);
  category::DrawOptions d;
  d.title = first.sentence;
  write_file_atomic((dir / "mc-diagram.svg").string(), category::to_svg(first.diagram, d));
  d.wire_labels = false;
  write_file_atomic((dir / "mc-circuit.svg").string(), category::to_svg(first.circuit, d));

  ReproResult res;
  res.paper = "lambeq's MC notebooks: test accuracy 0.967 (exact simulation, SPSA) and 0.817 (8192 shots)";
  res.ours = fmt::format(
      "test accuracy {:.3f} with SPSA ({:.2f} s), {:.3f} with Adam on exact gradients ({:.2f} s); over {} more weight "
      "seeds SPSA {:.3f} mean / {:.3f} min, Adam {:.3f} mean / {:.3f} min",
      spsa.result.test.accuracy, spsa.result.seconds, adam.result.test.accuracy, adam.result.seconds, n_seeds,
      mean(acc_spsa), min(acc_spsa), mean(acc_adam), min(acc_adam));
  // the claim on Adam, whose result does not hinge on the seed; SPSA is reported as measured
  res.pass = adam.result.test.accuracy >= 0.9 && mean(acc_adam) >= 0.9 && worst_seconds < 60;
  res.note = fmt::format(
      "Generated MC data (lambeq's 17 words and 3 templates; 70/30/30 of the 162 distinct sentences, seed {}), not "
      "lambeq's files. IQP with n: 1, s: 1, one layer; cups removed; {} parameters; 120 epochs of batches of 30; SPSA "
      "a = 0.2, c = 0.06, A = 1.2 (the JAX notebook); Adam lr 0.05. Pass: Adam on exact gradients reaches test accuracy "
      ">= 0.9 at this seed and on average over the other seeds, and every training run takes under a minute (longest: "
      "{:.2f} s). SPSA with lambeq's settings depends on the seed (lambeq's 0.967 is one run); its figures are "
      "reported, not judged.",
      ctx.seed, spsa.model.parameters().size(), worst_seconds);
  res.figures = {"mc-training.svg", "mc-diagram.svg", "mc-circuit.svg"};
  res.details = {{"spsa", {{"train", spsa.result.train.accuracy}, {"dev", spsa.result.dev.accuracy},
                           {"test", spsa.result.test.accuracy}, {"best_epoch", spsa.result.best_epoch},
                           {"seconds", spsa.result.seconds}}},
                 {"adam", {{"train", adam.result.train.accuracy}, {"dev", adam.result.dev.accuracy},
                           {"test", adam.result.test.accuracy}, {"best_epoch", adam.result.best_epoch},
                           {"seconds", adam.result.seconds}}},
                 {"seed_test_accuracy_spsa", acc_spsa},
                 {"seed_test_accuracy_adam", acc_adam}};
  return res;
}

ReproResult remove_cups(const ReproContext& ctx) {
  const Task task = generate_mc(ctx.seed);
  PipelineOptions bent, full;
  full.remove_cups = false;
  const Run trained = run_mc(task, bent, notebook(ctx.seed, "adam"));
  Model with_cups(task.lexicon, "generated mc lexicon", full);
  add_split(with_cups, task.train), add_split(with_cups, task.dev), add_split(with_cups, task.test);
  with_cups.sort_parameters();
  double max_diff = 0;
  std::size_t q_bent = 0, q_full = 0, post_bent = 0, post_full = 0;
  for (std::size_t i = 0; i < with_cups.size(); ++i) {
    const auto a = trained.model.predict(i, trained.model.weights().data());
    const auto b = with_cups.predict(i, trained.model.weights().data());
    max_diff = std::max(max_diff, std::abs(a[0] - b[0]));
    q_bent = std::max(q_bent, trained.model.sentence(i).program.max_width());
    q_full = std::max(q_full, with_cups.sentence(i).program.max_width());
    post_bent += category::circuit::post_selected(trained.model.sentence(i).circuit);
    post_full += category::circuit::post_selected(with_cups.sentence(i).circuit);
  }
  const bool same_params = with_cups.parameters() == trained.model.parameters();
  ReproResult res;
  res.paper = "lambeq's RemoveCupsRewriter: fewer qubits and post-selections, the same sentence meaning";
  res.ours = fmt::format("{} circuits: at most {} qubits instead of {}, {} post-selected qubits instead of {}; "
                         "predictions at the trained weights differ by at most {:.1e}",
                         with_cups.size(), q_bent, q_full, post_bent, post_full, max_diff);
  res.pass = same_params && max_diff < 1e-12 && q_bent < q_full && post_bent < post_full;
  res.note = "Pass: the same parameters, every prediction equal to 1e-12, fewer qubits and post-selections.";
  res.details = {{"max_qubits", {q_bent, q_full}}, {"post_selected", {post_bent, post_full}}, {"max_diff", max_diff}};
  return res;
}

FACTORKIT_REGISTER_REPRO(ReproEntry{"qnlp", "mc",
                                    "an IQP circuit model trained on meaning classification reaches >= 0.9 test "
                                    "accuracy with exact simulation, in under a minute",
                                    mc});
FACTORKIT_REGISTER_REPRO(ReproEntry{"qnlp", "remove-cups",
                                    "bending cupped words into effects keeps every prediction and saves qubits",
                                    remove_cups});

}  // namespace
}  // namespace factorkit::cli
