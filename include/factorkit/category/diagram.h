// factorkit/category/diagram.h — string diagrams of monoidal, symmetric, rigid
// and Frobenius categories, in DisCoPy's data model.
//
// A diagram is its domain and a list of layers; each layer is one box at an
// offset (the number of wires to its left). This is DisCoPy's `encode()` form,
// and it is the whole representation: the wire types between layers follow
// from the domain and the boxes (`wire_types()`).
//
//   * Boxes are hash-consed: two boxes with the same kind, name, types, winding
//     number, dagger flag and data are the same pointer, so comparing and hashing
//     diagrams compares integers, never strings.
//   * `a >> b` is sequential composition; `a * b` is DisCoPy's `a @ b`, left-biased:
//     `f * g == (f * g.dom()) >> (f.cod() * g)` (diagrams live in a premonoidal
//     category until normalised).
//   * `dagger()` reverses a diagram; `l()`/`r()` rotate it half a turn (rigid);
//     `transpose(left)` bends its wires with caps and cups.
//   * `interchange(i, j)` moves the box of layer i to layer j; `normal_form()` is
//     Delpeuch–Vicary normalisation (preceded by Dunn–Vicary snake removal), and
//     produces exactly DisCoPy's normal forms. A diagram that is not connected to
//     its boundary (two scalars: the Eckmann–Hilton argument) has none:
//     `normal_form` throws NotBoundaryConnected instead of looping.
//
// Errors: ill-typed composition or construction throws AxiomError, an
// InvalidInput (exit code 2) whose field names the mismatch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "factorkit/category/ty.h"
#include "factorkit/core/error.h"

namespace factorkit::category {

struct AxiomError : InvalidInput {
  AxiomError(std::string field, std::string expected, std::string code = "AxiomError")
      : InvalidInput("diagram", std::move(field), std::move(expected), std::move(code)) {}
};

enum class BoxKind : std::uint8_t {
  Generator,  // a named box
  Cup,        // x ⊗ x.r → I   (rigid counit, atomic x)
  Cap,        // I → x ⊗ x.l   (rigid unit)
  Swap,       // x ⊗ y → y ⊗ x (symmetry, atomic x, y)
  Spider,     // x^a → x^b     (Frobenius spider on atomic x)
  Word,       // I → t         (a pregroup word: a state)
};

struct BoxData;

// A handle on an interned box. Cheap to copy; equality is pointer equality,
// which is structural equality because boxes are hash-consed.
class Box {
 public:
  // A generator `name: dom → cod` (z: winding number, data: parameters such as
  // phases, part of the box's identity).
  Box(std::string_view name, const Ty& dom, const Ty& cod, std::vector<double> data = {});
  // A box with a free parameter: a symbol whose value is given at evaluation
  // (a rotation angle to train); `data` says how the box uses it.
  Box(std::string_view name, const Ty& dom, const Ty& cod, std::vector<double> data, Symbol param);

  BoxKind kind() const noexcept;
  const std::string& name() const;
  const Ty& dom() const noexcept;
  const Ty& cod() const noexcept;
  std::int32_t z() const noexcept;
  bool is_dagger() const noexcept;
  const std::vector<double>& data() const noexcept;
  Symbol param() const noexcept;  // id 0: none
  // interning order; stable within a process, used by hashes
  std::uint32_t id() const noexcept;
  // the object a spider's legs carry (a spider may have no legs at all)
  const Ob& spider_object() const noexcept;

  // f† : cod → dom. Rigid cups and caps have none (AxiomError), as in DisCoPy.
  Box dagger() const;
  // Half-turn rotations: f.l() : cod.l → dom.l with z − 1; Cup(x, x.r).l() is
  // Cap(x, x.l); Swap(x, y).l() is Swap(x.l, y.l). The dagger of a rotated box
  // keeps its winding number (DisCoPy resets it to 0).
  Box l() const;
  Box r() const;
  Box rotate(bool left) const { return left ? l() : r(); }
  // The generator a generator or word is a rotation and/or dagger of: winding
  // number 0, no dagger (functors look images up by it).
  Box generator() const;

  // DisCoPy's str: "f", "f[::-1]", "f.l", "Cup(x, x.r)", "Swap(x, y)", "Spider(1, 2, x)"
  std::string str() const;

  friend bool operator==(Box a, Box b) noexcept { return a.p_ == b.p_; }
  const BoxData* get() const noexcept { return p_; }
  static Box from(const BoxData* p) { return Box(p); }

 private:
  explicit Box(const BoxData* p) : p_(p) {}
  const BoxData* p_;
};

// Special boxes. Each checks its types and throws AxiomError.
Box cup(const Ob& left, const Ob& right);     // right == left.r()
Box cap(const Ob& left, const Ob& right);     // right == left.l()
Box swap(const Ob& left, const Ob& right);
Box spider(std::size_t n_in, std::size_t n_out, const Ob& x);
Box word(std::string_view name, const Ty& cod);

struct Layer {
  Box box;
  std::uint32_t offset;
  friend bool operator==(const Layer& a, const Layer& b) noexcept {
    return a.box == b.box && a.offset == b.offset;
  }
};

class Diagram {
 public:
  Diagram() = default;                 // the identity on the unit
  Diagram(const Box& box);             // NOLINT: a box is a one-layer diagram
  static Diagram id(const Ty& t);

  // Builds a diagram from its encoding, checking every layer's types (DisCoPy's
  // decode). `cod`, when given, must equal the computed codomain.
  static Diagram decode(const Ty& dom, std::vector<Layer> layers, const Ty* cod = nullptr);

