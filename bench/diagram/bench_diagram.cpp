// bench_diagram: DisCoPy's benchmark workloads on factorkit's category layer,
// timed in-process. Driven by run.py in this folder against DisCoPy itself.
//
//   bench_diagram spiral N            normal form of arXiv:1804.07832's spiral
//   bench_diagram snakes N            rigid normal form of f wrapped in N transpose snakes
//   bench_diagram tensor N            k-fold tensor of a box by repeated doubling
//   bench_diagram adder N             the ripple-carry adder's functor into functions on bits
//   bench_diagram brickwall Q L       contract a Q-qubit, L-layer brick wall of random two-qubit boxes
//
// Each prints one JSON line: the median CPU time over calibrated rounds (at
// least 3 and at least 0.1 s in total, as DisCoPy's benchmark config), and
// what is needed to check the answer.
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_timing.h"
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include "factorkit/category/diagram.h"
#include "factorkit/category/functor.h"
#include "factorkit/category/generators.h"
#include "factorkit/category/tensor.h"

namespace fc = factorkit::category;
using fc::Box;
using fc::Diagram;
using fc::Ty;

namespace {

using factorkit::bench::time_it;

template <class T, class Op>
T repeated(Op op, const T& box, std::size_t k) {
  if (k == 1) return box;
  const T half = repeated(op, box, k / 2);
  const T result = op(half, half);
  return k % 2 ? op(result, box) : result;
}

nlohmann::json encoding(const Diagram& d) {
  nlohmann::json e = nlohmann::json::array();
  for (const auto& l : d.layers()) e.push_back({l.box.str(), l.offset});
  return e;
}

// ---- the adder: a functor into functions on bit vectors ------------------------

// A function on bit vectors; composites share their parts (shared_ptr), so
// building F(d) layer by layer copies no closures.
struct Fn {
  using Body = std::function<void(const std::uint8_t*, std::uint8_t*)>;
  std::size_t dom = 0, cod = 0;
  std::shared_ptr<const Body> f;
  void operator()(const std::uint8_t* in, std::uint8_t* out) const { (*f)(in, out); }
};

Fn make_fn(std::size_t dom, std::size_t cod, Fn::Body body) {
  return {dom, cod, std::make_shared<const Fn::Body>(std::move(body))};
}
Fn fn_id(std::size_t n) {
  return make_fn(n, n, [n](const std::uint8_t* in, std::uint8_t* out) { std::copy(in, in + n, out); });
}
Fn fn_then(const Fn& a, const Fn& b) {
  return make_fn(a.dom, b.cod, [a, b](const std::uint8_t* in, std::uint8_t* out) {
    std::vector<std::uint8_t> mid(a.cod);
    a(in, mid.data());
    b(mid.data(), out);
  });
}
Fn fn_tensor(const Fn& a, const Fn& b) {
  return make_fn(a.dom + b.dom, a.cod + b.cod, [a, b](const std::uint8_t* in, std::uint8_t* out) {
    a(in, out);
    b(in + a.dom, out + a.cod);
  });
}

Diagram adder_step(const Box& fa, const Diagram& adder, std::size_t k) {
  const Ty bit = fa.dom().slice(0, 1);
  std::vector<std::size_t> r1, r2;
  for (std::size_t i = 1; i <= k; ++i) r1.push_back(i);
  r1.insert(r1.end(), {0, k + 1, k + 2});
  r2.push_back(k);
  for (std::size_t i = 0; i < k; ++i) r2.push_back(i);
  r2.push_back(k + 1);
  return (adder * (bit * bit)) >> fc::permutation(r1, bit.pow(k + 3)) >> (bit.pow(k) * fa) >>
         fc::permutation(r2, bit.pow(k + 2));
}

Fn adder_functor(const Diagram& adder) {
  return fc::apply_functor<Fn>(
      adder, [](const Ty& t) { return t.size(); },
      [](const Box& b) -> Fn {
        if (b.kind() == fc::BoxKind::Swap)
          return make_fn(2, 2, [](const std::uint8_t* in, std::uint8_t* out) { out[0] = in[1], out[1] = in[0]; });
        return make_fn(3, 2, [](const std::uint8_t* in, std::uint8_t* out) {
          const std::uint8_t a = in[0], b = in[1], c = in[2];
          out[0] = a ^ b ^ c;
          out[1] = std::uint8_t((a & b) | (c & (a ^ b)));
        });
      },
      fn_id, fn_then, fn_tensor);
}

// Brick k's array, the same in run.py's DisCoPy run: entry e (C order over
// in0, in1, out0, out1) is (u(a) - 1/2) + i (u(b) - 1/2), u(x) = x mod 2^32 / 2^32,
// a = (16k + e) * 2654435761, b = (16k + e) * 2246822519 + 1.
at::Tensor brick(std::uint64_t k) {
  at::Tensor t = at::empty({16}, at::kComplexDouble);
  auto* p = t.data_ptr<c10::complex<double>>();
  for (std::uint64_t e = 0; e < 16; ++e) {
    const std::uint64_t i = 16 * k + e;
    const double re = double((i * 2654435761ULL) % 4294967296ULL) / 4294967296.0 - 0.5;
    const double im = double((i * 2246822519ULL + 1) % 4294967296ULL) / 4294967296.0 - 0.5;
    p[e] = c10::complex<double>(re, im);
  }
  return t.reshape({2, 2, 2, 2});
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"factorkit category benchmarks (DisCoPy's workloads)"};
  app.require_subcommand(1, 1);
  std::size_t n = 0, q = 0, layers = 0;
  std::string boundary = "state", path = "auto";
  int threads = 1;
  auto* sp = app.add_subcommand("spiral", "normal form of the spiral");
  sp->add_option("n", n)->required();
  auto* sn = app.add_subcommand("snakes", "normal form of transpose snakes");
  sn->add_option("n", n)->required();
  auto* te = app.add_subcommand("tensor", "k-fold tensor");
  te->add_option("n", n)->required();
  auto* ad = app.add_subcommand("adder", "ripple adder functor");
  ad->add_option("n", n)->required();
  auto* bw = app.add_subcommand("brickwall", "brick-wall contraction");
  bw->add_option("qubits", q)->required();
  bw->add_option("layers", layers)->required();
  bw->add_option("--boundary", boundary, "state (kets on top), amplitude (kets and bras) or open")->capture_default_str();
  bw->add_option("--path", path, "auto, optimal, greedy or sequential")->capture_default_str();
  bw->add_option("--threads", threads)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  nlohmann::json out;
  if (sp->parsed()) {
    const Diagram d = fc::spiral(n);
    Diagram nf;
    out = time_it([&] { nf = d.normal_form(); });
    out["build"] = time_it([&] { (void)fc::spiral(n); });
    out["encoding"] = encoding(nf);
  } else if (sn->parsed()) {
    const Ty x("x");
    const Diagram d = fc::transpose_snakes(Box("f", x, x), n);
    Diagram nf;
    out = time_it([&] { nf = d.normal_form(); });
    out["layers"] = d.size();
    out["encoding"] = encoding(nf);
  } else if (te->parsed()) {
    const Ty bit("bit");
    const Box nb("NOT", bit, bit);
    Diagram d;
    out = time_it([&] { d = repeated([](const Diagram& a, const Diagram& b) { return a.tensor(b); }, Diagram(nb), n); });
    out["layers"] = d.size();
    out["encoding"] = encoding(d);
  } else if (ad->parsed()) {
    const Ty bit("bit");
    const Box fa("FA", bit * bit * bit, bit * bit);
    Diagram adder = fa;
    for (std::size_t k = 1; k < n; ++k) adder = adder_step(fa, adder, k);
    Fn f;
    out = time_it([&] { f = adder_functor(adder); });
    // the compiled adder is a carry-save accumulator: sum bit + 2 * carries = popcount
    std::mt19937_64 rng(0);
    int checked = 0;
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<std::uint8_t> bits(f.dom), res(f.cod);
      int pop = 0;
      for (auto& b : bits) pop += (b = std::uint8_t(rng() & 1));
      f(bits.data(), res.data());
      int value = res[0];
      for (std::size_t i = 1; i < res.size(); ++i) value += 2 * res[i];
      checked += value == pop;
    }
    out["layers"] = adder.size();
    out["correct"] = checked == 20;
  } else {
    at::set_num_threads(threads);
    const Diagram d = fc::brick_wall(q, layers, boundary != "open", boundary == "amplitude");
    std::size_t bricks = 0;
    for (const auto& l : d.layers()) bricks += l.box.dom().size() == 2;
    std::map<std::uint32_t, at::Tensor> arrays;
    fc::ContractionOptions opts;
    opts.method = path == "optimal"      ? fc::PathMethod::Optimal
                  : path == "greedy"     ? fc::PathMethod::Greedy
                  : path == "sequential" ? fc::PathMethod::Sequential
                                         : fc::PathMethod::Auto;
    fc::TensorFunctor F([](const fc::Ob&) { return 2; },
                        [&](const Box& b) {
                          auto it = arrays.find(b.id());
                          if (it != arrays.end()) return it->second;
                          at::Tensor t = b.dom().empty() || b.cod().empty()
                                             ? at::tensor({1.0, 0.0}, at::kDouble).to(at::kComplexDouble)
                                             : brick(std::stoul(b.name().substr(1)));
                          arrays.emplace(b.id(), t);
                          return t;
                        },
                        opts);
    const long rss0 = peak_rss_kib();
    fc::TensorNetwork net;
    fc::ContractionPath p;
    double plan_s = 0;
    at::Tensor r;
    const auto w0 = std::chrono::steady_clock::now();
    out = time_it(
        [&] {
          const double a = factorkit::bench::cpu_seconds();
          net = F.network(d);
          p = fc::find_path(net, opts);
          plan_s = factorkit::bench::cpu_seconds() - a;
          r = fc::contract(net, p);
        },
        0.1, 3);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    out["wall_total_s"] = wall;
    out["plan_s"] = plan_s;
    out["boxes"] = bricks;
    out["tensors"] = net.tensors.size();
    out["flops"] = p.flops;
    out["largest_intermediate"] = p.largest;
    out["peak_rss_mib"] = double(peak_rss_kib()) / 1024.0;
    out["rss_growth_mib"] = double(peak_rss_kib() - rss0) / 1024.0;
    out["result_norm"] = r.abs().pow(2).sum().item<double>();
    out["result_sum_re"] = at::real(r.sum()).item<double>();
    out["result_sum_im"] = at::imag(r.sum()).item<double>();
  }
  std::cout << out.dump() << std::endl;
  return 0;
}
