// factorkit/category/circuit.h — quantum circuits as diagrams over qubits.
//
// Gates are boxes on the object "qubit", with DisCoPy's conventions: phases in
// turns (Rz(φ) = diag(e^{-iπφ}, e^{iπφ})), Controlled(U, distance) with the
// control `distance` wires left of the target (right when negative), Ket and
// Bra of bit strings, and scalars. A rotation's phase is `offset + coeff · θ`
// for a free parameter θ (a Symbol valued at evaluation, so a trained angle is
// one box whatever its value) or just `offset`. Arrays and evaluation are in
// circuit_tensor.h.
//
// Encoding (a box's `name`, `data`, `param`), which circuit_tensor.h reads:
//   H X Y Z S T                       no data
//   Rx Ry Rz                          {offset, coeff}            param θ (optional)
//   CX CZ                             {distance}
//   CRx CRz                           {offset, coeff, distance}  param θ (optional)
//   Ket Bra                           the bits
//   sqrt                              {x}: the scalar √x on no wires
//   Measure                           qubit → bit (mixed evaluation only)
//   Discard                           qubit → I   (mixed evaluation only)
#pragma once

#include <array>
#include <complex>
#include <string>
#include <string_view>
#include <vector>

#include "factorkit/category/diagram.h"
#include "factorkit/category/functor.h"
#include "factorkit/category/grad.h"

namespace factorkit::category::circuit {

const Ty& qubit();
const Ty& bit();  // a classical wire: the outcome of a measurement

// A phase in turns: a number, or offset + coeff · θ for a named parameter θ.
struct Phase {
  double offset = 0, coeff = 0;
  Symbol param;
  Phase(double value = 0) : offset(value) {}  // NOLINT: a number is a phase
  static Phase of(std::string_view name, double coeff = 1, double offset = 0) {
    Phase p(offset);
    p.coeff = coeff;
    p.param = Symbol(name);
    return p;
  }
};

Box H();
Box X();
Box Y();
Box Z();
Box S();
Box T();
Box Rx(const Phase& phase);
Box Ry(const Phase& phase);
Box Rz(const Phase& phase);
// Controlled gates span |distance| + 1 qubits, at most kMaxControlDistance + 1
// (their array is dense: 4^(|distance| + 1) entries).
inline constexpr int kMaxControlDistance = 10;
Box CX(int distance = 1);
Box CZ(int distance = 1);
Box CRx(const Phase& phase, int distance = 1);
Box CRz(const Phase& phase, int distance = 1);
Box Ket(const std::vector<int>& bits);
Box Bra(const std::vector<int>& bits);
Box Sqrt(double x);  // the scalar √x
Box Measure();       // qubit → bit: measurement in the computational basis
Box Discard();       // qubit → I: the partial trace

// The operator of a fixed one-qubit gate (H, X, Y, Z, S, T; CX and CZ give
// their target's X and Z), row-major out × in. The arrays of circuit_tensor.h
// and the simulator of circuit_sim.h both read it.
std::array<std::complex<double>, 4> fixed_operator(std::string_view name);

// The phase of a rotation box (its offset, coefficient and parameter).
Phase phase_of(const Box& gate);
// The same gate with its phase shifted by `turns` (parameter shift).
Box shifted(const Box& gate, double turns);

// The number of qubits a circuit post-selects (the bits of its Bra gates).
std::size_t post_selected(const Diagram& circuit);

// Diagrammatic differentiation of the pure semantics (grad.h). For a rotation
// R(φ) with φ = offset + coeff·θ, ∂R/∂θ = π·coeff·R(φ + ½) (one shifted gate:
// the derivatives of cos πφ and sin πφ are π cos and sin half a turn on); for a
// controlled rotation only the control-1 block moves, so the control wire is
// projected on |1⟩ (Bra(1) then Ket(1)) beside the shifted target. Zero for
// gates without θ.
Sum gate_grad(const Box& gate, Symbol param);
Sum grad(const Diagram& circuit, Symbol param);  // grad(circuit, param, gate_grad)

// The transpose of a circuit (what bending every wire round gives, without the
// cups): layers in reverse order, wires mirrored, each gate by its transpose —
// Ry(φ) → Ry(−φ), Y → Z Y Z (= −Y), controlled gates at the opposite distance,
// Ket(b) ↔ Bra(reversed b), the other gates symmetric. Daggered gates stay
// daggered. InvalidInput for Measure, Discard and boxes that are not gates.
Diagram transpose(const Diagram& circuit);

// Qubits are self-dual: the cup is CX >> H ⊗ sqrt(2) ⊗ qubit >> Bra(0, 0)
// (Σᵢ⟨ii|), the cap its dagger, rotated boxes map to transposed circuits.
// For DiagramFunctor::from(..., self_dual()).
SelfDual self_dual();

// DisCoPy's IQPansatz(n, params): per layer, H on every qubit then CRz(θ_i) on
// qubits (i, i + 1); params is depth × (n − 1). For n = 1: Rx >> Rz >> Rx with
// three phases.
Diagram iqp(std::size_t n_qubits, const std::vector<std::vector<Phase>>& params);

}  // namespace factorkit::category::circuit
