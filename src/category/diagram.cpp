// Diagrams: composition, tensor, dagger, rotation, transpose, interchange, printing.
#include "factorkit/category/diagram.h"

#include <algorithm>
#include <numeric>

#include "internal.h"

namespace factorkit::category {

namespace {


// The type after applying `box` at `offset` to `wires`, checking the match.
void apply_layer(std::vector<Ob>& wires, const Layer& layer, std::size_t index) {
  const Ty& dom = layer.box.dom();
  const std::size_t off = layer.offset;
  if (off + dom.size() > wires.size() ||
      !std::equal(dom.begin(), dom.end(), wires.begin() + std::ptrdiff_t(off)))
    throw AxiomError("layer " + std::to_string(index) + " (" + layer.box.str() + " at offset " +
                         std::to_string(off) + ")",
                     "the box's domain " + dom.str() + " on wires " + std::to_string(off) + ".." +
                         std::to_string(off + dom.size()) + " of " + Ty(wires).str(),
                     "NotComposable");
  const Ty& cod = layer.box.cod();
  wires.erase(wires.begin() + std::ptrdiff_t(off), wires.begin() + std::ptrdiff_t(off + dom.size()));
  wires.insert(wires.begin() + std::ptrdiff_t(off), cod.begin(), cod.end());
}

}  // namespace

Diagram::Diagram(const Box& box) : dom_(box.dom()), cod_(box.cod()), layers_{Layer{box, 0}} {}

Diagram Diagram::id(const Ty& t) {
  Diagram d;
  d.dom_ = t;
  d.cod_ = t;
  return d;
}

Diagram Diagram::decode(const Ty& dom, std::vector<Layer> layers, const Ty* cod) {
  std::vector<Ob> wires(dom.begin(), dom.end());
  for (std::size_t k = 0; k < layers.size(); ++k) apply_layer(wires, layers[k], k);
  Diagram d;
  d.dom_ = dom;
  d.cod_ = Ty(std::move(wires));
  d.layers_ = std::move(layers);
  if (cod && !(*cod == d.cod_))
    throw AxiomError("codomain", "the codomain of the layers, " + d.cod_.str() + " (given " + cod->str() + ")",
                     "NotComposable");
  return d;
}

std::vector<Box> Diagram::boxes() const {
  std::vector<Box> out;
  out.reserve(layers_.size());
  for (const Layer& l : layers_) out.push_back(l.box);
  return out;
}

std::vector<std::uint32_t> Diagram::offsets() const {
  std::vector<std::uint32_t> out;
  out.reserve(layers_.size());
  for (const Layer& l : layers_) out.push_back(l.offset);
  return out;
}

std::vector<Ty> Diagram::wire_types() const {
  std::vector<Ty> out;
  out.reserve(layers_.size() + 1);
  std::vector<Ob> wires(dom_.begin(), dom_.end());
  out.emplace_back(wires);
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    apply_layer(wires, layers_[k], k);
    out.emplace_back(wires);
  }
  return out;
}

std::size_t Diagram::width() const {
  std::size_t w = dom_.size(), best = w;
  for (const Layer& l : layers_) {
    w = w - l.box.dom().size() + l.box.cod().size();
    best = std::max(best, w);
  }
  return best;
}

Diagram Diagram::then(const Diagram& other) const {
  if (!(cod_ == other.dom_))
    throw AxiomError("composition " + str() + " >> " + other.str(),
                     "the codomain " + cod_.str() + " to equal the domain " + other.dom_.str(), "NotComposable");
  Diagram d;
  d.dom_ = dom_;
  d.cod_ = other.cod_;
  d.layers_.reserve(layers_.size() + other.layers_.size());
  d.layers_ = layers_;
  d.layers_.insert(d.layers_.end(), other.layers_.begin(), other.layers_.end());
  return d;
}

Diagram Diagram::tensor(const Diagram& other) const {
  // left bias: self's layers first (other's wires idle on the right, offsets
  // unchanged), then other's layers shifted past self's codomain
  Diagram d;
  d.dom_ = dom_ * other.dom_;
  d.cod_ = cod_ * other.cod_;
  d.layers_.reserve(layers_.size() + other.layers_.size());
  d.layers_ = layers_;
  const auto shift = static_cast<std::uint32_t>(cod_.size());
  for (const Layer& l : other.layers_) d.layers_.push_back(Layer{l.box, l.offset + shift});
  return d;
}

Diagram Diagram::dagger() const {
  Diagram d;
  d.dom_ = cod_;
  d.cod_ = dom_;
  d.layers_.reserve(layers_.size());
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) d.layers_.push_back(Layer{it->box.dagger(), it->offset});
  return d;
}

