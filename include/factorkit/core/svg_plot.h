// factorkit/core/svg_plot.h — small SVG line charts and scatter plots for reproduce figures and
// reports (no plotting library at run time).
#pragma once

#include <string>
#include <vector>

namespace factorkit {

struct Series {
  std::string label;
  std::vector<double> x, y;  // same length; non-finite points are skipped
  bool dashed = false;
  bool points = false;   // dots instead of a polyline (scatter plots)
  std::string colour = {};  // empty: the palette's next colour
  bool legend = true;    // false: not listed (e.g. the second of several trajectories)
  double opacity = 1;
};

struct ChartOptions {
  std::string title, x_label, y_label;
  double width = 560, height = 340;
  bool log_y = false;  // log10 axis (positive values only)
};

// Axes with ticks at round numbers, one polyline (or set of dots) per series,
// a legend.
std::string line_chart(const std::vector<Series>& series, const ChartOptions& options = {});

// Horizontal bars, one per label, with optional error bars (low/high empty or
// the same length as values); values may be negative.
struct Bars {
  std::vector<std::string> labels;
  std::vector<double> values, low, high;
};
std::string bar_chart(const Bars& bars, const ChartOptions& options = {});

}  // namespace factorkit
