// Objects and types: interned names, adjoints, DisCoPy's printing.
#include "factorkit/category/ty.h"

#include "internal.h"

#include <deque>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace factorkit::category {

namespace {

// Names live for the whole process; a deque keeps references to them stable.
struct SymbolTable {
  std::shared_mutex mutex;
  std::deque<std::string> names{std::string()};
  std::unordered_map<std::string_view, std::uint32_t> ids{{std::string_view(names[0]), 0}};
};

SymbolTable& symbols() {
  static SymbolTable table;
  return table;
}


}  // namespace

Symbol::Symbol(std::string_view name) {
  SymbolTable& table = symbols();
  {
    std::shared_lock lock(table.mutex);
    auto it = table.ids.find(name);
    if (it != table.ids.end()) {
      id_ = it->second;
      return;
    }
  }
  std::unique_lock lock(table.mutex);
  auto it = table.ids.find(name);
  if (it != table.ids.end()) {
    id_ = it->second;
    return;
  }
  table.names.emplace_back(name);
  id_ = static_cast<std::uint32_t>(table.names.size() - 1);
  table.ids.emplace(std::string_view(table.names.back()), id_);
}

const std::string& Symbol::str() const {
  SymbolTable& table = symbols();
  std::shared_lock lock(table.mutex);
  return table.names[id_];
}

std::string Ob::str() const {
  std::string s = name.str();
  for (std::int32_t k = 0; k < (z < 0 ? -z : z); ++k) s += z < 0 ? ".l" : ".r";
  return s;
}

Ty Ty::slice(std::size_t begin, std::size_t end) const {
  end = std::min(end, obs_.size());
  begin = std::min(begin, end);
  return Ty(std::vector<Ob>(obs_.begin() + std::ptrdiff_t(begin), obs_.begin() + std::ptrdiff_t(end)));
}

Ty Ty::tensor(const Ty& other) const {
  std::vector<Ob> obs;
  obs.reserve(obs_.size() + other.obs_.size());
  obs.insert(obs.end(), obs_.begin(), obs_.end());
  obs.insert(obs.end(), other.obs_.begin(), other.obs_.end());
  return Ty(std::move(obs));
}

Ty Ty::pow(std::size_t n) const {
  std::vector<Ob> obs;
  obs.reserve(obs_.size() * n);
  for (std::size_t k = 0; k < n; ++k) obs.insert(obs.end(), obs_.begin(), obs_.end());
  return Ty(std::move(obs));
}

Ty Ty::l() const {
  std::vector<Ob> obs(obs_.rbegin(), obs_.rend());
  for (Ob& o : obs) o = o.l();
  return Ty(std::move(obs));
}

Ty Ty::r() const {
  std::vector<Ob> obs(obs_.rbegin(), obs_.rend());
  for (Ob& o : obs) o = o.r();
  return Ty(std::move(obs));
}

std::string Ty::str() const {
  if (obs_.empty()) return "Ty()";
  std::string s;
  for (std::size_t i = 0; i < obs_.size(); ++i) {
    if (i) s += " @ ";
    s += obs_[i].str();
  }
  return s;
}

std::uint64_t Ty::hash() const noexcept {
  std::uint64_t h = mix(obs_.size());
  for (const Ob& o : obs_) h = mix(h ^ o.hash());
  return h;
}

}  // namespace factorkit::category
