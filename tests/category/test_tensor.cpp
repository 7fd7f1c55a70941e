// The tensor functor: functoriality on random arrays, rigid and Frobenius
// structure, DisCoPy's Alice-loves-Bob example, path methods, gradients.
#include "category_test.h"

#include <ATen/ATen.h>

#include <map>

#include "factorkit/category/tensor.h"


namespace {

// Random arrays per box, remembered so every evaluation sees the same ones.
struct RandomArrays {
  std::map<std::int64_t, std::int64_t> dims;  // by name id
  std::map<std::uint32_t, at::Tensor> arrays;
  at::ScalarType dtype = at::kDouble;
  std::int64_t seed = 1;

  fc::TensorFunctor functor(fc::PathMethod method = fc::PathMethod::Auto) {
    fc::ContractionOptions opts;
    opts.method = method;
    return fc::TensorFunctor(
        [this](const Ob& x) { return dims.at(x.name.id()); },
        [this](const Box& b) {
          auto it = arrays.find(b.id());
          if (it != arrays.end()) return it->second;
          std::vector<std::int64_t> shape;
          for (const Ob& x : b.dom()) shape.push_back(dims.at(x.name.id()));
          for (const Ob& x : b.cod()) shape.push_back(dims.at(x.name.id()));
          at::manual_seed(uint64_t(seed++));
          at::Tensor t = at::randn(shape, at::TensorOptions().dtype(dtype));
          arrays.emplace(b.id(), t);
          return t;
        },
        opts);
  }
};

void expect_close(const at::Tensor& a, const at::Tensor& b, double tol = 1e-10) {
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LT((a - b).abs().max().item<double>(), tol);
}

}  // namespace

TEST(TensorFunctor, CapThenCupIsTheIdentity) {
  for (std::int64_t d : {2, 3}) {
    const Ob x("x");
    fc::TensorFunctor F([d](const Ob&) { return d; }, [](const Box&) { return at::Tensor(); });
    const Diagram snake = (fc::cap(x, x.l()) * Ty(x)) >> (Ty(x) * fc::cup(x.l(), x));
    expect_close(F(snake), at::eye(d, at::kDouble));
    const Diagram other = (Ty(x) * fc::cap(x.r(), x)) >> (fc::cup(x, x.r()) * Ty(x));
    expect_close(F(other), at::eye(d, at::kDouble));
    // a closed loop is the dimension
    const Diagram loop = Diagram(fc::cap(x, x.l())) >> fc::swap(x, x.l()) >> fc::cup(x.l(), x);
    expect_close(F(loop), at::full({}, double(d), at::kDouble));
  }
}

TEST(TensorFunctor, CompositionIsContraction) {
  RandomArrays r;
  const Ty x("x"), y("y"), z("z");
  r.dims = {{x[0].name.id(), 2}, {y[0].name.id(), 3}, {z[0].name.id(), 4}};
  const Box f("f", x, y * z), g("g", y * z, x * y);
  auto F = r.functor();
  const at::Tensor Ff = F(f), Fg = F(g);
  expect_close(F(Diagram(f) >> g), at::tensordot(Ff, Fg, {1, 2}, {0, 1}));
  expect_close(F(Diagram::id(x * y)), at::einsum("ac,bd->abcd", {at::eye(2, at::kDouble), at::eye(3, at::kDouble)}));
}

TEST(TensorFunctor, TensorIsKroneckerInDisCoPyAxisOrder) {
  RandomArrays r;
  const Ty a("a"), b("b"), c("c"), d("d");
  r.dims = {{a[0].name.id(), 2}, {b[0].name.id(), 3}, {c[0].name.id(), 2}, {d[0].name.id(), 5}};
  const Box f("f", a, b), g("g", c, d * a);
  auto F = r.functor();
  // axes: dom(f) dom(g) cod(f) cod(g)
  expect_close(F(f * g), at::einsum("ab,cde->acbde", {F(f), F(g)}));
  expect_close(F(g * f), at::einsum("cde,ab->cadeb", {F(g), F(f)}));
}

