// Diagrams: monoidal laws, interchange, normal forms, rigid structure.
// Expected strings and normal forms were produced by DisCoPy 1.2.2 on the same
// diagrams (see the comments); they are DisCoPy's behaviour, not ours restated.
#include "category_test.h"

#include "factorkit/category/diagram.h"
#include "factorkit/category/functor.h"
#include "factorkit/category/generators.h"


namespace {

using Encoding = std::vector<std::pair<std::string, std::uint32_t>>;

Encoding encoding(const Diagram& d) {
  Encoding out;
  for (const auto& l : d.layers()) out.emplace_back(l.box.str(), l.offset);
  return out;
}

}  // namespace

TEST(Ty, MonoidLawsAndAdjoints) {
  const Ty x("x"), y("y"), z("z"), unit;
  EXPECT_EQ((x * y) * z, x * (y * z));
  EXPECT_EQ(x * unit, x);
  EXPECT_EQ(unit * x, x);
  const Ob n("n");
  EXPECT_EQ(n.l().r(), n);
  EXPECT_EQ(n.r().l(), n);
  EXPECT_FALSE(n.l().l() == n);
  const Ty s("s"), nt("n");
  EXPECT_EQ((s * nt).l(), nt.l() * s.l());
  EXPECT_EQ((s * nt).r(), nt.r() * s.r());
  EXPECT_EQ(nt.l().r(), nt);
  EXPECT_EQ(Ty({Ob("x", -2), Ob("y", 1)}).str(), "x.l.l @ y.r");
  EXPECT_EQ(unit.str(), "Ty()");
}

TEST(Diagram, TensorIsLeftBiasedAndInterchanges) {
  const Ty x("x"), y("y"), z("z"), w("w");
  const Box f0("f0", x, y), f1("f1", z, w);
  EXPECT_EQ(f0 * f1, (f0 * z) >> (y * f1));
  EXPECT_EQ((f0 * f1).interchange(0, 1), (x * f1) >> (f0 * w));
  EXPECT_EQ((f0 * f1).interchange(0, 1).interchange(1, 0), f0 * f1);
  EXPECT_EQ((f0 * f1).str(), "f0 @ z >> y @ f1");
  EXPECT_EQ((f0 * f1).interchange(0, 1).str(), "x @ f1 >> f0 @ w");
  // a box cannot pass the box it is wired to
  const Box g("g", y, z);
  EXPECT_THROW((Diagram(f0) >> g).interchange(0, 1), fc::AxiomError);
}

TEST(Diagram, CategoryLaws) {
  const Ty x("x"), y("y"), z("z");
  const Box f("f", x, y), g("g", y, z), h("h", z, x), k("k", y, x * y);
  EXPECT_EQ((Diagram(f) >> g) >> h, Diagram(f) >> (Diagram(g) >> h));
  EXPECT_EQ(Diagram::id(x) >> f, Diagram(f));
  EXPECT_EQ(Diagram(f) >> Diagram::id(y), Diagram(f));
  EXPECT_EQ((f * g) * h, Diagram(f) * (g * h));
  EXPECT_EQ(Diagram::id(Ty()) * f, Diagram(f));
  EXPECT_EQ(f * Diagram::id(Ty()), Diagram(f));
  EXPECT_EQ(Diagram::id(x) * Diagram::id(y), Diagram::id(x * y));
  // dagger is an involutive contravariant functor
  EXPECT_EQ((Diagram(f) >> g).dagger(), Diagram(g).dagger() >> Diagram(f).dagger());
  EXPECT_EQ((f * k).dagger().dagger(), f * k);
  EXPECT_EQ(Diagram(f).dagger().str(), "f[::-1]");
  EXPECT_EQ(Diagram(f).dagger().dom(), y);
}

TEST(Diagram, CompositionErrorsNameTheTypes) {
  const Ty x("x"), y("y");
  const Box f("f", x, y);
  try {
    (void)(Diagram(f) >> f);
    FAIL() << "composed f >> f with y != x";
  } catch (const fc::AxiomError& e) {
    EXPECT_NE(std::string(e.what()).find("codomain y to equal the domain x"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), "NotComposable");
  }
  EXPECT_THROW(fc::cup(Ob("n"), Ob("n")), fc::AxiomError);
  EXPECT_THROW(fc::cap(Ob("n"), Ob("n").r()), fc::AxiomError);
  EXPECT_THROW(fc::cups(x, x), fc::AxiomError);
}

