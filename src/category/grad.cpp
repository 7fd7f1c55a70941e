// Formal sums of diagrams and the product rule.
#include "factorkit/category/grad.h"

#include <fmt/format.h>

namespace factorkit::category {

namespace {

void check_parallel(const Sum& a, const Sum& b, const char* op) {
  if (!(a.dom() == b.dom()) || !(a.cod() == b.cod()))
    throw AxiomError(fmt::format("{} of {} -> {} and {} -> {}", op, a.dom().str(), a.cod().str(), b.dom().str(),
                                 b.cod().str()),
                     "parallel sums (the same domain and codomain)");
}

}  // namespace

Sum::Sum(const Diagram& d, double weight) : dom_(d.dom()), cod_(d.cod()), terms_{Term{weight, d}} {}

Sum& Sum::operator+=(const Sum& other) {
  check_parallel(*this, other, "sum");
  terms_.insert(terms_.end(), other.terms_.begin(), other.terms_.end());
  return *this;
}

Sum& Sum::operator*=(double w) {
  for (Term& t : terms_) t.weight *= w;
  return *this;
}

Sum Sum::then(const Sum& other) const {
  if (!(cod_ == other.dom_))
    throw AxiomError(fmt::format("composing sums {} -> {} then {} -> {}", dom_.str(), cod_.str(), other.dom_.str(),
                                 other.cod_.str()),
                     "the first codomain to equal the second domain");
  Sum out(dom_, other.cod_);
  for (const Term& a : terms_)
    for (const Term& b : other.terms_) out.terms_.push_back(Term{a.weight * b.weight, a.diagram.then(b.diagram)});
  return out;
}

Sum Sum::tensor(const Sum& other) const {
  Sum out(dom_ * other.dom_, cod_ * other.cod_);
  for (const Term& a : terms_)
    for (const Term& b : other.terms_) out.terms_.push_back(Term{a.weight * b.weight, a.diagram.tensor(b.diagram)});
  return out;
}

Sum Sum::dagger() const {
  Sum out(cod_, dom_);
  for (const Term& a : terms_) out.terms_.push_back(Term{a.weight, a.diagram.dagger()});
  return out;
}

bool operator==(const Sum& a, const Sum& b) {
  if (!(a.dom_ == b.dom_) || !(a.cod_ == b.cod_) || a.terms_.size() != b.terms_.size()) return false;
  for (std::size_t k = 0; k < a.terms_.size(); ++k)
    if (a.terms_[k].weight != b.terms_[k].weight || !(a.terms_[k].diagram == b.terms_[k].diagram)) return false;
  return true;
}

std::string Sum::str() const {
  if (terms_.empty()) return "0";
  std::string s;
  for (const Term& t : terms_) {
    if (!s.empty()) s += " + ";
    s += t.weight == 1 ? fmt::format("({})", t.diagram.str()) : fmt::format("{} * ({})", t.weight, t.diagram.str());
  }
  return s;
}

Sum grad(const Diagram& d, Symbol param, const BoxGrad& box_grad) {
  Sum out(d.dom(), d.cod());
  if (param.id() == 0) return out;
  const std::vector<Ty> wires = d.wire_types();
  for (std::size_t k = 0; k < d.size(); ++k) {
    const Layer& layer = d.layers()[k];
    const Box& b = layer.box;
    if (b.param().id() != param.id()) continue;
    const BoxKind kind = b.kind();
    if (kind == BoxKind::Cup || kind == BoxKind::Cap || kind == BoxKind::Swap || kind == BoxKind::Spider) continue;
    // differentiate the generator, then dagger and rotate each term back
    const Box g = b.generator();
    const std::int32_t z = b.z();
    Sum db = box_grad(g, param);
    if (!(db.dom() == g.dom()) || !(db.cod() == g.cod()))
      throw AxiomError(fmt::format("derivative of {} ({} -> {})", g.str(), db.dom().str(), db.cod().str()),
                       fmt::format("the box's own type {} -> {}", g.dom().str(), g.cod().str()));
    const Ty& above = wires[k];
    const Ty left = above.slice(0, layer.offset);
    const Ty right = above.slice(layer.offset + b.dom().size(), above.size());
    const Diagram before = d.slice(0, k), after = d.slice(k + 1, d.size());
    for (const Term& t : db.terms()) {
      Diagram step = t.diagram;
      if (b.is_dagger()) step = step.dagger();
      for (std::int32_t r = 0; r < (z < 0 ? -z : z); ++r) step = z < 0 ? step.l() : step.r();
      const Diagram whole = before.then(Diagram::id(left).tensor(step).tensor(Diagram::id(right))).then(after);
      out += Sum(whole, t.weight);
    }
  }
  return out;
}

Sum grad(const Sum& s, Symbol param, const BoxGrad& box_grad) {
  Sum out(s.dom(), s.cod());
  for (const Term& t : s.terms()) out += t.weight * grad(t.diagram, param, box_grad);
  return out;
}

}  // namespace factorkit::category
