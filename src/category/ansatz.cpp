// lambeq-style ansätze: pregroup diagram -> parametrised circuit.
#include "factorkit/category/ansatz.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

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
  const Box g = box.generator();
  const std::string label = fmt::format("{}_{}_{}", g.name(), type_label(g.dom()), type_label(g.cod()));
  std::string out;
  for (char c : label) {
    if (c == ':' || c == ',' || c == ' ') out += '\\';
    out += c;
  }
  return out;
}

AnsatzKind parse_ansatz_kind(std::string_view name) {
  if (name == "iqp") return AnsatzKind::IQP;
  if (name == "sim14") return AnsatzKind::Sim14;
  if (name == "sim15") return AnsatzKind::Sim15;
  throw InvalidInput("ansatz", "name " + std::string(name), "iqp, sim14 or sim15", "BadAnsatz");
}

const char* ansatz_kind_name(AnsatzKind k) {
  switch (k) {
    case AnsatzKind::IQP: return "iqp";
    case AnsatzKind::Sim14: return "sim14";
    case AnsatzKind::Sim15: return "sim15";
  }
  return "?";
}

namespace {

// a gate on qubits [at, at + span) of n
Diagram on(std::size_t n, std::size_t at, const Box& gate) {
  const Ty q = qubit();
  return q.pow(at) * gate * q.pow(n - at - gate.dom().size());
}

// Sim14 / Sim15 rings: a controlled gate with control c and target t
Diagram ring_gate(std::size_t n, std::size_t c, std::size_t t, const std::function<Box(int)>& gate) {
  return on(n, std::min(c, t), gate(int(t) - int(c)));
}

}  // namespace

Diagram ansatz_box(const Box& box, const AnsatzOptions& o) {
  const std::size_t d = qubits_of(box.dom(), o), c = qubits_of(box.cod(), o), n = std::max(d, c);
  const Ty q = qubit();
  if (n == 0) return Diagram::id(Ty());
  const std::string label = ansatz_label(box);
  std::size_t next = 0;
  auto param = [&]() { return Phase::of(fmt::format("{}_{}", label, next++)); };
  Diagram body = Diagram::id(q.pow(n));
  if (n == 1) {
    for (std::size_t k = 0; k < o.single_qubit_params; ++k) body = body >> (k % 2 == 0 ? Rx(param()) : Rz(param()));
  } else if (o.kind == AnsatzKind::IQP) {
    for (std::size_t l = 0; l < o.layers; ++l) {
      for (std::size_t i = 0; i < n; ++i) body = body >> on(n, i, H());
      for (std::size_t i = 0; i + 1 < n; ++i) body = body >> on(n, i, CRz(param()));
    }
    if (o.layers > 0)
      for (std::size_t i = 0; i < n; ++i) body = body >> on(n, i, H());
  } else {
    // Sim14 (CRx, 4n parameters a layer) and Sim15 (CX, 2n), parameters in lambeq's order
    const bool sim14 = o.kind == AnsatzKind::Sim14;
    if (n > std::size_t(kMaxControlDistance) + 1)
      throw InvalidInput("ansatz", fmt::format("box {} on {} qubits", box.str(), n),
                         fmt::format("at most {} qubits per word for {} (its ring joins the first and last qubit)",
                                     kMaxControlDistance + 1, ansatz_kind_name(o.kind)),
                         "BadAnsatz");
    for (std::size_t l = 0; l < o.layers; ++l) {
      std::vector<Phase> theta;
      for (std::size_t k = 0; k < (sim14 ? 4 : 2) * n; ++k) theta.push_back(param());
      auto controlled = [&](std::size_t k) -> std::function<Box(int)> {
        if (!sim14) return [](int dist) { return CX(dist); };
        return [&theta, k](int dist) { return CRx(theta[k], dist); };
      };
      const std::size_t second = sim14 ? 2 * n : n;  // the second Ry layer's first parameter
      for (std::size_t i = 0; i < n; ++i) body = body >> on(n, i, Ry(theta[i]));
      for (std::size_t i = 0; i < n; ++i) body = body >> ring_gate(n, i, (i + n - 1) % n, controlled(n + i));
      for (std::size_t i = 0; i < n; ++i) body = body >> on(n, i, Ry(theta[second + i]));
      for (std::size_t i = n; i >= 1; --i) body = body >> ring_gate(n, i % n, (i + 1) % n, controlled(4 * n - i));
    }
  }
  Diagram out = Diagram::id(q.pow(d));
  if (c > d) out = q.pow(d) * Ket(std::vector<int>(c - d, 0));
  out = out >> body;
  if (d > c) out = out >> (q.pow(c) * Bra(std::vector<int>(d - c, 0)));
  return out;
}

Diagram ansatz(const Diagram& sentence, const AnsatzOptions& o) {
  std::vector<std::pair<Ob, Ty>> obs;
  for (const auto& [name, k] : o.qubits) obs.emplace_back(Ob(name), qubit().pow(k));
  std::vector<std::pair<Box, Diagram>> boxes;
  std::vector<std::uint32_t> seen;
  for (const Layer& l : sentence.layers()) {
    const BoxKind k = l.box.kind();
    if (k == BoxKind::Cup || k == BoxKind::Cap || k == BoxKind::Swap || k == BoxKind::Spider) continue;
    const Box g = l.box.generator();
    if (std::find(seen.begin(), seen.end(), g.id()) != seen.end()) continue;
    seen.push_back(g.id());
    boxes.emplace_back(g, ansatz_box(g, o));
  }
  return DiagramFunctor::from(obs, boxes, self_dual())(sentence);
}

Diagram spider_ansatz(const Diagram& sentence) {
  Diagram out = Diagram::id(sentence.dom());
  const std::vector<Ty> wires = sentence.wire_types();
  for (std::size_t k = 0; k < sentence.size(); ++k) {
    const Layer& l = sentence.layers()[k];
    const Box& b = l.box;
    const Ty left = wires[k].slice(0, l.offset), right = wires[k].slice(l.offset + b.dom().size(), wires[k].size());
    Diagram image = Diagram(b);
    const BoxKind kind = b.kind();
    if (kind != BoxKind::Cup && kind != BoxKind::Cap && kind != BoxKind::Swap && kind != BoxKind::Spider) {
      if (!b.dom().empty() || b.z() != 0 || b.is_dagger())
        throw InvalidInput("spider ansatz", "box " + b.str(), "words (states, not rotated or daggered)", "BadAnsatz");
      const Ty& t = b.cod();
      auto piece = [&](std::size_t i, const Ty& cod) {
        const std::string name = fmt::format("{}_{}", b.name(), i);
        const Box w(name, Ty(), cod, {}, Symbol(fmt::format("{}__{}", name, type_label(cod))));
        return Diagram(w);
      };
      if (t.size() <= 2) {
        image = piece(0, t);
      } else {
        // pieces on (t0 t1), (t1 t2), …; each shared atom merged by a 2 → 1 spider
        image = piece(0, t.slice(0, 2));
        for (std::size_t i = 1; i + 1 < t.size(); ++i) {
          image = image * piece(i, t.slice(i, i + 2));
          const Ty done = t.slice(0, i);
          image = image >> (done * Diagram(spider(2, 1, t[i])) * t.slice(i + 1, i + 2));
        }
      }
    }
    out = out >> (Diagram::id(left) * image * Diagram::id(right));
  }
  return out;
}

}  // namespace factorkit::category::circuit
