// Private to the category layer: interned box content, in-place rewriting, hashing.
#pragma once

#include <cstdint>
#include <vector>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

struct BoxData {
  BoxKind kind = BoxKind::Generator;
  Symbol name;
  Ty dom, cod;
  std::int32_t z = 0;
  bool dagger = false;
  std::vector<double> data;
  Ob ob;                   // a spider's object (its legs may be none)
  Symbol param;            // a free parameter (id 0: none)
  std::uint64_t hash = 0;  // of the content above
  std::uint32_t id = 0;    // interning order
};

// The one box with this content (kind, name, dom, cod, z, dagger, data).
const BoxData* intern_box(BoxData candidate);

// Moves the box of layer i to layer j by adjacent interchanges, in place.
void interchange_in_place(std::vector<Layer>& layers, std::size_t i, std::size_t j, bool left);

// splitmix64's finaliser: the one mixing function of the layer's hashes.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace factorkit::category
