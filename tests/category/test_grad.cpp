// Diagrammatic differentiation (formal sums, the product rule, the parameter
// shift), the mixed semantics with sampling, and the state-vector simulator,
// each checked against the tensor functor and autograd.
#include "category_test.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <numeric>
#include <random>

#include "factorkit/category/ansatz.h"
#include "factorkit/category/circuit_sim.h"
#include "factorkit/category/circuit_tensor.h"
#include "factorkit/category/pregroup.h"

namespace qc = factorkit::category::circuit;
using factorkit::category::Sum;
using fc::Layer;
using fc::Symbol;
using fc::TensorFunctor;
using qc::Phase;

namespace {

const Ty q = qc::qubit();

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.reshape({-1}) - b.reshape({-1})).abs().max().item<double>();
}

// every parameter of a circuit, valued from a seeded generator (requires_grad)
qc::Values random_values(const Diagram& d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  qc::Values v;
  for (const Layer& l : d.layers())
    if (l.box.param().id() != 0 && !v.count(l.box.param().id()))
      v[l.box.param().id()] = at::full({}, u(rng), at::kDouble).set_requires_grad(true);
  return v;
}

// d F(d)/dθ by autograd, as a complex tensor (real and imaginary parts separately)
at::Tensor autograd_derivative(const Diagram& d, const qc::Values& values, Symbol theta) {
  const at::Tensor a = qc::amplitudes(d, values).reshape({-1});
  const at::Tensor th = values.at(theta.id());
  std::vector<c10::complex<double>> out;
  for (std::int64_t k = 0; k < a.numel(); ++k) {
    const auto re = torch::autograd::grad({at::real(a[k])}, {th}, {}, true, false, true)[0];
    const auto im = torch::autograd::grad({at::imag(a[k])}, {th}, {}, true, false, true)[0];
    out.emplace_back(re.defined() ? re.template item<double>() : 0.0, im.defined() ? im.template item<double>() : 0.0);
  }
  at::Tensor t = at::empty({std::int64_t(out.size())}, at::kComplexDouble);
  std::copy(out.begin(), out.end(), t.data_ptr<c10::complex<double>>());
  return t;
}

// A circuit with every kind of parameterised gate, at distances ±1 and ±2,
// rotated and daggered pieces, and θ used several times.
Diagram mixed_gates_circuit() {
  const auto th = qc::Phase::of("theta"), th2 = qc::Phase::of("theta", -0.5, 0.25), ph = qc::Phase::of("phi", 2);
  Diagram piece = Diagram(qc::Ry(th2) * q * q) >> qc::CRx(th, 2) >> (q * qc::CRz(ph, -1)) >> (qc::Rz(ph) * q * q);
  return Diagram(qc::Ket({0, 1, 0})) >> (qc::H() * qc::Rx(th) * qc::H()) >> (qc::CRz(th, -2)) >> piece >>
         (q * qc::CX()) >> qc::transpose(piece) >> piece.dagger() >> (qc::CRz(th2) * q) >> (q * qc::T() * q);
}

}  // namespace

TEST(Grad, RotationShiftAndProjectedControl) {
  const Box rx = qc::Rx(qc::Phase::of("a", 2, 0.1));
  const Sum g = qc::gate_grad(rx, rx.param());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_DOUBLE_EQ(g.terms()[0].weight, 2 * M_PI);
  EXPECT_EQ(g.terms()[0].diagram, Diagram(qc::shifted(rx, 0.5)));
  EXPECT_TRUE(qc::gate_grad(rx, Symbol("b")).empty());
  EXPECT_TRUE(qc::gate_grad(qc::H(), rx.param()).empty());
  const Box crz = qc::CRz(qc::Phase::of("a"), -2);
  const Sum gc = qc::gate_grad(crz, crz.param());
  ASSERT_EQ(gc.size(), 1u);
  const Phase target = [] { auto p = qc::Phase::of("a"); p.offset = 0.5; return p; }();
  EXPECT_EQ(gc.terms()[0].diagram, Diagram::id(q.pow(3)) >> (q * q * qc::Bra({1})) >> (q * q * qc::Ket({1})) >>
                                       (qc::Rz(target) * q * q));
}

