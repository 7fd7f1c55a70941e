// `factorkit reproduce lightsb`: the cBW2-UVP table of LightSB (Korotin,
// Gushchin, Burnaev, ICLR 2024) on the Gaussian-mixture benchmark, generated
// offline, and a 2-D picture of the bridge.
#include <fmt/format.h>

#include <filesystem>

#include "experiment.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "lightsb.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::lightsb;

struct PaperCell {
  int dim;
  double eps, lightsb, best_other;  // cBW2-UVP %, the LightSB poster's table
};
constexpr PaperCell kPaper[] = {
    {2, 0.1, 0.03, 1.94},  {16, 0.1, 0.08, 13.67}, {64, 0.1, 0.28, 11.74}, {128, 0.1, 0.60, 11.4},
    {2, 1, 0.05, 1.04},    {16, 1, 0.09, 9.08},    {64, 1, 0.24, 18.05},   {128, 1, 0.62, 15.23},
    {2, 10, 0.07, 1.40},   {16, 10, 0.11, 1.27},   {64, 10, 0.21, 2.36},   {128, 10, 0.37, 1.31},
};

ReproResult benchmark_table(const ReproContext& ctx) {
  nlohmann::json rows = nlohmann::json::array();
  std::string table;
  bool all_below_competitors = true;  // the excess over the floor, cell by cell
  double end_to_end = -1;             // D = 16, ε = 1: the reference note's check (< 1%)
  int within_2x = 0, cells = 0;
  for (const int dim : {2, 16, 64, 128}) {
    if (ctx.quick && dim > 16) continue;
    for (const double eps : {0.1, 1.0, 10.0}) {
      const PaperCell* paper = nullptr;
      for (const auto& c : kPaper)
        if (c.dim == dim && c.eps == eps) paper = &c;
      ExperimentOptions o;
      o.dim = dim;
      o.eps = eps;
      o.seed = ctx.seed;
      o.fit.K = 50;
      o.fit.batch = 128;
      o.fit.steps = 10000;
      o.fit.s_init = 1.0;
      o.fit.lr = reference_lr(eps);
      const ExperimentResult r = run_experiment(o);
      ++cells;
      within_2x += r.cbw2_uvp <= 2 * paper->lightsb;
      const double excess = r.cbw2_uvp - r.true_cbw2_uvp;
      all_below_competitors = all_below_competitors && excess < paper->best_other;
      if (dim == 16 && eps == 1.0) end_to_end = r.cbw2_uvp;
      table += fmt::format("D={} eps={:g}: {:.3f} (floor {:.3f}, excess {:.3f}; paper {:.2f}); ", dim, eps, r.cbw2_uvp,
                           r.true_cbw2_uvp, excess, paper->lightsb);
      rows.push_back({{"dim", dim},
                      {"eps", eps},
                      {"cbw2_uvp", r.cbw2_uvp},
                      {"paper_lightsb", paper->lightsb},
                      {"paper_best_other", paper->best_other},
                      {"exact_plan_same_scoring", r.true_cbw2_uvp},
                      {"excess_over_floor", r.cbw2_uvp - r.true_cbw2_uvp},
                      {"bw2_uvp", r.bw2_uvp},
                      {"fit_seconds", r.fit_seconds}});
    }
  }
  ReproResult res;
  res.paper = "LightSB cBW2-UVP 0.03-0.62% on the mixture benchmark (D 2-128, eps 0.1-10), against 1.04-18.05% for the "
              "best competitor in each cell (LightSB poster)";
  res.ours = fmt::format("{}{} of {} cells within 2x of the paper's value; the excess over the floor below the best "
                         "competitor's published value in every cell: {}; D=16 eps=1 below 1%: {}",
                         table, within_2x, cells, all_below_competitors ? "yes" : "no",
                         end_to_end >= 0 && end_to_end < 1 ? "yes" : "no");
  res.pass = all_below_competitors && end_to_end >= 0 && end_to_end < 1;
  res.note = "K = 50, batch 128, 10000 Adam steps at the reference notebook's rate for eps (1e-3, 3e-3, 6e-2), S "
             "initialised to 1.0, fresh samples every step; scored on 1000 test inputs with 1000 samples each. The "
             "benchmark instance is drawn offline by the authors' construction notebook (their released parameter files "
             "are a download), so the figures are of another instance. 'floor' is the exact plan scored the same way: "
             "the metric's Monte-Carlo floor on this instance (1000 samples per input), which exceeds the paper's "
             "LightSB value in several cells, so those cannot be compared; 'excess' is ours minus the floor. "
             "bench/lightsb runs the reference code on the same instances and gets the same figures as ours within "
             "the spread between seeds (docs/methods/lightsb.md). Pass: in every cell the excess over the floor is "
             "below the best competitor's published value (the paper's claim is that LightSB beats them), and "
             "cBW2-UVP < 1% at D = 16, eps = 1 (the reference note's end-to-end check).";
  res.details = {{"table", rows}};
  // the 2-D picture: D = 2, eps = 0.1
  ExperimentOptions o;
  o.dim = 2;
  o.eps = 0.1;
  o.seed = ctx.seed;
  o.fit.K = 50;
  o.fit.steps = ctx.quick ? 3000 : 10000;
  o.fit.s_init = 1.0;
  o.fit.lr = reference_lr(o.eps);
  o.test_inputs = 100;
  const ExperimentResult r = run_experiment(o);
  const Benchmark b = make_benchmark(2, 0.1, ctx.seed);
  Rng rng(ctx.seed + 3);
  const Matrix X0 = b.sample_source(600, rng), X1 = b.sample_target(600, rng);
  const Matrix Y = sample(r.state.model, X0, rng);
  const auto path = euler_maruyama(r.state.model, X0.topRows(10), 100, rng);
  write_file_atomic((std::filesystem::path(ctx.out_dir) / "bridge.svg").string(),
                    plot_2d(X0, X1, Y, path, "LightSB, D = 2, eps = 0.1"));
  res.figures = {"bridge.svg"};
  return res;
}

}  // namespace

FACTORKIT_REGISTER_REPRO(ReproEntry{"lightsb", "benchmark",
                                    "LightSB solves the entropic Schrödinger bridge of the Gaussian-mixture benchmark "
                                    "to a cBW2-UVP well below competing solvers",
                                    benchmark_table});

}  // namespace factorkit::cli
