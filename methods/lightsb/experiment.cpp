// The LightSB benchmark run and its 2-D picture.
#include "experiment.h"

#include <chrono>
#include <cmath>

#include "factorkit/core/svg_plot.h"
#include "metrics.h"

namespace factorkit::lightsb {

double reference_lr(double eps) {
  const double l = std::log10(eps);
  return l < -0.5 ? 1e-3 : l < 0.5 ? 3e-3 : 6e-2;
}

ExperimentResult run_experiment(const ExperimentOptions& o, const std::function<void(long, double)>& on_step) {
  using Clock = std::chrono::steady_clock;
  const Benchmark b = make_benchmark(o.dim, o.eps, o.seed);
  FitOptions f = o.fit;
  f.eps = o.eps;
  if (!(f.lr > 0)) f.lr = reference_lr(o.eps);
  const Sampler source = [&b](Eigen::Index n, Rng& rng) { return b.sample_source(n, rng); };
  const Sampler target = [&b](Eigen::Index n, Rng& rng) { return b.sample_target(n, rng); };
  ExperimentResult r;
  auto t0 = Clock::now();
  r.state = start_fit(target, o.dim, f, o.seed + 1);
  fit_steps(r.state, source, target, f, [&](long step, double loss) {
    if (on_step) on_step(step, loss);
    return false;
  });
  r.fit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.final_loss = r.state.losses.empty() ? 0 : r.state.losses.back();
  t0 = Clock::now();
  static_cast<Scores&>(r) = score(r.state.model, o);
  r.eval_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

Scores score(const Model& m, const ExperimentOptions& o) {
  const Benchmark b = make_benchmark(o.dim, o.eps, o.seed);
  Scores s;
  Rng eval(o.seed + 2);
  const double var = b.target_variance(o.variance_samples, eval);
  const Matrix inputs = b.sample_source(o.test_inputs, eval);
  Rng draws = eval;  // the model and the truth scored on the same draws
  s.cbw2_uvp = cbw2_uvp(m, b, inputs, o.samples_per_x, var, draws);
  draws = eval;
  s.true_cbw2_uvp = cbw2_uvp(b.true_model(), b, inputs, o.samples_per_x, var, draws);
  const Matrix Y = b.sample_target(o.target_samples, eval);
  const auto [mu, cov] = moments(Y);
  s.bw2_uvp = bw2_uvp(sample(m, b.sample_source(o.target_samples, eval), eval), mu, cov);
  return s;
}

std::string plot_2d(const Matrix& source, const Matrix& target, const Matrix& mapped,
                    const std::vector<Matrix>& trajectories, const std::string& title) {
  auto dots = [](const Matrix& X, const char* label, const char* colour) {
    Series s;
    s.label = label;
    s.points = true;
    s.colour = colour;
    s.opacity = 0.45;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      s.x.push_back(X(i, 0));
      s.y.push_back(X.cols() > 1 ? X(i, 1) : 0.0);
    }
    return s;
  };
  std::vector<Series> series{dots(source, "source x0", "#1f77b4"), dots(target, "target x1", "#2ca02c"),
                             dots(mapped, "mapped y", "#d62728")};
  if (!trajectories.empty())
    for (Eigen::Index i = 0; i < trajectories[0].rows(); ++i) {
      Series s;
      s.label = "trajectories";
      s.colour = "#444444";
      s.opacity = 0.7;
      s.legend = i == 0;
      for (const Matrix& step : trajectories) {
        s.x.push_back(step(i, 0));
        s.y.push_back(step.cols() > 1 ? step(i, 1) : 0.0);
      }
      series.push_back(std::move(s));
    }
  ChartOptions c;
  c.title = title;
  c.x_label = "coordinate 1";
  c.y_label = "coordinate 2";
  c.width = 620;
  c.height = 460;
  return line_chart(series, c);
}

}  // namespace factorkit::lightsb