TEST(Grad, ParameterShiftOfRxProbabilityIsMinus2_75300) {
  // p(φ) = |<0|Rx(φ)|0>|²: p' = 2 Re(conj(a) a'), a' from the formal derivative
  const Box rx = qc::Rx(qc::Phase::of("phi"));
  const Diagram amp = Diagram(qc::Ket({0})) >> rx >> qc::Bra({0});
  const qc::Values v{{rx.param().id(), at::full({}, 0.17, at::kDouble)}};
  const auto F = qc::functor(v);
  const auto a = F(amp), da = evaluate(F, qc::grad(amp, rx.param()));
  const double dp = 2 * at::real(at::conj(a) * da).item<double>();
  EXPECT_NEAR(dp, -2.75300, 1e-5);
  EXPECT_NEAR(dp, -M_PI * std::sin(0.34 * M_PI), 1e-12);
}

TEST(Grad, DisCoPyDocstringSum) {
  // (Rz(φ/2) @ Rz(φ + 1) >> CX).grad(φ) = π/2 · Rz(φ/2 + 1/2) @ Rz(φ + 1) >> CX + π · Rz(φ/2) @ Rz(φ + 3/2) >> CX
  const auto half = qc::Phase::of("phi", 0.5), plus = qc::Phase::of("phi", 1, 1);
  const Diagram d = Diagram(qc::Rz(half) * qc::Rz(plus)) >> qc::CX();
  const Sum g = qc::grad(d, Symbol("phi"));
  const Sum expect = Sum(Diagram(qc::shifted(qc::Rz(half), 0.5) * qc::Rz(plus)) >> qc::CX(), M_PI / 2) +
                     Sum(Diagram(qc::Rz(half) * qc::shifted(qc::Rz(plus), 0.5)) >> qc::CX(), M_PI);
  EXPECT_EQ(g, expect) << g.str();
}

TEST(Grad, AgreesWithAutogradOnEveryGateKind) {
  const Diagram d = mixed_gates_circuit();
  for (std::uint64_t seed : {1, 2, 3}) {
    const qc::Values v = random_values(d, seed);
    for (const char* name : {"theta", "phi"}) {
      const Symbol s(name);
      const at::Tensor formal = evaluate(qc::functor(v), qc::grad(d, s)).reshape({-1});
      EXPECT_LT(max_diff(formal, autograd_derivative(d, v, s)), 1e-10) << name << " seed " << seed;
    }
  }
}