TEST(Diagram, ScalarsAndTheEckmannHiltonError) {
  const Box s0("s0", Ty(), Ty()), s1("s1", Ty(), Ty());
  EXPECT_EQ(s0 * s1, Diagram(s0) >> s1);
  EXPECT_EQ((s1 * s0).interchange(0, 1), s0 * s1);
  // DisCoPy's normalize() docstring: s1 >> s0, s0 >> s1, s1 >> s0, ...
  std::vector<std::string> steps;
  Diagram::NormalFormOptions options;
  options.on_step = [&](const Diagram& d) { steps.push_back(d.str()); };
  try {
    (void)(s0 * s1).normal_form(options);
    FAIL() << "two scalars have no normal form";
  } catch (const fc::NotBoundaryConnected& e) {
    EXPECT_EQ(e.code(), "NotBoundaryConnected");
    EXPECT_EQ(e.last_step, s0 * s1);
  }
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0], "s1 >> s0");
  EXPECT_EQ(steps[1], "s0 >> s1");
  // a floating scalar beside a connected box still loops
  const Ty x("x");
  EXPECT_THROW((Box("f", x, x) * s0 * s1).normal_form(), fc::NotBoundaryConnected);
}

TEST(Diagram, EncodeDecodeRoundTrip) {
  const Ty x("x"), y("y"), z("z"), w("w");
  const Box f0("f0", x, y), f1("f1", z, w), g("g", y * w, y);
  const Diagram d = (f0 * f1) >> g;
  EXPECT_EQ(d.dom(), x * z);
  EXPECT_EQ(encoding(d), (Encoding{{"f0", 0}, {"f1", 1}, {"g", 0}}));
  EXPECT_EQ(Diagram::decode(d.dom(), d.layers()), d);
  const Ty cod = y;
  EXPECT_EQ(Diagram::decode(d.dom(), d.layers(), &cod).cod(), y);
  EXPECT_THROW(Diagram::decode(d.dom(), d.layers(), &x), fc::AxiomError);
  std::vector<fc::Layer> bad = d.layers();
  bad[1].offset = 2;  // past the last wire
  EXPECT_THROW(Diagram::decode(d.dom(), bad), fc::AxiomError);
  bad = d.layers();
  bad[1].offset = 0;  // f1 applied to a y wire
  EXPECT_THROW(Diagram::decode(d.dom(), bad), fc::AxiomError);
  // hashing agrees with equality, and never goes through strings
  EXPECT_EQ(d.hash(), Diagram::decode(d.dom(), d.layers()).hash());
  EXPECT_NE(d.hash(), (f0 * f1).hash());
}

TEST(Box, InterningAndRotation) {
  const Ty a("a"), b("b");
  const Box f("f", a, b.l() * b);
  EXPECT_EQ(f, Box("f", a, b.l() * b));
  EXPECT_FALSE(f == Box("f", a, b.l() * b, {0.5}));
  EXPECT_EQ(f.l().z(), -1);
  EXPECT_EQ(f.r().z(), 1);
  EXPECT_EQ(f.r().l(), f);
  EXPECT_EQ(f.l().r(), f);
  EXPECT_FALSE(f.l().l() == f);
  EXPECT_EQ(f.l().str(), "f.l");
  EXPECT_EQ(f.dagger().l().str(), "f[::-1].l");
  EXPECT_EQ(fc::cup(Ob("x"), Ob("x").r()).l(), fc::cap(Ob("x"), Ob("x").l()));
  EXPECT_THROW(fc::cup(Ob("x"), Ob("x").r()).dagger(), fc::AxiomError);
  EXPECT_EQ(fc::swap(Ob("x"), Ob("y")).dagger(), fc::swap(Ob("y"), Ob("x")));
  EXPECT_EQ(fc::spider(1, 2, Ob("x")).dagger(), fc::spider(2, 1, Ob("x")));
  EXPECT_EQ(fc::spider(1, 2, Ob("x")).str(), "Spider(1, 2, x)");
}

TEST(Rigid, CupsCapsAndSwapsAsDisCoPyNestsThem) {
  const Ty x("x"), y("y");
  EXPECT_EQ(fc::cups(x * y, (x * y).r()).str(), "x @ Cup(y, y.r) @ x.r >> Cup(x, x.r)");
  EXPECT_EQ(fc::caps(x * y, (x * y).l()).str(), "Cap(x, x.l) >> x @ Cap(y, y.l) @ x.l");
  const Ty a("a"), b("b"), c("c");
  EXPECT_EQ(fc::permutation({2, 0, 1}, a * b * c).str(), "a @ Swap(b, c) >> Swap(a, c) @ b");
  EXPECT_EQ(fc::permutation({2, 0, 1}, a * b * c).cod(), c * a * b);
  EXPECT_THROW(fc::permutation({0, 0, 1}, a * b * c), fc::AxiomError);
  EXPECT_EQ(fc::swap(a * b, c).cod(), c * a * b);
}

