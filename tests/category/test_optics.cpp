// Lenses and optics: the accessor laws, composition laws checked on random
// inputs, recomputation counts and held bytes of each composition, the
// chain's gradient, and the oplax embedding of lenses into optics.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <type_traits>

#include "factorkit/category/chain.h"
#include "factorkit/category/lens.h"

namespace op = factorkit::category::optics;

namespace {

struct Point {
  double x = 0, y = 0;
  friend bool operator==(const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }
};

using DLens = op::Lens<double, double, double, double>;

DLens smooth(int which) {
  switch (which) {
    case 0: return {[](const double& a) { return std::sin(a); }, [](const double& a, double d) { return std::cos(a) * d; }};
    case 1: return {[](const double& a) { return a * a + 1; }, [](const double& a, double d) { return 2 * a * d; }};
    default: return {[](const double& a) { return std::exp(a / 4); }, [](const double& a, double d) { return std::exp(a / 4) / 4 * d; }};
  }
}

op::Stage<double> square() {
  return {"square", [](const double& x) { return x * x; }, [](const double& x, const double& d) { return 2 * x * d; }};
}

}  // namespace

TEST(Optics, AccessorLensLaws) {
  const auto x = op::member(&Point::x);
  const auto second = op::at<Point>(1).then(op::member(&Point::y));
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(-5, 5);
  for (int trial = 0; trial < 50; ++trial) {
    const Point p{u(rng), u(rng)};
    const double v = u(rng), w = u(rng);
    EXPECT_EQ(x.set(p, x.get(p)), p);               // GetPut
    EXPECT_EQ(x.get(x.set(p, v)), v);               // PutGet
    EXPECT_EQ(x.set(x.set(p, v), w), x.set(p, w));  // PutPut
    const std::vector<Point> ps{p, {v, w}, {w, v}};
    EXPECT_EQ(second.set(ps, second.get(ps)), ps);
    EXPECT_EQ(second.get(second.set(ps, v)), v);
    EXPECT_EQ(second.set(second.set(ps, v), w), second.set(ps, w));
    EXPECT_EQ(second.over(ps, [](double y) { return 2 * y; })[1].y, 2 * w);
    EXPECT_EQ(second.over(ps, [](double y) { return 2 * y; })[0], p);  // nothing else moves
  }
  EXPECT_THROW(op::at<Point>(5).get(std::vector<Point>(2)), std::out_of_range);
  const auto id = op::identity_accessor<Point>();
  EXPECT_EQ(id.then(x).get(Point{3, 4}), 3.0);
}

TEST(Optics, CompositionIsAssociativeAndUnitalOnRandomInputs) {
  const DLens f = smooth(0), g = smooth(1), h = smooth(2), id = op::identity_lens<double, double>();
  const DLens left = op::then(op::then(f, g), h), right = op::then(f, op::then(g, h));
  const DLens fi = op::then(id, op::then(f, id));
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-2, 2);
  for (int trial = 0; trial < 100; ++trial) {
    const double a = u(rng), c = u(rng);
    EXPECT_EQ(left.get(a), right.get(a));
    EXPECT_EQ(left.put(a, c), right.put(a, c));
    EXPECT_EQ(fi.get(a), f.get(a));
    EXPECT_EQ(fi.put(a, c), f.put(a, c));
    // optics: the residuals nest differently, the maps agree
    const auto fo = op::to_optic(f), go = op::to_optic(g), ho = op::to_optic(h);
    const auto lo = op::then(op::then(fo, go), ho);
    const auto ro = op::then(fo, op::then(go, ho));
    const auto fb = [c](const double&) { return c; };
    EXPECT_EQ(op::run(lo, a, fb), op::run(ro, a, fb));
    EXPECT_EQ(op::run(op::then(op::identity_optic<double, double>(), fo), a, fb), op::run(fo, a, fb));
    // the interchange law of the parallel composite
    const auto lhs = op::then(op::tensor(f, g), op::tensor(h, f));
    const auto rhs = op::tensor(op::then(f, h), op::then(g, f));
    const std::pair<double, double> p{a, c};
    EXPECT_EQ(lhs.get(p), rhs.get(p));
    EXPECT_EQ(lhs.put(p, {c, a}), rhs.put(p, {c, a}));
  }
}