// Generic boxes x → x on a 3-dimensional x with arrays A + θ B: the derivative
// box "d<name>" has array B. The product rule holds on random sums of them.
TEST(Grad, ProductRuleOnRandomSums) {
  const Ty x("x");
  const Symbol theta("t");
  std::mt19937_64 rng(7);
  std::map<std::string, std::pair<at::Tensor, at::Tensor>> arrays;  // name -> (A, B)
  std::vector<Box> boxes;
  at::manual_seed(7);
  for (int k = 0; k < 4; ++k) {
    const std::string name = "f" + std::to_string(k);
    boxes.emplace_back(name, x, x, std::vector<double>{}, k % 3 == 2 ? Symbol() : theta);
    arrays[name] = {at::randn({3, 3}, at::kDouble), at::randn({3, 3}, at::kDouble)};
  }
  at::Tensor t = at::full({}, 0.37, at::kDouble).set_requires_grad(true);
  const TensorFunctor F([](const Ob&) { return std::int64_t(3); },
                        [&](const Box& b) {
                          const std::string& n = b.name();
                          if (n[0] == 'd') return arrays.at(n.substr(1)).second;
                          const auto& [A, B] = arrays.at(n);
                          return b.param().id() != 0 ? A + t * B : A;
                        });
  const auto box_grad = [](const Box& b, Symbol) { return Sum(Diagram(Box("d" + b.name(), b.dom(), b.cod()))); };
  auto random_sum = [&](const Ty& dom_cod, int terms) {
    Sum s(dom_cod, dom_cod);
    for (int k = 0; k < terms; ++k) {
      Diagram d = Diagram::id(dom_cod);
      for (int j = 0; j < 3; ++j) {
        const std::size_t at = rng() % dom_cod.size();
        d = d >> (Diagram::id(dom_cod.slice(0, at)) * boxes[rng() % boxes.size()] *
                  Diagram::id(dom_cod.slice(at + 1, dom_cod.size())));
      }
      s += Sum(d, double(rng() % 5) - 2);
    }
    return s;
  };
  for (int trial = 0; trial < 5; ++trial) {
    const Sum a = random_sum(x * x, 3), b = random_sum(x * x, 2), c = random_sum(x, 2);
    const auto d = [&](const Sum& s) { return evaluate(F, grad(s, theta, box_grad)); };
    // Leibniz for composition and tensor, linearity for sums
    EXPECT_LT(max_diff(d(a >> b), evaluate(F, (grad(a, theta, box_grad) >> b) + (a >> grad(b, theta, box_grad)))),
              1e-9);
    EXPECT_LT(max_diff(d(a * c), evaluate(F, (grad(a, theta, box_grad) * c) + (a * grad(c, theta, box_grad)))), 1e-9);
    EXPECT_LT(max_diff(d(a + b), d(a) + d(b)), 1e-9);
    // and the formal derivative is the derivative
    const at::Tensor value = evaluate(F, a >> b).sum();
    const at::Tensor auto_d = torch::autograd::grad({value}, {t})[0];
    EXPECT_NEAR(d(a >> b).sum().item<double>(), auto_d.item<double>(), 1e-9);
  }
  EXPECT_THROW(Sum(Diagram::id(x)) + Sum(Diagram::id(x * x)), factorkit::category::AxiomError);
}

TEST(Mixed, MeasuredBellStateAndDiscard) {
  const Diagram bell = Diagram(qc::Ket({0, 0})) >> (qc::H() * q) >> qc::CX();
  const at::Tensor p = qc::probabilities(bell >> (qc::Measure() * qc::Measure()));
  EXPECT_LT(max_diff(p, at::tensor({0.5, 0.0, 0.0, 0.5}, at::kDouble)), 1e-12);
  EXPECT_LT(max_diff(qc::probabilities(bell), p), 1e-12);  // open qubits are read the same way
  // discarding half of a Bell pair leaves the maximally mixed state I/2
  const at::Tensor rho = qc::mixed_functor()(bell >> (q * qc::Discard()));
  EXPECT_LT(max_diff(rho, at::tensor({0.5, 0.0, 0.0, 0.5}, at::kDouble).to(at::kComplexDouble)), 1e-12);
  // pure evaluation refuses measurements
  EXPECT_THROW(qc::amplitudes(bell >> (q * qc::Discard())), factorkit::InvalidInput);
}

TEST(Mixed, ProbabilitiesAreSquaredAmplitudesAndSamplingIsSeeded) {
  const Diagram c = Diagram(qc::Ket({0, 0, 0})) >> qc::iqp(3, {{0.3, -0.2}, {0.1, 0.45}});
  const at::Tensor p = qc::probabilities(c);
  EXPECT_LT(max_diff(p, qc::amplitudes(c).abs().pow(2)), 1e-12);
  const auto counts = qc::sample(p, 20000, 42);
  EXPECT_EQ(counts, qc::sample(p, 20000, 42));
  EXPECT_NE(counts, qc::sample(p, 20000, 43));
  const auto pf = p.reshape({-1});
  std::int64_t total = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    total += counts[k];
    const double expect = pf[std::int64_t(k)].item<double>();
    EXPECT_NEAR(double(counts[k]) / 20000, expect, 5 * std::sqrt(expect * (1 - expect) / 20000) + 1e-12) << k;
  }
  EXPECT_EQ(total, 20000);
  // post-selection that never succeeds
  const Diagram never = Diagram(qc::Ket({0})) >> qc::Bra({1});
  EXPECT_THROW(qc::sample(qc::probabilities(never), 10, 1), factorkit::InvalidInput);
}

