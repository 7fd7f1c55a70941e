// SVG line charts: one polyline per series, skipped non-finite points, escaped text.
#include <gtest/gtest.h>

#include <cmath>

#include "factorkit/core/svg_plot.h"

namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST(SvgPlot, SeriesLegendAndEscaping) {
  const factorkit::Series a{"loss <train>", {1, 2, 3}, {0.5, NAN, 0.25}, false};
  const factorkit::Series b{"dev", {1, 2, 3}, {0.6, 0.4, 0.3}, true};
  factorkit::ChartOptions o;
  o.title = "a & b";
  const std::string svg = factorkit::line_chart({a, b}, o);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2u);  // b's line and its legend entry
  EXPECT_NE(svg.find("loss &lt;train&gt;"), std::string::npos);
  EXPECT_NE(svg.find("a &amp; b"), std::string::npos);
  // the NaN point is skipped: a's polyline has two points
  const std::size_t p = svg.find("points=\"");
  const std::string pts = svg.substr(p + 8, svg.find('"', p + 8) - p - 8);
  EXPECT_EQ(count(pts, ","), 2u) << pts;
  // a log axis drops non-positive values, and an empty chart still renders
  o.log_y = true;
  const std::string lg = factorkit::line_chart({factorkit::Series{"x", {1, 2}, {-1, 10}, false}}, o);
  EXPECT_EQ(count(lg, "<polyline"), 1u);
  EXPECT_NE(factorkit::line_chart({}, {}).find("</svg>"), std::string::npos);
  // a range narrower than the spacing of doubles still ends (few ticks)
  const std::string narrow = factorkit::line_chart({factorkit::Series{"x", {1e16, 1e16 + 2}, {1e16, 1e16 + 2}, false}}, {});
  EXPECT_LT(count(narrow, "<line"), 60u);
}

TEST(SvgPlot, ScatterSeriesColoursAndUnlistedSeries) {
  factorkit::Series dots{"samples", {0, 1, 2}, {0, 1, NAN}};
  dots.points = true;
  dots.colour = "#123456";
  dots.opacity = 0.5;
  factorkit::Series path1{"trajectories", {0, 1}, {0, 1}}, path2{"trajectories", {1, 2}, {1, 0}};
  path1.colour = path2.colour = "#abcdef";
  path2.legend = false;
  const std::string svg = factorkit::line_chart({dots, path1, path2}, {});
  EXPECT_EQ(count(svg, "<circle"), 2u + 1u);  // two finite dots and the legend's marker
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(count(svg, ">trajectories<"), 1u);  // the second trajectory is not listed
  EXPECT_NE(svg.find("fill=\"#123456\" opacity=\"0.50\""), std::string::npos);
  EXPECT_EQ(count(svg, "#abcdef"), 3u);  // two polylines and one legend line
}

TEST(SvgPlot, BarChartHasOneBarPerLabelAndErrorBars) {
  factorkit::Bars b{{"stripes", "dots & <checks>", "blob"}, {0.5, -0.1, 0.2}, {0.4, -0.2, 0.1}, {0.6, 0.0, 0.3}};
  factorkit::ChartOptions o;
  o.title = "importance";
  const std::string svg = factorkit::bar_chart(b, o);
  EXPECT_EQ(count(svg, "<rect"), 1u + 3u);  // the background and three bars
  EXPECT_EQ(count(svg, "stroke=\"black\""), 3u + 1u);  // three error bars and the zero line
  EXPECT_NE(svg.find("dots &amp; &lt;checks&gt;"), std::string::npos);
  b.low.clear();
  b.values[1] = NAN;
  const std::string no_err = factorkit::bar_chart(b, {});
  EXPECT_EQ(count(no_err, "<rect"), 1u + 2u);  // a non-finite value draws no bar
}
