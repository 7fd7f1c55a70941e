// Normal forms: Dunn–Vicary snake removal, then Delpeuch–Vicary interchanges.
//
// The rewriting runs on the encoded layers in place: an adjacent interchange is
// O(1) (two offsets change), where rebuilding a diagram per step is O(n). A
// repeated diagram is detected with a 128-bit Zobrist-style hash of the layers,
// updated in O(1) per interchange, instead of hashing printed strings, and only
// sweep starts are remembered.
#include <unordered_set>

#include "internal.h"

namespace factorkit::category {

namespace {


struct Hash128 {
  std::uint64_t a = 0, b = 0;
  friend bool operator==(const Hash128& x, const Hash128& y) { return x.a == y.a && x.b == y.b; }
};
struct Hash128Hasher {
  std::size_t operator()(const Hash128& h) const noexcept { return h.a; }
};

// The contribution of layer k: a sum over layers, so one layer's change is a
// subtraction and an addition.
Hash128 term(std::size_t k, const Layer& l) {
  const std::uint64_t key = mix(mix(mix(k) + l.box.id()) + l.offset);
  return {key, mix(key ^ 0x5bd1e9955bd1e995ULL)};
}

class StateHash {
 public:
  explicit StateHash(const std::vector<Layer>& layers) {
    for (std::size_t k = 0; k < layers.size(); ++k) add(term(k, layers[k]));
  }
  void replace(std::size_t k, const Layer& before, const Layer& after) {
    sub(term(k, before));
    add(term(k, after));
  }
  const Hash128& value() const { return h_; }

 private:
  void add(const Hash128& t) { h_.a += t.a, h_.b += t.b; }
  void sub(const Hash128& t) { h_.a -= t.a, h_.b -= t.b; }
  Hash128 h_;
};

// ---- snake removal (DisCoPy's follow_wire / find_snake / unsnake) ---------

struct Obstructions {
  std::vector<std::size_t> left, right;
};

// Follows the output wire j of layer i down to the layer that consumes it (or
// layers.size() for the bottom boundary); records the boxes passed on each side.
std::size_t follow_wire(const std::vector<Layer>& layers, std::size_t i, std::size_t& j, Obstructions& obs) {
  while (i + 1 < layers.size()) {
    ++i;
    const Layer& l = layers[i];
    const std::size_t off = l.offset, n_dom = l.box.dom().size();
    if (off <= j && j < off + n_dom) return i;
    if (off <= j) {
      j = j + l.box.cod().size() - n_dom;
      obs.left.push_back(i);
    } else {
      obs.right.push_back(i);
    }
  }
  return layers.size();
}

struct Snake {
  std::size_t cup, cap;
  Obstructions obs;
  bool left_snake;
};

bool find_snake(const std::vector<Layer>& layers, Snake& out) {
  for (std::size_t cap = 0; cap < layers.size(); ++cap) {
    if (layers[cap].box.kind() != BoxKind::Cap) continue;
    for (int side = 0; side < 2; ++side) {
      const bool left_snake = side == 0;
      std::size_t wire = layers[cap].offset + (left_snake ? 0 : 1);
      Obstructions obs;
      const std::size_t cup = follow_wire(layers, cap, wire, obs);
      if (cup == layers.size() || layers[cup].box.kind() != BoxKind::Cup) continue;
      if (left_snake ? layers[cup].offset + 1 != wire : layers[cup].offset != wire) continue;
      out = Snake{cup, cap, std::move(obs), left_snake};
      return true;
    }
  }
  return false;
}

}  // namespace

Diagram Diagram::normal_form(const NormalFormOptions& options) const {
  std::vector<Layer> layers = layers_;
  std::size_t steps = 0;
  auto emit = [&]() {
    ++steps;
    if (options.on_step) options.on_step(decode(dom_, layers));
  };

  if (options.snake_removal) {
    Snake s;
    while (find_snake(layers, s)) {
      auto& lo = s.obs.left;
      auto& ro = s.obs.right;
      std::size_t cup = s.cup, cap = s.cap;
      if (s.left_snake) {
        for (std::size_t box : lo) {
          interchange_in_place(layers, box, cap, false);
          emit();
          for (std::size_t& r : ro)
            if (r < box) ++r;
          ++cap;
        }
        for (auto it = ro.rbegin(); it != ro.rend(); ++it) {
          interchange_in_place(layers, *it, cup, false);
          emit();
          --cup;
        }
      } else {
        for (auto it = lo.rbegin(); it != lo.rend(); ++it) {
          const std::size_t box = *it;
          interchange_in_place(layers, box, cup, false);
          emit();
          for (std::size_t& r : ro)
            if (r > box) --r;
          --cup;
        }
        for (std::size_t box : ro) {
          interchange_in_place(layers, box, cap, false);
          emit();
          ++cap;
        }
      }
      layers.erase(layers.begin() + std::ptrdiff_t(cap), layers.begin() + std::ptrdiff_t(cup + 1));
      emit();
    }
  }

  // Delpeuch–Vicary: sweep, interchanging every adjacent pair whose lower box
  // lies to the left (right, with `left`) of the upper one, until a sweep makes
  // no move. A sweep is a function of the diagram it starts from, so a diagram
  // that starts a second sweep means the rewriting cycles forever: remembering
  // the start of each sweep (not every step) is enough to stop it.
  StateHash hash(layers);
  std::unordered_set<Hash128, Hash128Hasher> seen;
  const bool left = options.left;
  for (;;) {
    if (!seen.insert(hash.value()).second) throw NotBoundaryConnected(steps, decode(dom_, layers));
    bool moved = false;
    for (std::size_t i = 0; i + 1 < layers.size(); ++i) {
      const Layer& a = layers[i];
      const Layer& b = layers[i + 1];
      const bool move = left ? b.offset >= a.offset + a.box.cod().size()
                             : a.offset >= b.offset + b.box.dom().size();
      if (!move) continue;
      const Layer a0 = a, b0 = b;
      interchange_in_place(layers, i, i + 1, left);
      hash.replace(i, a0, layers[i]);
      hash.replace(i + 1, b0, layers[i + 1]);
      emit();
      moved = true;
    }
    if (!moved) break;
  }
  Diagram d;
  d.dom_ = dom_;
  d.cod_ = cod_;
  d.layers_ = std::move(layers);
  return d;
}

}  // namespace factorkit::category
