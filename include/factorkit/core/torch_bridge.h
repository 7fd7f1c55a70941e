// factorkit/core/torch_bridge.h — RawTensor <-> torch::Tensor.
//
// The one place where file buffers meet LibTorch. Both directions copy (the
// tensor owns its memory; file buffers may be misaligned). U16/U32/U64 have no
// LibTorch 1.13 dtype and are refused with InvalidInput.
#pragma once

#include <ATen/Tensor.h>
#include <string>

#include "factorkit/core/raw_tensor.h"

namespace factorkit {

at::ScalarType to_scalar_type(DType t, const std::string& where = "<tensor>");
DType from_scalar_type(at::ScalarType t, const std::string& where = "<tensor>");

// A contiguous CPU tensor with a copy of the data.
at::Tensor to_torch(const RawTensor& t, const std::string& where = "<tensor>");
// Any tensor (made contiguous and moved to CPU first).
RawTensor from_torch(const at::Tensor& t, const std::string& where = "<tensor>");

}  // namespace factorkit
