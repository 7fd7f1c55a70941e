// SVG line charts.
#include "factorkit/core/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace factorkit {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// about five ticks at 1, 2 or 5 times a power of ten
std::vector<double> ticks(double lo, double hi) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / 5, p = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / p < 1.5 ? p : raw / p < 3.5 ? 2 * p : raw / p < 7.5 ? 5 * p : 10 * p;
  std::vector<double> out;
  const double first = std::ceil(lo / step);
  for (int i = 0; i < 20; ++i) {  // an index, not t += step: a step below the spacing of doubles stays finite
    const double t = (first + i) * step;
    if (t > hi + step * 1e-9) break;
    out.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

}  // namespace

std::string line_chart(const std::vector<Series>& series, const ChartOptions& o) {
  const double left = 64, right = 150, top = o.title.empty() ? 16 : 36, bottom = 48;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  auto ty = [&](double v) { return o.log_y ? std::log10(v) : v; };
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const Series& s : series)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (o.log_y && s.y[i] <= 0)) continue;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, ty(s.y[i])), y1 = std::max(y1, ty(s.y[i]));
    }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y0 -= 0.5, y1 += 0.5;
  const double pad = (y1 - y0) * 0.05;
  y0 -= pad, y1 += pad;
  if (std::any_of(series.begin(), series.end(), [](const Series& s) { return s.points; })) {
    const double xpad = (x1 - x0) * 0.05;  // dots at the edge stay inside the frame
    x0 -= xpad, x1 += xpad;
  }
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + (1 - (y - y0) / (y1 - y0)) * ph; };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      o.width, o.height);
  if (!o.title.empty())
    svg += fmt::format("<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n", left + pw / 2,
                       escape(o.title));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", left, top, pw, ph);
  for (double t : ticks(x0, x1))
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#444\"/>"
                       "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4:g}</text>\n",
                       px(t), top + ph, top + ph + 4, top + ph + 17, t);
  for (double t : ticks(y0, y1))
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
                       "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
                       left, py(t), left + pw, left - 6, py(t) + 4, o.log_y ? fmt::format("{:g}", std::pow(10.0, t)) : fmt::format("{:g}", t));
  if (!o.x_label.empty())
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + pw / 2, o.height - 10,
                       escape(o.x_label));
  if (!o.y_label.empty())
    svg += fmt::format("<text transform=\"translate(16,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n", top + ph / 2,
                       escape(o.y_label));
  std::size_t listed = 0;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const std::string colour = s.colour.empty() ? kColours[k % 8] : s.colour;
    const std::string opacity = s.opacity < 1 ? fmt::format(" opacity=\"{:.2f}\"", s.opacity) : "";
    std::string pts;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]) || (o.log_y && s.y[i] <= 0)) continue;
      if (s.points)
        pts += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"1.6\"/>", px(s.x[i]), py(ty(s.y[i])));
      else
        pts += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(ty(s.y[i])));
    }
    if (s.points)
      svg += fmt::format("<g fill=\"{}\"{}>{}</g>\n", colour, opacity, pts);
    else
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"{}{} points=\"{}\"/>\n", colour,
                         s.dashed ? " stroke-dasharray=\"5,3\"" : "", opacity, pts);
    if (!s.legend) continue;
    const double ly = top + 8 + 18 * double(listed++);
    if (s.points)
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>", left + pw + 22, ly, colour);
    else
      svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"{4}/>",
                         left + pw + 10, ly, left + pw + 34, colour, s.dashed ? " stroke-dasharray=\"5,3\"" : "");
    svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", left + pw + 40, ly + 4, escape(s.label));
  }
  return svg + "</svg>\n";
}

std::string bar_chart(const Bars& b, const ChartOptions& o) {
  const std::size_t n = b.labels.size();
  const double left = 150, right = 24, top = o.title.empty() ? 16 : 36, bottom = 44, row = 22;
  const double height = std::max(o.height, top + bottom + row * double(n));
  const double pw = o.width - left - right;
  const bool errors = b.low.size() == n && b.high.size() == n;
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < n && i < b.values.size(); ++i) {
    if (!std::isfinite(b.values[i])) continue;
    lo = std::min(lo, b.values[i]), hi = std::max(hi, b.values[i]);
    if (errors && std::isfinite(b.low[i]) && std::isfinite(b.high[i]))
      lo = std::min(lo, b.low[i]), hi = std::max(hi, b.high[i]);
  }
  if (hi == lo) hi = lo + 1;
  auto px = [&](double v) { return left + (v - lo) / (hi - lo) * pw; };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      o.width, height);
  if (!o.title.empty())
    svg += fmt::format("<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n", o.width / 2,
                       escape(o.title));
  const double plot_bottom = top + row * double(n);
  for (const double t : ticks(lo, hi)) {
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>\n", px(t), top,
                       plot_bottom);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", px(t), plot_bottom + 16, t);
  }
  for (std::size_t i = 0; i < n && i < b.values.size(); ++i) {
    const double y = top + row * double(i);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + row * 0.65,
                       escape(b.labels[i]));
    if (!std::isfinite(b.values[i])) continue;
    const double x0 = px(std::min(0.0, b.values[i])), x1 = px(std::max(0.0, b.values[i]));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n", x0,
                       y + 3, std::max(0.5, x1 - x0), row - 6, kColours[0]);
    if (errors && std::isfinite(b.low[i]) && std::isfinite(b.high[i]))
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"black\"/>\n",
                         px(b.low[i]), y + row / 2, px(b.high[i]), y + row / 2);
  }
  svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"black\"/>\n", px(0), top,
                     plot_bottom);
  if (!o.x_label.empty())
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + pw / 2, plot_bottom + 36,
                       escape(o.x_label));
  return svg + "</svg>\n";
}

}  // namespace factorkit
