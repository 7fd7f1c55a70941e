// `factorkit lightsb generate|fit|sample|bench`: the Light Schrödinger Bridge
// from the command line (docs/methods/lightsb.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <optional>
#include <iostream>

#include "experiment.h"
#include "factorkit/cli/options.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/cpu_time.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/progress.h"
#include "io.h"
#include "metrics.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::lightsb;

void add_scores(nlohmann::json& j, const Scores& s) {
  j["cbw2_uvp"] = s.cbw2_uvp;
  j["true_plan_cbw2_uvp"] = s.true_cbw2_uvp;
  j["bw2_uvp"] = s.bw2_uvp;
}

void check_eps(double eps, const char* option = "--eps") {
  if (!(eps > 0) || !std::isfinite(eps)) throw InvalidInput(option, fmt::format("{}", eps), "a positive number", "BadOption");
}


class LightsbCommand final : public Command {
 public:
  std::string name() const override { return "lightsb"; }
  std::string summary() const override {
    return "Light Schrödinger Bridge: fit a Gaussian-mixture potential between two sample sets, sample the bridge";
  }
  std::string doc_page() const override { return "docs/methods/lightsb.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    gen_ = sub.add_subcommand("generate", "Write a benchmark pair (mixture source, exact plan) as .npy files");
    gen_->add_option("--dim", ex_.dim, "Dimension")->capture_default_str();
    gen_->add_option("--eps", ex_.eps, "Entropic regularisation ε")->capture_default_str();
    gen_->add_option("--n", n_, "Samples of each of source and target")->capture_default_str();
    gen_->add_option("--out", out_dir_, "Folder for source.npy, target.npy, test_inputs.npy, truth.safetensors")->required();

    fit_ = sub.add_subcommand("fit", "Fit LightSB between two unpaired sample sets");
    fit_->add_option("--source", source_, "Source samples X0 (n0 x D: .npy, .safetensors, .csv)")->required();
    fit_->add_option("--target", target_, "Target samples X1 (n1 x D)")->required();
    fit_->add_option("--eps", fit_opt_.eps, "Entropic regularisation ε")->capture_default_str();
    add_fit_options(fit_);
    fit_->add_option("-o,--output", output_, "Model file (.safetensors)")->required();
    fit_->add_option("--checkpoint", checkpoint_, "Checkpoint file, written every --checkpoint-every steps");
    fit_->add_option("--checkpoint-every", checkpoint_every_, "Steps between checkpoints")->capture_default_str();
    fit_->add_flag("--resume", resume_, "Continue from --checkpoint when it exists");
    fit_->add_option("--results", results_, "Results file (JSON: options, loss history)");

    sample_ = sub.add_subcommand("sample", "Map samples with a fitted model: y ~ π(y|x), bridges or trajectories");
    sample_->add_option("--model", model_, "Model file from `lightsb fit`")->required();
    sample_->add_option("--x", x_file_, "Input samples (n x D)")->required();
    sample_->add_option("-o,--output", output_, "Output (.npy, .safetensors, .csv): n x D, or n x (N+1) x D")->required();
    sample_->add_option("--trajectory", trajectory_, "Euler–Maruyama steps: write whole trajectories");
    sample_->add_option("--t", t_, "Bridge samples at time t in [0, 1] instead of endpoints");
    sample_->add_option("--plot", plot_, "2-D picture (SVG) of inputs, samples and a few trajectories");

    eval_ = sub.add_subcommand("eval",
                               "Score a model: on a generated benchmark (--dim, --eps and the same --seed as generate), "
                               "or on your data by the energy distance between mapped --source rows and --target rows");
    eval_->add_option("--model", model_, "Model file")->required();
    eval_->add_option("--source", source_, "Source samples (with --target: energy distance, no ground truth needed)");
    eval_->add_option("--target", target_, "Target samples");
    eval_->add_option("--rows", energy_rows_, "At most this many rows of each set for the energy distance")
        ->capture_default_str();
    eval_->add_option("--dim", ex_.dim, "Dimension")->capture_default_str();
    eval_->add_option("--eps", ex_.eps, "Entropic regularisation ε (default: the model's)");
    eval_->add_option("--test-inputs", ex_.test_inputs, "Inputs x for cBW2-UVP")->capture_default_str();
    eval_->add_option("--samples-per-x", ex_.samples_per_x, "Model samples per input")->capture_default_str();

    bench_ = sub.add_subcommand("bench", "Fit and score on a generated mixture benchmark with exact ground truth");
    bench_->add_option("--dim", ex_.dim, "Dimension")->capture_default_str();
    bench_->add_option("--eps", ex_.eps, "Entropic regularisation ε")->capture_default_str();
    add_fit_options(bench_);
    bench_->add_option("--test-inputs", ex_.test_inputs, "Inputs x for cBW2-UVP")->capture_default_str();
    bench_->add_option("--samples-per-x", ex_.samples_per_x, "Model samples per input")->capture_default_str();
    bench_->add_option("--plot", plot_, "2-D picture (SVG) of source, target, mapped samples, trajectories");
    bench_->add_option("--results", results_, "Results file (JSON)");
  }

