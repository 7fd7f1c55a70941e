// factorkit/core/svg_plot.h — small SVG line charts for reproduce figures and
// reports (no plotting library at run time).
#pragma once

#include <string>
#include <vector>

namespace factorkit {

struct Series {
  std::string label;
  std::vector<double> x, y;  // same length; non-finite points are skipped
  bool dashed = false;
};

struct ChartOptions {
  std::string title, x_label, y_label;
  double width = 560, height = 340;
  bool log_y = false;  // log10 axis (positive values only)
};

// Axes with ticks at round numbers, one polyline per series, a legend.
std::string line_chart(const std::vector<Series>& series, const ChartOptions& options = {});

}  // namespace factorkit
