// State-vector simulation of compiled circuits (circuit_sim.h).
#include "factorkit/category/circuit_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace factorkit::category::circuit {

namespace {

using Complex = Program::Complex;
using Op = Program::Op;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct M2 {
  Complex a, b, c, d;  // [[a, b], [c, d]], out × in
};

M2 fixed(const std::string& n) {
  const auto u = fixed_operator(n);
  return {u[0], u[1], u[2], u[3]};
}

M2 rotation_operator(char axis, double phase) {
  const double c = std::cos(M_PI * phase), s = std::sin(M_PI * phase);
  if (axis == 'x') return {c, Complex(0, -s), Complex(0, -s), c};
  if (axis == 'y') return {c, -s, s, c};
  return {Complex(c, -s), 0, 0, Complex(c, s)};
}

M2 operator_of(const Op& op, const double* values, bool derivative) {
  M2 u;
  if (op.axis == 0) {
    u = {op.u[0], op.u[1], op.u[2], op.u[3]};
  } else {
    double phase = op.offset + (op.param >= 0 ? op.coeff * values[op.param] : 0);
    if (derivative) phase += 0.5;
    u = rotation_operator(op.axis, phase);
    if (derivative) {
      const double w = M_PI * op.coeff;
      u = {w * u.a, w * u.b, w * u.c, w * u.d};
    }
  }
  if (op.adjoint) u = {std::conj(u.a), std::conj(u.c), std::conj(u.b), std::conj(u.d)};
  if (op.transpose) std::swap(u.b, u.c);
  return u;
}

bool is_qubits(const Ty& t) {
  for (const Ob& x : t)
    if (!(x.name == qubit()[0].name)) return false;
  return true;
}

}  // namespace