  int run(const Context& ctx) override {
    if (gen_->parsed()) return run_generate(ctx);
    if (fit_->parsed()) return run_fit(ctx);
    if (sample_->parsed()) return run_sample(ctx);
    if (eval_->parsed()) return run_eval(ctx);
    return run_bench(ctx);
  }

 private:
  void add_fit_options(CLI::App* app) {
    app->add_option("--K", fit_opt_.K, "Mixture components")->capture_default_str();
    app->add_option("--steps", fit_opt_.steps, "Adam steps")->capture_default_str();
    app->add_option("--batch", fit_opt_.batch, "Samples of each set per step")->capture_default_str();
    app->add_option("--lr", lr_, "Adam learning rate (default: the reference's for ε: 1e-3, 3e-3, 6e-2 at 0.1, 1, 10)");
    app->add_option("--s-init", fit_opt_.s_init, "Initial diagonal of S (default: 0.1 for fit, as the reference's code; 1.0 for bench, as its benchmark notebook)");
    app->add_flag("--full", full_, "Full covariances S = R diag Rᵀ (default: diagonal)");
  }

  FitOptions fit_options(double eps) const {
    FitOptions o = fit_opt_;
    o.eps = eps;
    o.diagonal = !full_;
    o.lr = lr_ > 0 ? lr_ : reference_lr(eps);
    if (o.K <= 0 || o.K > 1'000'000)
      throw InvalidInput("--K", std::to_string(o.K), "1 to 10^6 components (as a model file allows)", "BadOption");
    if (o.batch <= 0 || o.batch > 10'000'000)
      throw InvalidInput("--batch", std::to_string(o.batch), "1 to 10^7 samples per step", "BadOption");
    if (o.steps < 0) throw InvalidInput("--steps", std::to_string(o.steps), "a non-negative number of steps", "BadOption");
    if (!(o.s_init > 0)) throw InvalidInput("--s-init", fmt::format("{}", o.s_init), "a positive number", "BadOption");
    check_eps(eps);
    return o;
  }