namespace {

// Half-turn rotation: layers in reverse order, each box rotated, and the offset
// becomes the number of wires that were on the box's right.
Diagram rotate_diagram(const Diagram& self, bool left) {
  std::vector<Layer> layers;
  layers.reserve(self.size());
  std::vector<std::size_t> widths(self.size());  // wires above each layer
  std::size_t w = self.dom().size();
  for (std::size_t k = 0; k < self.size(); ++k) {
    widths[k] = w;
    const Layer& l = self.layers()[k];
    w = w - l.box.dom().size() + l.box.cod().size();
  }
  for (std::size_t k = self.size(); k-- > 0;) {
    const Layer& l = self.layers()[k];
    const std::size_t right = widths[k] - l.offset - l.box.dom().size();
    layers.push_back(Layer{l.box.rotate(left), static_cast<std::uint32_t>(right)});
  }
  const Ty dom = left ? self.cod().l() : self.cod().r();
  return Diagram::decode(dom, std::move(layers));
}

}  // namespace

Diagram Diagram::l() const { return rotate_diagram(*this, true); }
Diagram Diagram::r() const { return rotate_diagram(*this, false); }

namespace {

// DisCoPy's nesting of cups (or caps): the outer pair left[0], right[-1], the
// rest nested inside, built from the innermost pair out.
Diagram nested(const Ty& left, const Ty& right, bool cups_not_caps) {
  const std::size_t n = left.size();
  Diagram result = Diagram::id(Ty());
  for (std::size_t k = n; k-- > 0;) {
    const Ob &a = left[k], &b = right[n - 1 - k];
    const Diagram inner = Ty(a) * result * Ty(b);
    result = cups_not_caps ? inner >> Diagram(cup(a, b)) : Diagram(cap(a, b)) >> inner;
  }
  return result;
}

}  // namespace

Diagram cups(const Ty& left, const Ty& right) {
  if (!(right == left.r()))
    throw AxiomError("cups(" + left.str() + ", " + right.str() + ")",
                     "the second type to be the right adjoint of the first (" + left.r().str() + ")", "NotAdjoint");
  return nested(left, right, true);
}

Diagram caps(const Ty& left, const Ty& right) {
  if (!(right == left.l()))
    throw AxiomError("caps(" + left.str() + ", " + right.str() + ")",
                     "the second type to be the left adjoint of the first (" + left.l().str() + ")", "NotAdjoint");
  return nested(left, right, false);
}

Diagram swap(const Ty& left, const Ty& right) {
  // DisCoPy's hexagon recursion, so the same swaps in the same order
  if (left.empty()) return Diagram::id(right);
  if (right.empty()) return Diagram::id(left);
  if (left.size() == 1 && right.size() == 1) return Diagram(swap(left[0], right[0]));
  if (left.size() == 1)
    return (swap(left, right.slice(0, 1)) * right.slice(1, right.size())) >>
           (right.slice(0, 1) * swap(left, right.slice(1, right.size())));
  return (left.slice(0, 1) * swap(left.slice(1, left.size()), right)) >>
         (swap(left.slice(0, 1), right) * left.slice(1, left.size()));
}

Diagram permutation(const std::vector<std::size_t>& perm, const Ty& dom) {
  std::vector<std::size_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool ok = perm.size() == dom.size();
  for (std::size_t k = 0; ok && k < sorted.size(); ++k) ok = sorted[k] == k;
  if (!ok)
    throw AxiomError("permutation", "each of the " + std::to_string(dom.size()) + " wire indices exactly once",
                     "NotAPermutation");
  // output wire k is input wire perm[k]: bring perm[0] to the front, recurse
  // on the rest (DisCoPy's recursion, its layers appended in place)
  std::vector<Layer> layers;
  std::vector<std::size_t> xs = perm;
  Ty rest = dom;
  std::size_t done = 0;
  while (rest.size() > 1) {
    const std::size_t i = xs[0];
    const Diagram step = swap(rest.slice(0, i), Ty(rest[i]));
    for (const Layer& l : step.layers())
      layers.push_back(Layer{l.box, static_cast<std::uint32_t>(l.offset + done)});
    std::vector<Ob> next(rest.begin(), rest.end());
    next.erase(next.begin() + std::ptrdiff_t(i));
    rest = Ty(std::move(next));
    std::vector<std::size_t> ys;
    for (std::size_t k = 1; k < xs.size(); ++k) ys.push_back(xs[k] > i ? xs[k] - 1 : xs[k]);
    xs = std::move(ys);
    ++done;
  }
  return Diagram::decode(dom, std::move(layers));
}

Diagram Diagram::transpose(bool left) const {
  if (left)
    return (cod_.l() * caps(dom_, dom_.l())) >> (cod_.l() * *this * dom_.l()) >> (cups(cod_.l(), cod_) * dom_.l());
  return (caps(dom_.r(), dom_) * cod_.r()) >> (dom_.r() * *this * cod_.r()) >> (dom_.r() * cups(cod_, cod_.r()));
}

