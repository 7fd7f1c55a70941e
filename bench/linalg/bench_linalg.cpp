// bench_linalg — times the linalg layer on .npy inputs, for bench/linalg/run.py.
//
//   bench_linalg nmf  X.npy W0.npy H0.npy --solver cd|mu --iters N --repeats R --threads T
//   bench_linalg rsvd A.npy --rank k --power-iters q [--oversamples p] [--mixed] [--normalizer N] --repeats R --threads T
//   bench_linalg gemm --m M --n N --k K --repeats R --threads T
//
// Each subcommand runs the computation once to warm up (thread pools, the
// allocator, page faults of the output buffers), then R timed times, and prints
// ONE JSON line on stdout: the median and every timing in seconds, plus a
// quality measure computed after (and outside) the timings. Only the
// computation is timed: files are read and converted before the first run.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <dlfcn.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/runtime.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/linalg/nmf.h"
#include "factorkit/linalg/svd.h"

using namespace factorkit;
using nlohmann::json;

namespace {

// ---- threads ----------------------------------------------------------------

// LibTorch's at::set_num_threads sizes its OpenMP pool, but the OpenBLAS that
// does the GEMMs keeps its own thread count, set from OPENBLAS_NUM_THREADS or
// the core count (with the pthread build, even its own pool). Set both, so that --threads means
// the same thing as OPENBLAS_NUM_THREADS on the numpy side. OpenBLAS is looked
// up at run time: the program does not link it directly.
using openblas_set_fn = void (*)(int);
using openblas_get_fn = int (*)();

void set_all_threads(int threads) {
  factorkit::set_threads(threads);
  if (threads <= 0) return;
  if (auto fn = reinterpret_cast<openblas_set_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(threads);
}

// Threads each pool reports, for the JSON record (-1: no OpenBLAS found).
json thread_report() {
  int blas = -1;
  if (auto fn = reinterpret_cast<openblas_get_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))) blas = fn();
  return {{"torch", at::get_num_threads()}, {"openblas", blas}};
}

// ---- timing -------------------------------------------------------------------