  int run_generate(const Context& ctx) {
    check_eps(ex_.eps);
    if (ex_.dim <= 0 || ex_.dim > 4096) throw InvalidInput("--dim", std::to_string(ex_.dim), "1 to 4096", "BadOption");
    if (n_ < 2 || n_ > 10'000'000) throw InvalidInput("--n", std::to_string(n_), "2 to 10^7 samples", "BadOption");
    if (double(n_) * double(ex_.dim) > double(1 << 27))
      throw InvalidInput("--n", fmt::format("{} samples of dimension {}", n_, ex_.dim),
                         "at most 2^27 numbers per array (n x dim)", "BadOption");
    if (ex_.test_inputs < 1 || ex_.test_inputs > 10'000'000)
      throw InvalidInput("--test-inputs", std::to_string(ex_.test_inputs), "1 to 10^7", "BadOption");
    const Benchmark b = make_benchmark(ex_.dim, ex_.eps, ctx.seed);
    Rng rng(ctx.seed + 1);
    std::filesystem::create_directories(out_dir_);
    const std::filesystem::path dir(out_dir_);
    write_samples((dir / "source.npy").string(), b.sample_source(n_, rng), DType::F32);
    write_samples((dir / "target.npy").string(), b.sample_target(n_, rng), DType::F32);
    write_samples((dir / "test_inputs.npy").string(), b.sample_source(ex_.test_inputs, rng), DType::F32);
    write_model((dir / "truth.safetensors").string(), b.true_model());
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "lightsb generate"}, {"dim", ex_.dim}, {"eps", ex_.eps}, {"n", n_},
                                  {"out", out_dir_}}
                       .dump()
                << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("wrote {}/{{source,target,test_inputs}}.npy and truth.safetensors (D = {}, eps = {})\n",
                               out_dir_, ex_.dim, ex_.eps);
    return 0;
  }

  int run_fit(const Context& ctx) {
    const FitOptions o = fit_options(fit_opt_.eps);
    check_output_file(output_, "--output");
    if (format_from_extension(output_) != Format::Safetensors)
      throw InvalidInput("--output", output_, "a .safetensors model file", "BadOption");
    if (!checkpoint_.empty()) check_output_file(checkpoint_, "--checkpoint");
    if (!results_.empty()) check_output_file(results_, "--results");
    if (checkpoint_every_ <= 0)
      throw InvalidInput("--checkpoint-every", std::to_string(checkpoint_every_), "a positive number of steps", "BadOption");
    const Matrix X0 = read_samples(source_, "source samples"), X1 = read_samples(target_, "target samples");
    if (X0.cols() != X1.cols())
      throw InvalidInput(target_, fmt::format("{} columns", X1.cols()),
                         fmt::format("the source's dimension, {} columns ({})", X0.cols(), source_), "DimensionMismatch");
    const Sampler source = rows_of(X0), target = rows_of(X1);
    // what a checkpoint must share with this run (not the number of steps:
    // a finished run may be continued for more)
    const nlohmann::json run{{"eps", o.eps},         {"K", o.K},
                             {"batch", o.batch},
                             {"lr", o.lr},           {"s_init", o.s_init},
                             {"diagonal", o.diagonal}, {"seed", ctx.seed},
                             {"source_rows", X0.rows()}, {"target_rows", X1.rows()},
                             {"dim", X0.cols()}};
    FitState state;
    bool resumed = false;
    if (resume_ && !checkpoint_.empty() && std::filesystem::exists(checkpoint_)) {
      state = read_checkpoint(checkpoint_, run);
      resumed = true;
    } else {
      state = start_fit(target, X0.cols(), o, ctx.seed);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    {
      Progress bar("lightsb fit", o.steps);
      bar.set(state.step);
      fit_steps(state, source, target, o, [&](long step, double loss) {
        if (bar.enabled()) {
          bar.set_note(fmt::format("loss {:.5g}", loss));
          bar.set(step);
        }
        if (!checkpoint_.empty() && step % checkpoint_every_ == 0 && step < o.steps)
          write_checkpoint(checkpoint_, state, run);
        return false;
      });
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    write_model(output_, state.model);
    if (!checkpoint_.empty()) write_checkpoint(checkpoint_, state, run);
    nlohmann::json res = run;
    res["command"] = "lightsb fit";
    res["steps"] = state.step;
    res["model"] = output_;
    res["resumed"] = resumed;
    res["seconds"] = seconds;
    res["cpu_seconds"] = cpu;  // of the training loop (benchmarks compare CPU time)
    res["final_loss"] = state.losses.empty() ? 0.0 : state.losses.back();
    if (!results_.empty()) {
      nlohmann::json full = res;
      full["loss"] = state.losses;
      write_file_atomic(results_, full.dump(1) + "\n");
    }
    if (ctx.json)
      std::cout << res.dump() << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("{} steps in {:.1f} s (K = {}, D = {}, eps = {}), final loss {:.5g}; wrote {}\n", state.step,
                               seconds, o.K, X0.cols(), o.eps, res["final_loss"].get<double>(), output_);
    return 0;
  }

  int run_sample(const Context& ctx) {
    check_output_file(output_, "--output");
    if (!plot_.empty()) check_output_file(plot_, "--plot");
    const Model m = read_model(model_);
    const Matrix X = read_samples(x_file_, "input samples");
    if (X.cols() != m.D())
      throw InvalidInput(x_file_, fmt::format("{} columns", X.cols()),
                         fmt::format("the model's dimension, {} columns ({})", m.D(), model_), "DimensionMismatch");
    if (trajectory_ && t_) throw InvalidInput("--t", "with --trajectory", "one of --t and --trajectory", "BadOption");
    const auto format = format_from_extension(output_);
    if (!format || *format == Format::Idx)
      throw InvalidInput("--output", output_, "a .npy, .safetensors or .csv file", "BadOption");
    if (*format == Format::Csv && trajectory_)
      throw InvalidInput("--output", output_, ".npy or .safetensors for a 3-D trajectory", "BadOption");
    Rng rng(ctx.seed);
    TensorFile out;
    std::vector<Matrix> path;
    Matrix Y;
    if (trajectory_) {
      if (*trajectory_ <= 0 || *trajectory_ > 100000)
        throw InvalidInput("--trajectory", std::to_string(*trajectory_), "1 to 100000 steps", "BadOption");
      // the whole path is kept (and written): bound it before computing
      if (double(*trajectory_ + 1) * double(X.rows()) * double(X.cols()) > double(1 << 28))
        throw InvalidInput("--trajectory", fmt::format("{} steps of {} x {} samples", *trajectory_, X.rows(), X.cols()),
                           "at most 2^28 numbers in all (fewer steps or fewer rows)", "BadOption");
      path = euler_maruyama(m, X, *trajectory_, rng);
      Y = path.back();
      out.tensors.emplace_back("trajectory", from_trajectory(path));
    } else if (t_) {
      if (!(*t_ >= 0 && *t_ <= 1)) throw InvalidInput("--t", fmt::format("{}", *t_), "a time in [0, 1]", "BadOption");
      Y = bridge(m, X, *t_, rng);
      out.tensors.emplace_back("samples", from_matrix(Y));
    } else {
      Y = sample(m, X, rng);
      out.tensors.emplace_back("samples", from_matrix(Y));
    }
    write_tensor_file(output_, out);
    if (!plot_.empty()) {
      if (path.empty()) path = euler_maruyama(m, X.topRows(std::min<Eigen::Index>(X.rows(), 8)), 100, rng);
      std::vector<Matrix> few;
      for (const Matrix& p : path) few.push_back(p.topRows(std::min<Eigen::Index>(p.rows(), 8)));
      write_file_atomic(plot_, plot_2d(X, Matrix(0, X.cols()), Y, few, "LightSB samples"));
    }
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "lightsb sample"}, {"rows", X.rows()}, {"output", output_}}.dump() << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("wrote {} ({} samples)\n", output_, X.rows());
    return 0;
  }

  int run_eval(const Context& ctx) {
    const Model m = read_model(model_);
    if (!source_.empty() || !target_.empty()) {
      if (source_.empty() || target_.empty())
        throw InvalidInput(source_.empty() ? "--source" : "--target", "(missing)", "both --source and --target",
                           "BadOption");
      if (energy_rows_ < 2) throw InvalidInput("--rows", std::to_string(energy_rows_), "at least 2", "BadOption");
      const Matrix X0 = read_samples(source_, "source samples", 2), X1 = read_samples(target_, "target samples", 2);
      for (const auto& [X, file] : {std::pair{&X0, &source_}, std::pair{&X1, &target_}})
        if (X->cols() != m.D())
          throw InvalidInput(*file, fmt::format("{} columns", X->cols()),
                             fmt::format("the model's dimension, {} columns ({})", m.D(), model_), "DimensionMismatch");
      Rng rng(ctx.seed);
      const Matrix x = X0.topRows(std::min(X0.rows(), energy_rows_)), y = X1.topRows(std::min(X1.rows(), energy_rows_));
      const Matrix mapped = sample(m, x, rng);
      const double mapped_ed = energy_distance(mapped, y), identity_ed = energy_distance(x, y);
      nlohmann::json res{{"command", "lightsb eval"}, {"model", model_}, {"energy_distance", mapped_ed},
                               {"energy_distance_unmapped", identity_ed}, {"rows", {x.rows(), y.rows()}}};
      if (ctx.json)
        std::cout << res.dump() << std::endl;
      else if (!ctx.quiet)
        std::cout << fmt::format("energy distance to the target: {:.5g} mapped, {:.5g} unmapped ({} and {} rows)\n",
                                 mapped_ed, identity_ed, x.rows(), y.rows());
      return 0;
    }
    // the benchmark's ε is the model's unless --eps says otherwise, and then they must agree
    if (eval_->get_option("--eps")->count() == 0) ex_.eps = m.eps;
    check_eps(ex_.eps);
    if (std::abs(m.eps - ex_.eps) > 1e-12 * ex_.eps)
      throw InvalidInput(model_, fmt::format("epsilon {}", m.eps), fmt::format("--eps {}", ex_.eps), "EpsMismatch");
    if (ex_.test_inputs < 1 || ex_.test_inputs > 1'000'000)
      throw InvalidInput("--test-inputs", std::to_string(ex_.test_inputs), "1 to 10^6", "BadOption");
    if (ex_.samples_per_x < 2 || ex_.samples_per_x > 1'000'000)
      throw InvalidInput("--samples-per-x", std::to_string(ex_.samples_per_x), "2 to 10^6", "BadOption");
    if (m.D() != ex_.dim)
      throw InvalidInput(model_, fmt::format("dimension {}", m.D()), fmt::format("--dim {}", ex_.dim), "DimensionMismatch");
    ExperimentOptions e = ex_;
    e.seed = ctx.seed;
    const Scores s = score(m, e);
    nlohmann::json res{{"command", "lightsb eval"}, {"model", model_},       {"dim", e.dim},
                             {"eps", e.eps},              {"seed", e.seed}};
    add_scores(res, s);
    if (ctx.json)
      std::cout << res.dump() << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("cBW2-UVP {:.3f}% (exact plan's samples: {:.3f}%), BW2-UVP {:.3f}%\n", s.cbw2_uvp,
                               s.true_cbw2_uvp, s.bw2_uvp);
    return 0;
  }

  int run_bench(const Context& ctx) {
    ExperimentOptions e = ex_;
    e.fit = fit_options(ex_.eps);
    if (bench_->get_option("--s-init")->count() == 0) e.fit.s_init = 1.0;  // the reference's benchmark notebook
    e.seed = ctx.seed;
    if (e.dim <= 0 || e.dim > 1024) throw InvalidInput("--dim", std::to_string(e.dim), "1 to 1024", "BadOption");
    if (!plot_.empty()) check_output_file(plot_, "--plot");
    if (!results_.empty()) check_output_file(results_, "--results");
    if (e.test_inputs < 1 || e.test_inputs > 1'000'000)
      throw InvalidInput("--test-inputs", std::to_string(e.test_inputs), "1 to 10^6", "BadOption");
    if (e.samples_per_x < 2 || e.samples_per_x > 1'000'000)
      throw InvalidInput("--samples-per-x", std::to_string(e.samples_per_x), "2 to 10^6", "BadOption");
    ExperimentResult r;
    {
      Progress bar("lightsb bench", e.fit.steps);
      r = run_experiment(e, [&](long step, double loss) {
        if (bar.enabled()) {
          bar.set_note(fmt::format("loss {:.5g}", loss));
          bar.set(step);
        }
      });
    }
    nlohmann::json res{{"command", "lightsb bench"},
                             {"dim", e.dim},
                             {"eps", e.eps},
                             {"K", e.fit.K},
                             {"steps", e.fit.steps},
                             {"batch", e.fit.batch},
                             {"lr", e.fit.lr},
                             {"s_init", e.fit.s_init},
                             {"diagonal", e.fit.diagonal},
                             {"seed", e.seed},
                             {"final_loss", r.final_loss},
                             {"fit_seconds", r.fit_seconds},
                             {"ms_per_step", e.fit.steps > 0 ? 1e3 * r.fit_seconds / double(e.fit.steps) : 0.0},
                             {"eval_seconds", r.eval_seconds}};
    add_scores(res, r);
    if (!plot_.empty()) {
      const Benchmark b = make_benchmark(e.dim, e.eps, e.seed);
      Rng rng(e.seed + 3);
      const Matrix X0 = b.sample_source(600, rng), X1 = b.sample_target(600, rng);
      const Matrix Y = sample(r.state.model, X0, rng);
      const auto path = euler_maruyama(r.state.model, X0.topRows(8), 100, rng);
      write_file_atomic(plot_, plot_2d(X0, X1, Y, path,
                                       fmt::format("LightSB, D = {}, eps = {}: cBW2-UVP {:.3f}%", e.dim, e.eps, r.cbw2_uvp)));
    }
    if (!results_.empty()) write_file_atomic(results_, res.dump(1) + "\n");
    if (ctx.json)
      std::cout << res.dump() << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format(
          "D = {}, eps = {}: cBW2-UVP {:.3f}% (exact plan's samples: {:.3f}%), BW2-UVP {:.3f}%; {} steps in {:.1f} s "
          "({:.3f} ms a step), scoring {:.1f} s\n",
          e.dim, e.eps, r.cbw2_uvp, r.true_cbw2_uvp, r.bw2_uvp, e.fit.steps, r.fit_seconds,
          res["ms_per_step"].get<double>(), r.eval_seconds);
    return 0;
  }

  CLI::App *gen_ = nullptr, *fit_ = nullptr, *sample_ = nullptr, *eval_ = nullptr, *bench_ = nullptr;
  ExperimentOptions ex_;
  FitOptions fit_opt_;
  double lr_ = 0;
  bool full_ = false, resume_ = false;
  Eigen::Index n_ = 10000, energy_rows_ = 2000;
  long checkpoint_every_ = 1000;
  std::string out_dir_, source_, target_, output_, checkpoint_, results_, model_, x_file_, plot_;
  std::optional<int> trajectory_;
  std::optional<double> t_;
};

}  // namespace

FACTORKIT_REGISTER_COMMAND(LightsbCommand);

}  // namespace factorkit::cli
