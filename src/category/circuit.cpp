// Quantum gates as boxes (their arrays are in circuit_tensor.cpp).
#include "factorkit/category/circuit.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace factorkit::category::circuit {

const Ty& qubit() {
  static const Ty q("qubit");
  return q;
}

const Ty& bit() {
  static const Ty b("bit");
  return b;
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

std::array<std::complex<double>, 4> fixed_operator(std::string_view n) {
  const double r = 1 / std::sqrt(2.0);
  const std::complex<double> i(0, 1);
  if (n == "H") return {r, r, r, -r};
  if (n == "X" || n == "CX") return {0, 1, 1, 0};
  if (n == "Y") return {0, -i, i, 0};
  if (n == "Z" || n == "CZ") return {1, 0, 0, -1};
  if (n == "S") return {1, 0, 0, i};
  if (n == "T") return {1, 0, 0, std::polar(1.0, M_PI / 4)};
  throw InvalidInput("gate " + std::string(n), "name", "H, X, Y, Z, S, T, CX or CZ", "NotAGate");
}

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
Box Sqrt(double x) {
  if (!(x >= 0)) throw InvalidInput("sqrt", "x", "a number >= 0", "BadGate");
  return Box("sqrt", Ty(), Ty(), {x});
}
Box Measure() { return Box("Measure", qubit(), bit()); }
Box Discard() { return Box("Discard", qubit(), Ty()); }

Sum gate_grad(const Box& g, Symbol param) {
  const std::string& n = g.name();
  const bool rotation = n == "Rx" || n == "Ry" || n == "Rz" || n == "CRx" || n == "CRz";
  if (!rotation || g.param().id() != param.id() || param.id() == 0 || g.data().size() < 2 || g.data()[1] == 0)
    return Sum(g.dom(), g.cod());
  if (g.data().size() != (n[0] == 'C' ? 3u : 2u) || g.dom().size() != g.cod().size() ||
      g.dom().size() != (n[0] == 'C' ? std::size_t(std::abs(g.data()[2])) + 1 : 1u))
    throw InvalidInput("gate " + g.str(), "data and wires", "a rotation built by Rx, Ry, Rz, CRx or CRz", "BadGate");
  const Phase p = phase_of(g);
  const double weight = M_PI * p.coeff;
  if (n[0] == 'R') return Sum(Diagram(shifted(g, 0.5)), weight);
  // CRx / CRz: |1><1| on the control beside R(φ + ½) on the target
  const int distance = int(g.data()[2]);
  const std::size_t w = g.dom().size();
  Phase target = p;
  target.offset += 0.5;
  const Box r = n == "CRx" ? Rx(target) : Rz(target);
  const Ty q = qubit(), rest = q.pow(w - 1);
  Diagram d = Diagram::id(g.dom());
  if (distance > 0)
    d = d >> (Bra({1}) * rest) >> (Ket({1}) * rest) >> (rest * r);
  else
    d = d >> (rest * Bra({1})) >> (rest * Ket({1})) >> (r * rest);
  return Sum(d, weight);
}

std::size_t post_selected(const Diagram& c) {
  std::size_t n = 0;
  for (const Layer& l : c.layers())
    if (l.box.name() == "Bra" && l.box.kind() == BoxKind::Generator) n += l.box.data().size();
  return n;
}

Sum grad(const Diagram& circuit, Symbol param) { return category::grad(circuit, param, gate_grad); }

namespace {

// the transpose of one gate (a generator, possibly daggered) as gates
Diagram gate_transpose(const Box& b) {
  const bool dagger = b.is_dagger();
  const Box g = dagger ? b.dagger() : b;
  auto keep_dagger = [dagger](const Box& t) { return Diagram(dagger ? t.dagger() : t); };
  const std::string& n = g.name();
  const auto& d = g.data();
  if (g.kind() != BoxKind::Generator || g.z() != 0)
    throw InvalidInput("circuit transpose", "box " + b.str(), "gates (no rotated boxes, cups or swaps)", "NotAGate");
  if (n == "H" || n == "X" || n == "Z" || n == "S" || n == "T" || n == "Rx" || n == "Rz" || n == "sqrt") return Diagram(b);
  if (n == "Y") return Diagram(Z()) >> Diagram(b) >> Z();
  if (n == "Ry") {
    Phase p = phase_of(g);
    p.offset = -p.offset;
    p.coeff = -p.coeff;
    return keep_dagger(Ry(p));
  }
  if (n == "CX" || n == "CZ") return keep_dagger(n == "CX" ? CX(-int(d[0])) : CZ(-int(d[0])));
  if (n == "CRx" || n == "CRz") return keep_dagger(n == "CRx" ? CRx(phase_of(g), -int(d[2])) : CRz(phase_of(g), -int(d[2])));
  if (n == "Ket" || n == "Bra") {
    std::vector<int> bits;
    for (auto it = d.rbegin(); it != d.rend(); ++it) bits.push_back(int(*it));
    return keep_dagger(n == "Ket" ? Bra(bits) : Ket(bits));
  }
  throw InvalidInput("circuit transpose", "box " + b.str(), "a gate (H, X, Y, Z, S, T, Rx, Ry, Rz, CX, CZ, CRx, CRz, Ket, Bra, sqrt)",
                     "NotAGate");
}

}  // namespace

Diagram transpose(const Diagram& c) {
  const std::vector<Ty> wires = c.wire_types();
  const Ty cod(std::vector<Ob>(c.cod().obs().rbegin(), c.cod().obs().rend()));
  Diagram out = Diagram::id(cod);
  for (std::size_t k = c.size(); k-- > 0;) {
    const Layer& l = c.layers()[k];
    // after the layer there are wires[k + 1]; mirrored, the box starts at
    // width − offset − |box cod|
    const std::size_t width = wires[k + 1].size(), n_out = l.box.cod().size();
    const std::size_t off = width - l.offset - n_out;
    const Diagram t = gate_transpose(l.box);
    out = out >> (Diagram::id(out.cod().slice(0, off)) * t * Diagram::id(out.cod().slice(off + n_out, width)));
  }
  return out;
}

SelfDual self_dual() {
  auto cup = [](const Ob& x) {
    if (!(Ty(x) == qubit()))
      throw InvalidInput("circuit functor", "object " + x.str(), "qubits (the only self-dual objects here)", "NotAQubit");
    return Diagram(CX()) >> (H() * Sqrt(2) * qubit()) >> Bra({0, 0});
  };
  return SelfDual{cup, [cup](const Ob& x) { return cup(x).dagger(); }, transpose};
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
