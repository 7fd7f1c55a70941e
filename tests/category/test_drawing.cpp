// Drawings: the layout keeps wires straight and apart; SVG output is sane.
#include "category_test.h"

#include <algorithm>

#include "factorkit/category/drawing.h"
#include "factorkit/category/pregroup.h"


namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// At every row, the wires alive there are ordered left to right at least one
// column apart, and no wire passes through a box (its ports' span plus padding).
void expect_planar(const Diagram& d) {
  const fc::Layout lay = fc::layout(d);
  std::vector<std::size_t> alive = lay.dom;  // in the diagram's order
  for (std::size_t row = 0; row <= d.size(); ++row) {
    for (std::size_t i = 0; i + 1 < alive.size(); ++i)
      EXPECT_GE(lay.wires[alive[i + 1]].x - lay.wires[alive[i]].x, 0.999) << "below row " << row << " of " << d;
    if (row == d.size()) break;
    const auto& b = lay.boxes[row];
    const auto off = std::ptrdiff_t(d.layers()[row].offset);
    alive.erase(alive.begin() + off, alive.begin() + off + std::ptrdiff_t(b.inputs.size()));
    alive.insert(alive.begin() + off, b.outputs.begin(), b.outputs.end());
  }
  EXPECT_EQ(alive, lay.cod);
  for (std::size_t k = 0; k < d.size(); ++k) {
    const auto& b = lay.boxes[k];
    for (const auto& w : lay.wires) {
      if (w.top <= k && w.bottom > k + 1) {  // passes row k + 1 without touching the box
        EXPECT_TRUE(w.x < b.left - 0.5 || w.x > b.right + 0.5) << "wire at " << w.x << " crosses box " << k << " of " << d;
      }
    }
  }
}

}  // namespace

TEST(Drawing, WiresStayStraight) {
  const Ty x("x");
  const Box f("f", x, x), g("g", x, x), h("h", x, x);
  const fc::Layout lay = fc::layout(Diagram(f) >> g >> h);
  ASSERT_EQ(lay.wires.size(), 4u);
  for (const auto& w : lay.wires) EXPECT_EQ(w.x, lay.wires[0].x);
  // a box on one of three wires leaves the others straight through
  const fc::Layout lay2 = fc::layout(x * Diagram(f) * x >> (Diagram(g) * x * x));
  std::vector<double> first;
  for (std::size_t i : lay2.dom) first.push_back(lay2.wires[i].x);
  std::vector<double> last;
  for (std::size_t i : lay2.cod) last.push_back(lay2.wires[i].x);
  EXPECT_EQ(first, last);
}

TEST(Drawing, LayoutsArePlanar) {
  const Ty x("x"), y("y");
  const Box f("f", x, x * x), g("g", x * x, y), w("a long box name", Ty(), x * y);
  expect_planar(Diagram(f) >> (x * f) >> (g * x));
  expect_planar((x * w * x) >> (Diagram(f).dagger() * y * x));
  expect_planar(Diagram::id(x.r()).transpose(true));
  expect_planar(fc::swap(x * y, y * x) >> (y * f * x * y));
  expect_planar((fc::spider(1, 3, x[0]) * w) >> (x * fc::spider(2, 0, x[0]) * x * y));
  const fc::Lexicon lex = fc::parse_lexicon("Alice: n\nloves: n.r s n.l\nBob: n\n", "lex");
  expect_planar(fc::parse_sentence({"Alice", "loves", "Bob"}, lex));
}

TEST(Drawing, SvgDrawsEveryBoxAndEscapesLabels) {
  const Ty x("x");
  const Box f("f<&>", x, x), g("g", x, x * x);
  const Diagram e = (Diagram(f) >> g >> fc::swap(x, x));
  const std::string svg = fc::to_svg(e, {});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "<rect "), 3u);  // background + two boxes
  EXPECT_NE(svg.find("f&lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("f<&>"), std::string::npos);
  EXPECT_EQ(count(svg, "<path "), 2u);  // the swap's two strands
}

TEST(Drawing, PregroupStyle) {
  const fc::Lexicon lex = fc::parse_lexicon("Alice: n\nloves: n.r s n.l\nBob: n\n", "lex");
  const Diagram d = fc::parse_sentence({"Alice", "loves", "Bob"}, lex);
  const std::string svg = fc::pregroup_svg(d, {});
  EXPECT_EQ(count(svg, "<polygon "), 3u);  // three words
  EXPECT_EQ(count(svg, "<path "), 2u);     // two cups
  EXPECT_NE(svg.find(">loves<"), std::string::npos);
  EXPECT_NE(svg.find(">n.r<"), std::string::npos);
  const Ty x("x");
  EXPECT_THROW(fc::pregroup_svg(Box("f", x, x), {}), factorkit::InvalidInput);
}
