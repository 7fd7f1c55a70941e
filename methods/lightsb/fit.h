// Fitting LightSB: Adam on the loss mean log c(x0) − mean log v(x1) over
// independent minibatches of the two sample sets (no pairs), as the reference.
#pragma once

#include <functional>
#include <string>

#include "lightsb.h"

namespace factorkit::lightsb {

struct FitOptions {
  Eigen::Index K = 50;
  double eps = 1;
  long steps = 10000;
  Eigen::Index batch = 128;
  double lr = 1e-3;          // the reference's benchmark: 1e-3 (ε = 0.1), 3e-3 (ε = 1), 6e-2 (ε = 10)
  double s_init = 0.1;       // the reference's default (its benchmark notebook uses 1.0)
  bool diagonal = true;
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;  // torch.optim.Adam's defaults
};

// Draws n rows (a minibatch) with the generator.
using Sampler = std::function<Matrix(Eigen::Index n, Rng& rng)>;
// Uniform rows of X, with replacement.
Sampler rows_of(const Matrix& X);

// Everything a run needs to continue exactly where it stopped.
struct FitState {
  Model model;
  Gradient m, v;  // Adam's moments, shaped as the gradient
  long step = 0;
  Rng rng;
  std::vector<double> losses;  // one per step
};

// The model initialised from K target rows (drawn by `target`), Adam at step 0.
FitState start_fit(const Sampler& target, Eigen::Index dim, const FitOptions& o, std::uint64_t seed);

// Runs Adam steps until state.step == o.steps or `stop` returns true (asked
// after every step with the step number and its loss).
void fit_steps(FitState& state, const Sampler& source, const Sampler& target, const FitOptions& o,
               const std::function<bool(long step, double loss)>& stop = {});

// Rng state as text and back (checkpoints).
std::string rng_state(const Rng& rng);
Rng rng_from_state(const std::string& text);

}  // namespace factorkit::lightsb