TEST(Optics, RecomputationCountsOfSixteenSquaringLenses) {
  const std::vector<op::Stage<double>> chain(16, square());
  const auto one = [](const double&) { return 1.0; };
  struct Want {
    const char* mode;
    std::size_t backward_gets, stored;
  };
  for (const Want& w : {Want{"lens", 120, 1}, Want{"lens-right", 15, 1}, Want{"optic", 0, 16}, Want{"closed", 0, 16},
                        Want{"checkpoint:4", 12, 4}, Want{"checkpoint:1", 0, 16}, Want{"checkpoint:16", 15, 1}}) {
    const auto r = op::forward_backward(chain, 1.00001, one, op::Mode::parse(w.mode));
    EXPECT_EQ(r.stats.forward_gets, 16u) << w.mode;
    EXPECT_EQ(r.stats.backward_gets, w.backward_gets) << w.mode;
    EXPECT_EQ(r.stats.stored, w.stored) << w.mode;
  }
  // the recomputation counts follow n(n − 1)/2 and n − 1
  for (std::size_t n : {4, 8}) {
    const std::vector<op::Stage<double>> c(n, square());
    EXPECT_EQ(op::forward_backward(c, 1.0, one, op::Mode::parse("lens")).stats.backward_gets, n * (n - 1) / 2);
    EXPECT_EQ(op::forward_backward(c, 1.0, one, op::Mode::parse("lens-right")).stats.backward_gets, n - 1);
  }
  EXPECT_THROW(op::Mode::parse("checkpoint:0"), std::invalid_argument);
  EXPECT_THROW(op::Mode::parse("tape"), std::invalid_argument);
}

TEST(Optics, ChainGradientIsTwoToTheNTimesXToTheTwoToTheNMinusOne) {
  // d/dx x^(2^8) = 2^8 x^(2^8 - 1) = 3237.35 at x = 1.01, in every mode
  const std::vector<op::Stage<double>> chain(8, square());
  const double expect = 256 * std::pow(1.01, 255);
  EXPECT_NEAR(expect, 3237.35, 0.01);
  for (const char* m : {"lens", "lens-right", "optic", "closed", "checkpoint:3"}) {
    const auto r = op::forward_backward(chain, 1.01, [](const double&) { return 1.0; }, op::Mode::parse(m));
    EXPECT_NEAR(r.input_feedback, expect, 1e-9 * expect) << m;
    EXPECT_NEAR(r.output, std::pow(1.01, 256), 1e-9) << m;
  }
}

TEST(Optics, LensToOpticIsOplax) {
  const DLens l1 = smooth(0), l2 = smooth(1);
  const auto of_composite = op::to_optic(op::then(l1, l2));
  const auto composite = op::then(op::to_optic(l1), op::to_optic(l2));
  static_assert(std::is_same_v<decltype(of_composite)::Residual, double>);                      // A
  static_assert(std::is_same_v<decltype(composite)::Residual, std::pair<double, double>>);      // A × B
  const auto r = op::oplaxator(l1, l2);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-2, 2);
  for (int trial = 0; trial < 20; ++trial) {
    const double a = u(rng), c = u(rng);
    auto [m, b] = of_composite.fwd(a);
    auto [mm, bb] = composite.fwd(a);
    EXPECT_EQ(b, bb);
    EXPECT_EQ(r(m), mm);  // the 2-cell maps the one residual to the other
    EXPECT_EQ(of_composite.bwd(m, c), composite.bwd(r(m), c));
    // reparametrizing along it gives an optic equal as a map, storing A × B
    const auto re = op::reparametrize<double, double, double, double, double, std::pair<double, double>>(
        of_composite, r, composite.bwd);
    EXPECT_EQ(op::run(re, a, [c](const double&) { return c; }), op::run(of_composite, a, [c](const double&) { return c; }));
  }
  // the closed-form point: the residual is the backward closure
  const auto closed = op::to_closed(l1);
  auto [k, y] = closed.fwd(0.3);
  EXPECT_EQ(y, l1.get(0.3));
  EXPECT_EQ(closed.bwd(k, 2.0), l1.put(0.3, 2.0));
}

