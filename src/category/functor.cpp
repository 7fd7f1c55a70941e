// The rigid, dagger functor from diagrams to diagrams.
#include "factorkit/category/functor.h"

namespace factorkit::category {

DiagramFunctor DiagramFunctor::from(const std::vector<std::pair<Ob, Ty>>& ob,
                                    const std::vector<std::pair<Box, Diagram>>& ar) {
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
  // check the images' types
  for (const auto& [b, d] : ar)
    if (!(d.dom() == f(b.dom())) || !(d.cod() == f(b.cod())))
      throw InvalidInput("functor", "image of box " + b.str(),
                         "a diagram " + f(b.dom()).str() + " → " + f(b.cod()).str() + " (got " + d.dom().str() + " → " +
                             d.cod().str() + ")",
                         "BadFunctor");
  return f;
}

Ty DiagramFunctor::map_ob(const Ob& x) const {
  auto it = ob_.find(x.name.id());
  Ty t = it == ob_.end() ? Ty(Ob(x.name, 0)) : it->second;
  for (std::int32_t k = 0; k < (x.z < 0 ? -x.z : x.z); ++k) t = x.z < 0 ? t.l() : t.r();
  return t;
}

Ty DiagramFunctor::operator()(const Ty& t) const {
  Ty out;
  for (const Ob& x : t) out = out * map_ob(x);
  return out;
}

Diagram DiagramFunctor::operator()(const Box& b) const {
  switch (b.kind()) {
    case BoxKind::Cup:
      return cups(map_ob(b.dom()[0]), map_ob(b.dom()[1]));
    case BoxKind::Cap:
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
      Box g = b;
      for (std::int32_t k = 0; k < (b.z() < 0 ? -b.z() : b.z()); ++k) g = b.z() < 0 ? g.r() : g.l();
      if (g.is_dagger()) g = g.dagger();
      auto it = ar_.find(g.id());
      Diagram d = it == ar_.end() ? Diagram(Box(g)) : it->second;
      if (it == ar_.end()) {  // an unmapped box keeps its name on the mapped types
        if (!(operator()(g.dom()) == g.dom()) || !(operator()(g.cod()) == g.cod()))
          throw InvalidInput("functor", "box " + g.str(), "an image (its types are mapped)", "BadFunctor");
      }
      if (b.is_dagger()) d = d.dagger();
      for (std::int32_t k = 0; k < (b.z() < 0 ? -b.z() : b.z()); ++k) d = b.z() < 0 ? d.l() : d.r();
      return d;
    }
  }
}

Diagram DiagramFunctor::operator()(const Diagram& d) const {
  return apply_functor<Diagram>(
      d, [this](const Ty& t) { return (*this)(t); }, [this](const Box& b) { return (*this)(b); },
      [](const Ty& t) { return Diagram::id(t); }, [](const Diagram& a, const Diagram& b) { return a.then(b); },
      [](const Diagram& a, const Diagram& b) { return a.tensor(b); });
}

}  // namespace factorkit::category