TEST(Simulator, AmplitudesAndJacobianMatchTheTensorFunctor) {
  const Diagram d = mixed_gates_circuit();
  const qc::Program prog(d);
  ASSERT_EQ(prog.params().size(), 2u);
  EXPECT_EQ(prog.outputs(), 3u);
  for (std::uint64_t seed : {5, 6}) {
    const qc::Values v = random_values(d, seed);
    std::vector<double> x;
    for (const Symbol& s : prog.params()) x.push_back(v.at(s.id()).item<double>());
    const auto amps = prog.amplitudes(x.data());
    at::Tensor sim = at::empty({std::int64_t(amps.size())}, at::kComplexDouble);
    std::copy(amps.begin(), amps.end(), reinterpret_cast<std::complex<double>*>(sim.data_ptr<c10::complex<double>>()));
    EXPECT_LT(max_diff(sim, qc::amplitudes(d, v)), 1e-12);
    const auto jac = prog.jacobian(x.data());
    for (std::size_t k = 0; k < prog.params().size(); ++k) {
      at::Tensor row = at::empty({8}, at::kComplexDouble);
      std::copy(jac.begin() + std::ptrdiff_t(8 * k), jac.begin() + std::ptrdiff_t(8 * k + 8),
                reinterpret_cast<std::complex<double>*>(row.data_ptr<c10::complex<double>>()));
      EXPECT_LT(max_diff(row, autograd_derivative(d, v, prog.params()[k])), 1e-10);
    }
  }
}

TEST(Circuit, TransposeReversesTheArray) {
  const Diagram d = (mixed_gates_circuit() * qc::Ket({1})) >> (q * q * q * qc::Y()) >> (qc::CZ(2) * q) >>
                    (q * qc::S() * qc::Ry(0.3) * q) >> (mixed_gates_circuit().dagger() * q);
  const qc::Values v = random_values(d, 4);
  const at::Tensor a = qc::amplitudes(d, v), t = qc::amplitudes(qc::transpose(d), v);
  std::vector<std::int64_t> perm(std::size_t(a.dim()));
  std::iota(perm.rbegin(), perm.rend(), 0);
  EXPECT_LT(max_diff(t, a.permute(perm)), 1e-12);
  EXPECT_LT(max_diff(qc::amplitudes(qc::transpose(qc::transpose(d)), v), a), 1e-12);
  EXPECT_THROW(qc::transpose(Diagram(qc::Measure())), factorkit::InvalidInput);
}

TEST(Simulator, SentenceCircuitsWithCupsCapsAndSwaps) {
  const fc::Lexicon lex = fc::parse_lexicon("Alice: n\nloves: n.r s n.l\nBob: n\nwho: n.r n s.l n\n", "lex");
  const Diagram sentence = fc::parse_sentence({"Alice", "loves", "Bob"}, lex);
  const Diagram c = qc::ansatz(sentence, {});
  const qc::Values v = random_values(c, 9);
  const qc::Program prog(c);
  std::vector<double> x;
  for (const Symbol& s : prog.params()) x.push_back(v.at(s.id()).item<double>());
  const auto amps = prog.amplitudes(x.data());
  const at::Tensor ref = qc::amplitudes(c, v);
  ASSERT_EQ(amps.size(), 2u);
  for (int k = 0; k < 2; ++k) EXPECT_LT(std::abs(amps[std::size_t(k)] - std::complex<double>(ref[k].item<c10::complex<double>>())), 1e-12);
  // raw cups, caps and swaps on qubits
  const Diagram raw = Diagram(qc::Ket({0, 1})) >> (qc::Rx(0.3) * qc::Ry(0.1)) >> (q * fc::cap(q[0], q[0].l()) * q) >>
                      (fc::swap(q[0], q[0]) * Ty(q[0].l()) * q) >> (q * q * fc::cup(q[0].l(), q[0]));
  const auto ra = qc::Program(raw).amplitudes(nullptr);
  const at::Tensor rr = qc::amplitudes(raw).reshape({-1});
  for (int k = 0; k < 4; ++k) EXPECT_LT(std::abs(ra[std::size_t(k)] - std::complex<double>(rr[k].item<c10::complex<double>>())), 1e-12);
  // refusals
  EXPECT_THROW(qc::Program(Diagram(qc::H())), factorkit::InvalidInput);                 // not a state
  EXPECT_THROW(qc::Program(Diagram(qc::Ket({0})) >> qc::Measure()), factorkit::InvalidInput);
  EXPECT_THROW(qc::Program(Diagram(qc::Ket(std::vector<int>(8, 0))), 6), factorkit::InvalidInput);  // too wide
}

