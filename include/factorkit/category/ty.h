// factorkit/category/ty.h — objects and types of (rigid) monoidal categories.
//
// An object is a generating name with a winding number z (DisCoPy's rigid.Ob):
// `x.l()` has z − 1, `x.r()` has z + 1, so `x.l().r() == x`. Names are interned
// once per process, so an object is two integers and comparing or hashing one
// never touches a string. A type is a sequence of objects; the empty type is the
// monoidal unit. `a * b` concatenates (DisCoPy's `a @ b`); `Ty::l()`/`r()` reverse
// the order and take each object's adjoint, so `(s * n).l() == n.l() * s.l()`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace factorkit::category {

// An interned name. Interning is thread-safe; a name is never freed.
class Symbol {
 public:
  Symbol() = default;
  explicit Symbol(std::string_view name);           // interns `name`
  std::uint32_t id() const noexcept { return id_; }
  const std::string& str() const;                   // the name itself
  friend bool operator==(Symbol a, Symbol b) noexcept { return a.id_ == b.id_; }

 private:
  std::uint32_t id_ = 0;  // 0 is the empty name
};

struct Ob {
  Symbol name;
  std::int32_t z = 0;  // winding number

  Ob() = default;
  explicit Ob(std::string_view n, std::int32_t winding = 0) : name(n), z(winding) {}
  Ob(Symbol n, std::int32_t winding) : name(n), z(winding) {}

  Ob l() const { return {name, z - 1}; }  // left adjoint
  Ob r() const { return {name, z + 1}; }  // right adjoint
  // "x", "x.l", "x.r.r" (DisCoPy's str)
  std::string str() const;
  std::uint64_t hash() const noexcept {
    return (std::uint64_t(name.id()) << 32) ^ std::uint32_t(z);
  }
  friend bool operator==(const Ob& a, const Ob& b) noexcept {
    return a.name == b.name && a.z == b.z;
  }
};

class Ty {
 public:
  Ty() = default;
  Ty(Ob ob) : obs_{ob} {}                                     // NOLINT: an object is a type
  Ty(std::initializer_list<Ob> obs) : obs_(obs) {}
  explicit Ty(std::vector<Ob> obs) : obs_(std::move(obs)) {}
  explicit Ty(std::string_view name) : obs_{Ob(name)} {}       // one object with z = 0

  std::size_t size() const noexcept { return obs_.size(); }
  bool empty() const noexcept { return obs_.empty(); }
  const Ob& operator[](std::size_t i) const { return obs_[i]; }
  const std::vector<Ob>& obs() const noexcept { return obs_; }
  auto begin() const { return obs_.begin(); }
  auto end() const { return obs_.end(); }

  // objects [begin, end); both clamp to the length as Python slices do
  Ty slice(std::size_t begin, std::size_t end) const;
  Ty tensor(const Ty& other) const;
  Ty pow(std::size_t n) const;  // self * self * ... (n times); pow(0) is the unit
  Ty l() const;                 // reversed, each object's left adjoint
  Ty r() const;
  bool is_atomic() const noexcept { return obs_.size() == 1; }

  // "x @ y.l", or "Ty()" for the unit
  std::string str() const;
  std::uint64_t hash() const noexcept;
  friend bool operator==(const Ty& a, const Ty& b) noexcept { return a.obs_ == b.obs_; }

 private:
  std::vector<Ob> obs_;
};

inline Ty operator*(const Ty& a, const Ty& b) { return a.tensor(b); }

}  // namespace factorkit::category
