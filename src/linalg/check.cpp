#include "factorkit/linalg/check.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "factorkit/core/error.h"

namespace factorkit::linalg {

at::ScalarType working_dtype(const at::Tensor& x) noexcept {
  return x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

void check_matrix(const at::Tensor& x, const std::string& where, const std::string& field,
                  const MatrixRequirements& req) {
  if (!x.defined()) throw InvalidInput(where, field, "a matrix, got an undefined tensor", "Undefined");
  if (x.dim() != 2)
    throw InvalidInput(where, field,
                       fmt::format("a 2-D matrix, got {}-D with shape [{}]", x.dim(),
                                   fmt::join(x.sizes(), ", ")),
                       "NotAMatrix");
  if (!req.allow_empty && (x.size(0) == 0 || x.size(1) == 0))
    throw InvalidInput(where, field,
                       fmt::format("a non-empty matrix, got shape [{}, {}]", x.size(0), x.size(1)),
                       "EmptyMatrix");
  if (!at::isFloatingType(x.scalar_type()) && !at::isIntegralType(x.scalar_type(), true))
    throw InvalidInput(where, field, "a real-valued matrix", "BadDType");
  if (x.numel() == 0) return;
  if (at::isFloatingType(x.scalar_type())) {
    at::Tensor bad = at::logical_not(at::isfinite(x));
    if (bad.any().item<bool>()) {
      at::Tensor idx = at::nonzero(bad)[0];
      int64_t i = idx[0].item<int64_t>(), j = idx[1].item<int64_t>();
      throw InvalidInput(where, fmt::format("{}[{}, {}]", field, i, j),
                         fmt::format("finite values, got {} ({} non-finite entries)",
                                     x.index({i, j}).item<double>(), bad.sum().item<int64_t>()),
                         "NonFinite");
    }
  }
  if (req.nonnegative) {
    at::Tensor neg = x < 0;
    if (neg.any().item<bool>()) {
      at::Tensor idx = at::nonzero(neg)[0];
      int64_t i = idx[0].item<int64_t>(), j = idx[1].item<int64_t>();
      throw InvalidInput(where, fmt::format("{}[{}, {}]", field, i, j),
                         fmt::format("non-negative values, got {} ({} negative entries)",
                                     x.index({i, j}).item<double>(), neg.sum().item<int64_t>()),
                         "Negative");
    }
  }
}

void check_rank(int64_t rank, int64_t limit, const std::string& where, const std::string& field,
                const std::string& limit_name) {
  if (rank < 1 || rank > limit)
    throw InvalidInput(where, field, fmt::format("an integer in [1, {}] ({}), got {}", limit, limit_name, rank),
                       "BadRank");
}

}  // namespace factorkit::linalg
