// Boxes: hash-consed, so equal boxes are one pointer.
#include <cstring>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "internal.h"
#include "factorkit/category/diagram.h"

namespace factorkit::category {

namespace {


std::uint64_t content_hash(const BoxData& b) {
  std::uint64_t h = mix(std::uint64_t(b.kind) ^ (std::uint64_t(b.name.id()) << 8));
  h = mix(h ^ b.dom.hash());
  h = mix(h ^ (b.cod.hash() * 3));
  h = mix(h ^ std::uint32_t(b.z) ^ (std::uint64_t(b.dagger) << 40) ^ (b.ob.hash() * 5) ^
          (std::uint64_t(b.param.id()) << 44));
  for (double v : b.data) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    h = mix(h ^ bits);
  }
  return h;
}

bool same_content(const BoxData& a, const BoxData& b) {
  if (a.kind != b.kind || !(a.name == b.name) || a.z != b.z || a.dagger != b.dagger || !(a.ob == b.ob) ||
      !(a.param == b.param))
    return false;
  if (!(a.dom == b.dom) || !(a.cod == b.cod) || a.data.size() != b.data.size()) return false;
  // bitwise, so that NaN parameters still intern to one box
  return a.data.empty() || std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(double)) == 0;
}

struct BoxTable {
  std::shared_mutex mutex;
  std::deque<BoxData> boxes;
  std::unordered_multimap<std::uint64_t, const BoxData*> index;
};

BoxTable& table() {
  static BoxTable t;
  return t;
}

}  // namespace

const BoxData* intern_box(BoxData candidate) {
  candidate.hash = content_hash(candidate);
  BoxTable& t = table();
  {
    std::shared_lock lock(t.mutex);
    auto [lo, hi] = t.index.equal_range(candidate.hash);
    for (auto it = lo; it != hi; ++it)
      if (same_content(*it->second, candidate)) return it->second;
  }
  std::unique_lock lock(t.mutex);
  auto [lo, hi] = t.index.equal_range(candidate.hash);
  for (auto it = lo; it != hi; ++it)
    if (same_content(*it->second, candidate)) return it->second;
  candidate.id = static_cast<std::uint32_t>(t.boxes.size());
  t.boxes.push_back(std::move(candidate));
  const BoxData* p = &t.boxes.back();
  t.index.emplace(p->hash, p);
  return p;
}

namespace {

const BoxData* make(BoxKind kind, Symbol name, Ty dom, Ty cod, std::int32_t z = 0, bool dagger = false,
                    std::vector<double> data = {}, Ob ob = {}, Symbol param = {}) {
  BoxData b;
  b.ob = ob;
  b.param = param;
  b.kind = kind;
  b.name = name;
  b.dom = std::move(dom);
  b.cod = std::move(cod);
  b.z = z;
  b.dagger = dagger;
  b.data = std::move(data);
  return intern_box(std::move(b));
}

void require_adjoint(const Ob& left, const Ob& right, bool cup_or_cap) {
  if (cup_or_cap ? !(right == left.r()) : !(right == left.l()))
    throw AxiomError(std::string(cup_or_cap ? "Cup(" : "Cap(") + left.str() + ", " + right.str() + ")",
                     std::string("the second object to be the ") + (cup_or_cap ? "right" : "left") +
                         " adjoint of the first (" + (cup_or_cap ? left.r() : left.l()).str() + ")",
                     "NotAdjoint");
}

}  // namespace

namespace {
std::vector<double> canonical(std::vector<double> data) {
  for (double& v : data)
    if (v == 0) v = 0.0;  // -0.0 and 0.0 are one parameter
  return data;
}
}  // namespace

Box::Box(std::string_view name, const Ty& dom, const Ty& cod, std::vector<double> data)
    : p_(make(BoxKind::Generator, Symbol(name), dom, cod, 0, false, canonical(std::move(data)))) {}

Box::Box(std::string_view name, const Ty& dom, const Ty& cod, std::vector<double> data, Symbol param)
    : p_(make(BoxKind::Generator, Symbol(name), dom, cod, 0, false, canonical(std::move(data)), {}, param)) {}

