#include "dispatch.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "factorkit/core/error.h"
#include "nmf_kernels.h"

namespace factorkit::linalg::detail {
namespace {

enum class Isa { Base, Avx2, Avx512 };

Isa detect() {
#ifdef FACTORKIT_KERNELS_BASE_ONLY
  return Isa::Base;
#else
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
  return Isa::Base;
#endif
}

const char* name(Isa i) { return i == Isa::Avx512 ? "avx512" : i == Isa::Avx2 ? "avx2" : "base"; }

Isa parse(const std::string& s, const std::string& where) {
  if (s == "base") return Isa::Base;
  if (s == "avx2") return Isa::Avx2;
  if (s == "avx512") return Isa::Avx512;
  throw InvalidInput(where, "isa", fmt::format("base, avx2 or avx512, got \"{}\"", s), "BadOption");
}

bool supported(Isa i) { return int(i) <= int(detect()); }

std::mutex g_mu;
bool g_init = false;
Isa g_isa = Isa::Base;

Isa current() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_init) {
    g_isa = detect();
    if (const char* env = std::getenv("FACTORKIT_KERNEL_ISA"); env && *env) {
      Isa want = parse(env, "FACTORKIT_KERNEL_ISA");
      if (!supported(want))
        throw InvalidInput("FACTORKIT_KERNEL_ISA", env, fmt::format("an instruction set this CPU runs (up to {})", name(g_isa)),
                           "UnsupportedIsa");
      g_isa = want;
    }
    g_init = true;
  }
  return g_isa;
}

template <class T>
void run_pass(Isa isa, const kernels::NmfRowArgs<T>& a) {
#ifndef FACTORKIT_KERNELS_BASE_ONLY
  if (isa == Isa::Avx512) return kernels::avx512::pass(a);
  if (isa == Isa::Avx2) return kernels::avx2::pass(a);
#endif
  (void)isa;
  kernels::base::pass(a);
}

template <class T>
void run_rows(Isa isa, const kernels::NmfRowArgs<T>& a) {
#ifndef FACTORKIT_KERNELS_BASE_ONLY
  if (isa == Isa::Avx512) return kernels::avx512::rows(a);
  if (isa == Isa::Avx2) return kernels::avx2::rows(a);
#endif
  (void)isa;
  kernels::base::rows(a);
}

int64_t padded(int64_t r) { return (r + 7) / 8 * 8; }