TEST(Ansatz, RemoveCupsKeepsTheAmplitudesAndSavesQubits) {
  const fc::Lexicon lex = fc::parse_lexicon(
      "skillful: n n.l\nman: n\nprepares: n.r s n.l\ntasty: n n.l\nsauce: n\nwoman: n\ncooks: n.r s n.l\n", "lex");
  for (auto kind : {qc::AnsatzKind::IQP, qc::AnsatzKind::Sim14, qc::AnsatzKind::Sim15})
    for (const auto& words : std::vector<std::vector<std::string>>{{"skillful", "man", "prepares", "tasty", "sauce"},
                                                                   {"woman", "cooks", "sauce"}}) {
      const Diagram sentence = fc::parse_sentence(words, lex);
      qc::AnsatzOptions o;
      o.kind = kind;
      o.layers = 2;
      const Diagram full = qc::ansatz(sentence, o), bent = qc::ansatz(fc::remove_cups(sentence), o);
      const qc::Values v = random_values(full, 11);
      EXPECT_LT(max_diff(qc::amplitudes(full, v), qc::amplitudes(bent, v)), 1e-12) << qc::ansatz_kind_name(kind);
      EXPECT_LT(qc::Program(bent).max_width(), qc::Program(full).max_width());
      // the same parameters on both sides
      EXPECT_EQ(qc::Program(bent).params().size(), qc::Program(full).params().size());
    }
}

TEST(Ansatz, Sim14AndSim15AsLambeqBuildsThem) {
  const Ty n("n");
  qc::AnsatzOptions o;
  o.qubits = {{"n", 1}};
  o.kind = qc::AnsatzKind::Sim14;
  const Box f = fc::word("f", n * n);
  auto p = [](int i) { return qc::Phase::of("f__n@n_" + std::to_string(i)); };
  // n = 2: Ry Ry, CRx(0 → 1), CRx(1 → 0), Ry Ry, CRx θ6 (0 → 1), CRx θ7 (1 → 0)
  const Diagram expect14 = Diagram(qc::Ket({0, 0})) >> (qc::Ry(p(0)) * q) >> (q * qc::Ry(p(1))) >> qc::CRx(p(2), 1) >>
                           qc::CRx(p(3), -1) >> (qc::Ry(p(4)) * q) >> (q * qc::Ry(p(5))) >> qc::CRx(p(6), 1) >>
                           qc::CRx(p(7), -1);
  EXPECT_EQ(qc::ansatz_box(f, o), expect14);
  o.kind = qc::AnsatzKind::Sim15;
  const Diagram expect15 = Diagram(qc::Ket({0, 0})) >> (qc::Ry(p(0)) * q) >> (q * qc::Ry(p(1))) >> qc::CX(1) >>
                           qc::CX(-1) >> (qc::Ry(p(2)) * q) >> (q * qc::Ry(p(3))) >> qc::CX(1) >> qc::CX(-1);
  EXPECT_EQ(qc::ansatz_box(f, o), expect15);
  // n = 3 Sim14: the first ring is 0 → 2, 1 → 0, 2 → 1; the second (θ9, θ10, θ11) 0 → 1, 2 → 0, 1 → 2
  o.kind = qc::AnsatzKind::Sim14;
  const Diagram three = qc::ansatz_box(fc::word("g", n * n * n), o);
  EXPECT_EQ(qc::Program(three).params().size(), 12u);
  std::vector<std::pair<int, int>> distance_offset;
  for (const Layer& l : three.layers())
    if (l.box.name() == "CRx") distance_offset.emplace_back(int(l.box.data()[2]), int(l.offset));
  EXPECT_EQ(distance_offset, (std::vector<std::pair<int, int>>{{2, 0}, {-1, 0}, {-1, 1}, {1, 0}, {-2, 0}, {1, 1}}));
  EXPECT_EQ(qc::parse_ansatz_kind("sim15"), qc::AnsatzKind::Sim15);
  EXPECT_THROW(qc::parse_ansatz_kind("sim16"), factorkit::InvalidInput);
}

