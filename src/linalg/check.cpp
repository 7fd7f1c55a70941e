#include "factorkit/linalg/check.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <fmt/ranges.h>

#include "factorkit/core/error.h"

namespace factorkit::linalg {

namespace {

// Throws naming the first entry (row-major) where `bad` holds, its value and the count.
void throw_at_first(const at::Tensor& x, const at::Tensor& bad, const std::string& where, const std::string& field,
                    const char* expected, const char* kind, const char* code) {
  if (!bad.any().item<bool>()) return;
  at::Tensor idx = at::nonzero(bad)[0];
  const int64_t i = idx[0].item<int64_t>(), j = idx[1].item<int64_t>();
  throw InvalidInput(where, fmt::format("{}[{}, {}]", field, i, j),
                     fmt::format("{}, got {} ({} {} entries)", expected, x[i][j].item<double>(),
                                 bad.sum().item<int64_t>(), kind),
                     code);
}

}  // namespace

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
  // cheap reductions first; the n x p masks only to locate a bad entry
  if (at::isFloatingType(x.scalar_type()) && !std::isfinite(x.sum(at::kDouble).item<double>()))
    throw_at_first(x, at::logical_not(at::isfinite(x)), where, field, "finite values", "non-finite", "NonFinite");
  if (req.nonnegative && x.min().item<double>() < 0)
    throw_at_first(x, x < 0, where, field, "non-negative values", "negative", "Negative");
}

void check_rank(int64_t rank, int64_t limit, const std::string& where, const std::string& field,
                const std::string& limit_name) {
  if (rank < 1 || rank > limit)
    throw InvalidInput(where, field, fmt::format("an integer in [1, {}] ({}), got {}", limit, limit_name, rank),
                       "BadRank");
}

}  // namespace factorkit::linalg
