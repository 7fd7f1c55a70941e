// Circuits: the known amplitudes of the reference note (hand-computed state
// vectors, DisCoPy's conventions), the Alice-loves-Bob circuit functor, the
// parameter-shift rule against autograd.
#include "category_test.h"

#include <ATen/ATen.h>

#include <cmath>

#include "factorkit/category/circuit_tensor.h"
#include "factorkit/category/functor.h"

namespace qc = factorkit::category::circuit;

namespace {

at::Tensor c(std::initializer_list<c10::complex<double>> v) {
  at::Tensor t = at::empty({std::int64_t(v.size())}, at::kComplexDouble);
  auto* p = t.data_ptr<c10::complex<double>>();
  for (const auto& x : v) *p++ = x;
  return t;
}

void expect_close(const at::Tensor& a, const at::Tensor& b, double tol = 1e-6) {
  ASSERT_EQ(a.numel(), b.numel());
  EXPECT_LT((a.reshape({-1}) - b.reshape({-1})).abs().max().item<double>(), tol) << a << "\n" << b;
}

const Ty q = qc::qubit();

}  // namespace

TEST(Circuit, BellState) {
  const Diagram bell = Diagram(qc::Ket({0, 0})) >> (qc::H() * q) >> qc::CX();
  const double r = 1 / std::sqrt(2.0);
  expect_close(qc::amplitudes(bell), c({r, 0, 0, r}));
}

TEST(Circuit, IqpState) {
  // Ket(0,0) >> IQPansatz(2, [[0.3]]) = [0.5, 0.5, 0.293893 - 0.404508i, 0.293893 + 0.404508i]
  const Diagram d = Diagram(qc::Ket({0, 0})) >> qc::iqp(2, {{0.3}});
  expect_close(qc::amplitudes(d), c({0.5, 0.5, {0.293893, -0.404508}, {0.293893, 0.404508}}));
  // one qubit: the Euler decomposition Rx >> Rz >> Rx
  EXPECT_EQ(qc::iqp(1, {{0.3, 0.8, 0.4}}), Diagram(qc::Rx(0.3)) >> qc::Rz(0.8) >> qc::Rx(0.4));
  EXPECT_THROW(qc::iqp(3, {{0.1}}), factorkit::InvalidInput);
}

TEST(Circuit, CxThenItsDaggerIsTheIdentity) {
  const at::Tensor id = qc::amplitudes(Diagram(qc::CX()) >> Diagram(qc::CX()).dagger());
  expect_close(id, at::eye(4, at::kComplexDouble).reshape({2, 2, 2, 2}));
  // and at a distance, either way round
  for (int dist : {2, -2}) {
    const at::Tensor id3 = qc::amplitudes(Diagram(qc::CX(dist)) >> qc::CX(dist));
    expect_close(id3, at::eye(8, at::kComplexDouble).reshape({2, 2, 2, 2, 2, 2}));
  }
  // CX at distance 2 flips wire 2 when wire 0 is set: |100> -> |101>
  const at::Tensor s = qc::amplitudes(Diagram(qc::Ket({1, 0, 0})) >> qc::CX(2));
  expect_close(s, c({0, 0, 0, 0, 0, 1, 0, 0}));
  const at::Tensor s2 = qc::amplitudes(Diagram(qc::Ket({0, 0, 1})) >> qc::CX(-2));  // control on the right
  expect_close(s2, c({0, 0, 0, 0, 0, 1, 0, 0}));
  // CRz(φ) at distance 2 on |1 0 1>: the target (wire 2) is 1, so e^{iπφ}
  const at::Tensor s3 = qc::amplitudes(Diagram(qc::Ket({1, 0, 1})) >> qc::CRz(0.25, 2));
  expect_close(s3, c({0, 0, 0, 0, 0, {std::cos(M_PI / 4), std::sin(M_PI / 4)}, 0, 0}));
  EXPECT_THROW(qc::CX(0), factorkit::InvalidInput);
  EXPECT_THROW(qc::CX(11), factorkit::InvalidInput);
}

