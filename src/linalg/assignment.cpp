// Shortest augmenting path Hungarian method with potentials: one row is added
// at a time and Dijkstra over the columns finds the cheapest augmenting path.
#include "factorkit/linalg/assignment.h"

#include <ATen/ATen.h>

#include <limits>
#include <vector>

#include "factorkit/linalg/check.h"

namespace factorkit::linalg {

Assignment linear_sum_assignment(const at::Tensor& cost_in, bool maximize) {
  check_matrix(cost_in, "linear_sum_assignment", "cost", {.allow_empty = true});
  at::Tensor c = cost_in.to(at::kDouble);
  const bool transposed = c.size(0) > c.size(1);
  if (transposed) c = c.t();
  if (maximize) c = -c;
  c = c.contiguous();
  const int64_t n = c.size(0), m = c.size(1);  // n <= m
  const double* a = c.data_ptr<double>();
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based arrays; column 0 is the virtual start
  std::vector<double> u(n + 1, 0), v(m + 1, 0), minv(m + 1);
  std::vector<int64_t> match(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (int64_t i = 1; i <= n; ++i) {
    match[0] = i;
    int64_t j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int64_t i0 = match[j0];
      double delta = inf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= m; ++j)
        if (!used[j]) {
          const double cur = a[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
          if (cur < minv[j]) minv[j] = cur, way[j] = j0;
          if (minv[j] < delta) delta = minv[j], j1 = j;
        }
      for (int64_t j = 0; j <= m; ++j)
        if (used[j])
          u[match[j]] += delta, v[j] -= delta;
        else
          minv[j] -= delta;
      j0 = j1;
    } while (match[j0] != 0);
    do {
      const int64_t j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0);
  }
  std::vector<int64_t> col_of_row(n, -1);
  for (int64_t j = 1; j <= m; ++j)
    if (match[j]) col_of_row[match[j] - 1] = j - 1;
  std::vector<int64_t> rows, cols;
  double total = 0;
  const double* orig = c.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    total += orig[i * m + col_of_row[i]];
    rows.push_back(i);
    cols.push_back(col_of_row[i]);
  }
  if (maximize) total = -total;
  Assignment res;
  res.total = total;
  auto opts = at::TensorOptions().dtype(at::kLong);
  at::Tensor r = at::tensor(rows, opts), k = at::tensor(cols, opts);
  if (transposed) {
    // rows of the transposed problem are columns of the original: sort by them
    at::Tensor order = at::argsort(k);
    res.rows = k.index_select(0, order);
    res.cols = r.index_select(0, order);
  } else {
    res.rows = r;
    res.cols = k;
  }
  return res;
}

}  // namespace factorkit::linalg