TEST(Optics, HeldBytesOfEachComposition) {
  const std::size_t n = 16, k = 512, value = k * sizeof(double);
  const std::vector<op::Stage<std::vector<double>>> chain(n, op::tanh_stage());
  const std::vector<double> x(k, 0.5);
  const auto ones = [](const std::vector<double>& y) { return std::vector<double>(y.size(), 1.0); };
  auto run = [&](const char* m) { return op::forward_backward<std::vector<double>>(chain, x, ones, op::Mode::parse(m)); };
  const auto optic = run("optic"), left = run("lens"), right = run("lens-right"), ck = run("checkpoint:4");
  const auto closed = run("closed");
  // all give the same gradient
  for (const auto* r : {&left, &right, &ck, &closed}) EXPECT_EQ(r->input_feedback, optic.input_feedback);
  // optics and closures hold n residuals; left-nested lenses a few values whatever n
  EXPECT_EQ(optic.stats.stored_bytes, n * value);
  EXPECT_GE(optic.stats.peak_bytes, n * value);
  EXPECT_LE(optic.stats.peak_bytes, (n + 4) * value);
  EXPECT_GE(closed.stats.peak_bytes, n * value);
  EXPECT_LE(closed.stats.peak_bytes, (n + 4) * value);
  EXPECT_EQ(closed.stats.stored_bytes, n * value);
  EXPECT_LE(left.stats.peak_bytes, 5 * value);
  // right-nested lenses hold the inputs on the stack
  EXPECT_GE(right.stats.peak_bytes, n * value);
  // checkpointing every √n: √n checkpoints + √n recomputed inputs at most
  EXPECT_EQ(ck.stats.stored_bytes, 4 * value);
  EXPECT_LE(ck.stats.peak_bytes, (2 * 4 + 4) * value);
  EXPECT_LE(double(ck.stats.stored_bytes), 2.0 / std::sqrt(double(n)) * double(optic.stats.stored_bytes));
  // the most residuals held at once: optics at the turn; checkpoints, during
  // the last segment, 3 checkpoints left + its checkpoint, 2 more residuals
  // and its last stage's input: 7 ≤ 2√n = 8
  EXPECT_EQ(optic.stats.residual_peak_bytes, n * value);
  EXPECT_EQ(closed.stats.residual_peak_bytes, n * value);
  EXPECT_EQ(ck.stats.residual_peak_bytes, 7 * value);
  EXPECT_LE(double(ck.stats.residual_peak_bytes), 2.0 / std::sqrt(double(n)) * double(optic.stats.residual_peak_bytes));
  EXPECT_EQ(left.stats.residual_peak_bytes, value);  // a lens stores its input
  // nothing is left behind
  EXPECT_EQ(op::meter().live, 0u);
}