TEST(Rigid, TransposeAndRotation) {
  const Ty x("x"), y("y");
  const Box F("F", x, y);
  EXPECT_EQ(Diagram(F).transpose().str(), "Cap(x.r, x) @ y.r >> x.r @ F @ y.r >> x.r @ Cup(y, y.r)");
  EXPECT_EQ(Diagram(F).transpose(true).l().str(),
            "x.l.l @ Cap(y.l, y.l.l) >> x.l.l @ F.l @ y.l.l >> Cup(x.l.l, x.l) @ y.l.l");
  const Diagram d = F * Box("G", y, x * y);
  EXPECT_EQ(d.l().r(), d);
  // a swap of two different objects rotates to the swap of their adjoints
  EXPECT_EQ(fc::swap(x[0], y[0]).l(), fc::swap(x.l()[0], y.l()[0]));
  const Diagram s = (F * x) >> fc::swap(y, x);
  EXPECT_EQ(s.l().r(), s);
  EXPECT_EQ(s.r().l(), s);
  EXPECT_EQ(s.l().cod(), (x * x).l());
  EXPECT_EQ(d.r().l(), d);
  EXPECT_EQ(d.l().dom(), d.cod().l());
}

TEST(Rigid, SnakeEquations) {
  const Ty n("n");
  EXPECT_EQ(Diagram::id(n.r()).transpose(true).normal_form(), Diagram::id(n));
  EXPECT_EQ(Diagram::id(n.l()).transpose().normal_form(), Diagram::id(n));
  EXPECT_FALSE(Diagram::id(n.r()).transpose(true) == Diagram::id(n));
  const Ty a("a"), b("b");
  // DisCoPy's rigid.normal_form docstring: two snakes normalise to the double snake
  const Diagram double_snake = Diagram::id(a * b).transpose();
  const Diagram two_snakes = Diagram::id(b).transpose() * Diagram::id(a).transpose();
  EXPECT_FALSE(double_snake == two_snakes);
  Diagram::NormalFormOptions monoidal_only;
  monoidal_only.snake_removal = false;
  EXPECT_EQ(two_snakes.normal_form(monoidal_only), double_snake);
  monoidal_only.left = true;
  EXPECT_EQ((Diagram::id(b).transpose(true) * Diagram::id(a).transpose(true)).normal_form(monoidal_only),
            Diagram::id(a * b).transpose(true));
  // and both yank straight
  EXPECT_EQ(double_snake.normal_form(), Diagram::id((a * b).r()));
}

TEST(Rigid, SnakeRemovalStepsMatchDisCoPy) {
  const Ty n("n"), s("s");
  const Box f("f", n, n), g("g", s * n, n), h("h", n, n * s);
  const Diagram diagram = (g * fc::cap(n.r()[0], n[0])) >> (Diagram(f).dagger() * n.r() * f) >>
                          (fc::cup(n[0], n.r()[0]) * h);
  std::vector<std::string> steps;
  Diagram::NormalFormOptions options;
  options.on_step = [&](const Diagram& d) { steps.push_back(d.str()); };
  const Diagram nf = diagram.normal_form(options);
  const std::vector<std::string> expected = {
      "g >> f[::-1] >> n @ Cap(n.r, n) >> n @ n.r @ f >> Cup(n, n.r) @ n >> h",
      "g >> f[::-1] >> n @ Cap(n.r, n) >> Cup(n, n.r) @ n >> f >> h",
      "g >> f[::-1] >> f >> h",
  };
  EXPECT_EQ(steps, expected);
  EXPECT_EQ(nf.str(), "g >> f[::-1] >> f >> h");
}

TEST(NormalForm, SpiralMatchesDisCoPy) {
  // DisCoPy 1.2.2: fc::spiral(n).normal_form() and normal_form(left=True)
  EXPECT_EQ(encoding(fc::spiral(1).normal_form()), (Encoding{{"cap", 0}, {"unit", 1}, {"cup", 0}, {"counit", 0}}));
  EXPECT_EQ(encoding(fc::spiral(3).normal_form()),
            (Encoding{{"cap", 0}, {"cap", 1}, {"cap", 2}, {"unit", 3}, {"cup", 2}, {"cup", 1}, {"cup", 0},
                      {"counit", 0}}));
  Diagram::NormalFormOptions left;
  left.left = true;
  EXPECT_EQ(encoding(fc::spiral(2).normal_form(left)),
            (Encoding{{"unit", 0}, {"cap", 0}, {"cap", 1}, {"counit", 2}, {"cup", 1}, {"cup", 0}}));
  // the pattern continues: n caps, the unit at n, n cups, the counit at 0
  const std::size_t n = 10;
  const Encoding e = encoding(fc::spiral(n).normal_form());
  ASSERT_EQ(e.size(), 2 * n + 2);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(e[i], (std::pair<std::string, std::uint32_t>{"cap", std::uint32_t(i)}));
    EXPECT_EQ(e[n + 1 + i], (std::pair<std::string, std::uint32_t>{"cup", std::uint32_t(n - 1 - i)}));
  }
  EXPECT_EQ(e[n], (std::pair<std::string, std::uint32_t>{"unit", std::uint32_t(n)}));
  EXPECT_EQ(e[2 * n + 1], (std::pair<std::string, std::uint32_t>{"counit", 0u}));
}

