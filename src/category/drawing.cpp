// SVG drawings: a straight-wire layout, and the pregroup style.
#include "factorkit/category/drawing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace factorkit::category {

namespace {

constexpr double kCharWidth = 0.17;  // of a label character, in wire spacings (14px font, 48px unit)
constexpr double kBoxHalfHeight = 0.28;

std::string label_of(const Box& b) {
  std::string s = b.name();
  if (b.is_dagger()) s += "\u2020";
  for (std::int32_t k = 0; k < std::abs(b.z()); ++k) s += b.z() < 0 ? ".l" : ".r";
  return s;
}

std::size_t display_length(const std::string& s) {  // UTF-8 code points
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool drawn_as_wires(BoxKind k) { return k == BoxKind::Cup || k == BoxKind::Cap || k == BoxKind::Swap || k == BoxKind::Spider; }

// half the extra width a box's label needs beyond its ports
double label_pad(const Box& b, double span) {
  if (drawn_as_wires(b.kind())) return 0.0;
  const double text = double(display_length(label_of(b))) * kCharWidth + 0.3;
  return std::max(0.4, text / 2 - span / 2);
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
  }
  return out;
}

}  // namespace

Layout layout(const Diagram& d) {
  Layout lay;
  std::vector<std::size_t> alive;
  for (const Ob& o : d.dom()) {
    lay.wires.push_back({double(alive.size()), 0, d.size() + 1, o});
    alive.push_back(lay.wires.size() - 1);
  }
  lay.dom = alive;
  std::vector<std::optional<double>> scalar_center(d.size());
  auto shift = [&](double threshold, double delta, bool right) {
    for (auto& w : lay.wires)
      if (right ? w.x >= threshold : w.x <= threshold) w.x += delta;
    for (auto& c : scalar_center)
      if (c && (right ? *c >= threshold : *c <= threshold)) *c += delta;
  };
  for (std::size_t k = 0; k < d.size(); ++k) {
    const Layer& layer = d.layers()[k];
    const Box& box = layer.box;
    const std::size_t off = layer.offset, n_in = box.dom().size(), n_out = box.cod().size();
    Layout::Placed placed;
    placed.inputs.assign(alive.begin() + std::ptrdiff_t(off), alive.begin() + std::ptrdiff_t(off + n_in));
    const std::optional<double> xl = off > 0 ? std::optional<double>(lay.wires[alive[off - 1]].x) : std::nullopt;
    const std::optional<double> xr =
        off + n_in < alive.size() ? std::optional<double>(lay.wires[alive[off + n_in]].x) : std::nullopt;
    const double gap = drawn_as_wires(box.kind()) ? 1.0 : 0.6;  // wire to box edge
    // the span [L, R] of the box's ports
    double L, R;
    if (n_in > 0) {
      L = lay.wires[placed.inputs.front()].x;
      R = lay.wires[placed.inputs.back()].x;
      if (n_out >= 2 && R - L < double(n_out - 1)) {
        const double extra = double(n_out - 1) - (R - L);
        L -= extra / 2, R += extra / 2;
      }
    } else {
      const double w = n_out > 1 ? double(n_out - 1) : 0.0;
      const double need = w + 2 * (label_pad(box, w) + gap);
      double c;
      if (xl && xr && *xr - *xl >= need) c = (*xl + *xr) / 2;
      else if (xl) c = *xl + label_pad(box, w) + gap + w / 2;
      else if (xr) c = *xr - label_pad(box, w) - gap - w / 2;
      else c = 0;
      L = c - w / 2, R = c + w / 2;
    }
    const double pad = label_pad(box, R - L);
    if (xl && *xl > L - pad - gap) shift(*xl, (L - pad - gap) - *xl, false);
    if (xr && *xr < R + pad + gap) shift(*xr, (R + pad + gap) - *xr, true);
    // outputs: straight through when as many as inputs, else spread over [L, R]
    for (std::size_t j = 0; j < n_out; ++j) {
      double x;
      if (box.kind() == BoxKind::Swap) x = lay.wires[placed.inputs[j]].x;  // crossing drawn in the row
      else if (n_out == n_in) x = lay.wires[placed.inputs[j]].x;
      else if (n_out == 1) x = (L + R) / 2;
      else x = L + (R - L) * double(j) / double(n_out - 1);
      lay.wires.push_back({x, k + 1, d.size() + 1, box.cod()[j]});
      placed.outputs.push_back(lay.wires.size() - 1);
    }
    for (std::size_t i : placed.inputs) lay.wires[i].bottom = k + 1;
    if (n_in == 0 && n_out == 0) scalar_center[k] = (L + R) / 2;
    alive.erase(alive.begin() + std::ptrdiff_t(off), alive.begin() + std::ptrdiff_t(off + n_in));
    alive.insert(alive.begin() + std::ptrdiff_t(off), placed.outputs.begin(), placed.outputs.end());
    lay.boxes.push_back(std::move(placed));
  }
  lay.cod = alive;
  // extents: wires, and the boxes' label pads
  bool any = false;
  auto extend = [&](double lo, double hi) {
    if (!any) lay.min_x = lo, lay.max_x = hi, any = true;
    lay.min_x = std::min(lay.min_x, lo), lay.max_x = std::max(lay.max_x, hi);
  };
  for (const auto& w : lay.wires) extend(w.x, w.x);
  for (std::size_t k = 0; k < d.size(); ++k) {
    const auto& p = lay.boxes[k];
    double lo, hi;
    if (scalar_center[k]) {
      lo = hi = *scalar_center[k];
    } else {
      lo = 1e300, hi = -1e300;
      for (std::size_t i : p.inputs) lo = std::min(lo, lay.wires[i].x), hi = std::max(hi, lay.wires[i].x);
      for (std::size_t i : p.outputs) lo = std::min(lo, lay.wires[i].x), hi = std::max(hi, lay.wires[i].x);
    }
    const double pad = label_pad(d.layers()[k].box, hi - lo);
    lay.boxes[k].left = lo;
    lay.boxes[k].right = hi;
    extend(lo - pad, hi + pad);
  }
  return lay;
}

