// Diagram JSON: round trips, and one malformed document per rejection rule.
#include "category_test.h"

#include "factorkit/category/json.h"


namespace {

Diagram sample() {
  const Ty n("n"), s("s"), odd(Ob("a.l", 0));
  const Box f("f", n, n * s, {0.25, -1.5}), g("g", s, odd);
  Diagram d = fc::word("Alice", n) * fc::word("loves", n.r() * s * n.l()) * fc::word("Bob", n);
  d = d >> (fc::cup(n[0], n.r()[0]) * s * fc::cup(n.l()[0], n[0]));
  d = d >> (s * fc::cap(n[0], n.l()[0])) >> (s * fc::swap(n, n.l())) >> (g * n.l() * n) >> (odd * n.l() * f);
  return d;
}

}  // namespace

TEST(DiagramJson, RoundTrip) {
  const Diagram d = sample();
  const std::string text = fc::diagram_to_json(d, {{"n", 2}, {"s", 1}});
  const fc::DiagramDocument doc = fc::parse_diagram_json(text, "mem.json");
  EXPECT_EQ(doc.diagram, d);
  EXPECT_EQ(doc.dims.at("n"), 2);
  const fc::DiagramDocument pretty = fc::parse_diagram_json(fc::diagram_to_json(d, {{"n", 2}}, 2), "pretty.json");
  EXPECT_EQ(pretty.diagram, d);
  EXPECT_EQ(pretty.dims.at("n"), 2);
  // every kind of box, daggers, rotations, data, odd names
  const Ty x("x"), odd(Ob("a.l", 0));
  const Box f("f", x, odd * x, {1.0, 2.5});
  const Diagram e = (Diagram(f).dagger() * fc::spider(1, 2, x[0])) >> fc::spider(3, 1, x[0]);
  EXPECT_EQ(fc::parse_diagram_json(fc::diagram_to_json(e), "mem").diagram, e);
  const Box g("Rz", x, x, {0.25, 1.0}, fc::Symbol("theta"));
  EXPECT_FALSE(g == Box("Rz", x, x, {0.25, 1.0}));
  const Diagram with_param = Diagram(g) >> Diagram(g.dagger().l().r());
  EXPECT_EQ(fc::parse_diagram_json(fc::diagram_to_json(with_param), "mem").diagram, with_param);
  const Diagram rotated = Diagram(f.r().r().dagger()) * f.l().l().l();
  EXPECT_EQ(fc::parse_diagram_json(fc::diagram_to_json(rotated), "mem").diagram, rotated);
  EXPECT_EQ(fc::parse_diagram_json(fc::diagram_to_json(Diagram::id(odd * x)), "mem").diagram, Diagram::id(odd * x));
  const Diagram legless = Diagram(fc::spider(0, 0, x[0])) * fc::spider(0, 0, Ob("y", 2));
  EXPECT_EQ(fc::parse_diagram_json(fc::diagram_to_json(legless), "mem").diagram, legless);
  const Diagram w = Diagram(fc::word("Bob", x).dagger());
  EXPECT_EQ(fc::parse_diagram_json(fc::diagram_to_json(w), "mem").diagram, w);
}

TEST(DiagramJson, ObjectSyntax) {
  EXPECT_EQ(fc::parse_ob("n", "t"), Ob("n"));
  EXPECT_EQ(fc::parse_ob("n.l.l", "t"), Ob("n", -2));
  EXPECT_EQ(fc::parse_ob("n.r.l", "t"), Ob("n", 0));
  EXPECT_EQ(fc::parse_ob("a.b", "t"), Ob("a.b"));
  EXPECT_THROW(fc::parse_ob("", "t"), factorkit::InvalidInput);
  EXPECT_THROW(fc::parse_ob(".l", "t"), factorkit::InvalidInput);
}

TEST(DiagramJson, MalformedDocumentsNameTheField) {
  const std::string head = R"({"format": "factorkit.diagram", "version": 1, )";
  struct Case {
    std::string text, field, code;
  };
  const std::vector<Case> cases = {
      {"{\"format\": ", "byte", "BadJson"},
      {"[1, 2]", "document", "BadDiagram"},
      {head + R"("dom": [], "boxes": [{"name": "f", "dom": [], "cod": [], "data": [-1e3080]}], "layers": []})",
       "document", "BadJson"},
      {R"({"format": "other", "version": 1})", "format", "BadFormat"},
      {R"({"format": "factorkit.diagram", "version": 2})", "version", "BadVersion"},
      {head + R"("dom": [], "boxes": []})", "document.layers", "BadDiagram"},
      {head + R"("dom": [], "boxes": [], "layers": [], "extra": 1})", "extra", "BadDiagram"},
      {head + R"("dom": [7], "boxes": [], "layers": []})", "dom[0]", "BadDiagram"},
      {head + R"("dom": [".l"], "boxes": [], "layers": []})", "dom[0]", "BadDiagram"},
      {head + R"("dom": [{"name": "x", "z": 1.5}], "boxes": [], "layers": []})", "dom[0].z", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"dom": ["x"], "cod": []}], "layers": []})", "boxes[0].name", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"]}], "layers": []})", "boxes[0].cod", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": [], "colour": 1}], "layers": []})",
       "boxes[0].colour", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "cup", "dom": ["x", "x"]}], "layers": []})", "boxes[0]",
       "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "spider", "legs": [1, 100000000], "ob": "x"}], "layers": []})",
       "boxes[0].legs[1]", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "teleport", "name": "t", "cod": []}], "layers": []})",
       "boxes[0].kind", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "cupp", "dom": ["x", "x.r"]}], "layers": []})", "boxes[0].kind",
       "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "spider", "legs": [1, 1], "ob": "x", "data": [0.5]}], "layers": []})",
       "boxes[0].data", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "cup", "dom": ["x", "x.r"], "dagger": true}], "layers": []})",
       "boxes[0].dagger", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"kind": "word", "name": "w", "cod": ["x"], "data": [1]}], "layers": []})",
       "boxes[0].data", "BadDiagram"},
      {head + R"("dom": [{"name": "x", "z": 65}], "boxes": [], "layers": []})", "dom[0].z", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": [], "data": ["a"]}], "layers": []})",
       "boxes[0].data[0]", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": []}], "layers": [[1, 0]]})",
       "layers[0][0]", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": []}], "layers": [[0, -1]]})",
       "layers[0][1]", "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": []}], "layers": [[0]]})", "layers[0]",
       "BadDiagram"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["y"], "cod": []}], "layers": [[0, 0]]})", "layer 0",
       "NotComposable"},
      {head + R"("dom": ["x"], "boxes": [{"name": "f", "dom": ["x"], "cod": []}], "layers": [[0, 1]]})", "layer 0",
       "NotComposable"},
      {head + R"("dom": ["x"], "cod": ["y"], "boxes": [], "layers": []})", "codomain", "NotComposable"},
      {head + R"("dom": [], "boxes": [], "layers": [], "dims": {"x": 0}})", "dims.x", "BadDiagram"},
  };
  for (const auto& c : cases) {
    try {
      (void)fc::parse_diagram_json(c.text, "bad.json");
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const factorkit::MalformedFile& e) {
      EXPECT_EQ(e.where(), "bad.json");
      EXPECT_EQ(e.code(), c.code) << c.text << "\n" << e.what();
      EXPECT_NE(e.field().find(c.field), std::string::npos) << c.text << "\n" << e.what();
    }
  }
}