// Per-thread accumulators (threads x p x rp, threads x r x r, one stat each)
// are reduced in thread order, so a given thread count gives the same result.
template <class T>
FusedOut run(const at::Tensor& x, const at::Tensor& g, const at::Tensor& prod, const at::Tensor& gram, at::Tensor& f,
             const FusedUpdate& u, bool is_pass, bool accumulate, bool identity = false) {
  const Isa isa = current();
  const int64_t rows = identity ? x.size(0) : f.size(0), r = identity ? g.size(1) : f.size(1), rp = padded(r);
  const int64_t p = is_pass ? x.size(1) : 0;
  const int threads = at::get_num_threads();
  auto opts = identity ? x.options() : f.options();
  at::Tensor gp, pp;
  if (is_pass) {
    gp = at::zeros({p, rp}, opts);
    gp.narrow(1, 0, r).copy_(g);
  } else {
    pp = at::zeros({rows, rp}, opts);
    pp.narrow(1, 0, r).copy_(prod);
  }
  at::Tensor gram_c = identity ? at::Tensor() : gram.to(f.scalar_type()).contiguous();
  at::Tensor xc = is_pass ? x.contiguous() : at::Tensor();
  const bool want_xtf = is_pass && accumulate;
  const bool want_ftf = !identity && (accumulate || !is_pass);
  at::Tensor xtf_t = want_xtf ? at::zeros({threads, p, rp}, opts) : at::Tensor();
  at::Tensor ftf_t = want_ftf ? at::zeros({threads, r, r}, opts) : at::Tensor();
  std::vector<double> stat(threads, 0.0);
  // rows per task: enough work per task (a task may end in a partial kernel block)
  const int64_t grain = is_pass ? std::max<int64_t>(16, 4096 / std::max<int64_t>(1, p) * 4) : 256;
  at::parallel_for(0, rows, grain, [&](int64_t b, int64_t e) {
    const int tid = at::get_thread_num();
    kernels::NmfRowArgs<T> a;
    a.x = is_pass ? xc.data_ptr<T>() : nullptr;
    a.p = p;
    a.g = is_pass ? gp.data_ptr<T>() : nullptr;
    a.p_in = is_pass ? nullptr : pp.data_ptr<T>();
    a.gram = identity ? nullptr : gram_c.data_ptr<T>();
    a.f = f.defined() ? f.data_ptr<T>() : nullptr;
    a.identity = identity;
    a.r = r;
    a.rp = rp;
    a.begin = b;
    a.end = e;
    a.perm = u.perm;
    a.l1 = u.l1;
    a.l2 = u.l2;
    a.eps = u.eps;
    a.mu = u.mu;
    a.xtf = want_xtf ? xtf_t[tid].data_ptr<T>() : nullptr;
    a.ftf = want_ftf ? ftf_t[tid].data_ptr<T>() : nullptr;
    a.stat = &stat[tid];
    if (is_pass)
      run_pass<T>(isa, a);
    else
      run_rows<T>(isa, a);
  });
  FusedOut out;
  for (double s : stat) out.stat += s;
  if (want_xtf) out.xtf = xtf_t.sum(0).narrow(1, 0, r).contiguous();
  if (want_ftf) out.ftf = ftf_t.sum(0);
  return out;
}

}  // namespace

std::string kernel_isa() { return name(current()); }

bool cpu_supports_isa(const std::string& isa) { return supported(parse(isa, "isa")); }

void set_kernel_isa(const std::string& isa) {
  Isa want = parse(isa, "set_kernel_isa");
  if (!supported(want))
    throw InvalidInput("set_kernel_isa", isa, fmt::format("an instruction set this CPU runs (up to {})", name(detect())),
                       "UnsupportedIsa");
  current();
  std::lock_guard<std::mutex> lock(g_mu);
  g_isa = want;
}

bool fused_supported(const at::Tensor& x, int64_t r) {
  if (r < 1 || r > 64) return false;
  if (x.scalar_type() != at::kDouble && x.scalar_type() != at::kFloat) return false;
  const double bytes = double(at::get_num_threads()) * double(x.size(1)) * double(padded(r)) * double(x.element_size());
  return bytes <= 256.0 * 1024 * 1024;
}

FusedOut fused_pass(const at::Tensor& x, const at::Tensor& g, const at::Tensor& gram, at::Tensor& f,
                    const FusedUpdate& u, bool accumulate) {
  if (f.scalar_type() == at::kDouble) return run<double>(x, g, {}, gram, f, u, true, accumulate);
  return run<float>(x, g, {}, gram, f, u, true, accumulate);
}

bool fused_gram_supported(const at::Tensor& x, int64_t l) { return fused_supported(x, l); }

at::Tensor fused_gram_product(const at::Tensor& x, const at::Tensor& g, at::Tensor* y) {
  at::Tensor out;
  if (y) out = at::empty({x.size(0), g.size(1)}, x.options());
  at::Tensor z = x.scalar_type() == at::kDouble ? run<double>(x, g, {}, {}, out, {}, true, true, true).xtf
                                                : run<float>(x, g, {}, {}, out, {}, true, true, true).xtf;
  if (y) *y = out;
  return z;
}

FusedOut fused_rows(const at::Tensor& prod, const at::Tensor& gram, at::Tensor& f, const FusedUpdate& u) {
  if (f.scalar_type() == at::kDouble) return run<double>({}, {}, prod, gram, f, u, false, true);
  return run<float>({}, {}, prod, gram, f, u, false, true);
}

}  // namespace factorkit::linalg::detail