namespace {

struct Canvas {
  double unit, row, x0, y0;
  std::string body;
  double X(double x) const { return (x - x0) * unit; }
  double Y(double y) const { return y0 + y * row; }
  void line(double xa, double ya, double xb, double yb) {
    body += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n", X(xa), Y(ya), X(xb), Y(yb));
  }
  void curve(double xa, double ya, double xb, double yb, double ymid) {
    body += fmt::format("<path d=\"M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"none\"/>\n", X(xa),
                        Y(ya), X(xa), Y(ymid), X(xb), Y(ymid), X(xb), Y(yb));
  }
  void text(double x, double y, const std::string& s, const char* cls, const char* anchor = "middle") {
    // dy centres the label on y (dominant-baseline is not honoured by every renderer)
    body += fmt::format("<text class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" dy=\"0.35em\" text-anchor=\"{}\">{}</text>\n", cls,
                        X(x), Y(y), anchor, xml_escape(s));
  }
};

std::string document(const Canvas& c, double width, double height, const DrawOptions& o) {
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\">\n"
      "<style>line,path{{stroke:#000;stroke-width:1.5}} rect{{fill:#fff;stroke:#000;stroke-width:1.5}}"
      " polygon{{fill:#eef;stroke:#000;stroke-width:1.5}} circle{{fill:#000}}"
      " text{{font-family:sans-serif}} .box{{font-size:14px}}"
      " .ty{{font-size:11px;fill:#555}} .title{{font-size:15px}}</style>\n"
      "<rect x=\"0\" y=\"0\" width=\"{:.0f}\" height=\"{:.0f}\" style=\"fill:#fff;stroke:none\"/>\n",
      width, height, width, height, width, height);
  if (!o.title.empty())
    s += fmt::format("<text class=\"title\" x=\"{:.1f}\" y=\"18\" text-anchor=\"middle\">{}</text>\n", width / 2,
                     xml_escape(o.title));
  return s + c.body + "</svg>\n";
}

}  // namespace

