// lambeq-style ansätze: pregroup diagram -> parametrised circuit.
#include "factorkit/category/ansatz.h"

#include <fmt/format.h>

#include <algorithm>

namespace factorkit::category::circuit {

namespace {

std::size_t qubits_of(const Ty& t, const AnsatzOptions& o) {
  std::size_t n = 0;
  for (const Ob& x : t) {
    auto it = o.qubits.find(x.name.str());
    if (it == o.qubits.end())
      throw InvalidInput("ansatz", "object " + x.name.str(), "a number of qubits for every object (e.g. n=1, s=1)",
                         "MissingObject");
    n += it->second;
  }
  return n;
}

std::string type_label(const Ty& t) {
  std::string s;
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (k) s += '@';
    s += t[k].str();
  }
  return s;
}

}  // namespace

std::string ansatz_label(const Box& box) {
  // rotated and daggered boxes share their generator's label (and parameters)
  Box g = box;
  for (std::int32_t k = 0; k < (box.z() < 0 ? -box.z() : box.z()); ++k) g = box.z() < 0 ? g.r() : g.l();
  if (g.is_dagger()) g = g.dagger();
  const std::string label = fmt::format("{}_{}_{}", g.name(), type_label(g.dom()), type_label(g.cod()));
  std::string out;
  for (char c : label) {
    if (c == ':' || c == ',' || c == ' ') out += '\\';
    out += c;
  }
  return out;
}

Diagram iqp_box(const Box& box, const AnsatzOptions& o) {
  const std::size_t d = qubits_of(box.dom(), o), c = qubits_of(box.cod(), o), n = std::max(d, c);
  const Ty q = qubit();
  if (n == 0) return Diagram::id(Ty());
  const std::string label = ansatz_label(box);
  std::size_t next = 0;
  auto param = [&]() { return Phase::of(fmt::format("{}_{}", label, next++)); };
  Diagram body = Diagram::id(q.pow(n));
  if (n == 1) {
    for (std::size_t k = 0; k < o.single_qubit_params; ++k) body = body >> (k % 2 == 0 ? Rx(param()) : Rz(param()));
  } else {
    for (std::size_t l = 0; l < o.layers; ++l) {
      for (std::size_t i = 0; i < n; ++i) body = body >> (q.pow(i) * H() * q.pow(n - i - 1));
      for (std::size_t i = 0; i + 1 < n; ++i) body = body >> (q.pow(i) * CRz(param()) * q.pow(n - i - 2));
    }
    if (o.layers > 0)
      for (std::size_t i = 0; i < n; ++i) body = body >> (q.pow(i) * H() * q.pow(n - i - 1));
  }
  Diagram out = Diagram::id(q.pow(d));
  if (c > d) out = q.pow(d) * Ket(std::vector<int>(c - d, 0));
  out = out >> body;
  if (d > c) out = out >> (q.pow(c) * Bra(std::vector<int>(d - c, 0)));
  return out;
}

Diagram iqp_ansatz(const Diagram& sentence, const AnsatzOptions& o) {
  std::vector<std::pair<Ob, Ty>> obs;
  for (const auto& [name, k] : o.qubits) obs.emplace_back(Ob(name), qubit().pow(k));
  std::vector<std::pair<Box, Diagram>> boxes;
  std::vector<std::uint32_t> seen;
  for (const Layer& l : sentence.layers()) {
    const BoxKind k = l.box.kind();
    if (k == BoxKind::Cup || k == BoxKind::Cap || k == BoxKind::Swap || k == BoxKind::Spider) continue;
    Box g = l.box;
    for (std::int32_t r = 0; r < (g.z() < 0 ? -g.z() : g.z()); ++r) g = l.box.z() < 0 ? g.r() : g.l();
    if (g.is_dagger()) g = g.dagger();
    if (std::find(seen.begin(), seen.end(), g.id()) != seen.end()) continue;
    seen.push_back(g.id());
    boxes.emplace_back(g, iqp_box(g, o));
  }
  return DiagramFunctor::from(obs, boxes, self_dual())(sentence);
}

}  // namespace factorkit::category::circuit
