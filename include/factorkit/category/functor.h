// factorkit/category/functor.h — monoidal functors out of diagrams.
//
// A functor is a map on objects and boxes. `apply_functor` extends it to any
// diagram into any monoidal category given by its identity, composition and
// tensor, layer by layer: F(d) = F(id dom) ; F(left_1) ⊗ F(box_1) ⊗ F(right_1) ; ...
// (the tensor functor of tensor.h does not use it: it contracts a whole
// network at once instead of scanning layers). Each `then` sees the whole
// result so far, so a target whose composition copies (diagrams) makes this
// quadratic in the layers; DiagramFunctor appends layers instead.
//
// `DiagramFunctor` maps diagrams to diagrams and is rigid and dagger: it sends
// x.l to F(x).l, cups and caps to nested cups and caps, swaps to swaps, a
// rotated or daggered box to the rotation or dagger of the generator's image.
#pragma once

#include <functional>
#include <optional>
#include <unordered_map>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

// `ob(const Ty&)` gives the target object of a type; `ar(const Box&)` the image
// of a box; `id(object)`, `then(a, b)` and `tensor(a, b)` are the target's
// structure. Returns F(d).
template <class Arrow, class ObMap, class ArMap, class Id, class Then, class Tensor>
Arrow apply_functor(const Diagram& d, ObMap&& ob, ArMap&& ar, Id&& id, Then&& then, Tensor&& tensor) {
  Arrow result = id(ob(d.dom()));
  std::vector<Ob> wires(d.dom().begin(), d.dom().end());
  for (const Layer& layer : d.layers()) {
    const std::size_t off = layer.offset, n_in = layer.box.dom().size();
    const Ty left(std::vector<Ob>(wires.begin(), wires.begin() + std::ptrdiff_t(off)));
    const Ty right(std::vector<Ob>(wires.begin() + std::ptrdiff_t(off + n_in), wires.end()));
    Arrow step = ar(layer.box);
    if (!left.empty()) step = tensor(id(ob(left)), step);
    if (!right.empty()) step = tensor(step, id(ob(right)));
    result = then(result, step);
    wires.erase(wires.begin() + std::ptrdiff_t(off), wires.begin() + std::ptrdiff_t(off + n_in));
    wires.insert(wires.begin() + std::ptrdiff_t(off), layer.box.cod().begin(), layer.box.cod().end());
  }
  return result;
}

// The target's own rigid structure, for a self-dual target such as circuits
// on qubits: x.l ↦ F(x) reversed (objects are their own adjoints), and the
// cup / cap on one object given as a diagram (for qubits: the Bell effect and
// state built from gates). Cups on several objects are nested as DisCoPy does.
struct SelfDual {
  std::function<Diagram(const Ob&)> cup;  // x ⊗ x → I
  std::function<Diagram(const Ob&)> cap;  // I → x ⊗ x
  // The transpose of an image (for rotated boxes: left and right transposes
  // agree when objects are self-dual). Optional: without it a rotated box's
  // image is bent with the cups and caps above.
  std::function<Diagram(const Diagram&)> transpose = {};
};

class DiagramFunctor {
 public:
  // `ob` for objects with z = 0 (missing objects map to themselves), `ar` for
  // generators (z = 0, no dagger; missing boxes map to themselves).
  DiagramFunctor(std::unordered_map<std::uint32_t, Ty> ob, std::unordered_map<std::uint32_t, Diagram> ar)
      : ob_(std::move(ob)), ar_(std::move(ar)) {}
  // Convenience: keys given as an object or a box.
  static DiagramFunctor from(const std::vector<std::pair<Ob, Ty>>& ob, const std::vector<std::pair<Box, Diagram>>& ar,
                             std::optional<SelfDual> self_dual = std::nullopt);

  Ty operator()(const Ty& t) const;
  Diagram operator()(const Box& b) const;
  Diagram operator()(const Diagram& d) const;

 private:
  Ty map_ob(const Ob& x) const;
  Diagram self_dual_nesting(const Ty& left, bool cup) const;
  std::unordered_map<std::uint32_t, Ty> ob_;        // by name id
  std::optional<SelfDual> self_dual_;
  std::unordered_map<std::uint32_t, Diagram> ar_;   // by box id
};

}  // namespace factorkit::category
