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

// The mixed semantics (the CPM construction, DisCoPy's Channel): qubit ↦ 4 (a
// ket index a and a bra index a', flattened as 2a + a'), bit ↦ 2; a gate G ↦
// G ⊗ Ḡ (so a scalar √x gives x); Measure ↦ δ(a = a' = b); Discard ↦ δ(a = a').
// F(state) is its density matrix, flattened per wire.
TensorFunctor mixed_functor(const Values& values = {}, ContractionOptions options = {});
// The probabilities of reading every output of a state (a circuit with no
// inputs): open qubits in the computational basis, bits as measured. A real
// tensor with one axis of 2 per output, first output first; it sums to less
// than 1 when the circuit post-selects (Bra) — callers normalise.
at::Tensor probabilities(const Diagram& circuit, const Values& values = {}, ContractionOptions options = {});
// `shots` draws from the normalised probabilities with a seeded generator (the
// same counts for the same seed on every platform): counts per outcome, the
// outcomes flattened with the first output most significant. InvalidInput when
// every outcome has probability 0 (post-selection that never succeeds).
std::vector<std::int64_t> sample(const at::Tensor& probabilities, std::size_t shots, std::uint64_t seed);

}  // namespace factorkit::category::circuit
