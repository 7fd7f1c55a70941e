// The rigid, dagger functor from diagrams to diagrams.
#include "factorkit/category/functor.h"

namespace factorkit::category {

DiagramFunctor DiagramFunctor::from(const std::vector<std::pair<Ob, Ty>>& ob,
                                    const std::vector<std::pair<Box, Diagram>>& ar, std::optional<SelfDual> self_dual) {
  std::unordered_map<std::uint32_t, Ty> o;
  std::unordered_map<std::uint32_t, Diagram> a;
  for (const auto& [x, t] : ob) {
    if (x.z != 0) throw InvalidInput("functor", "object " + x.str(), "objects with winding number 0 (x.l maps to F(x).l)", "BadFunctor");
    o[x.name.id()] = t;
  }
  for (const auto& [b, d] : ar) {
    if (b.z() != 0 || b.is_dagger() || b.kind() == BoxKind::Cup || b.kind() == BoxKind::Cap ||
        b.kind() == BoxKind::Swap || b.kind() == BoxKind::Spider)
      throw InvalidInput("functor", "box " + b.str(),
                         "generators only (rotations, daggers, cups, caps, swaps and spiders follow)", "BadFunctor");
    a.emplace(b.id(), d);
  }
  DiagramFunctor f(std::move(o), std::move(a));
  f.self_dual_ = std::move(self_dual);
  // check the images' types
  for (const auto& [b, d] : ar)
    if (!(d.dom() == f(b.dom())) || !(d.cod() == f(b.cod())))
      throw InvalidInput("functor", "image of box " + b.str(),
                         "a diagram " + f(b.dom()).str() + " → " + f(b.cod()).str() + " (got " + d.dom().str() + " → " +
                             d.cod().str() + ")",
                         "BadFunctor");
  return f;
}

// cups (or caps) on left ⊗ reverse(left), nested as DisCoPy nests them, from
// the target's cup (cap) on one object
Diagram DiagramFunctor::self_dual_nesting(const Ty& left, bool cup) const {
  const std::size_t n = left.size();
  Diagram result = Diagram::id(Ty());
  for (std::size_t k = n; k-- > 0;) {
    const Ty a(left[k]);
    const Diagram inner = a * result * a;
    result = cup ? inner >> self_dual_->cup(left[k]) : self_dual_->cap(left[k]) >> inner;
  }
  return result;
}

Ty DiagramFunctor::map_ob(const Ob& x) const {
  auto it = ob_.find(x.name.id());
  Ty t = it == ob_.end() ? Ty(Ob(x.name, 0)) : it->second;
  if (self_dual_) {  // objects are their own adjoints: an odd winding only reverses
    if (x.z % 2 != 0) t = Ty(std::vector<Ob>(t.obs().rbegin(), t.obs().rend()));
    return t;
  }
  for (std::int32_t k = 0; k < (x.z < 0 ? -x.z : x.z); ++k) t = x.z < 0 ? t.l() : t.r();
  return t;
}

Ty DiagramFunctor::operator()(const Ty& t) const {
  std::vector<Ob> out;
  for (const Ob& x : t) {
    const Ty fx = map_ob(x);
    out.insert(out.end(), fx.begin(), fx.end());
  }
  return Ty(std::move(out));
}

Diagram DiagramFunctor::operator()(const Box& b) const {
  switch (b.kind()) {
    case BoxKind::Cup:
      if (self_dual_) return self_dual_nesting(map_ob(b.dom()[0]), true);
      return cups(map_ob(b.dom()[0]), map_ob(b.dom()[1]));
    case BoxKind::Cap:
      if (self_dual_) return self_dual_nesting(map_ob(b.cod()[0]), false);
      return caps(map_ob(b.cod()[0]), map_ob(b.cod()[1]));
    case BoxKind::Swap:
      return swap(map_ob(b.dom()[0]), map_ob(b.dom()[1]));
    case BoxKind::Spider: {
      const Ob& x = b.spider_object();
      const Ty fx = map_ob(x);
      if (fx.size() != 1)
        throw InvalidInput("functor", "box " + b.str(), "spiders on objects whose image is one object (" + x.str() +
                                                            " maps to " + fx.str() + ")",
                           "BadFunctor");
      return Diagram(spider(b.dom().size(), b.cod().size(), fx[0]));
    }
    default: {
      // the generator's image, then its dagger and rotations
      const Box g = b.generator();
      auto it = ar_.find(g.id());
      Diagram d = it == ar_.end() ? Diagram(Box(g)) : it->second;
      if (it == ar_.end()) {  // an unmapped box keeps its name on the mapped types
        if (!(operator()(g.dom()) == g.dom()) || !(operator()(g.cod()) == g.cod()))
          throw InvalidInput("functor", "box " + g.str(), "an image (its types are mapped)", "BadFunctor");
      }
      if (b.is_dagger()) d = d.dagger();
      if (b.z() == 0) return d;
      if (self_dual_) {  // x.l = x.r = x: odd windings transpose, even ones do nothing
        if (b.z() % 2 == 0) return d;
        if (self_dual_->transpose) return self_dual_->transpose(d);
        // DisCoPy's right transpose with x.r = x: rev(cod) → rev(dom)
        const Ty rdom(std::vector<Ob>(d.dom().obs().rbegin(), d.dom().obs().rend()));
        const Ty rcod(std::vector<Ob>(d.cod().obs().rbegin(), d.cod().obs().rend()));
        return (self_dual_nesting(rdom, false) * rcod) >> (rdom * d * rcod) >> (rdom * self_dual_nesting(d.cod(), true));
      }
      for (std::int32_t k = 0; k < (b.z() < 0 ? -b.z() : b.z()); ++k) d = b.z() < 0 ? d.l() : d.r();
      return d;
    }
  }
}

Diagram DiagramFunctor::operator()(const Diagram& d) const {
  // apply_functor's F(left) ⊗ F(box) ⊗ F(right), written out for diagrams: the
  // image's layers shifted past F(left), appended (linear, not quadratic)
  std::vector<Layer> layers;
  std::vector<std::size_t> widths;  // |F(x)| for each current wire
  for (const Ob& x : d.dom()) widths.push_back(map_ob(x).size());
  for (const Layer& layer : d.layers()) {
    const Diagram image = (*this)(layer.box);
    std::size_t shift = 0;
    for (std::size_t k = 0; k < layer.offset; ++k) shift += widths[k];
    for (const Layer& l : image.layers()) layers.push_back(Layer{l.box, static_cast<std::uint32_t>(l.offset + shift)});
    const auto off = std::ptrdiff_t(layer.offset);
    widths.erase(widths.begin() + off, widths.begin() + off + std::ptrdiff_t(layer.box.dom().size()));
    std::vector<std::size_t> out;
    for (const Ob& x : layer.box.cod()) out.push_back(map_ob(x).size());
    widths.insert(widths.begin() + off, out.begin(), out.end());
  }
  return Diagram::decode((*this)(d.dom()), std::move(layers));
}

}  // namespace factorkit::category
