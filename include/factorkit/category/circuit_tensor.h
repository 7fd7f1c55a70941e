// factorkit/category/circuit_tensor.h — evaluating circuits: gate arrays and
// the pure (state-vector / amplitude) semantics through the tensor functor.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <unordered_map>

#include "factorkit/category/circuit.h"
#include "factorkit/category/tensor.h"

namespace factorkit::category::circuit {

// Parameter values by symbol: real 0-dimensional tensors (requires_grad for training).
using Values = std::unordered_map<std::uint32_t, at::Tensor>;  // key: Symbol::id()

// The complex128 array of a gate (a generator: no dagger, z = 0), in DisCoPy's
// axis order (inputs then outputs, so a one-qubit gate's array is Uᵀ).
// Throws InvalidInput for a box that is not a gate, or a parameter without a value.
at::Tensor gate_array(const Box& gate, const Values& values = {});

// qubit ↦ 2, gates ↦ their arrays; cups, caps, swaps and spiders as in every
// tensor functor (the cup is Σᵢ⟨ii|). F(circuit) is its amplitudes.
TensorFunctor functor(const Values& values = {}, ContractionOptions options = {});
at::Tensor amplitudes(const Diagram& circuit, const Values& values = {}, ContractionOptions options = {});

}  // namespace factorkit::category::circuit
