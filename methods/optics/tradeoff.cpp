// The space–time trade-off report of lens, optic and checkpoint compositions.
#include "tradeoff.h"

#include <fmt/format.h>

#include <cmath>

#include "factorkit/core/error.h"
#include "factorkit/core/svg_plot.h"

namespace factorkit::optics {

namespace op = factorkit::category::optics;

std::vector<op::Stage<std::vector<double>>> tanh_chain(std::size_t depth) {
  return std::vector<op::Stage<std::vector<double>>>(depth, op::tanh_stage());
}

std::vector<std::string> default_modes(std::size_t depth) {
  const auto k = std::size_t(std::ceil(std::sqrt(double(std::max<std::size_t>(depth, 1)))));
  std::vector<std::string> modes;
  if (depth <= 256) modes = {"lens", "lens-right"};
  for (const char* m : {"optic", "closed"}) modes.push_back(m);
  modes.push_back(fmt::format("checkpoint:{}", k));
  return modes;
}

std::vector<TradeoffRow> tradeoff(std::size_t depth, std::size_t width, const std::vector<std::string>& modes) {
  const auto chain = tanh_chain(depth);
  std::vector<double> x(width);
  for (std::size_t i = 0; i < width; ++i) x[i] = std::sin(double(i));  // a fixed, varied input
  const auto ones = [](const std::vector<double>& y) { return std::vector<double>(y.size(), 1.0); };
  std::vector<TradeoffRow> rows;
  std::vector<double> reference;
  for (const std::string& m : modes) {
    op::Mode mode;
    try {
      mode = op::Mode::parse(m);
    } catch (const std::invalid_argument& e) {
      throw InvalidInput("--modes", m, "lens, lens-right, optic, closed or checkpoint:K with K >= 1", "BadOption");
    }
    const auto r = op::forward_backward<std::vector<double>>(chain, x, ones, mode);
    if (reference.empty()) reference = r.input_feedback;
    else if (r.input_feedback != reference)
      throw NumericalFailure("optics tradeoff", "gradient of mode " + m, "the same gradient in every mode", "Mismatch");
    rows.push_back({mode.str(), depth, width, r.stats});
  }
  return rows;
}

std::string tradeoff_table(const std::vector<TradeoffRow>& rows) {
  std::string s =
      "| mode | depth | width | forward gets | backward gets (recomputed) | stored residuals | stored bytes | peak held "
      "bytes | peak / width bytes | ms |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const TradeoffRow& r : rows)
    s += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {:.1f} | {:.3f} |\n", r.mode, r.depth, r.width,
                     r.stats.forward_gets, r.stats.backward_gets, r.stats.stored, r.stats.stored_bytes,
                     r.stats.peak_bytes, double(r.stats.peak_bytes) / double(std::max<std::size_t>(1, r.width * 8)),
                     r.stats.seconds * 1e3);
  return s;
}

std::string tradeoff_svg(std::size_t depth, std::size_t width, const std::vector<std::string>& modes,
                         bool sqrt_checkpoint) {
  std::vector<std::size_t> depths;
  for (std::size_t n = 1; n < depth; n *= 2) depths.push_back(n);
  if (depth <= 32) {
    depths.clear();
    for (std::size_t n = 1; n < depth; ++n) depths.push_back(n);
  }
  depths.push_back(depth);
  std::vector<Series> peak, recompute;
  for (const std::string& m : modes) {
    // the default checkpoint mode follows the depth: K = ⌈√n⌉ at every n
    const bool sqrt_k = sqrt_checkpoint && &m == &modes.back();
    const std::string label = sqrt_k ? "checkpoint:⌈√n⌉" : m;
    Series p{label, {}, {}, m.rfind("lens", 0) == 0}, c{label, {}, {}, m.rfind("lens", 0) == 0};
    for (std::size_t n : depths) {
      const std::string mode = sqrt_k ? default_modes(n).back() : m;
      const TradeoffRow r = tradeoff(n, width, {mode}).front();
      p.x.push_back(double(n)), p.y.push_back(double(r.stats.peak_bytes) / double(width * 8));
      c.x.push_back(double(n)), c.y.push_back(double(r.stats.backward_gets));
    }
    peak.push_back(p), recompute.push_back(c);
  }
  ChartOptions o;
  o.title = fmt::format("peak values held (width {})", width);
  o.x_label = "depth n";
  o.y_label = "peak held bytes / bytes of one value";
  std::string a = line_chart(peak, o);
  o.title = "forward calls recomputed in the backward pass";
  o.y_label = "recomputed gets";
  std::string b = line_chart(recompute, o);
  // two charts stacked in one SVG
  auto inner = [](const std::string& svg) { return svg.substr(svg.find('>') + 1, svg.rfind("</svg>") - svg.find('>') - 1); };
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"680\" viewBox=\"0 0 560 680\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<g>{}</g>\n<g transform=\"translate(0,340)\">{}</g>\n</svg>\n",
      inner(a), inner(b));
}

}  // namespace factorkit::optics
