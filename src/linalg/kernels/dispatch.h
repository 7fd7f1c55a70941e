// Running the NMF row kernels on all threads, on the best instruction set the
// CPU has (internal). See kernels/nmf_kernels.h for what the kernels compute.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace factorkit::linalg::detail {

// The instruction set the kernels use: "avx512", "avx2" or "base". Chosen from
// the CPU at first use; FACTORKIT_KERNEL_ISA=base|avx2|avx512 in the
// environment, or set_kernel_isa(), overrides it (tests run every variant the
// CPU supports). Throws InvalidInput for a name the CPU cannot run.
std::string kernel_isa();
void set_kernel_isa(const std::string& isa);
bool cpu_supports_isa(const std::string& isa);

// Whether the fused kernels handle this problem: r <= 64, float32/float64, and
// the per-thread X^T F accumulators (threads x p x r) within 256 MiB.
bool fused_supported(const at::Tensor& x, int64_t r);

struct FusedOut {
  at::Tensor xtf;  // p x r: X^T F_new (pass, when accumulate)
  at::Tensor ftf;  // r x r: F_new^T F_new (when accumulate or for rows())
  double stat = 0; // cd: summed |projected gradient|
};

struct FusedUpdate {
  bool mu = false;               // multiplicative (Frobenius) instead of coordinate descent
  const int64_t* perm = nullptr; // cd
  double l1 = 0, l2 = 0, eps = 0;
};

// W half: one pass over the rows of x (n x p) updating f (n x r) in place from
// g (p x r, the other factor) and gram (r x r); accumulates X^T f and f^T f
// for the other half when `accumulate`.
FusedOut fused_pass(const at::Tensor& x, const at::Tensor& g, const at::Tensor& gram, at::Tensor& f,
                    const FusedUpdate& u, bool accumulate);

// One power-iteration step Z = X^T (X g) in one pass over the rows of x
// (n x p); g: p x l with l <= 64. Returns Z (p x l). Same kernels, no update.
// With `y`, also returns Y = X g (n x l) from the same pass.
at::Tensor fused_gram_product(const at::Tensor& x, const at::Tensor& g, at::Tensor* y = nullptr);
bool fused_gram_supported(const at::Tensor& x, int64_t l);

// H half: updates f (m x r) in place from its products prod (m x r) and gram;
// returns f^T f in ftf.
FusedOut fused_rows(const at::Tensor& prod, const at::Tensor& gram, at::Tensor& f, const FusedUpdate& u);

}  // namespace factorkit::linalg::detail
