// factorkit/category/ansatz.h — ansätze: functors from pregroup diagrams to
// parametrised circuits, with lambeq's CircuitAnsatz conventions.
//
// Each base object gets a number of qubits (`qubits`, e.g. n: 1, s: 1; its
// adjoints the same). A box with d input and c output qubits becomes a circuit
// on q = max(d, c) qubits: Ket(0)s added right of the inputs when c > d; for
// q = 1, Rx Rz Rx with `single_qubit_params` parameters (any ansatz); for q ≥ 2
// the ansatz's layers; Bra(0) post-selection of the last d − c qubits when d > c.
// Cups become Bell effects (qubits are self-dual). Parameters are named as
// lambeq names them: "{box}_{dom}_{cod}_{i}" with types printed without spaces
// ("loves__n.r@s@n.l_0"); i runs over the flattened layers × parameters.
//
//   IQP:   each layer H on every qubit then CRz(θ) on (i, i + 1); a final H layer
//          (lambeq's IQPAnsatz, unlike DisCoPy's IQPansatz); n − 1 parameters a layer.
//   Sim14: (Sim et al., circuit 14) each layer Ry on every qubit; CRx rings
//          i → i − 1 (i = 0 … n − 1) then Ry again and CRx i → i + 1 (i = n … 1,
//          mod n); 4n parameters a layer.
//   Sim15: Sim14 with CX for CRx; 2n parameters a layer.
//
// Rotated words (from remove_cups) map to transposed circuits with the same
// parameters, daggered words to daggered circuits.
//
// SpiderAnsatz (lambeq's, max_order 2) is classical: each word whose type has
// k > 2 atoms is split into k − 1 words on consecutive pairs of atoms
// ("prepares_0": n.r s, "prepares_1": s n.l), glued by 2 → 1 spiders on the
// shared atoms; every word is then one tensor-valued parameter named
// "{name}_{i}__{cod}" (or "{name}_0__{cod}" when not split), evaluated by any
// tensor functor with dims per base object.
#pragma once

#include <map>
#include <string_view>
#include <string>
#include <vector>

#include "factorkit/category/circuit.h"

namespace factorkit::category::circuit {

enum class AnsatzKind { IQP, Sim14, Sim15 };

struct AnsatzOptions {
  AnsatzKind kind = AnsatzKind::IQP;
  std::map<std::string, std::size_t> qubits{{"n", 1}, {"s", 1}};
  std::size_t layers = 1;
  std::size_t single_qubit_params = 3;
};

// The circuit of one box (its parameters named after it).
Diagram ansatz_box(const Box& box, const AnsatzOptions& options);
// The functor applied to a pregroup diagram (words, cups, swaps).
Diagram ansatz(const Diagram& sentence, const AnsatzOptions& options);
// "iqp", "sim14", "sim15" (InvalidInput otherwise).
AnsatzKind parse_ansatz_kind(std::string_view name);
const char* ansatz_kind_name(AnsatzKind kind);

// The SpiderAnsatz's rewrite of a pregroup diagram (word boxes only, z = 0):
// boxes carry their parameter symbol; the tensor of a word box is that
// parameter's value reshaped to the dims of its codomain.
Diagram spider_ansatz(const Diagram& sentence);
// "Alice__n": lambeq's label of a box, the prefix of its parameters' names.
std::string ansatz_label(const Box& box);

}  // namespace factorkit::category::circuit
