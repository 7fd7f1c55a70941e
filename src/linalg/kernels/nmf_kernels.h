// Row kernels of the NMF solvers (internal), compiled once per instruction set
// (kernels/CMakeLists.txt: baseline x86-64, AVX2+FMA, AVX-512) and chosen at
// run time by nmf_kernels_dispatch.cpp.
//
// A kernel processes a range of rows [begin, end) of a factor F (rows x r) for
// the problem Y ≈ F G^T, and is called by one thread with its own accumulators:
//
//   pass kernels (the W half, one streaming pass over the rows of X):
//     for each block of rows: P_b = X_b G (the products the update needs),
//     the solver's row update of F_b, then (when acc_xtf) XtF += X_b^T F_b and
//     FtF += F_b^T F_b — the products the *other* half needs next, computed
//     while X_b is still in cache. One pass over X per iteration instead of two
//     GEMMs.
//   row kernels (the H half, from products already accumulated):
//     the solver's row update of F from P (rows x rp) and the Gram matrix, and
//     FtF += F^T F for the next W half.
//
// Layouts: row-major; G, P and XtF have rp >= r columns (rp = r rounded up to a
// multiple of 8, padding zero) so the inner loops have a fixed length. Scalars
// are double or float; accumulators have the scalar's type (as scikit-learn).
#pragma once

#include <cstdint>

namespace factorkit::linalg::kernels {

template <class T>
struct NmfRowArgs {
  const T* x = nullptr;    // pass kernels: X (n x p), rows begin..end
  int64_t p = 0;           // columns of X
  const T* g = nullptr;    // pass kernels: the other factor, p x rp
  const T* p_in = nullptr; // row kernels: products for rows begin..end, (rows x rp)
  const T* gram = nullptr; // r x r: G^T G (+ l2 on the diagonal for cd)
  T* f = nullptr;          // the factor being updated, rows x r (in place)
  int64_t r = 0, rp = 0;
  int64_t begin = 0, end = 0;
  const int64_t* perm = nullptr;  // cd: order of the components
  double l1 = 0, l2 = 0;          // cd: l1 is subtracted from P; mu: l1, l2 in the denominator
  double eps = 0;                 // mu: floor for a zero denominator
  bool mu = false;                // which update: coordinate descent (false) or multiplicative (true)
  bool identity = false;          // pass kernels: no update, accumulate X^T (X G) (power iteration);
                                  // f, when not null, receives X G
  // outputs (this thread's accumulators, added to)
  T* xtf = nullptr;  // p x rp: X^T F (pass kernels, when not null)
  T* ftf = nullptr;  // r x r: F^T F (when not null)
  double* stat = nullptr;  // cd: summed |projected gradient|
};

#define FACTORKIT_NMF_KERNEL_DECL(isa)                        \
  namespace isa {                                             \
  void pass(const NmfRowArgs<double>& a);                     \
  void pass(const NmfRowArgs<float>& a);                      \
  void rows(const NmfRowArgs<double>& a);                     \
  void rows(const NmfRowArgs<float>& a);                      \
  }

FACTORKIT_NMF_KERNEL_DECL(base)
FACTORKIT_NMF_KERNEL_DECL(avx2)
FACTORKIT_NMF_KERNEL_DECL(avx512)

}  // namespace factorkit::linalg::kernels
