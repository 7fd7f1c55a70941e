// factorkit/linalg/check.h — input checks shared by every linalg routine.
//
// Each check throws factorkit::InvalidInput naming `where` (a file path or a
// function name), the field and what was expected, so the command line can
// pass the file name and the library can pass its own name.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace factorkit::linalg {

struct MatrixRequirements {
  bool nonnegative = false;  // every entry >= 0 (NMF)
  bool allow_empty = false;  // a dimension may be 0
};

// A 2-D float32 or float64 tensor with finite entries (and the extra
// requirements). Cost: one pass over the data. Returns nothing; throws.
void check_matrix(const at::Tensor& x, const std::string& where, const std::string& field,
                  const MatrixRequirements& req = {});

// 1 <= rank <= limit; `limit_name` says what the limit is ("min(n, p) = 7").
void check_rank(int64_t rank, int64_t limit, const std::string& where, const std::string& field,
                const std::string& limit_name);

// The dtype all routines compute in: float64 stays float64, everything else
// becomes float32 (the toolkit's default currency).
at::ScalarType working_dtype(const at::Tensor& x) noexcept;

}  // namespace factorkit::linalg