// One warm-up call, then `repeats` timed calls; returns the timings in seconds.
std::vector<double> time_runs(const std::function<void()>& run, int repeats) {
  using clock = std::chrono::steady_clock;
  run();
  std::vector<double> t;
  t.reserve(repeats);
  for (int i = 0; i < repeats; ++i) {
    const auto start = clock::now();
    run();
    t.push_back(std::chrono::duration<double>(clock::now() - start).count());
  }
  return t;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The fields every record shares.
json timing_record(const std::string& task, const std::vector<double>& t) {
  return {{"task", task}, {"median_s", median(t)}, {"timings_s", t}, {"threads", thread_report()}};
}

// ---- inputs -------------------------------------------------------------------

// The single tensor of a .npy file (or the first tensor of any format the
// toolkit reads), as a contiguous CPU tensor in the file's dtype.
at::Tensor load(const std::string& path) {
  TensorFile f = read_tensor_file(path);
  if (f.tensors.empty()) throw InvalidInput(path, "tensors", "at least one tensor");
  return to_torch(f.tensors.front().second, path);
}

std::vector<int64_t> shape_of(const at::Tensor& t) { return t.sizes().vec(); }

// ---- subcommands -------------------------------------------------------------

struct Common {
  int repeats = 5;
  int threads = 2;
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("--repeats", c.repeats, "Timed runs after one warm-up")->capture_default_str()->check(CLI::PositiveNumber);
  sub->add_option("--threads", c.threads, "LibTorch and OpenBLAS threads (0 = leave the defaults)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

struct NmfArgs {
  std::string x, w0, h0, solver = "cd";
  int64_t iters = 200;
};

json run_nmf(const NmfArgs& a, const Common& c) {
  const at::Tensor x = load(a.x), w0 = load(a.w0), h0 = load(a.h0);
  linalg::NmfOptions o;
  o.rank = w0.size(1);
  o.solver = linalg::parse_nmf_solver(a.solver, "--solver");
  o.init = linalg::NmfInit::Custom;
  o.tol = 0;  // exactly `iters` iterations, as scikit-learn with tol=0
  o.max_iter = a.iters;
  linalg::NmfResult res;
  const auto t = time_runs([&] { res = linalg::nmf(x, o, w0, h0); }, c.repeats);

  json j = timing_record("nmf", t);
  j["solver"] = a.solver;
  j["shape"] = shape_of(x);
  j["rank"] = o.rank;
  j["n_iter"] = res.n_iter;
  // reconstruction_error is the exact ||X - W H||_F of the final iterate
  j["objective"] = 0.5 * res.reconstruction_error * res.reconstruction_error;
  return j;
}

struct RsvdArgs {
  std::string a;
  int64_t rank = 10, power_iters = 4, oversamples = 10;
  bool mixed = false;
  std::string normalizer = "auto";
  uint64_t seed = 0;
};

json run_rsvd(const RsvdArgs& a, const Common& c) {
  const at::Tensor m = load(a.a);
  linalg::RsvdOptions o;
  o.rank = a.rank;
  o.oversamples = a.oversamples;
  o.power_iters = a.power_iters;
  o.normalizer = linalg::parse_power_normalizer(a.normalizer, "--normalizer");  // auto: LU for q > 2, as scikit-learn
  o.seed = a.seed;
  o.mixed_precision = a.mixed;
  linalg::SvdResult r;
  const auto t = time_runs([&] { r = linalg::randomized_svd(m, o); }, c.repeats);

  // ||A - U S Vh||_F / ||A||_F in float64, outside the timings
  const at::Tensor ad = m.to(at::kDouble);
  const at::Tensor approx = at::mm(r.u.to(at::kDouble) * r.s.to(at::kDouble).unsqueeze(0), r.vh.to(at::kDouble));
  const double rel = (ad - approx).norm().item<double>() / ad.norm().item<double>();

  json j = timing_record("rsvd", t);
  j["shape"] = shape_of(m);
  j["rank"] = a.rank;
  j["oversamples"] = a.oversamples;
  j["power_iters"] = a.power_iters;
  j["mixed"] = a.mixed;
  j["normalizer"] = a.normalizer;
  j["rel_error"] = rel;
  return j;
}

struct GemmArgs {
  int64_t m = 2000, n = 2000, k = 2000;
};

json run_gemm(const GemmArgs& a, const Common& c) {
  const auto opts = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor lhs = at::rand({a.m, a.k}, opts), rhs = at::rand({a.k, a.n}, opts);
  at::Tensor out = at::empty({a.m, a.n}, opts);
  // at::mm_out: the timed part is the product alone, not the allocation of C
  const auto t = time_runs([&] { at::mm_out(out, lhs, rhs); }, c.repeats);

  json j = timing_record("gemm", t);
  j["m"] = a.m;
  j["n"] = a.n;
  j["k"] = a.k;
  j["gflops"] = 2.0 * double(a.m) * double(a.n) * double(a.k) / median(t) / 1e9;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_linalg: times factorkit's linalg layer (see bench/linalg/README.md)", "bench_linalg"};
  app.require_subcommand(1);
  Common common;

  NmfArgs nmf_args;
  CLI::App* nmf = app.add_subcommand("nmf", "linalg::nmf from a custom init, tol = 0");
  nmf->add_option("X", nmf_args.x, "Data matrix X (n x p, >= 0)")->required()->check(CLI::ExistingFile);
  nmf->add_option("W0", nmf_args.w0, "Initial W (n x r)")->required()->check(CLI::ExistingFile);
  nmf->add_option("H0", nmf_args.h0, "Initial H (r x p)")->required()->check(CLI::ExistingFile);
  nmf->add_option("--solver", nmf_args.solver, "cd or mu")->capture_default_str()->check(CLI::IsMember({"cd", "mu"}));
  nmf->add_option("--iters", nmf_args.iters, "Iterations (max_iter)")->capture_default_str()->check(CLI::PositiveNumber);
  add_common(nmf, common);

  RsvdArgs rsvd_args;
  CLI::App* rsvd = app.add_subcommand("rsvd", "linalg::randomized_svd, normalizer auto (LU for q > 2)");
  rsvd->add_option("A", rsvd_args.a, "Matrix A (n x p)")->required()->check(CLI::ExistingFile);
  rsvd->add_option("--rank", rsvd_args.rank, "Rank k")->capture_default_str()->check(CLI::PositiveNumber);
  rsvd->add_option("--power-iters", rsvd_args.power_iters, "Power iterations q")->capture_default_str()->check(CLI::NonNegativeNumber);
  rsvd->add_option("--oversamples", rsvd_args.oversamples, "Oversamples p")->capture_default_str()->check(CLI::NonNegativeNumber);
  rsvd->add_option("--seed", rsvd_args.seed, "Seed of the test matrix")->capture_default_str();
  rsvd->add_flag("--mixed", rsvd_args.mixed, "Power iterations in float32 (mixed_precision)");
  rsvd->add_option("--normalizer", rsvd_args.normalizer, "auto (LU, as scikit-learn), lu, qr, none, fused")
      ->capture_default_str();
  add_common(rsvd, common);

  GemmArgs gemm_args;
  CLI::App* gemm = app.add_subcommand("gemm", "at::mm of float64 (M x K)(K x N)");
  gemm->add_option("--m", gemm_args.m, "Rows of the product")->capture_default_str()->check(CLI::PositiveNumber);
  gemm->add_option("--n", gemm_args.n, "Columns of the product")->capture_default_str()->check(CLI::PositiveNumber);
  gemm->add_option("--k", gemm_args.k, "Inner dimension")->capture_default_str()->check(CLI::PositiveNumber);
  add_common(gemm, common);

  CLI11_PARSE(app, argc, argv);

  try {
    set_all_threads(common.threads);
    json out;
    if (nmf->parsed()) out = run_nmf(nmf_args, common);
    if (rsvd->parsed()) out = run_rsvd(rsvd_args, common);
    if (gemm->parsed()) out = run_gemm(gemm_args, common);
    std::cout << out.dump() << std::endl;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_linalg: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
