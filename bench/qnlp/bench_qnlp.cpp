// bench_qnlp: one training step of the QNLP pipeline — every circuit of the
// generated MC training set (70 sentences, IQP, n: 1, s: 1, one layer)
// evaluated once at fixed weights — timed in-process. Driven by run.py in this
// folder against DisCoPy's evaluation of the same circuits.
//
//   bench_qnlp [--keep-cups] [--export FILE] [--threads N]
//
// Prints one JSON line: median CPU times over calibrated rounds (at least 3
// and 0.1 s, as DisCoPy's benchmark config) of
//   simulate       the compiled state-vector programs (normalised probabilities)
//   compile        parse → remove_cups → ansatz → Program for the 70 sentences
//   tensor         the tensor functor (LibTorch, searched contraction path)
//   gradient       the loss and its exact gradient over the 70 (one Adam step)
// and each circuit's probability of outcome 0, to check against the peer.
// --export writes the circuits with their phases as numbers (JSON) for peer.py.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_timing.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>

#include "factorkit/category/circuit_tensor.h"
#include "pipeline.h"

namespace fc = factorkit::category;
namespace qc = factorkit::category::circuit;
using namespace factorkit::qnlp;

namespace {

using factorkit::bench::time_it;

// a layer as [name, offset, numbers]: phases evaluated at the weights
nlohmann::json export_circuit(const SentenceCircuit& s, const std::vector<double>& w, const Model& m) {
  nlohmann::json layers = nlohmann::json::array();
  for (const fc::Layer& l : s.circuit.layers()) {
    const fc::Box& b = l.box;
    if (b.kind() != fc::BoxKind::Generator || b.is_dagger() || b.z() != 0)
      throw std::runtime_error("bench export: a box that is not a plain gate: " + b.str());
    const std::string& n = b.name();
    std::vector<double> args = b.data();
    if (n == "Rx" || n == "Ry" || n == "Rz" || n == "CRx" || n == "CRz") {
      double phase = args[0];
      if (b.param().id() != 0) {
        const auto& names = m.parameters();
        const auto k = std::size_t(std::find(names.begin(), names.end(), b.param().str()) - names.begin());
        phase += args[1] * w.at(k);
      }
      args = n[0] == 'C' ? std::vector<double>{phase, args[2]} : std::vector<double>{phase};
    }
    layers.push_back({n, l.offset, args});
  }
  return {{"sentence", s.sentence}, {"layers", layers}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_qnlp: one QNLP training step"};
  bool keep_cups = false;
  std::string export_path;
  int threads = 1;
  app.add_flag("--keep-cups", keep_cups, "Circuits with the cups (no remove_cups)");
  app.add_option("--export", export_path, "Write the circuits as JSON for peer.py");
  app.add_option("--threads", threads, "LibTorch threads for the tensor functor");
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);

  const Task task = generate_mc(0);
  PipelineOptions o;
  o.remove_cups = !keep_cups;
  auto build = [&]() {
    Model m(task.lexicon, "mc lexicon", o);
    Split tr = add_split(m, task.train);
    add_split(m, task.dev), add_split(m, task.test);
    m.sort_parameters();
    m.initialise(0);
    return std::make_pair(std::move(m), std::move(tr));
  };
  auto [model, train] = build();
  const std::vector<double> w = model.weights();

  nlohmann::json out;
  out["circuits"] = train.items.size();
  out["keep_cups"] = keep_cups;
  std::size_t qubits = 0, gates = 0;
  for (std::size_t i : train.items) {
    qubits = std::max(qubits, model.sentence(i).program.max_width());
    gates += model.sentence(i).circuit.size();
  }
  out["max_qubits"] = qubits;
  out["gates"] = gates;

  std::vector<double> p0(train.items.size());
  out["simulate"] = time_it([&] {
    for (std::size_t k = 0; k < train.items.size(); ++k) p0[k] = model.predict(train.items[k], w.data())[0];
  });
  out["compile"] = time_it([&] { (void)build(); });
  std::vector<double> g(w.size());
  out["gradient"] = time_it([&] {
    std::fill(g.begin(), g.end(), 0.0);
    model.score(train.items, train.labels, w.data(), g.data());
  });
  // the tensor functor on the same circuits (parameters as 0-d tensors)
  qc::Values values;
  for (std::size_t k = 0; k < w.size(); ++k) values[fc::Symbol(model.parameters()[k]).id()] = at::full({}, w[k], at::kDouble);
  std::vector<double> p0_tensor(train.items.size());
  out["tensor"] = time_it([&] {
    for (std::size_t k = 0; k < train.items.size(); ++k) {
      const at::Tensor a = qc::amplitudes(model.sentence(train.items[k]).circuit, values).reshape({-1});
      const at::Tensor q = a.abs().pow(2);
      p0_tensor[k] = (q[0] / std::max(1e-9, q.sum().item<double>())).item<double>();
    }
  });
  double diff = 0;
  for (std::size_t k = 0; k < p0.size(); ++k) diff = std::max(diff, std::abs(p0[k] - p0_tensor[k]));
  out["tensor_vs_simulate_max_diff"] = diff;
  out["p0"] = p0;
  if (!export_path.empty()) {
    nlohmann::json circuits = nlohmann::json::array();
    for (std::size_t i : train.items) circuits.push_back(export_circuit(model.sentence(i), w, model));
    std::ofstream(export_path) << nlohmann::json{{"circuits", circuits}}.dump() << "\n";
  }
  std::cout << out.dump() << std::endl;
  return 0;
}
