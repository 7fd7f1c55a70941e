// factorkit/linalg/assignment.h — the linear assignment problem (Hungarian
// method), as scipy.optimize.linear_sum_assignment.
//
// For a cost matrix C (n x m, n <= m or n > m) returns the row and column
// indices of a matching of size min(n, m) that minimizes (or maximizes) the
// total cost. O(min(n,m)^2 max(n,m)) time (Jonker–Volgenant style shortest
// augmenting paths), O(n m) memory. Used to match recovered factors to planted
// ones, concepts to ground truth, codebook entries across runs.
#pragma once

#include <ATen/core/Tensor.h>

namespace factorkit::linalg {

struct Assignment {
  at::Tensor rows;  // int64, increasing
  at::Tensor cols;  // int64, cols[i] is matched to rows[i]
  double total = 0.0;
};

Assignment linear_sum_assignment(const at::Tensor& cost, bool maximize = false);

}  // namespace factorkit::linalg