TEST(Circuit, QubitCupIsTheBellEffect) {
  // CX >> H @ sqrt(2) @ qubit >> Bra(0, 0) = sum_i <ii|
  const Diagram cup = Diagram(qc::CX()) >> (qc::H() * qc::Sqrt(2) * q) >> qc::Bra({0, 0});
  expect_close(qc::amplitudes(cup), c({1, 0, 0, 1}));
  expect_close(qc::amplitudes(Diagram(fc::cup(q[0], q.r()[0]))), c({1, 0, 0, 1}));
}

TEST(Circuit, AliceLovesBobFunctor) {
  // quantum/circuit.py's docstring: Alice -> Ket(0), loves -> Ket(0,0) >>
  // sqrt(2) @ H @ X >> CX, Bob -> Ket(1), s -> Ty(), n -> qubit: amplitude 1
  const Ty s("s"), n("n");
  const Box alice = fc::word("Alice", n), loves = fc::word("loves", n.r() * s * n.l()), bob = fc::word("Bob", n);
  const Diagram loves_c = Diagram(qc::Ket({0, 0})) >> (qc::Sqrt(2) * qc::H() * qc::X()) >> qc::CX();
  const fc::DiagramFunctor F = fc::DiagramFunctor::from(
      {{s[0], Ty()}, {n[0], q}}, {{alice, Diagram(qc::Ket({0}))}, {loves, loves_c}, {bob, Diagram(qc::Ket({1}))}},
      qc::self_dual());
  const Diagram sentence = (alice * loves * bob) >> (fc::cup(n[0], n.r()[0]) * s * fc::cup(n.l()[0], n[0]));
  expect_close(qc::amplitudes(F(sentence)), c({1}));
  // loves = |01> + |10>
  expect_close(qc::amplitudes(loves_c), c({0, 1, 1, 0}));
}

TEST(Circuit, RotationsInTurnsAndTheirDaggers) {
  const double phi = 0.3;
  const at::Tensor rz = qc::gate_array(qc::Rz(phi));
  expect_close(rz, c({{std::cos(M_PI * phi), -std::sin(M_PI * phi)}, 0, 0, {std::cos(M_PI * phi), std::sin(M_PI * phi)}}));
  expect_close(qc::amplitudes(Diagram(qc::Rz(phi)).dagger()), qc::gate_array(qc::Rz(-phi)));
  expect_close(qc::amplitudes(Diagram(qc::Rx(phi)) >> Diagram(qc::Rx(phi)).dagger()), at::eye(2, at::kComplexDouble));
  expect_close(qc::amplitudes(Diagram(qc::CRz(phi)) >> qc::CRz(-phi)), at::eye(4, at::kComplexDouble));
  EXPECT_THROW(qc::gate_array(Box("frobnicate", q, q)), factorkit::InvalidInput);
  EXPECT_THROW(qc::gate_array(qc::Rx(qc::Phase::of("theta"))), factorkit::InvalidInput);  // no value
}

TEST(Circuit, ParameterShiftMatchesAutograd) {
  // p(φ) = |<0|Rx(φ)|0>|²; p'(0.17) = -π sin(0.34π) = -2.75300 = π [p(φ+¼) - p(φ-¼)]
  const Box rx = qc::Rx(qc::Phase::of("phi"));
  const Diagram amp = Diagram(qc::Ket({0})) >> rx >> qc::Bra({0});
  at::Tensor phi = at::full({}, 0.17, at::kDouble).set_requires_grad(true);
  const qc::Values values{{rx.param().id(), phi}};
  const at::Tensor p = qc::amplitudes(amp, values).abs().pow(2);
  p.backward();
  const double autograd = phi.grad().item<double>();
  auto prob = [&](const Box& g) {
    return qc::amplitudes(Diagram(qc::Ket({0})) >> g >> qc::Bra({0}), values).abs().pow(2).item<double>();
  };
  const double shift = M_PI * (prob(qc::shifted(rx, 0.25)) - prob(qc::shifted(rx, -0.25)));
  EXPECT_NEAR(autograd, -2.75300, 1e-5);
  EXPECT_NEAR(shift, -2.75300, 1e-5);
  EXPECT_NEAR(autograd, -M_PI * std::sin(0.34 * M_PI), 1e-12);
}