Diagram Diagram::slice(std::size_t begin, std::size_t end) const {
  end = std::min(end, layers_.size());
  begin = std::min(begin, end);
  std::vector<Ob> wires(dom_.begin(), dom_.end());
  for (std::size_t k = 0; k < begin; ++k) apply_layer(wires, layers_[k], k);
  return decode(Ty(std::move(wires)), std::vector<Layer>(layers_.begin() + std::ptrdiff_t(begin),
                                                         layers_.begin() + std::ptrdiff_t(end)));
}

Diagram Diagram::transpose_box(std::size_t k, bool left) const {
  if (k >= layers_.size())
    throw AxiomError("transpose_box", "a layer index below " + std::to_string(layers_.size()), "IndexError");
  const Layer& layer = layers_[k];
  const Diagram top = slice(0, k), bottom = slice(k + 1, layers_.size());
  const Box& box = layer.box;
  const Diagram transposed = Diagram(left ? box.r() : box.l()).transpose(left);
  const Ty& wires = top.cod();
  const Ty l = wires.slice(0, layer.offset), r = wires.slice(layer.offset + box.dom().size(), wires.size());
  return top >> (l * transposed * r) >> bottom;
}

namespace {

// One adjacent interchange of layers p and p + 1 in place (DisCoPy's order of
// checks: with `left`, box0-left-of-box1 first; then box0 right of box1; then left).
bool swap_adjacent(std::vector<Layer>& layers, std::size_t p, bool left) {
  Layer& a = layers[p];
  Layer& b = layers[p + 1];
  const std::size_t off0 = a.offset, off1 = b.offset;
  const std::size_t dom0 = a.box.dom().size(), cod0 = a.box.cod().size();
  const std::size_t dom1 = b.box.dom().size(), cod1 = b.box.cod().size();
  const bool box0_left = off1 >= off0 + cod0;
  const bool box0_right = off0 >= off1 + dom1;
  if (left && box0_left) {
    Layer upper{b.box, static_cast<std::uint32_t>(off1 - cod0 + dom0)}, lower{a.box, a.offset};
    a = upper;
    b = lower;
  } else if (box0_right) {
    Layer upper{b.box, b.offset}, lower{a.box, static_cast<std::uint32_t>(off0 - dom1 + cod1)};
    a = upper;
    b = lower;
  } else if (box0_left) {
    Layer upper{b.box, static_cast<std::uint32_t>(off1 - cod0 + dom0)}, lower{a.box, a.offset};
    a = upper;
    b = lower;
  } else {
    return false;
  }
  return true;
}

}  // namespace

void interchange_in_place(std::vector<Layer>& layers, std::size_t i, std::size_t j, bool left) {
  auto step = [&](std::size_t p) {
    if (!swap_adjacent(layers, p, left))
      throw AxiomError("interchange of layers " + std::to_string(p) + " and " + std::to_string(p + 1),
                       "boxes that are not connected (" + layers[p].box.str() + " and " + layers[p + 1].box.str() +
                           " share a wire)",
                       "InterchangerError");
  };
  if (i < j)
    for (std::size_t k = i; k < j; ++k) step(k);
  else
    for (std::size_t k = i; k > j; --k) step(k - 1);
}

Diagram Diagram::interchange(std::size_t i, std::size_t j, bool left) const {
  if (i >= layers_.size() || j >= layers_.size())
    throw AxiomError("interchange(" + std::to_string(i) + ", " + std::to_string(j) + ")",
                     "layer indices below " + std::to_string(layers_.size()), "IndexError");
  Diagram d = *this;
  interchange_in_place(d.layers_, i, j, left);
  return d;
}

std::string Diagram::str() const {
  if (layers_.empty()) return "Id(" + dom_.str() + ")";
  std::string s;
  std::vector<Ob> wires(dom_.begin(), dom_.end());
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const Layer& l = layers_[k];
    if (k) s += " >> ";
    std::string part;
    auto add = [&part](const std::string& t) { part += (part.empty() ? "" : " @ ") + t; };
    if (l.offset > 0) add(Ty(std::vector<Ob>(wires.begin(), wires.begin() + l.offset)).str());
    add(l.box.str());
    const std::size_t right = l.offset + l.box.dom().size();
    if (right < wires.size()) add(Ty(std::vector<Ob>(wires.begin() + std::ptrdiff_t(right), wires.end())).str());
    s += part;
    apply_layer(wires, l, k);
  }
  return s;
}

std::uint64_t Diagram::hash() const noexcept {
  std::uint64_t h = mix(dom_.hash());
  for (const Layer& l : layers_) h = mix(mix(h + l.box.id()) + l.offset);
  return h;
}

}  // namespace factorkit::category
