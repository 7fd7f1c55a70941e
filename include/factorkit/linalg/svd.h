// factorkit/linalg/svd.h — truncated SVD: randomized (Halko, Martinsson & Tropp
// 2011) and exact, with deterministic signs; the pseudo-inverse.
//
// randomized_svd follows sklearn.utils.extmath.randomized_svd (1.2): a Gaussian
// test matrix of rank + oversamples columns, `power_iters` subspace iterations
// normalized by LU (partial pivoting), QR or nothing, a final QR, the SVD of the
// small projection, and svd_flip signs. Input n x p with n < p is transposed
// first (transpose = Auto), as scikit-learn does.
//
// Sign convention (svd_flip, u-based): in every column of U the entry of largest
// magnitude is positive, and the matching row of Vh is flipped with it. With
// transposition scikit-learn decides on V instead; we follow it.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace factorkit::linalg {

struct SvdResult {
  at::Tensor u;   // n x k, orthonormal columns
  at::Tensor s;   // k, non-increasing, >= 0
  at::Tensor vh;  // k x p, orthonormal rows
};

// Auto: None if power_iters <= 2, else LU (scikit-learn). Fused: each power
// iteration is Z = A^T (A Q) in one streaming pass over A (no normalization
// between the two products), then a QR of Z — Halko et al.'s subspace
// iteration orthonormalized once per iteration. Same span as LU/QR in exact
// arithmetic; stable while (sigma_l / sigma_1)^2 stays well above the rounding
// unit (l = rank + oversamples). Falls back to two products for l > 64.
enum class PowerNormalizer { Auto, None, LU, QR, Fused };
enum class Transpose { Auto, Yes, No };

struct RsvdOptions {
  int64_t rank = 0;          // k, 1 <= k <= min(n, p)
  int64_t oversamples = 10;  // extra columns of the test matrix (clipped to min(n, p))
  int64_t power_iters = -1;  // -1: 7 if k < 0.1 * min(n, p), else 4 (scikit-learn's 'auto')
  PowerNormalizer normalizer = PowerNormalizer::Auto;
  Transpose transpose = Transpose::Auto;
  bool flip_sign = true;
  uint64_t seed = 0;
  // Run the power iterations in float32 for float64 input (the final range
  // basis and projection stay float64). Faster; the error stays that of the
  // float64 run whenever the target accuracy is well above float32 rounding.
  bool mixed_precision = false;
};

SvdResult randomized_svd(const at::Tensor& a, const RsvdOptions& opts);

// Exact SVD by LAPACK (gesdd), truncated to k (k = -1: all). O(n p min(n,p)).
SvdResult truncated_svd(const at::Tensor& a, int64_t k = -1, bool flip_sign = true);

// In place: columns of u / rows of vh flipped so the largest-|.| entry of each
// column of u (u_based) or row of vh (!u_based) is positive.
void svd_flip(at::Tensor& u, at::Tensor& vh, bool u_based = true);

// numpy.linalg.pinv: singular values <= rcond * max(s) are treated as zero.
at::Tensor pinv(const at::Tensor& a, double rcond = 1e-15);

// sqrt(sum_{i>k} s_i^2): the Eckart–Young error of the best rank-k approximation
// in Frobenius norm, from all singular values s.
double best_rank_error(const at::Tensor& s, int64_t k);

std::string to_string(PowerNormalizer n);
PowerNormalizer parse_power_normalizer(const std::string& s, const std::string& where);

}  // namespace factorkit::linalg
