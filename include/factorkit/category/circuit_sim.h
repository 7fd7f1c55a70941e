// factorkit/category/circuit_sim.h — a state-vector simulator for circuits
// that are evaluated many times with different parameter values (training).
//
// A Program is a circuit state (no inputs) compiled once into a list of
// operations on a state vector of 2^w amplitudes (w the wires alive at that
// point, first wire most significant, as the tensor functor orders them):
// one-qubit and controlled gates applied in place, Kets inserting wires, Bras
// projecting them out, scalars, and cups, caps and swaps on qubits. Rotated and
// daggered gates (from the rigid structure of the ansatz functor) are compiled
// into their transposes and adjoints. No LibTorch: plain complex doubles.
//
// The Jacobian comes from the diagrammatic derivative (grad.h, gate_grad):
// one pass per parameterised gate with that gate replaced by its derivative,
// π·coeff·R(φ + ½) (the control-0 block zeroed for controlled rotations).
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "factorkit/category/circuit.h"

namespace factorkit::category::circuit {

class Program {
 public:
  using Complex = std::complex<double>;
  // InvalidInput for inputs (dom not empty), Measure/Discard, spiders, boxes
  // that are not gates, or more than `max_qubits` live wires (2^w amplitudes).
  explicit Program(const Diagram& circuit, std::size_t max_qubits = 24);

  // Distinct parameters in order of first use; values are passed in this order.
  const std::vector<Symbol>& params() const noexcept { return params_; }
  std::size_t outputs() const noexcept { return outputs_; }      // open qubits
  std::size_t max_width() const noexcept { return max_width_; }  // most live qubits
  std::size_t size() const noexcept { return ops_.size(); }

  // Amplitudes of the output qubits (2^outputs(), first output most significant).
  std::vector<Complex> amplitudes(const double* values) const;
  // Row k: ∂ amplitudes / ∂ params()[k] (params().size() × 2^outputs(), row-major).
  std::vector<Complex> jacobian(const double* values) const;

  // One compiled layer (internal; public so the implementation can use it).
  struct Op {
    enum class Kind : std::uint8_t { Gate, Controlled, Ket, Bra, Scalar, Cup, Cap, Swap };
    Kind kind = Kind::Gate;
    std::uint32_t width = 0;    // live wires before the op
    std::uint32_t wire = 0;     // the target (gates) or the first wire
    std::uint32_t control = 0;  // controlled gates
    std::uint32_t bits = 0, n_bits = 0;  // Ket / Bra: the bits, first most significant
    char axis = 0;                       // 'x', 'y', 'z' for rotations; 0 for a fixed gate
    bool adjoint = false, transpose = false;
    std::int32_t param = -1;  // index in params(), or -1
    double offset = 0, coeff = 0;
    Complex u[4] = {};  // the fixed operator (row-major, out × in), or the scalar in u[0]
  };

 private:
  void run(const double* values, std::size_t derivative_of, std::vector<Complex>& state,
           std::vector<Complex>& scratch) const;
  std::vector<Op> ops_;
  std::vector<Symbol> params_;
  std::size_t outputs_ = 0, max_width_ = 0;
};

}  // namespace factorkit::category::circuit