Program::Program(const Diagram& circuit, std::size_t max_qubits) {
  auto bad = [](const std::string& field, const std::string& expected, const char* code) {
    return InvalidInput("circuit simulator", field, expected, code);
  };
  if (!circuit.dom().empty())
    throw bad("domain " + circuit.dom().str(), "a state (a circuit with no inputs)", "NotAState");
  max_qubits = std::min<std::size_t>(max_qubits, 30);
  std::size_t width = 0;
  for (const Layer& layer : circuit.layers()) {
    const Box& b = layer.box;
    if (!is_qubits(b.dom()) || !is_qubits(b.cod()))
      throw bad("box " + b.str(), "boxes on qubits only (Measure, Discard and bits need mixed evaluation)",
                "NotPure");
    Op op;
    op.width = std::uint32_t(width);
    const std::uint32_t off = layer.offset;
    const std::size_t n_in = b.dom().size(), n_out = b.cod().size();
    switch (b.kind()) {
      case BoxKind::Cup: op.kind = Op::Kind::Cup; op.wire = off; break;
      case BoxKind::Cap: op.kind = Op::Kind::Cap; op.wire = off; break;
      case BoxKind::Swap: op.kind = Op::Kind::Swap; op.wire = off; break;
      case BoxKind::Spider: throw bad("box " + b.str(), "gates, cups, caps and swaps (no spiders)", "NotAGate");
      default: {
        const Box g = b.generator();
        const std::int32_t z = b.z();
        const bool adjoint = b.is_dagger();
        const bool odd = z % 2 != 0;
        const std::string& n = g.name();
        const auto& d = g.data();
        const std::size_t span = n_in;  // gates keep their width
        auto malformed = [&](const char* expected) { return bad("box " + b.str(), expected, "BadGate"); };
        for (double x : d)
          if (!std::isfinite(x)) throw malformed("finite data");
        const bool state_or_effect = n == "Ket" || n == "Bra";
        if (!state_or_effect && n_in != n_out) throw malformed("a gate with as many outputs as inputs");
        auto local = [&](std::size_t k) { return std::uint32_t(off + (odd ? span - 1 - k : k)); };
        if (n == "Ket" || n == "Bra") {
          const bool effect = ((n == "Bra") != adjoint) != odd;
          op.kind = effect ? Op::Kind::Bra : Op::Kind::Ket;
          op.wire = off;
          op.n_bits = std::uint32_t(d.size());
          if (d.size() != (effect ? n_in : n_out)) throw malformed("one bit per wire");
          if (op.n_bits > 24) throw malformed("at most 24 bits");
          for (std::size_t k = 0; k < d.size(); ++k) {
            const double bitv = d[odd ? d.size() - 1 - k : k];
            if (bitv != 0 && bitv != 1) throw malformed("bits 0 and 1");
            op.bits = (op.bits << 1) | std::uint32_t(bitv != 0);
          }
        } else if (n == "sqrt" && d.size() == 1 && n_in == 0 && n_out == 0 && d[0] >= 0) {
          op.kind = Op::Kind::Scalar;
          op.u[0] = std::sqrt(d[0]);
        } else if ((n == "H" || n == "X" || n == "Y" || n == "Z" || n == "S" || n == "T") && span == 1) {
          const M2 u = fixed(n);
          op.u[0] = u.a, op.u[1] = u.b, op.u[2] = u.c, op.u[3] = u.d;
          op.wire = off;
        } else if ((n == "Rx" || n == "Ry" || n == "Rz") && d.size() == 2 && span == 1) {
          op.axis = n.back();
          op.offset = d[0], op.coeff = d[1];
          op.wire = off;
        } else if ((((n == "CX" || n == "CZ") && d.size() == 1) || ((n == "CRx" || n == "CRz") && d.size() == 3)) &&
                   span >= 2) {
          op.kind = Op::Kind::Controlled;
          const double dist = d.back();
          if (dist != std::trunc(dist) || dist == 0 || std::abs(dist) > kMaxControlDistance ||
              std::size_t(std::abs(dist)) + 1 != span)
            throw malformed("a control distance of 1 to 10 wires matching the gate's width");
          const int distance = int(dist);
          op.control = local(distance > 0 ? 0 : span - 1);
          op.wire = local(distance > 0 ? span - 1 : 0);
          if (n[1] == 'R') {
            op.axis = n.back();
            op.offset = d[0], op.coeff = d[1];
          } else {
            const M2 u = fixed(n);
            op.u[0] = u.a, op.u[1] = u.b, op.u[2] = u.c, op.u[3] = u.d;
          }
        } else {
          throw bad("box " + b.str(),
                    "a gate (H, X, Y, Z, S, T, Rx, Ry, Rz, CX, CZ, CRx, CRz, Ket, Bra, sqrt), a cup, cap or swap",
                    "NotAGate");
        }
        op.adjoint = adjoint;
        op.transpose = odd;
        if (op.axis != 0 && g.param().id() != 0 && op.coeff != 0) {
          auto it = std::find(params_.begin(), params_.end(), g.param());
          op.param = std::int32_t(it - params_.begin());
          if (it == params_.end()) params_.push_back(g.param());
        }
      }
    }
    width = width - n_in + n_out;
    max_width_ = std::max(max_width_, width);
    if (max_width_ > max_qubits)
      throw bad("width", fmt::format("at most {} live qubits (2^{} amplitudes); this circuit needs {}", max_qubits,
                                     max_qubits, max_width_),
                "TooLarge");
    ops_.push_back(op);
  }
  outputs_ = width;
}

