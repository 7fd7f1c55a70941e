// factorkit/category/generators.h — the diagrams of DisCoPy's benchmark suite
// (benchmark/generators.py) and of its issue #524, for tests, benchmarks and
// reproductions.
#pragma once

#include <cstddef>

#include "factorkit/category/diagram.h"

namespace factorkit::category {

// arXiv:1804.07832's spiral with plain boxes unit: I → x, counit: x → I,
// cap: I → x⊗x, cup: x⊗x → I (2n + 2 layers). Its normal form is n caps at
// offsets 0..n-1, the unit at n, n cups at n-1..0, the counit at 0.
Diagram spiral(std::size_t n);

// `d` wrapped in n pairs of transposes, left then right (4n + 1 layers for a box).
Diagram transpose_snakes(const Diagram& d, std::size_t n);

// A brick wall on `qubits` wires of object "q": `layers` layers of two-qubit
// boxes U0, U1, ... (even layers on wires (0,1), (2,3), ...; odd ones on (1,2),
// (3,4), ...), with `kets` (boxes "0": I → q) on top and `bras` ("0": q → I)
// at the bottom when asked.
Diagram brick_wall(std::size_t qubits, std::size_t layers, bool kets, bool bras);

}  // namespace factorkit::category
