// Quantum gates as boxes (their arrays are in circuit_tensor.cpp).
#include "factorkit/category/circuit.h"

#include <fmt/format.h>

#include <cstdlib>

namespace factorkit::category::circuit {

const Ty& qubit() {
  static const Ty q("qubit");
  return q;
}

namespace {

Box fixed(const char* name, std::size_t n = 1) { return Box(name, qubit().pow(n), qubit().pow(n)); }

Box rotation(const char* name, const Phase& p, std::vector<double> extra = {}, std::size_t n = 1) {
  std::vector<double> data{p.offset, p.coeff};
  data.insert(data.end(), extra.begin(), extra.end());
  return Box(name, qubit().pow(n), qubit().pow(n), std::move(data), p.param);
}

std::size_t span(int distance) {
  if (distance == 0 || std::abs(distance) > kMaxControlDistance)
    throw InvalidInput("controlled gate", "distance " + std::to_string(distance),
                       "a distance between control and target of 1 to " + std::to_string(kMaxControlDistance) +
                           " wires (either sign)",
                       "BadGate");
  return std::size_t(std::abs(distance)) + 1;
}

std::vector<double> bits_data(const std::vector<int>& bits, const char* what) {
  std::vector<double> d;
  for (int b : bits) {
    if (b != 0 && b != 1) throw InvalidInput(what, "bits", "0s and 1s", "BadGate");
    d.push_back(b);
  }
  return d;
}

}  // namespace

Box H() { return fixed("H"); }
Box X() { return fixed("X"); }
Box Y() { return fixed("Y"); }
Box Z() { return fixed("Z"); }
Box S() { return fixed("S"); }
Box T() { return fixed("T"); }
Box Rx(const Phase& p) { return rotation("Rx", p); }
Box Ry(const Phase& p) { return rotation("Ry", p); }
Box Rz(const Phase& p) { return rotation("Rz", p); }
Box CX(int distance) {
  const std::size_t n = span(distance);
  return Box("CX", qubit().pow(n), qubit().pow(n), {double(distance)});
}
Box CZ(int distance) {
  const std::size_t n = span(distance);
  return Box("CZ", qubit().pow(n), qubit().pow(n), {double(distance)});
}
Box CRx(const Phase& p, int distance) { return rotation("CRx", p, {double(distance)}, span(distance)); }
Box CRz(const Phase& p, int distance) { return rotation("CRz", p, {double(distance)}, span(distance)); }
Box Ket(const std::vector<int>& bits) { return Box("Ket", Ty(), qubit().pow(bits.size()), bits_data(bits, "Ket")); }
Box Bra(const std::vector<int>& bits) { return Box("Bra", qubit().pow(bits.size()), Ty(), bits_data(bits, "Bra")); }
Box Sqrt(double x) { return Box("sqrt", Ty(), Ty(), {x}); }

SelfDual self_dual() {
  auto cup = [](const Ob& x) {
    if (!(Ty(x) == qubit()))
      throw InvalidInput("circuit functor", "object " + x.str(), "qubits (the only self-dual objects here)", "NotAQubit");
    return Diagram(CX()) >> (H() * Sqrt(2) * qubit()) >> Bra({0, 0});
  };
  return SelfDual{cup, [cup](const Ob& x) { return cup(x).dagger(); }};
}

Phase phase_of(const Box& g) {
  const std::string& n = g.name();
  if ((n != "Rx" && n != "Ry" && n != "Rz" && n != "CRx" && n != "CRz") || g.data().size() < 2)
    throw InvalidInput("gate " + g.str(), "phase", "a rotation (Rx, Ry, Rz, CRx, CRz)", "NotARotation");
  Phase p(g.data()[0]);
  p.coeff = g.data()[1];
  p.param = g.param();
  return p;
}

Box shifted(const Box& g, double turns) {
  Phase p = phase_of(g);
  std::vector<double> data = g.data();
  data[0] = p.offset + turns;
  // gates act on n qubits both ways, so a dagger has the generator's types
  const Box out(g.name(), g.dom(), g.cod(), std::move(data), g.param());
  return g.is_dagger() ? out.dagger() : out;
}

Diagram iqp(std::size_t n, const std::vector<std::vector<Phase>>& params) {
  if (n == 0) throw InvalidInput("iqp", "qubits", "at least one qubit", "BadAnsatz");
  if (n == 1) {
    if (params.size() != 1 || params[0].size() != 3)
      throw InvalidInput("iqp", "params", "three phases for one qubit (Rx, Rz, Rx)", "BadAnsatz");
    return Diagram(Rx(params[0][0])) >> Rz(params[0][1]) >> Rx(params[0][2]);
  }
  Diagram d = Diagram::id(qubit().pow(n));
  for (const auto& layer : params) {
    if (layer.size() != n - 1)
      throw InvalidInput("iqp", "params", fmt::format("layers of {} phases (depth × (n − 1))", n - 1), "BadAnsatz");
    for (std::size_t i = 0; i < n; ++i) d = d >> (qubit().pow(i) * H() * qubit().pow(n - i - 1));
    for (std::size_t i = 0; i + 1 < n; ++i) d = d >> (qubit().pow(i) * CRz(layer[i]) * qubit().pow(n - i - 2));
  }
  return d;
}

}  // namespace factorkit::category::circuit