std::string to_svg(const Diagram& d, const DrawOptions& o) {
  const Layout lay = layout(d);
  const double margin = 0.9;
  Canvas c{o.unit, o.row, lay.min_x - margin, o.title.empty() ? 14.0 : 34.0, {}};
  const double bottom = double(d.size() + 1);
  // how far from its row's centre a wire meets a box: cups and caps at the
  // centre (their arcs), swaps and spiders 0.3 away, boxes at their edge
  auto reach = [](const Box& b) {
    return b.kind() == BoxKind::Cup || b.kind() == BoxKind::Cap ? 0.0
           : drawn_as_wires(b.kind())                          ? 0.3
                                                               : kBoxHalfHeight;
  };
  auto top_y = [&](const Layout::Wire& w) {
    return w.top == 0 ? 0.0 : double(w.top) + reach(d.layers()[w.top - 1].box);
  };
  auto bottom_y = [&](const Layout::Wire& w) {
    return w.bottom > d.size() ? bottom : double(w.bottom) - reach(d.layers()[w.bottom - 1].box);
  };
  for (const auto& w : lay.wires) c.line(w.x, top_y(w), w.x, bottom_y(w));
  for (std::size_t k = 0; k < d.size(); ++k) {
    const Box& b = d.layers()[k].box;
    const auto& p = lay.boxes[k];
    const double y = double(k + 1);
    auto xs = [&](const std::vector<std::size_t>& v) {
      std::vector<double> out;
      for (std::size_t i : v) out.push_back(lay.wires[i].x);
      return out;
    };
    const std::vector<double> in = xs(p.inputs), out = xs(p.outputs);
    switch (b.kind()) {
      case BoxKind::Cup:
        c.curve(in[0], y, in[1], y, y + 0.45);
        break;
      case BoxKind::Cap:
        c.curve(out[0], y, out[1], y, y - 0.45);
        break;
      case BoxKind::Swap:
        c.curve(in[0], y - 0.3, in[1], y + 0.3, y);
        c.curve(in[1], y - 0.3, in[0], y + 0.3, y);
        break;
      case BoxKind::Spider: {
        const double cx = (p.left + p.right) / 2;
        for (double x : in) c.curve(x, y - 0.3, cx, y, y - 0.1);
        for (double x : out) c.curve(cx, y, x, y + 0.3, y + 0.1);
        c.body += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\"/>\n", c.X(cx), c.Y(y));
        break;
      }
      default: {
        const double pad = label_pad(b, p.right - p.left);
        const double lx = p.left - pad, rx = p.right + pad;
        if (b.kind() == BoxKind::Word && !b.is_dagger() && b.z() == 0)
          c.body += fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\"/>\n",
                                c.X(lx), c.Y(y - kBoxHalfHeight), c.X(rx), c.Y(y - kBoxHalfHeight), c.X(rx - 0.15),
                                c.Y(y + kBoxHalfHeight), c.X(lx + 0.15), c.Y(y + kBoxHalfHeight));
        else
          c.body += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"4\"/>\n",
                                c.X(lx), c.Y(y - kBoxHalfHeight), (rx - lx) * o.unit, 2 * kBoxHalfHeight * o.row);
        c.text((p.left + p.right) / 2, y, label_of(b), "box");
      }
    }
  }
  if (o.wire_labels) {
    for (std::size_t i : lay.dom) c.text(lay.wires[i].x + 0.12, 0.3, lay.wires[i].ob.str(), "ty", "start");
    for (std::size_t i : lay.cod) c.text(lay.wires[i].x + 0.12, bottom - 0.1, lay.wires[i].ob.str(), "ty", "start");
  }
  const double width = (lay.max_x - lay.min_x + 2 * margin) * o.unit;
  const double height = c.y0 + (bottom + 0.3) * o.row;
  return document(c, width, height, o);
}