void Program::run(const double* values, std::size_t derivative_of, std::vector<Complex>& s,
                  std::vector<Complex>& t) const {
  s.assign(1, Complex(1));
  for (std::size_t k = 0; k < ops_.size(); ++k) {
    const Op& op = ops_[k];
    const std::size_t w = op.width, n = std::size_t(1) << w;
    switch (op.kind) {
      case Op::Kind::Gate: {
        const M2 u = operator_of(op, values, k == derivative_of);
        const std::size_t st = std::size_t(1) << (w - 1 - op.wire);
        for (std::size_t i = 0; i < n; ++i) {
          if (i & st) continue;
          const Complex a = s[i], b = s[i | st];
          s[i] = u.a * a + u.b * b;
          s[i | st] = u.c * a + u.d * b;
        }
        break;
      }
      case Op::Kind::Controlled: {
        const bool deriv = k == derivative_of;
        const M2 u = operator_of(op, values, deriv);
        const std::size_t st = std::size_t(1) << (w - 1 - op.wire), sc = std::size_t(1) << (w - 1 - op.control);
        for (std::size_t i = 0; i < n; ++i) {
          if (i & st) continue;
          if (!(i & sc)) {
            if (deriv) s[i] = s[i | st] = 0;  // |1><1| on the control
            continue;
          }
          const Complex a = s[i], b = s[i | st];
          s[i] = u.a * a + u.b * b;
          s[i | st] = u.c * a + u.d * b;
        }
        break;
      }
      case Op::Kind::Scalar:
        for (Complex& x : s) x *= op.u[0];
        break;
      case Op::Kind::Ket: {
        const std::size_t m = op.n_bits, low = w - op.wire, lmask = (std::size_t(1) << low) - 1;
        t.assign(n << m, Complex(0));
        for (std::size_t i = 0; i < n; ++i)
          t[((i >> low) << (m + low)) | (std::size_t(op.bits) << low) | (i & lmask)] = s[i];
        s.swap(t);
        break;
      }
      case Op::Kind::Bra: {
        const std::size_t m = op.n_bits, low = w - op.wire - m, lmask = (std::size_t(1) << low) - 1;
        t.assign(n >> m, Complex(0));
        for (std::size_t i = 0; i < (n >> m); ++i)
          t[i] = s[((i >> low) << (m + low)) | (std::size_t(op.bits) << low) | (i & lmask)];
        s.swap(t);
        break;
      }
      case Op::Kind::Cup: {
        const std::size_t low = w - op.wire - 2, lmask = (std::size_t(1) << low) - 1;
        t.assign(n >> 2, Complex(0));
        for (std::size_t i = 0; i < (n >> 2); ++i) {
          const std::size_t base = ((i >> low) << (low + 2)) | (i & lmask);
          t[i] = s[base] + s[base | (std::size_t(3) << low)];
        }
        s.swap(t);
        break;
      }
      case Op::Kind::Cap: {
        const std::size_t low = w - op.wire, lmask = (std::size_t(1) << low) - 1;
        t.assign(n << 2, Complex(0));
        for (std::size_t i = 0; i < n; ++i) {
          const std::size_t base = ((i >> low) << (low + 2)) | (i & lmask);
          t[base] = t[base | (std::size_t(3) << low)] = s[i];
        }
        s.swap(t);
        break;
      }
      case Op::Kind::Swap: {
        const std::size_t low = w - op.wire - 2;
        const std::size_t one = std::size_t(1) << low, two = std::size_t(2) << low;
        for (std::size_t i = 0; i < n; ++i)
          if ((i & two) && !(i & one)) std::swap(s[i], s[(i & ~two) | one]);
        break;
      }
    }
  }
}

std::vector<Complex> Program::amplitudes(const double* values) const {
  std::vector<Complex> s, t;
  run(values, kNone, s, t);
  return s;
}

std::vector<Complex> Program::jacobian(const double* values) const {
  const std::size_t m = std::size_t(1) << outputs_;
  std::vector<Complex> out(params_.size() * m), s, t;
  for (std::size_t k = 0; k < ops_.size(); ++k) {
    if (ops_[k].param < 0) continue;
    run(values, k, s, t);
    Complex* row = out.data() + std::size_t(ops_[k].param) * m;
    for (std::size_t i = 0; i < m; ++i) row[i] += s[i];
  }
  return out;
}

}  // namespace factorkit::category::circuit
