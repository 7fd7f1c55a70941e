// See nmf_kernels.h. Compiled several times with FACTORKIT_ISA set to the
// namespace name (base, avx2, avx512) and matching -m flags. Everything here
// lives in that namespace and calls no inline function from outside it (not
// even std::max): the linker must never merge code built for different
// instruction sets.
#include "nmf_kernels.h"

#ifndef FACTORKIT_ISA
#error "FACTORKIT_ISA must name the instruction-set namespace"
#endif

namespace factorkit::linalg::kernels::FACTORKIT_ISA {
namespace {

// rows of X per block: their products and factor rows stay in vector registers
// (32 of them with AVX-512, 16 otherwise)
#if defined(__AVX512F__)
constexpr int kBlock = 8;
#else
constexpr int kBlock = 4;
#endif

template <class T>
inline T vmin(T a, T b) { return a < b ? a : b; }

// A vector register of T as a GCC vector type: 64 bytes of double with
// AVX-512 (zmm), 32 bytes otherwise (ymm; float on AVX-512 uses ymm too, so
// every lane count divides 8), 16 bytes (xmm) on the baseline. rp, the padded
// row length, is a multiple of 8, hence of every lane count.
#if defined(__AVX512F__)
constexpr int kDoubleBytes = 64, kFloatBytes = 32;
#elif defined(__AVX2__)
constexpr int kDoubleBytes = 32, kFloatBytes = 32;
#else
constexpr int kDoubleBytes = 16, kFloatBytes = 16;
#endif
template <class T>
struct Lanes;
template <>
struct Lanes<double> {
  typedef double type __attribute__((vector_size(kDoubleBytes)));
  static constexpr int n = kDoubleBytes / 8;
};
template <>
struct Lanes<float> {
  typedef float type __attribute__((vector_size(kFloatBytes)));
  static constexpr int n = kFloatBytes / 4;
};
template <class T>
using V = typename Lanes<T>::type;
template <class T>
constexpr int L = Lanes<T>::n;

template <class T>
__attribute__((always_inline)) inline V<T> loadv(const T* p) {
  V<T> v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}
template <class T>
__attribute__((always_inline)) inline void storev(T* p, V<T> v) {
  __builtin_memcpy(p, &v, sizeof(v));
}

// Coordinate descent (Fast HALS) on up to L rows at once, one row per vector
// lane. Per lane: components in the order `perm`, each coordinate moved to its
// exact non-negative minimizer max(0, w_t - grad_t / gram_tt) with
// grad_t = sum_j gram_tj w_j - q_t summed in j order, as scikit-learn's loop,
// so the result does not depend on how rows are grouped. Returns the summed
// |projected gradient| before each move (scikit-learn's violation). f[b] are
// the rows, q[b] their products (P - l1 already applied); lanes >= nb are idle.
template <class T>
inline T cd_block(T* const* f, const T* const* q, int nb, const T* gram, const int64_t* perm, int64_t r) {
  V<T> w[64], qt[64];
  for (int64_t j = 0; j < r; ++j) {
    T wl[L<T>] = {}, ql[L<T>] = {};
    for (int b = 0; b < nb; ++b) wl[b] = f[b][j], ql[b] = q[b][j];
    __builtin_memcpy(&w[j], wl, sizeof(wl));
    __builtin_memcpy(&qt[j], ql, sizeof(ql));
  }
  const V<T> zero{};
  V<T> viol{};
  for (int64_t s = 0; s < r; ++s) {
    const int64_t t = perm[s];
    const T* gt = gram + t * r;
    V<T> grad = -qt[t];
    for (int64_t j = 0; j < r; ++j) grad += gt[j] * w[j];
    const V<T> pg = w[t] == zero ? (grad < zero ? grad : zero) : grad;
    viol += pg < zero ? -pg : pg;
    const T hess = gt[t];
    if (hess != 0) {
      const V<T> moved = w[t] - grad / hess;
      w[t] = moved > zero ? moved : zero;
    }
  }
  for (int64_t j = 0; j < r; ++j) {
    T wl[L<T>];
    __builtin_memcpy(wl, &w[j], sizeof(wl));
    for (int b = 0; b < nb; ++b) f[b][j] = wl[b];
  }
  T vl[L<T>];
  __builtin_memcpy(vl, &viol, sizeof(vl));
  T total = 0;
  for (int b = 0; b < nb; ++b) total += vl[b];
  return total;
}

// One row of the Frobenius multiplicative update:
// w <- w * q / (w gram + l1 + l2 w), zero denominators floored at eps.
template <class T>
inline void mu_row(T* w, const T* q, const T* gram, int64_t r, T l1, T l2, T eps, T* den) {
  for (int64_t j = 0; j < r; ++j) den[j] = 0;
  for (int64_t t = 0; t < r; ++t) {
    const T wt = w[t];
    const T* gt = gram + t * r;
    for (int64_t j = 0; j < r; ++j) den[j] += wt * gt[j];
  }
  for (int64_t j = 0; j < r; ++j) {
    T d = den[j];
    if (l1 > 0) d += l1;
    if (l2 > 0) d += l2 * w[j];
    if (d == 0) d = eps;
    w[j] *= q[j] / d;
  }
}

// The solver's update of rows i0 .. i0+nb-1 of F from their products q[b]
// (q is modified: l1 is subtracted for cd).
template <class T, int QS>
inline void update_block(const NmfRowArgs<T>& a, int64_t i0, int nb, T (*q)[QS], T* scratch, T& viol) {
  if (a.mu) {
    for (int b = 0; b < nb; ++b) mu_row(a.f + (i0 + b) * a.r, q[b], a.gram, a.r, T(a.l1), T(a.l2), T(a.eps), scratch);
    return;
  }
  T* rows[L<T>];
  const T* qr[L<T>];
  for (int b0 = 0; b0 < nb; b0 += L<T>) {
    const int m = int(vmin(L<T>, nb - b0));
    for (int b = 0; b < m; ++b) {
      T* qb = q[b0 + b];
      if (a.l1 != 0)
        for (int64_t j = 0; j < a.r; ++j) qb[j] -= T(a.l1);
      rows[b] = a.f + (i0 + b0 + b) * a.r;
      qr[b] = qb;
    }
    viol += cd_block(rows, qr, m, a.gram, a.perm, a.r);
  }
}

template <class T>
inline void add_gram(T* ftf, const T* w, int64_t r) {
  for (int64_t t = 0; t < r; ++t) {
    const T wt = w[t];
    T* o = ftf + t * r;
    for (int64_t j = 0; j < r; ++j) o[j] += wt * w[j];
  }
}

// Products of a block of KB rows of X with the columns [c0, c0 + W) of G:
// q[b][c0 .. c0+W) = X[row b, :] G[:, c0 .. c0+W). W / L vectors per row stay in
// registers (KB x W / L accumulators).
template <class T, int W, int KB>
inline void block_products(const T* const* xr, int64_t p, const T* g, int rp, int c0, T (*qs)[64]) {
  constexpr int NV = W / L<T>;
  V<T> q[KB][NV];
  for (int b = 0; b < KB; ++b)
    for (int v = 0; v < NV; ++v) q[b][v] = V<T>{};
  for (int64_t k = 0; k < p; ++k) {
    const T* gk = g + k * rp + c0;
    T x[KB];
    for (int b = 0; b < KB; ++b) x[b] = xr[b][k];
    for (int v = 0; v < NV; ++v) {
      const V<T> gv = loadv(gk + L<T> * v);
      for (int b = 0; b < KB; ++b) q[b][v] += x[b] * gv;
    }
  }
  for (int b = 0; b < KB; ++b)
    for (int v = 0; v < NV; ++v) storev(qs[b] + c0 + L<T> * v, q[b][v]);
}

// xtf[:, c0 .. c0+W) += X_b^T ws[:, c0 .. c0+W) for a block of KB rows.
template <class T, int W, int KB>
inline void block_accumulate(const T* const* xr, int64_t p, const T (*ws)[64], int rp, int c0, T* xtf) {
  constexpr int NV = W / L<T>;
  V<T> w[KB][NV];
  for (int b = 0; b < KB; ++b)
    for (int v = 0; v < NV; ++v) w[b][v] = loadv(ws[b] + c0 + L<T> * v);
  for (int64_t k = 0; k < p; ++k) {
    T* o = xtf + k * rp + c0;
    T x[KB];
    for (int b = 0; b < KB; ++b) x[b] = xr[b][k];
    for (int v = 0; v < NV; ++v) {
      // pairwise sums: a chain of KB dependent FMAs would stall on latency
      V<T> part[KB / 2];
      for (int b = 0; b < KB / 2; ++b) part[b] = x[2 * b] * w[2 * b][v] + x[2 * b + 1] * w[2 * b + 1][v];
      for (int h = KB / 4; h >= 1; h /= 2)
        for (int b = 0; b < h; ++b) part[b] += part[b + h];
      storev(o + L<T> * v, loadv(o + L<T> * v) + part[0]);
    }
  }
}

constexpr int imin(int a, int b) { return a < b ? a : b; }

// Column chunks of at most 3 vectors: KB rows x 3 vectors of accumulators fit
// the register file (24 of 32 zmm with AVX-512; the baseline and AVX2 spill
// a little with KB = 4).
template <class T>
constexpr int kChunk = 3 * L<T>;

template <class T, int RP, int C0, int KB>
inline void products_from(const T* const* xr, int64_t p, const T* g, T (*qs)[64]) {
  if constexpr (C0 < RP) {
    constexpr int W = imin(kChunk<T>, RP - C0);
    block_products<T, W, KB>(xr, p, g, RP, C0, qs);
    products_from<T, RP, C0 + W, KB>(xr, p, g, qs);
  }
}

template <class T, int RP, int C0, int KB>
inline void accumulate_from(const T* const* xr, int64_t p, const T (*ws)[64], T* xtf) {
  if constexpr (C0 < RP) {
    constexpr int W = imin(kChunk<T>, RP - C0);
    block_accumulate<T, W, KB>(xr, p, ws, RP, C0, xtf);
    accumulate_from<T, RP, C0 + W, KB>(xr, p, ws, xtf);
  }
}

// The pass over a range of rows with RP (= a.rp) known at compile time: for
// each block of kBlock rows, the products (column chunk by column chunk), the
// update, then X_b^T F_b (chunk by chunk) while X_b is still in cache.
template <class T, int RP>
void pass_rp(const NmfRowArgs<T>& a) {
  constexpr int KB = kBlock;
  const int64_t p = a.p, r = a.r;
  T viol = 0;
  T scratch[64];
  alignas(64) T qs[KB][64];
  alignas(64) T ws[KB][64];
  for (int64_t i0 = a.begin; i0 < a.end; i0 += KB) {
    const int nb = int(vmin<int64_t>(KB, a.end - i0));
    const T* xr[KB];
    // rows past the end point at the last row (and get zero weights below)
    for (int b = 0; b < KB; ++b) xr[b] = a.x + (i0 + vmin(b, nb - 1)) * p;
    products_from<T, RP, 0, KB>(xr, p, a.g, qs);
    for (int b = 0; b < KB; ++b)
      for (int j = 0; j < RP; ++j) ws[b][j] = 0;
    if (a.identity) {
      // no solver: the products themselves (A^T (A G) for a power iteration),
      // also stored as rows of F when asked (Y = A G)
      for (int b = 0; b < nb; ++b)
        for (int64_t j = 0; j < r; ++j) ws[b][j] = qs[b][j];
      if (a.f)
        for (int b = 0; b < nb; ++b)
          for (int64_t j = 0; j < r; ++j) a.f[(i0 + b) * r + j] = qs[b][j];
    } else {
      update_block(a, i0, nb, qs, scratch, viol);
      for (int b = 0; b < nb; ++b) {
        const T* fr = a.f + (i0 + b) * r;
        for (int64_t j = 0; j < r; ++j) ws[b][j] = fr[j];
        if (a.ftf) add_gram(a.ftf, fr, r);
      }
    }
    if (a.xtf) accumulate_from<T, RP, 0, KB>(xr, p, ws, a.xtf);
  }
  if (a.stat) *a.stat += double(viol);
}

template <class T>
void pass_any(const NmfRowArgs<T>& a) {
  switch (a.rp) {
    case 8: return pass_rp<T, 8>(a);
    case 16: return pass_rp<T, 16>(a);
    case 24: return pass_rp<T, 24>(a);
    case 32: return pass_rp<T, 32>(a);
    case 40: return pass_rp<T, 40>(a);
    case 48: return pass_rp<T, 48>(a);
    case 56: return pass_rp<T, 56>(a);
    case 64: return pass_rp<T, 64>(a);
    default: return;  // the dispatcher never calls with another rp
  }
}

template <class T>
void rows_any(const NmfRowArgs<T>& a) {
  T viol = 0;
  T q[8][64], scratch[64];
  for (int64_t i0 = a.begin; i0 < a.end; i0 += 8) {
    const int nb = int(vmin<int64_t>(8, a.end - i0));
    for (int b = 0; b < nb; ++b) {
      const T* pi = a.p_in + (i0 + b) * a.rp;
      for (int64_t j = 0; j < a.r; ++j) q[b][j] = pi[j];
    }
    update_block(a, i0, nb, q, scratch, viol);
    if (a.ftf)
      for (int b = 0; b < nb; ++b) add_gram(a.ftf, a.f + (i0 + b) * a.r, a.r);
  }
  if (a.stat) *a.stat += double(viol);
}

}  // namespace

void pass(const NmfRowArgs<double>& a) { pass_any(a); }
void pass(const NmfRowArgs<float>& a) { pass_any(a); }
void rows(const NmfRowArgs<double>& a) { rows_any(a); }
void rows(const NmfRowArgs<float>& a) { rows_any(a); }

}  // namespace factorkit::linalg::kernels::FACTORKIT_ISA