TEST(TensorFunctor, DaggerIsConjugateTranspose) {
  RandomArrays r;
  r.dtype = at::kComplexDouble;
  const Ty x("x"), y("y");
  r.dims = {{x[0].name.id(), 2}, {y[0].name.id(), 3}};
  const Box f("f", x, y), g("g", y, x * y);
  auto F = r.functor();
  const Diagram d = Diagram(f) >> g;
  const at::Tensor Fd = F(d);  // (x; x, y)
  expect_close(F(d.dagger()), Fd.permute({1, 2, 0}).conj());
  // F is a dagger functor on a composite: (f >> g)† = g† >> f†
  expect_close(F(Diagram(g).dagger() >> Diagram(f).dagger()), F(d.dagger()));
}

TEST(TensorFunctor, PathMethodsAgree) {
  RandomArrays r;
  const Ty x("x");
  r.dims = {{x[0].name.id(), 2}};
  const Box u("u", x * x, x * x), v("v", x, x);
  Diagram d = Diagram::id(x.pow(5));
  for (int layer = 0; layer < 4; ++layer)
    for (std::size_t q = layer % 2; q + 1 < 5; q += 2) d = d >> (x.pow(q) * u * x.pow(5 - q - 2));
  d = d >> (v * x.pow(4));
  const at::Tensor ref = r.functor(fc::PathMethod::Sequential)(d);
  expect_close(r.functor(fc::PathMethod::Greedy)(d), ref, 1e-9);
  expect_close(r.functor(fc::PathMethod::Optimal)(d), ref, 1e-9);
  auto F = r.functor();
  const fc::TensorNetwork net = F.network(d);
  const auto greedy = fc::find_path(net, {fc::PathMethod::Greedy, 8, 0});
  const auto optimal = fc::find_path(net, {fc::PathMethod::Optimal, 0, 0});
  const auto scan = fc::find_path(net, {fc::PathMethod::Sequential, 0, 0});
  EXPECT_LE(optimal.cost, greedy.cost);
  EXPECT_LE(optimal.cost, scan.cost);
  EXPECT_EQ(greedy.steps.size(), net.tensors.size() - 1);
}

TEST(TensorFunctor, SwapsAndSpiders) {
  RandomArrays r;
  const Ty x("x"), y("y");
  r.dims = {{x[0].name.id(), 2}, {y[0].name.id(), 3}};
  const Box f("f", x, y), g("g", y, x);
  auto F = r.functor();
  // naturality of the symmetry
  expect_close(F((f * g) >> fc::swap(y, x)), F(fc::swap(x, y) >> (g * f)));
  // spiders: special Frobenius (merge after split is the identity), unit is ones
  const Ob o = x[0];
  expect_close(F(Diagram(fc::spider(1, 2, o)) >> fc::spider(2, 1, o)), at::eye(2, at::kDouble));
  expect_close(F(fc::spider(0, 1, o)), at::ones({2}, at::kDouble));
  expect_close(F(fc::spider(0, 0, o)), at::full({}, 2.0, at::kDouble));  // a closed spider: the dimension
  EXPECT_EQ(fc::spider(0, 0, o).dagger(), fc::spider(0, 0, o));
  EXPECT_EQ(fc::spider(0, 0, o).l(), fc::spider(0, 0, o.l()));
  const at::Tensor copy = F(fc::spider(1, 3, o));
  EXPECT_EQ(copy.sum().item<double>(), 2.0);
  EXPECT_EQ(copy.index({1, 1, 1, 1}).item<double>(), 1.0);
  // Frobenius law: (split * id) >> (id * merge) == merge >> split
  const Diagram lhs = (fc::spider(1, 2, o) * x) >> (x * fc::spider(2, 1, o));
  const Diagram rhs = Diagram(fc::spider(2, 1, o)) >> fc::spider(1, 2, o);
  expect_close(F(lhs), F(rhs));
}

