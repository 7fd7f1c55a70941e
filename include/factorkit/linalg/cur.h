// factorkit/linalg/cur.h — CUR and interpolative decompositions.
//
//   X ≈ C U R,  C = X[:, J] (n x c),  R = X[I, :] (r x p),  U: c x r
//
// Selection of the rows I and columns J:
//   PivotedQR  the first pivots of a column-pivoted QR (LAPACK geqp3) of X
//              (columns) and of X^T (rows): deterministic, rank revealing;
//   Leverage   sampled without replacement with probability proportional to the
//              rank-`leverage_rank` leverage scores (squared row norms of the
//              top singular vectors), seeded;
//   Uniform    uniformly at random without replacement, seeded (ANNCUR's anchors);
//   Given      indices chosen by the caller.
// Core:
//   Intersection  U = pinv(X[I, J]) with numpy's cutoff rcond * sigma_max (ANNCUR);
//   Optimal       U = pinv(C) X pinv(R), the best U for the chosen C and R (needs
//                 all of X; never worse than Intersection in Frobenius norm).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace factorkit::linalg {

enum class CurSelect { PivotedQR, Leverage, Uniform, Given };
enum class CurCore { Intersection, Optimal };

struct CurOptions {
  int64_t rows = 0;  // |I|, 1 <= rows <= n
  int64_t cols = 0;  // |J|, 1 <= cols <= p
  CurSelect select = CurSelect::PivotedQR;
  CurCore core = CurCore::Intersection;
  double rcond = 1e-15;
  int64_t leverage_rank = 0;  // Leverage: rank of the scores (0: min(rows, cols))
  uint64_t seed = 0;
  at::Tensor row_index, col_index;  // Given: int64 indices
  bool compute_error = true;        // relative error of C U R and the SVD bound
};

struct CurResult {
  at::Tensor row_index;  // I, int64, length rows
  at::Tensor col_index;  // J, int64, length cols
  at::Tensor c, u, r;
  // ||X - C U R||_F / ||X||_F and the best rank-min(rows, cols) relative error
  // from the exact SVD (the bound no CUR can beat); NaN when not computed.
  double relative_error = 0.0;
  double best_rank_relative_error = 0.0;
};

CurResult cur(const at::Tensor& x, const CurOptions& opts);
at::Tensor cur_reconstruct(const CurResult& d);

// Column interpolative decomposition of rank k: X ≈ X[:, J] T with J the first
// k pivots of a column-pivoted QR and T = [I, R11^{-1} R12] Π^T (k x p); the
// columns J of T form the identity.
struct InterpDecomp {
  at::Tensor col_index;  // J, int64, length k
  at::Tensor t;          // k x p
};
InterpDecomp interp_decomp(const at::Tensor& x, int64_t k);

// The first k pivots of a column-pivoted QR of x (int64, length k).
at::Tensor pivoted_qr_columns(const at::Tensor& x, int64_t k);

std::string to_string(CurSelect s);
std::string to_string(CurCore c);
CurSelect parse_cur_select(const std::string& s, const std::string& where);
CurCore parse_cur_core(const std::string& s, const std::string& where);

}  // namespace factorkit::linalg