TEST(Ansatz, SpiderAnsatzSplitsAndEvaluates) {
  const fc::Lexicon lex = fc::parse_lexicon("woman: n\nprepares: n.r s n.l\nsauce: n\n", "lex");
  const Diagram sentence = fc::parse_sentence({"woman", "prepares", "sauce"}, lex);
  const Diagram t = qc::spider_ansatz(sentence);
  std::vector<std::string> names;
  for (const Layer& l : t.layers())
    if (l.box.param().id() != 0) names.push_back(l.box.param().str());
  EXPECT_EQ(names, (std::vector<std::string>{"woman_0__n", "prepares_0__n.r@s", "prepares_1__s@n.l", "sauce_0__n"}));
  // with random tensors: the sentence is woman_i P0[i, s] P1[s, j] sauce_j (the spider equates the s indices)
  at::manual_seed(3);
  std::map<std::string, at::Tensor> value{{"woman_0__n", at::randn({2}, at::kDouble)},
                                          {"prepares_0__n.r@s", at::randn({2, 3}, at::kDouble)},
                                          {"prepares_1__s@n.l", at::randn({3, 2}, at::kDouble)},
                                          {"sauce_0__n", at::randn({2}, at::kDouble)}};
  const TensorFunctor F([](const Ob& x) { return x.name.str() == "s" ? std::int64_t(3) : std::int64_t(2); },
                        [&](const Box& b) { return value.at(b.param().str()); });
  const at::Tensor expect = at::einsum("i,is,sj,j->s", {value["woman_0__n"], value["prepares_0__n.r@s"],
                                                       value["prepares_1__s@n.l"], value["sauce_0__n"]});
  EXPECT_LT(max_diff(F(t), expect), 1e-12);
}

TEST(Simulator, RotatedAndDaggeredGatesAndSentenceJacobians) {
  // c†, rotated: a state whose boxes are daggered and wound once, on qubit.r wires
  const Diagram c = mixed_gates_circuit() >> (q * q * qc::Bra({1})) >> (qc::Ry(qc::Phase::of("phi", 0.5)) * q);
  const Diagram d = c.dagger().r();
  ASSERT_TRUE(d.dom().empty());
  const qc::Values v = random_values(d, 21);
  const qc::Program prog(d);
  std::vector<double> x;
  for (const Symbol& s : prog.params()) x.push_back(v.at(s.id()).item<double>());
  const auto amps = prog.amplitudes(x.data());
  const at::Tensor ref = qc::amplitudes(d, v).reshape({-1});
  ASSERT_EQ(std::int64_t(amps.size()), ref.numel());
  for (std::size_t k = 0; k < amps.size(); ++k)
    EXPECT_LT(std::abs(amps[k] - std::complex<double>(ref[std::int64_t(k)].item<c10::complex<double>>())), 1e-12);
  // Jacobians of sentence circuits (cups removed, Sim14 with two layers)
  const fc::Lexicon lex = fc::parse_lexicon("skillful: n n.l\nman: n\nprepares: n.r s n.l\nsauce: n\n", "lex");
  qc::AnsatzOptions o;
  o.kind = qc::AnsatzKind::Sim14;
  o.layers = 2;
  const Diagram sc = qc::ansatz(fc::remove_cups(fc::parse_sentence({"skillful", "man", "prepares", "sauce"}, lex)), o);
  const qc::Values sv = random_values(sc, 22);
  const qc::Program sp(sc);
  std::vector<double> sx;
  for (const Symbol& s : sp.params()) sx.push_back(sv.at(s.id()).item<double>());
  const auto jac = sp.jacobian(sx.data());
  for (std::size_t k = 0; k < sp.params().size(); k += 5) {
    const at::Tensor row = autograd_derivative(sc, sv, sp.params()[k]);
    for (std::int64_t m = 0; m < 2; ++m)
      EXPECT_LT(std::abs(jac[2 * k + std::size_t(m)] - std::complex<double>(row[m].item<c10::complex<double>>())), 1e-10);
  }
}