BoxKind Box::kind() const noexcept { return p_->kind; }
const std::string& Box::name() const { return p_->name.str(); }
const Ty& Box::dom() const noexcept { return p_->dom; }
const Ty& Box::cod() const noexcept { return p_->cod; }
std::int32_t Box::z() const noexcept { return p_->z; }
bool Box::is_dagger() const noexcept { return p_->dagger; }
const std::vector<double>& Box::data() const noexcept { return p_->data; }
Symbol Box::param() const noexcept { return p_->param; }
std::uint32_t Box::id() const noexcept { return p_->id; }
const Ob& Box::spider_object() const noexcept { return p_->ob; }

Box cup(const Ob& left, const Ob& right) {
  require_adjoint(left, right, true);
  return Box::from(make(BoxKind::Cup, Symbol("Cup(" + left.str() + ", " + right.str() + ")"), Ty{left, right},
                        Ty()));
}

Box cap(const Ob& left, const Ob& right) {
  require_adjoint(left, right, false);
  return Box::from(make(BoxKind::Cap, Symbol("Cap(" + left.str() + ", " + right.str() + ")"), Ty(),
                        Ty{left, right}));
}

Box swap(const Ob& left, const Ob& right) {
  return Box::from(make(BoxKind::Swap, Symbol("Swap(" + left.str() + ", " + right.str() + ")"),
                        Ty{left, right}, Ty{right, left}));
}

Box spider(std::size_t n_in, std::size_t n_out, const Ob& x) {
  return Box::from(make(BoxKind::Spider,
                        Symbol("Spider(" + std::to_string(n_in) + ", " + std::to_string(n_out) + ", " + x.str() + ")"),
                        Ty(x).pow(n_in), Ty(x).pow(n_out), 0, false, {}, x));
}

Box word(std::string_view name, const Ty& cod) {
  return Box::from(make(BoxKind::Word, Symbol(name), Ty(), cod));
}

Box Box::dagger() const {
  switch (p_->kind) {
    case BoxKind::Cup:
    case BoxKind::Cap:
      throw AxiomError(str() + ".dagger()", "a box with a dagger (rigid cups and caps have none)",
                       "NoDagger");
    case BoxKind::Swap:
      return swap(p_->dom[1], p_->dom[0]);
    case BoxKind::Spider:
      return spider(p_->cod.size(), p_->dom.size(), p_->ob);
    default:
      return Box(make(p_->kind, p_->name, p_->cod, p_->dom, p_->z, !p_->dagger, p_->data, {}, p_->param));
  }
}

namespace {

Box rotated(const BoxData* p, bool left) {
  auto adj = [left](const Ob& o) { return left ? o.l() : o.r(); };
  switch (p->kind) {
    case BoxKind::Cup:  // Cup(x, x.r).l == Cap(x.r.l, x.l)
      return cap(adj(p->dom[1]), adj(p->dom[0]));
    case BoxKind::Cap:
      return cup(adj(p->cod[1]), adj(p->cod[0]));
    case BoxKind::Swap:  // (x ⊗ y → y ⊗ x).l : x.l ⊗ y.l → y.l ⊗ x.l
      return swap(adj(p->dom[0]), adj(p->dom[1]));
    case BoxKind::Spider:
      return spider(p->cod.size(), p->dom.size(), adj(p->ob));
    default:
      return Box::from(make(p->kind, p->name, left ? p->cod.l() : p->cod.r(), left ? p->dom.l() : p->dom.r(),
                            p->z + (left ? -1 : 1), p->dagger, p->data, {}, p->param));
  }
}

}  // namespace

Box Box::l() const { return rotated(p_, true); }
Box Box::r() const { return rotated(p_, false); }

Box Box::generator() const {
  Box g = *this;
  const std::int32_t z = p_->z;
  for (std::int32_t k = 0; k < (z < 0 ? -z : z); ++k) g = z < 0 ? g.r() : g.l();
  return g.is_dagger() ? g.dagger() : g;
}

std::string Box::str() const {
  if (p_->kind != BoxKind::Generator && p_->kind != BoxKind::Word) return p_->name.str();
  std::string s = p_->name.str();
  if (p_->dagger) s += "[::-1]";
  for (std::int32_t k = 0; k < (p_->z < 0 ? -p_->z : p_->z); ++k) s += p_->z < 0 ? ".l" : ".r";
  return s;
}

}  // namespace factorkit::category
