// DisCoPy's benchmark diagrams.
#include "factorkit/category/generators.h"

#include <fmt/format.h>

namespace factorkit::category {

Diagram spiral(std::size_t n) {
  const Ty x("x"), e;
  const Box unit("unit", e, x), counit("counit", x, e), cup("cup", x * x, e), cap("cap", e, x * x);
  Diagram r = unit;
  for (std::size_t i = 0; i < n; ++i) r = r >> (x.pow(i) * cap * x.pow(i + 1));
  r = r >> (x.pow(n) * counit * x.pow(n));
  for (std::size_t i = 0; i < n; ++i) r = r >> (x.pow(n - i - 1) * cup * x.pow(n - i - 1));
  return r;
}

Diagram transpose_snakes(const Diagram& d, std::size_t n) {
  Diagram r = d;
  for (std::size_t k = 0; k < n; ++k) r = r.transpose(true).transpose(false);
  return r;
}

Diagram brick_wall(std::size_t qubits, std::size_t layers, bool kets, bool bras) {
  const Ty q("q");
  Diagram d = Diagram::id(q.pow(qubits));
  std::size_t count = 0;
  for (std::size_t l = 0; l < layers; ++l)
    for (std::size_t i = l % 2; i + 1 < qubits; i += 2)
      d = d >> (q.pow(i) * Box(fmt::format("U{}", count++), q * q, q * q) * q.pow(qubits - i - 2));
  if (kets) {
    Diagram top = Diagram::id(Ty());
    for (std::size_t i = 0; i < qubits; ++i) top = top * Box("0", Ty(), q);
    d = top >> d;
  }
  if (bras) {
    Diagram bottom = Diagram::id(Ty());
    for (std::size_t i = 0; i < qubits; ++i) bottom = bottom * Box("0", q, Ty());
    d = d >> bottom;
  }
  return d;
}

}  // namespace factorkit::category
