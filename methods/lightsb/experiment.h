// The benchmark run shared by `factorkit lightsb bench` and `factorkit
// reproduce lightsb`: generate the mixture pair, fit LightSB on independent
// samples of P0 and P1 (fresh minibatches every step, as the reference's
// notebook), score cBW2-UVP on test inputs against the exact plan.
#pragma once

#include <functional>
#include <string>

#include "benchmark.h"
#include "fit.h"

namespace factorkit::lightsb {

// The reference notebook's learning rate per ε (1e-3, 3e-3, 6e-2 for ε =
// 0.1, 1, 10); other ε take the nearest of the three on a log scale.
double reference_lr(double eps);

struct ExperimentOptions {
  Eigen::Index dim = 16;
  double eps = 1;
  FitOptions fit;               // K, steps, batch, lr (≤ 0: reference_lr), s_init, diagonal
  std::uint64_t seed = 0;       // the benchmark's mixtures and the fit's generator
  Eigen::Index test_inputs = 1000, samples_per_x = 1000;
  Eigen::Index variance_samples = 20000;  // Monte-Carlo size for Var(P1)
  Eigen::Index target_samples = 10000;    // BW2-UVP of the mapped marginal
};

// The metrics of a model on the benchmark of (dim, eps, seed), in %: cBW2-UVP
// (the benchmark's metric), BW2-UVP of the mapped marginal against P1's
// moments, and cBW2-UVP of the exact plan's own samples (the Monte-Carlo
// floor). The evaluation generator is seeded from `seed` too, so every model is
// scored on the same test inputs and draws of the truth.
struct Scores {
  double cbw2_uvp = 0, bw2_uvp = 0, true_cbw2_uvp = 0;
};
Scores score(const Model& m, const ExperimentOptions& o);

struct ExperimentResult : Scores {
  double fit_seconds = 0, eval_seconds = 0;
  double final_loss = 0;
  FitState state;
};

ExperimentResult run_experiment(const ExperimentOptions& o,
                                const std::function<void(long step, double loss)>& on_step = {});

// A 2-D picture (the first two coordinates): source, target and mapped
// samples as dots, a few Euler–Maruyama trajectories as lines.
std::string plot_2d(const Matrix& source, const Matrix& target, const Matrix& mapped,
                    const std::vector<Matrix>& trajectories, const std::string& title);

}  // namespace factorkit::lightsb