TEST(TensorFunctor, AliceLovesBob) {
  // DisCoPy's tensor.Functor docstring: ob {s: 1, n: 2}, Alice = [0, 1],
  // loves = [0, 1, 1, 0], Bob = [1, 0], dtype bool: the sentence is true.
  const Ty s("s"), n("n");
  const Box alice = fc::word("Alice", n), loves = fc::word("loves", n.r() * s * n.l()), bob = fc::word("Bob", n);
  fc::TensorFunctor F([](const Ob& x) -> std::int64_t { return x.name.str() == "s" ? 1 : 2; },
                      [&](const Box& b) {
                        auto o = at::TensorOptions().dtype(at::kBool);
                        if (b == alice) return at::tensor({0, 1}, at::kInt).to(at::kBool);
                        if (b == bob) return at::tensor({1, 0}, at::kInt).to(at::kBool);
                        return at::tensor({0, 1, 1, 0}, at::kInt).to(at::kBool).reshape({2, 1, 2}).to(o);
                      });
  const Diagram sentence = (alice * loves * bob) >> (fc::cup(n[0], n.r()[0]) * s * fc::cup(n.l()[0], n[0]));
  const at::Tensor t = F(sentence);
  ASSERT_EQ(t.scalar_type(), at::kBool);
  EXPECT_TRUE(t.reshape({-1}).index({0}).item<bool>());
  const Diagram bent = sentence.transpose_box(2).transpose_box(0, true).normal_form();
  EXPECT_FALSE(bent == sentence);
  EXPECT_TRUE(F(bent).reshape({-1}).index({0}).item<bool>());
  // and a false sentence stays false both ways
  const Diagram bob_loves_bob = (bob * loves * bob) >> (fc::cup(n[0], n.r()[0]) * s * fc::cup(n.l()[0], n[0]));
  EXPECT_FALSE(F(bob_loves_bob).reshape({-1}).index({0}).item<bool>());
}

TEST(TensorFunctor, RotatedBoxesReverseAxes) {
  RandomArrays r;
  const Ty x("x"), y("y");
  r.dims = {{x[0].name.id(), 2}, {y[0].name.id(), 3}};
  const Box f("f", x, y * x);
  auto F = r.functor();
  // the transpose built from caps and cups equals the rotated box's array
  expect_close(F(Diagram(f).transpose()), F(f.r()));
  expect_close(F(Diagram(f).transpose(true)), F(f.l()));
  expect_close(F(f.l()), F(f).permute({2, 1, 0}));
}

TEST(TensorFunctor, GradientsReachTheBoxArrays) {
  const Ty x("x");
  at::Tensor a = at::randn({2, 2}, at::kDouble).set_requires_grad(true);
  const Box f("f", x, x);
  fc::TensorFunctor F([](const Ob&) { return 2; }, [&](const Box&) { return a; });
  const Ob o = x[0];
  const at::Tensor trace = F(Diagram(fc::cap(o, o.l())) >> (f * Ty(o.l())) >> fc::swap(o, o.l()) >> fc::cup(o.l(), o));
  expect_close(trace, a.detach().trace());
  trace.backward();
  expect_close(a.grad(), at::eye(2, at::kDouble));
  a.mutable_grad().zero_();
  const at::Tensor out = F(Diagram(f) >> f);  // a @ a
  out.sum().backward();
  // d/da sum(a a) = 1 aᵀ + aᵀ 1
  const at::Tensor ones = at::ones({2, 2}, at::kDouble);
  expect_close(a.grad(), at::matmul(ones, a.detach().t()) + at::matmul(a.detach().t(), ones));
}

TEST(TensorFunctor, BadArraysAreNamed) {
  const Ty x("x");
  const Box f("f", x, x);
  fc::TensorFunctor F([](const Ob&) { return 2; }, [](const Box&) { return at::zeros({3, 2}); });
  try {
    (void)F(f);
    FAIL();
  } catch (const factorkit::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("box f"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(2, 2)"), std::string::npos) << e.what();
  }
}
