// Gate arrays (DisCoPy's conventions) and the pure evaluation of circuits.
#include "factorkit/category/circuit_tensor.h"

#include <cmath>
#include <algorithm>
#include <random>

namespace factorkit::category::circuit {

namespace {

const auto kC = at::TensorOptions().dtype(at::kComplexDouble);
const auto kR = at::TensorOptions().dtype(at::kDouble);

at::Tensor constant(std::initializer_list<c10::complex<double>> v, std::vector<std::int64_t> shape) {
  at::Tensor t = at::empty({std::int64_t(v.size())}, kC);
  auto* p = t.data_ptr<c10::complex<double>>();
  for (const auto& x : v) *p++ = x;
  return t.reshape(shape);
}

// offset + coeff · θ, as a real 0-dimensional tensor (differentiable in θ)
at::Tensor phase_value(const Box& g, const Values& values) {
  const auto& d = g.data();
  at::Tensor phase = at::full({}, d[0], kR);
  if (g.param().id() != 0 && d[1] != 0) {
    auto it = values.find(g.param().id());
    if (it == values.end())
      throw InvalidInput("circuit", "parameter " + g.param().str(), "a value for every free parameter", "MissingValue");
    phase = phase + d[1] * it->second.to(at::kDouble).reshape({});
  }
  return phase;
}

at::Tensor rotation(const std::string& axis, const at::Tensor& phase) {
  const at::Tensor half = phase * M_PI;
  const at::Tensor c = at::cos(half), s = at::sin(half), zero = at::zeros_like(half);
  auto cx = [](const at::Tensor& re, const at::Tensor& im) { return at::complex(re, im); };
  if (axis == "Rx") return at::stack({cx(c, zero), cx(zero, -s), cx(zero, -s), cx(c, zero)}).reshape({2, 2});
  if (axis == "Ry") return at::stack({cx(c, zero), cx(s, zero), cx(-s, zero), cx(c, zero)}).reshape({2, 2});
  // Rz: diag(e^{-iπφ}, e^{iπφ})
  return at::stack({cx(c, -s), cx(zero, zero), cx(zero, zero), cx(c, s)}).reshape({2, 2});
}

// Controlled(U, distance) on n = |distance| + 1 qubits: the control on the
// first wire (last when distance < 0), U on the other end, wires between idle.
// As a 2^n × 2^n array (input bits, output bits, first wire most significant):
// the identity where the control is 0, plus Σ_ab U[a, b] M_ab where M_ab marks
// control 1, idle wires equal, target a → b. Sums of constant masks keep
// autograd through U.
at::Tensor controlled(const at::Tensor& u, int distance) {
  const std::int64_t n = std::abs(distance) + 1;
  const std::int64_t c = distance > 0 ? n - 1 : 0, t = distance > 0 ? 0 : n - 1;  // bit positions (LSB = last wire)
  const std::int64_t N = std::int64_t(1) << n;
  const at::Tensor idx = at::arange(N, at::kLong);
  const at::Tensor in = idx.unsqueeze(1), out = idx.unsqueeze(0);
  const at::Tensor cbit = at::bitwise_and(at::bitwise_right_shift(in, c), 1);
  const std::int64_t idle_mask = (N - 1) & ~(std::int64_t(1) << t);
  const at::Tensor same_idle = at::eq(at::bitwise_and(in, idle_mask), at::bitwise_and(out, idle_mask));
  const at::Tensor tin = at::bitwise_and(at::bitwise_right_shift(in, t), 1);
  const at::Tensor tout = at::bitwise_and(at::bitwise_right_shift(out, t), 1);
  at::Tensor result = (at::eq(in, out) & at::eq(cbit, 0)).to(at::kComplexDouble);
  for (std::int64_t a = 0; a < 2; ++a)
    for (std::int64_t b = 0; b < 2; ++b) {
      const at::Tensor mask = (same_idle & at::eq(cbit, 1) & at::eq(tin, a) & at::eq(tout, b)).to(at::kComplexDouble);
      result = result + u.index({a, b}) * mask;
    }
  std::vector<std::int64_t> shape(std::size_t(2 * n), 2);
  return result.reshape(shape);
}

}  // namespace

at::Tensor gate_array(const Box& g, const Values& values) {
  const std::string& n = g.name();
  const auto& d = g.data();
  auto bad = [&](const char* what) {
    return InvalidInput("circuit", "box " + g.str(), what, "NotAGate");
  };
  if (g.kind() != BoxKind::Generator) throw bad("a gate (H, X, Y, Z, S, T, Rx, Ry, Rz, CX, CZ, CRx, CRz, Ket, Bra, sqrt)");
  // fixed gates: the array is the operator transposed (inputs first)
  auto array_of = [](std::string_view name) {
    const auto u = fixed_operator(name);
    using C = c10::complex<double>;
    return constant({C(u[0]), C(u[2]), C(u[1]), C(u[3])}, {2, 2});
  };
  if (n == "H" || n == "X" || n == "Y" || n == "Z" || n == "S" || n == "T") return array_of(n);
  if ((n == "Rx" || n == "Ry" || n == "Rz") && d.size() == 2) return rotation(n, phase_value(g, values));
  if ((n == "CX" || n == "CZ") && d.size() == 1)
    return controlled(array_of(n), int(d[0]));
  if ((n == "CRx" || n == "CRz") && d.size() == 3)
    return controlled(rotation(n.substr(1), phase_value(g, values)), int(d[2]));
  if (n == "Ket" || n == "Bra") {
    std::vector<std::int64_t> shape(d.size(), 2);
    at::Tensor t = at::zeros(shape, kC);
    std::int64_t flat = 0;
    for (double b : d) flat = 2 * flat + std::int64_t(b);
    t.view({-1}).index_put_({flat}, 1.0);
    return t;
  }
  if (n == "sqrt" && d.size() == 1) return at::full({}, std::sqrt(d[0]), kC);
  if (n == "Measure" || n == "Discard")
    throw InvalidInput("circuit", "box " + g.str(), "gates only in the pure semantics (use the mixed one)", "NotPure");
  throw bad("a gate (H, X, Y, Z, S, T, Rx, Ry, Rz, CX, CZ, CRx, CRz, Ket, Bra, sqrt)");
}

TensorFunctor functor(const Values& values, ContractionOptions options) {
  return TensorFunctor(
      [](const Ob& x) -> std::int64_t {
        if (!(x.name == qubit()[0].name))
          throw InvalidInput("circuit", "object " + x.str(), "qubits only", "NotAQubit");
        return 2;
      },
      [values](const Box& b) { return gate_array(b, values); }, options);
}

at::Tensor amplitudes(const Diagram& c, const Values& values, ContractionOptions options) {
  return functor(values, options)(c);
}

namespace {

// G ⊗ Ḡ with the two copies of each axis merged: D[.., 2a + a', ..] = G[.., a, ..] conj(G[.., a', ..])
at::Tensor doubled(const at::Tensor& g) {
  const std::int64_t m = g.dim();
  if (m == 0) return g * g.conj();
  at::Tensor outer = g.reshape({-1, 1}) * g.conj().reshape({1, -1});
  outer = outer.reshape(std::vector<std::int64_t>(std::size_t(2 * m), 2));
  std::vector<std::int64_t> perm;
  for (std::int64_t k = 0; k < m; ++k) {
    perm.push_back(k);
    perm.push_back(m + k);
  }
  return outer.permute(perm).reshape(std::vector<std::int64_t>(std::size_t(m), 4));
}

}  // namespace

TensorFunctor mixed_functor(const Values& values, ContractionOptions options) {
  return TensorFunctor(
      [](const Ob& x) -> std::int64_t {
        if (x.name == qubit()[0].name) return 4;
        if (x.name == bit()[0].name) return 2;
        throw InvalidInput("circuit", "object " + x.str(), "qubits and bits only", "NotAQubit");
      },
      [values](const Box& b) {
        if (b.name() == "Measure" && b.kind() == BoxKind::Generator)  // (2a + a', b) -> [a = a' = b]
          return at::tensor({1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0}, kR).reshape({4, 2}).to(at::kComplexDouble);
        if (b.name() == "Discard" && b.kind() == BoxKind::Generator)
          return at::tensor({1.0, 0.0, 0.0, 1.0}, kR).to(at::kComplexDouble);
        if (b.dom().size() + b.cod().size() > 10)  // G ⊗ Ḡ is dense: 4^wires entries
          throw InvalidInput("mixed evaluation", "box " + b.str(),
                             "boxes on at most 10 wires (their doubled array is dense)", "TooLarge");
        return doubled(gate_array(b, values));
      },
      options);
}

at::Tensor probabilities(const Diagram& c, const Values& values, ContractionOptions options) {
  if (!c.dom().empty())
    throw InvalidInput("circuit", "domain " + c.dom().str(), "a state (a circuit with no inputs)", "NotAState");
  at::Tensor rho = mixed_functor(values, options)(c);
  // each open qubit keeps its diagonal (a = a': flat indices 0 and 3)
  const at::Tensor diagonal = at::tensor({std::int64_t(0), std::int64_t(3)}, at::kLong);
  for (std::size_t k = 0; k < c.cod().size(); ++k)
    if (c.cod()[k].name == qubit()[0].name) rho = rho.index_select(std::int64_t(k), diagonal);
  return at::real(rho).contiguous();
}

std::vector<std::int64_t> sample(const at::Tensor& p, std::size_t shots, std::uint64_t seed) {
  const at::Tensor flat = p.detach().to(at::kDouble).contiguous().view({-1}).clamp_min(0);
  const at::Tensor cumulative = at::cumsum(flat, 0);
  const double total = flat.numel() ? cumulative[-1].item<double>() : 0;
  if (!(total > 0) || !std::isfinite(total))
    throw InvalidInput("sample", "probabilities", "a positive total (post-selection that can succeed)", "NoOutcome");
  const double* c = cumulative.data_ptr<double>();
  const std::size_t n = std::size_t(flat.numel());
  std::vector<std::int64_t> counts(n, 0);
  std::mt19937_64 rng(seed);
  for (std::size_t s = 0; s < shots; ++s) {
    const double u = double(rng() >> 11) * 0x1.0p-53 * total;  // uniform on [0, total)
    std::size_t k = std::size_t(std::upper_bound(c, c + n, u) - c);
    if (k >= n) k = n - 1;
    while (k > 0 && flat.data_ptr<double>()[k] == 0) --k;  // never an impossible outcome
    ++counts[k];
  }
  return counts;
}

}  // namespace factorkit::category::circuit