std::string pregroup_svg(const Diagram& d, const DrawOptions& o) {
  std::size_t n_words = 0;
  for (const Layer& l : d.layers()) {
    if (l.box.kind() != BoxKind::Word) break;
    ++n_words;
  }
  std::size_t width = 0;
  for (std::size_t k = 0; k < n_words; ++k) {
    if (d.layers()[k].offset != width)
      throw InvalidInput("pregroup drawing", "layer " + std::to_string(k), "words tensored left to right", "NotPregroup");
    width += d.layers()[k].box.cod().size();
  }
  for (std::size_t k = n_words; k < d.size(); ++k) {
    const BoxKind kind = d.layers()[k].box.kind();
    if (kind != BoxKind::Cup && kind != BoxKind::Swap)
      throw InvalidInput("pregroup drawing", "layer " + std::to_string(k) + " (" + d.layers()[k].box.str() + ")",
                         "only cups and swaps below the words", "NotPregroup");
  }
  if (!d.dom().empty()) throw InvalidInput("pregroup drawing", "domain", "the unit (a sentence is a state)", "NotPregroup");
  // wires of word j at consecutive columns, one free column between words
  std::vector<double> x;
  std::vector<Ob> ob;
  Canvas c{o.unit, o.row, -0.9, o.title.empty() ? 14.0 : 34.0, {}};
  double col = 0;
  const double word_top = 0, word_bottom = 0.55;
  std::vector<std::pair<double, double>> spans;
  for (std::size_t k = 0; k < n_words; ++k) {
    const Box& w = d.layers()[k].box;
    const double first = col;
    for (const Ob& t : w.cod()) x.push_back(col++), ob.push_back(t);
    const double last = w.cod().empty() ? first : col - 1;
    const double half = std::max(0.45, double(display_length(label_of(w))) * kCharWidth / 2 + 0.15);
    const double centre = (first + last) / 2;
    const double lx = std::min(first - 0.4, centre - half), rx = std::max(last + 0.4, centre + half);
    if (lx < (spans.empty() ? -1e300 : spans.back().second + 0.3)) {  // labels wider than their wires
      const double move = spans.back().second + 0.3 - lx;
      for (std::size_t i = x.size() - w.cod().size(); i < x.size(); ++i) x[i] += move;
      col += move;
      spans.emplace_back(lx + move, rx + move);
    } else {
      spans.emplace_back(lx, rx);
    }
    col += 1;
  }
  const std::vector<double> word_x = x;  // columns under the words, before any swap
  const std::size_t n_wiring = d.size() - n_words;
  const double depth0 = 1.0, step = 0.45;
  const double bottom = depth0 + step * double(n_wiring + 1) + 0.4;
  std::vector<std::size_t> alive(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) alive[i] = i;
  std::vector<double> wire_top(x.size(), word_bottom);  // where each open wire's current vertical starts
  for (std::size_t k = n_words; k < d.size(); ++k) {
    const Layer& l = d.layers()[k];
    const double y = depth0 + step * double(k - n_words + 1);
    const std::size_t a = alive[l.offset], b = alive[l.offset + 1];
    c.line(x[a], wire_top[a], x[a], l.box.kind() == BoxKind::Cup ? y - 0.3 : y - 0.2);
    c.line(x[b], wire_top[b], x[b], l.box.kind() == BoxKind::Cup ? y - 0.3 : y - 0.2);
    if (l.box.kind() == BoxKind::Cup) {
      c.curve(x[a], y - 0.3, x[b], y - 0.3, y + 0.1);
      alive.erase(alive.begin() + std::ptrdiff_t(l.offset), alive.begin() + std::ptrdiff_t(l.offset + 2));
    } else {  // a swap: the two wires trade columns
      c.curve(x[a], y - 0.2, x[b], y + 0.2, y);
      c.curve(x[b], y - 0.2, x[a], y + 0.2, y);
      std::swap(x[a], x[b]);
      wire_top[a] = wire_top[b] = y + 0.2;
      std::swap(alive[l.offset], alive[l.offset + 1]);
    }
  }
  for (std::size_t i : alive) {
    c.line(x[i], wire_top[i], x[i], bottom);
    if (o.wire_labels) c.text(x[i] + 0.12, bottom + 0.25, ob[i].str(), "ty", "start");
  }
  // words last, over their wires
  std::size_t wire = 0;
  double max_x = 0;
  for (std::size_t k = 0; k < n_words; ++k) {
    const Box& w = d.layers()[k].box;
    const auto [lx, rx] = spans[k];
    c.body += fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\"/>\n", c.X(lx),
                          c.Y(word_top), c.X(rx), c.Y(word_top), c.X(rx - 0.15), c.Y(word_bottom), c.X(lx + 0.15),
                          c.Y(word_bottom));
    c.text((lx + rx) / 2, (word_top + word_bottom) / 2, label_of(w), "box");
    if (o.wire_labels)
      for (std::size_t t = 0; t < w.cod().size(); ++t, ++wire)
        c.text(word_x[wire] + 0.1, word_bottom + 0.3, ob[wire].str(), "ty", "start");
    max_x = std::max(max_x, rx);
  }
  return document(c, (max_x + 1.8) * o.unit, c.y0 + (bottom + 0.5) * o.row, o);
}

}  // namespace factorkit::category