TEST(Optics, StagesMayChooseTheirResidual) {
  // tanh kept by its output (same size as the input), and a scaling y = 3x
  // whose reverse derivative needs no residual at all
  const std::size_t k = 256, value = k * sizeof(double);
  using Vec = std::vector<double>;
  op::Stage<Vec> tanh_out = op::tanh_stage();
  tanh_out.fwd = [](const Vec& x) {
    Vec y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::tanh(x[i]);
    return std::pair(y, y);
  };
  tanh_out.bwd = [](const Vec& y, const Vec& d) {
    Vec g(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) g[i] = (1 - y[i] * y[i]) * d[i];
    return g;
  };
  const auto times3 = [](const Vec& v) {
    Vec r(v);
    for (double& e : r) e *= 3;
    return r;
  };
  op::Stage<Vec> scale{"scale", times3, [times3](const Vec&, const Vec& d) { return times3(d); }};
  scale.fwd = [times3](const Vec& x) { return std::pair(Vec(), times3(x)); };
  scale.bwd = [times3](const Vec&, const Vec& d) { return times3(d); };
  std::vector<op::Stage<Vec>> chain, plain;
  for (int i = 0; i < 8; ++i) chain.push_back(tanh_out), chain.push_back(scale), plain.push_back(op::tanh_stage());
  for (int i = 0; i < 8; ++i) plain.insert(plain.begin() + 2 * i + 1, op::Stage<Vec>{"scale", scale.get, scale.put});
  Vec x(k);
  for (std::size_t i = 0; i < k; ++i) x[i] = 0.01 * double(i % 17) - 0.08;
  const auto ones = [](const Vec& y) { return Vec(y.size(), 1.0); };
  const auto reference = op::forward_backward<Vec>(plain, x, ones, op::Mode::parse("optic"));
  for (const char* m : {"optic", "closed", "checkpoint:4", "lens", "lens-right"}) {
    const auto own = op::forward_backward<Vec>(chain, x, ones, op::Mode::parse(m));
    const auto lens_form = op::forward_backward<Vec>(plain, x, ones, op::Mode::parse(m));
    ASSERT_EQ(own.input_feedback.size(), k) << m;
    for (std::size_t i = 0; i < k; ++i)
      EXPECT_NEAR(own.input_feedback[i], reference.input_feedback[i], 1e-12 * std::abs(reference.input_feedback[i])) << m;
    // the same recomputations: a stage's fwd is one get
    EXPECT_EQ(own.stats.backward_gets, lens_form.stats.backward_gets) << m;
  }
  // stored: the 8 tanh outputs; the scalings keep nothing (plain: all 16 inputs)
  const auto own = op::forward_backward<Vec>(chain, x, ones, op::Mode::parse("optic"));
  EXPECT_EQ(own.stats.stored, 16u);
  EXPECT_EQ(own.stats.stored_bytes, 8 * value);
  EXPECT_EQ(reference.stats.stored_bytes, 16 * value);
  EXPECT_EQ(op::forward_backward<Vec>(chain, x, ones, op::Mode::parse("closed")).stats.stored_bytes, 8 * value);
  // fwd without bwd is refused, naming the stage
  op::Stage<Vec> half = op::tanh_stage();
  half.fwd = tanh_out.fwd;
  try {
    op::forward_backward<Vec>({half}, x, ones, op::Mode::parse("optic"));
    ADD_FAILURE() << "accepted a stage with fwd and no bwd";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("tanh"), std::string::npos) << e.what();
  }
  EXPECT_EQ(op::meter().live, 0u);
}

namespace {
struct CountedGet {
  static inline long copies = 0;
  CountedGet() = default;
  CountedGet(const CountedGet&) { ++copies; }
  CountedGet& operator=(const CountedGet&) = default;
  double operator()(const double& a) const { return a + 1; }
};
}  // namespace

template <int N, class O>
auto nest(const O& o) {
  if constexpr (N == 0)
    return o;
  else
    return nest<N - 1>(op::then(o, o));
}

TEST(Optics, CompositesShareTheirPartsInsteadOfCopyingThem) {
  // copying both parts into get and into put would double the closure tree at
  // every level: 2^20 copies for 20 levels
  const DLens step{CountedGet{}, [](const double&, double d) { return d; }};
  CountedGet::copies = 0;
  DLens chain = step;
  for (int k = 0; k < 20; ++k) chain = op::then(chain, step);
  EXPECT_LT(CountedGet::copies, 200);
  EXPECT_EQ(chain.get(0.0), 21.0);
  // optics nested twelve levels deep (each level composes the previous with itself)
  CountedGet::copies = 0;
  const auto deep = nest<12>(op::to_optic(step));
  EXPECT_LT(CountedGet::copies, 200);
  EXPECT_EQ(op::run(deep, 0.0, [](const double&) { return 1.0; }).first, 4096.0);  // 2^12 steps of +1
}