TEST(NormalForm, TransposeSnakesYankBackToTheBox) {
  const Ty x("x");
  const Box f("f", x, x);
  EXPECT_EQ(fc::transpose_snakes(f, 1).normal_form(), Diagram(f));
  const Diagram g = fc::transpose_snakes(f, 20);
  EXPECT_EQ(g.size(), 81u);
  EXPECT_EQ(g.normal_form(), Diagram(f));
  // a box with a non-trivial type keeps its rotation count
  const Box k("k", x, Ty("y") * x);
  EXPECT_EQ(fc::transpose_snakes(k, 3).normal_form(), Diagram(k));
}

TEST(NormalForm, IsIdempotentAndPreservesTypes) {
  const Ty x("x"), y("y");
  const Box f("f", x, y), g("g", y, x), h("h", y * y, x);
  const Diagram d = (f * g * f) >> (y * Diagram(g).dagger() * y) >> (y * h);
  const Diagram nf = d.normal_form();
  EXPECT_EQ(nf.dom(), d.dom());
  EXPECT_EQ(nf.cod(), d.cod());
  EXPECT_EQ(nf.normal_form(), nf);
  EXPECT_EQ(Diagram::decode(nf.dom(), nf.layers()), nf);  // every layer still well-typed
  // right normal form: no lower box lies wholly left of the box above it
  for (std::size_t i = 0; i + 1 < nf.size(); ++i)
    EXPECT_LT(nf.layers()[i].offset, nf.layers()[i + 1].offset + nf.layers()[i + 1].box.dom().size());
}

TEST(Functor, RigidFunctorDocstringExample) {
  // DisCoPy's rigid.Functor docstring: loves ↦ caps >> n.r @ love_box @ n.l
  const Ty s("s"), n("n");
  const Box alice("Alice", Ty(), n), bob("Bob", Ty(), n), loves("loves", Ty(), n.r() * s * n.l());
  const Box love_box("loves", n * n, s);
  const Diagram image = (fc::cap(n.r()[0], n[0]) * fc::cap(n[0], n.l()[0])) >> (n.r() * love_box * n.l());
  const fc::DiagramFunctor F = fc::DiagramFunctor::from({{s[0], s}, {n[0], n}}, {{loves, image}});
  const Diagram sentence = (alice * loves * bob) >> (fc::cup(n[0], n.r()[0]) * s * fc::cup(n.l()[0], n[0]));
  EXPECT_EQ(F(sentence).normal_form(), (Diagram(alice) >> (n * bob)) >> love_box);
}

TEST(Functor, RespectsCompositionTensorDaggerAndRotation) {
  const Ty x("x"), y("y"), a("a");
  const Box f("f", x, y), g("g", y, x);
  const Box h("h", a, a * a);
  // x ↦ a @ a, y ↦ a; f ↦ merge-like box, g ↦ h
  const Box m("m", a * a, a);
  const fc::DiagramFunctor F = fc::DiagramFunctor::from({{x[0], a * a}, {y[0], a}}, {{f, Diagram(m)}, {g, Diagram(h)}});
  const Diagram d1 = Diagram(f) >> g, d2 = f * g;
  EXPECT_EQ(F(d1 >> Diagram(f)), F(d1) >> F(Diagram(f)));
  EXPECT_EQ(F(d1 * d2).normal_form(), (F(d1) * F(d2)).normal_form());
  EXPECT_EQ(F(d1.dagger()), F(d1).dagger());
  EXPECT_EQ(F(Diagram(f.l())), Diagram(m).l());
  EXPECT_EQ(F(x.l()), (a * a).l());
  EXPECT_EQ(F(Diagram(fc::cup(x[0], x.r()[0]))), fc::cups(a * a, (a * a).r()));
  EXPECT_THROW(fc::DiagramFunctor::from({{x[0], a}}, {{f, Diagram(m)}}), factorkit::InvalidInput);  // m: a@a → a
}