  const Ty& dom() const noexcept { return dom_; }
  const Ty& cod() const noexcept { return cod_; }
  const std::vector<Layer>& layers() const noexcept { return layers_; }
  std::size_t size() const noexcept { return layers_.size(); }
  bool is_identity() const noexcept { return layers_.empty(); }
  std::vector<Box> boxes() const;
  std::vector<std::uint32_t> offsets() const;

  // The wire types: result[k] is the type above layer k; result[size()] == cod().
  std::vector<Ty> wire_types() const;
  std::size_t width() const;  // the largest number of parallel wires

  Diagram then(const Diagram& other) const;
  Diagram tensor(const Diagram& other) const;  // left-biased
  Diagram dagger() const;
  Diagram l() const;
  Diagram r() const;
  Diagram rotate(bool left) const { return left ? l() : r(); }
  // Bending wires with caps and cups (DisCoPy's rigid transpose):
  //   left:  cod.l * caps(dom, dom.l) >> cod.l * self * dom.l >> cups(cod.l, cod) * dom.l
  //   right: caps(dom.r, dom) * cod.r >> dom.r * self * cod.r >> dom.r * cups(cod, cod.r)
  Diagram transpose(bool left = false) const;
  // Replaces box k by its transpose (DisCoPy's transpose_box for one-box layers).
  Diagram transpose_box(std::size_t k, bool left = false) const;
  // Layers [begin, end) as a diagram (DisCoPy's d[begin:end]).
  Diagram slice(std::size_t begin, std::size_t end) const;

  // Moves the box of layer i to layer j through adjacent interchanges; throws
  // AxiomError when two boxes that must pass each other are connected.
  Diagram interchange(std::size_t i, std::size_t j, bool left = false) const;

  // Normal form. Snake removal (Dunn–Vicary) yanks every cap–cup pair; then
  // Delpeuch–Vicary right (or left) interchanges run to a fixed point. `on_step`
  // (optional) sees every rewriting step, as DisCoPy's normalize() yields them.
  // Throws NotBoundaryConnected when a sweep of interchanges starts from a
  // diagram an earlier sweep started from (the rewriting would cycle forever).
  struct NormalFormOptions {
    bool left = false;
    bool snake_removal = true;
    std::function<void(const Diagram&)> on_step = {};
  };
  Diagram normal_form(const NormalFormOptions& options) const;
  Diagram normal_form() const { return normal_form(NormalFormOptions{}); }

  // DisCoPy's str: "f @ x >> y @ g", "Id(x @ y)"
  std::string str() const;
  std::uint64_t hash() const noexcept;
  friend bool operator==(const Diagram& a, const Diagram& b) noexcept {
    return a.dom_ == b.dom_ && a.layers_ == b.layers_;
  }

 private:
  friend class DiagramBuilder;
  Ty dom_, cod_;
  std::vector<Layer> layers_;
};

struct NotBoundaryConnected : InvalidInput {
  NotBoundaryConnected(std::size_t steps, Diagram last)
      : InvalidInput("diagram", "normal form",
                     "a diagram connected to its boundary (normalisation came back to a diagram after " +
                         std::to_string(steps) +
                         " steps: scalars or floating components can be interchanged forever, "
                         "the Eckmann-Hilton argument)",
                     "NotBoundaryConnected"),
        last_step(std::move(last)) {}
  Diagram last_step;
};

inline std::ostream& operator<<(std::ostream& os, const Ty& t) { return os << t.str(); }
inline std::ostream& operator<<(std::ostream& os, const Box& b) { return os << b.str(); }
inline std::ostream& operator<<(std::ostream& os, const Diagram& d) { return os << d.str(); }

inline Diagram operator>>(const Diagram& a, const Diagram& b) { return a.then(b); }
inline Diagram operator*(const Diagram& a, const Diagram& b) { return a.tensor(b); }
inline Diagram operator*(const Ty& a, const Diagram& b) { return Diagram::id(a).tensor(b); }
inline Diagram operator*(const Diagram& a, const Ty& b) { return a.tensor(Diagram::id(b)); }
inline Diagram operator*(const Box& a, const Box& b) { return Diagram(a).tensor(Diagram(b)); }
inline Diagram operator*(const Ty& a, const Box& b) { return Diagram::id(a).tensor(Diagram(b)); }
inline Diagram operator*(const Box& a, const Ty& b) { return Diagram(a).tensor(Diagram::id(b)); }

// Nested cups `left * right → I` (right == left.r()) and caps `I → left * right`
// (right == left.l()), outermost pair first as DisCoPy nests them.
Diagram cups(const Ty& left, const Ty& right);
Diagram caps(const Ty& left, const Ty& right);
// The symmetry `left * right → right * left` from atomic swaps.
Diagram swap(const Ty& left, const Ty& right);
// The permutation whose output wire i is input wire perm[i] (DisCoPy's
// convention), built from swaps as DisCoPy builds it.
Diagram permutation(const std::vector<std::size_t>& perm, const Ty& dom);

}  // namespace factorkit::category

template <>
struct std::hash<factorkit::category::Box> {
  std::size_t operator()(factorkit::category::Box b) const noexcept { return b.id(); }
};
template <>
struct std::hash<factorkit::category::Diagram> {
  std::size_t operator()(const factorkit::category::Diagram& d) const noexcept { return d.hash(); }
};