TEST(Simulator, RefusesMalformedGates) {
  // boxes named like gates but shaped otherwise (as a diagram file could hold them)
  EXPECT_THROW(qc::Program(Diagram(Box("Ket", Ty(), q.pow(3), {0}))), factorkit::InvalidInput);
  EXPECT_THROW(qc::Program(Diagram(Box("Ket", Ty(), q, {2}))), factorkit::InvalidInput);
  EXPECT_THROW(qc::Program(Diagram(qc::Ket({0, 0})) >> Box("CX", q * q, q * q, {3})), factorkit::InvalidInput);
  EXPECT_THROW(qc::Program(Diagram(qc::Ket({0})) >> Box("Rx", q, q, {NAN, 0})), factorkit::InvalidInput);
  EXPECT_THROW(qc::Program(Diagram(qc::Ket({0})) >> Box("H", q, q * q)), factorkit::InvalidInput);
  EXPECT_THROW(qc::gate_grad(Box("CRz", q * q, q * q, {0, 1}, Symbol("a")), Symbol("a")), factorkit::InvalidInput);
}

TEST(Ansatz, SelfDualFunctorWithoutTransposeBendsTheImage) {
  // a rotated word's image bent with Bell cups and caps equals the transposed circuit
  const Ty n("n");
  const Box w = fc::word("w", n * n);
  const Diagram image = Diagram(qc::Ket({0, 1})) >> (qc::Rx(0.3) * qc::Ry(0.2)) >> qc::CRz(0.7) >> (qc::S() * qc::H());
  fc::SelfDual bend = qc::self_dual();
  bend.transpose = nullptr;
  const auto f1 = fc::DiagramFunctor::from({{Ob("n"), q}}, {{w, image}}, qc::self_dual());
  const auto f2 = fc::DiagramFunctor::from({{Ob("n"), q}}, {{w, image}}, bend);
  auto state = [](const Diagram& x) { return x.dom().empty() ? x : Diagram(qc::Ket({0, 1})) >> x; };
  for (const Box& b : {w.r(), w.l(), w.dagger().r()}) {
    const Diagram a = f1(Diagram(b)), c = f2(Diagram(b));
    EXPECT_LT(max_diff(qc::amplitudes(a), qc::amplitudes(c)), 1e-12) << b.str();
    EXPECT_LT(qc::Program(state(a)).max_width(), qc::Program(state(c)).max_width()) << b.str();
  }
}

TEST(Ansatz, SimRingsRefuseWordsTooWide) {
  qc::AnsatzOptions o;
  o.kind = qc::AnsatzKind::Sim15;
  o.qubits = {{"n", 4}};
  EXPECT_NO_THROW(qc::ansatz_box(fc::word("f", Ty("n") * Ty("n")), o));
  try {
    qc::ansatz_box(fc::word("g", Ty("n") * Ty("n") * Ty("n")), o);
    ADD_FAILURE() << "12 qubits accepted";
  } catch (const factorkit::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("at most 11 qubits"), std::string::npos) << e.what();
  }
}
