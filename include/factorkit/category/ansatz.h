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
#pragma once

#include <map>
#include <string>
#include <vector>

#include "factorkit/category/circuit.h"

namespace factorkit::category::circuit {

struct AnsatzOptions {
  std::map<std::string, std::size_t> qubits{{"n", 1}, {"s", 1}};
  std::size_t layers = 1;
  std::size_t single_qubit_params = 3;
};

// The circuit of one box (its parameters named after it).
Diagram iqp_box(const Box& box, const AnsatzOptions& options);
// The functor applied to a pregroup diagram (words, cups, swaps).
Diagram iqp_ansatz(const Diagram& sentence, const AnsatzOptions& options);
// "Alice__n": lambeq's label of a box, the prefix of its parameters' names.
std::string ansatz_label(const Box& box);

}  // namespace factorkit::category::circuit