#include "factorkit/category/ansatz.h"
#include "factorkit/category/pregroup.h"

TEST(Ansatz, IqpBoxesAsLambeqBuildsThem) {
  const Ty n("n"), s("s");
  const qc::AnsatzOptions o;  // n: 1, s: 1, one layer, three single-qubit parameters
  const Box alice = fc::word("Alice", n), loves = fc::word("loves", n.r() * s * n.l());
  EXPECT_EQ(qc::ansatz_label(alice), "Alice__n");
  EXPECT_EQ(qc::ansatz_label(loves), "loves__n.r@s@n.l");
  const Diagram a = qc::ansatz_box(alice, o);
  EXPECT_EQ(a, Diagram(qc::Ket({0})) >> qc::Rx(qc::Phase::of("Alice__n_0")) >> qc::Rz(qc::Phase::of("Alice__n_1")) >>
                   qc::Rx(qc::Phase::of("Alice__n_2")));
  const Diagram l = qc::ansatz_box(loves, o);
  Diagram expect = qc::Ket({0, 0, 0});
  for (int i = 0; i < 3; ++i) expect = expect >> (q.pow(std::size_t(i)) * qc::H() * q.pow(std::size_t(2 - i)));
  expect = expect >> (qc::CRz(qc::Phase::of("loves__n.r@s@n.l_0")) * q) >> (q * qc::CRz(qc::Phase::of("loves__n.r@s@n.l_1")));
  for (int i = 0; i < 3; ++i) expect = expect >> (q.pow(std::size_t(i)) * qc::H() * q.pow(std::size_t(2 - i)));
  EXPECT_EQ(l, expect);
  // an effect (more inputs than outputs) post-selects its last qubits
  const Diagram e = qc::ansatz_box(Box("f", n * n, n), o);
  EXPECT_EQ(e.layers().back().box, qc::Bra({0}));
  EXPECT_EQ(e.cod(), q);
}

TEST(Ansatz, SentenceCircuitEvaluates) {
  const fc::Lexicon lex = fc::parse_lexicon("Alice: n\nloves: n.r s n.l\nBob: n\n", "lex");
  const Diagram sentence = fc::parse_sentence({"Alice", "loves", "Bob"}, lex);
  const Diagram c = qc::ansatz(sentence, {});
  EXPECT_TRUE(c.dom().empty());
  EXPECT_EQ(c.cod(), q);
  // every parameter zero: Alice, Bob = |0>, loves = H³ H³ |000> = |000>, the Bell
  // effects give 1 each: the sentence qubit is |0>
  qc::Values zeros;
  for (const auto& layer : c.layers())
    if (layer.box.param().id() != 0) zeros[layer.box.param().id()] = at::zeros({}, at::kDouble);
  EXPECT_EQ(zeros.size(), 8u);  // 3 + 2 + 3
  expect_close(qc::amplitudes(c, zeros), c10::complex<double>(1, 0) * at::tensor({1.0, 0.0}, at::kComplexDouble));
  // and with Alice's first angle at 1/2 (Rx(1/2)|0> = -i|1>), the first cup gives 0
  const Box rx = qc::Rx(qc::Phase::of("Alice__n_0"));
  qc::Values v = zeros;
  v[rx.param().id()] = at::full({}, 0.5, at::kDouble);
  EXPECT_LT(qc::amplitudes(c, v).abs().max().item<double>(), 1e-12);
}
