// factorkit/category/chain.h — a chain of n differentiable stages run forward
// and backward as a composite of lenses (left- or right-nested), of optics, of
// closures, or with a checkpoint every k stages, measuring what each costs:
// forward (get) calls, recomputations in the backward pass, stored residuals,
// and the peak bytes of values alive at once.
//
// The composites are built with lens.h's combinators on `Tracked<V>` values,
// whose constructors and destructors keep a running count of live bytes, so
// the figures are those of the composition itself, not of a model of it:
//
//   left-nested lenses  ((l₁;l₂);…);lₙ   n(n−1)/2 recomputations, O(1) values held
//   right-nested lenses l₁;(l₂;(…;lₙ))   n − 1 recomputations, the inputs held on the stack
//   optics                               0 recomputations, n residuals stored
//   closures                             0 recomputations, n closures (each holds its input)
//   checkpoint every k                   ≈ n − n/k recomputations, n/k + k values held
//
// V is any value type with a ByteSize<V> specialisation (double and
// std::vector<double> here; at::Tensor in methods/optics/learn.h, where a copy
// shares storage, so transient copies make the count an upper bound).
#pragma once

#include <algorithm>
#include <cassert>
#include <chrono>
#include <concepts>
#include <cmath>
#include <stdexcept>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "factorkit/category/lens.h"

namespace factorkit::category::optics {

// How many bytes a value holds: specialise ByteSize<V> for your value type
// with `static std::size_t of(const V&)`. A type whose copies share storage
// (tensors) may also give `static const void* storage(const V&)`, the identity
// of that storage: the residual figures then count shared storage once.
template <class V>
struct ByteSize;
template <>
struct ByteSize<double> {
  static std::size_t of(const double&) { return sizeof(double); }
};
template <>
struct ByteSize<std::vector<double>> {
  static std::size_t of(const std::vector<double>& v) { return v.size() * sizeof(double); }
};

// Live and peak bytes of Tracked values on this thread.
struct Meter {
  std::size_t live = 0, peak = 0;
  void add(std::size_t n) {
    live += n;
    if (live > peak) peak = live;
  }
  void sub(std::size_t n) {
    assert(n <= live && "a Tracked value released bytes it never added (another thread?)");
    live -= n;
  }
  void reset_peak() { peak = live; }
};
inline Meter& meter() {
  static thread_local Meter m;
  return m;
}

template <class V>
class Tracked {
 public:
  Tracked() = default;
  explicit Tracked(V v) : value_(std::move(v)), bytes_(ByteSize<V>::of(value_)) { meter().add(bytes_); }
  Tracked(const Tracked& o) : value_(o.value_), bytes_(o.bytes_) { meter().add(bytes_); }
  Tracked(Tracked&& o) noexcept : value_(std::move(o.value_)), bytes_(o.bytes_) { o.bytes_ = 0; }
  Tracked& operator=(Tracked o) noexcept {
    std::swap(value_, o.value_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  ~Tracked() { meter().sub(bytes_); }
  const V& value() const noexcept { return value_; }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  V value_{};
  std::size_t bytes_ = 0;
};

// One stage: get (forward) and put (the reverse derivative: input, output
// feedback → input feedback).
//
// Optionally the stage as an optic with a residual of its own choosing:
// fwd(a) = (m, get a) and bwd(m, b') = put(a, b'). Without them the residual
// is the input (the embedding of the lens as an optic). The choice matters
// where residuals are stored (optic, closed and checkpoint modes): a bias
// needs no residual at all, tanh and ReLU differentiate from their output,
// which the next stage stores anyway. Lens modes use get and put only.
template <class V>
struct Stage {
  std::string name;
  std::function<V(const V&)> get;
  std::function<V(const V&, const V&)> put;
  std::function<std::pair<V, V>(const V&)> fwd = {};  // (residual, output); optional, with bwd
  std::function<V(const V&, const V&)> bwd = {};      // (residual, output feedback) → input feedback
};

struct Mode {
  enum Kind { LeftLens, RightLens, Optic, Closed, Checkpoint };
  Kind kind = Optic;
  std::size_t every = 0;  // Checkpoint: keep the input of every `every`-th stage
  // "lens" (left-nested), "lens-right", "optic", "closed", "checkpoint:K"
  static Mode parse(const std::string& text);
  std::string str() const;
};

struct PassStats {
  std::size_t forward_gets = 0;   // get calls in the forward pass
  std::size_t backward_gets = 0;  // get calls in the backward pass (recomputation)
  std::size_t stored = 0;         // residual values held between the passes
  std::size_t stored_bytes = 0;   // their bytes (shared storage counted once)
  // the most bytes of stored residuals held at once (shared storage counted
  // once): the residuals at the turn for optics and closures; with
  // checkpoints, the remaining checkpoints plus one recomputed segment; for
  // lenses the input (what nested lenses hold on the call stack shows in
  // peak_bytes only)
  std::size_t residual_peak_bytes = 0;
  std::size_t peak_bytes = 0;     // the most bytes of values alive at once (both passes)
  double seconds = 0;
};

// The reference stage of the measurements: y = tanh(x) elementwise, put =
// (1 − tanh² x) · feedback.
inline Stage<std::vector<double>> tanh_stage() {
  return {"tanh",
          [](const std::vector<double>& x) {
            std::vector<double> y(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::tanh(x[i]);
            return y;
          },
          [](const std::vector<double>& x, const std::vector<double>& d) {
            std::vector<double> g(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) {
              const double t = std::tanh(x[i]);
              g[i] = (1 - t * t) * d[i];
            }
            return g;
          }};
}

template <class V>
struct PassResult {
  V output, input_feedback;
  PassStats stats;
};

// Forward then backward through the chain; `feedback` turns the output into
// the output feedback (e.g. the gradient of a loss). An empty chain is the
// identity.
template <class V>
PassResult<V> forward_backward(const std::vector<Stage<V>>& chain, const V& x,
                               const std::type_identity_t<std::function<V(const V&)>>& feedback, Mode mode);

// ---- implementation -----------------------------------------------------------

inline Mode Mode::parse(const std::string& text) {
  if (text == "lens" || text == "lens-left") return {LeftLens, 0};
  if (text == "lens-right") return {RightLens, 0};
  if (text == "optic") return {Optic, 0};
  if (text == "closed") return {Closed, 0};
  const std::string prefix = "checkpoint:";
  if (text.rfind(prefix, 0) == 0 && text.size() > prefix.size() && text.size() <= prefix.size() + 9 &&
      text.find_first_not_of("0123456789", prefix.size()) == std::string::npos) {
    const std::size_t k = std::stoul(text.substr(prefix.size()));
    if (k > 0) return {Checkpoint, k};
  }
  throw std::invalid_argument("mode \"" + text + "\": expected lens, lens-right, optic, closed or checkpoint:K (K >= 1)");
}

inline std::string Mode::str() const {
  switch (kind) {
    case LeftLens: return "lens";
    case RightLens: return "lens-right";
    case Optic: return "optic";
    case Closed: return "closed";
    case Checkpoint: return "checkpoint:" + std::to_string(every);
  }
  return "?";
}

namespace detail {

using Clock = std::chrono::steady_clock;

template <class V>
concept SharesStorage = requires(const V& v) {
  { ByteSize<V>::storage(v) } -> std::convertible_to<const void*>;
};

// bytes of a set of values, each storage counted once
template <class V>
struct DistinctBytes {
  std::unordered_set<const void*> seen;
  std::size_t total = 0;
  void add(const Tracked<V>& v) {
    if constexpr (SharesStorage<V>) {
      const void* key = ByteSize<V>::storage(v.value());
      if (key != nullptr && !seen.insert(key).second) return;
    }
    total += v.bytes();
  }
  void add(const std::vector<Tracked<V>>& values) {
    for (const auto& v : values) add(v);
  }
};

template <class V>
using TLens = Lens<Tracked<V>, Tracked<V>, Tracked<V>, Tracked<V>>;

template <class V>
TLens<V> stage_lens(const Stage<V>& s, std::size_t* gets) {
  return {[s, gets](const Tracked<V>& a) {
            ++*gets;
            return Tracked<V>(s.get(a.value()));
          },
          [s](const Tracked<V>& a, Tracked<V> d) { return Tracked<V>(s.put(a.value(), d.value())); }};
}

// optics with a dynamic residual: the list of stored stage inputs (M × N is concatenation)
template <class V>
struct ListOptic {
  std::function<std::pair<std::vector<Tracked<V>>, Tracked<V>>(const Tracked<V>&)> fwd;
  std::function<Tracked<V>(std::vector<Tracked<V>>, Tracked<V>)> bwd;
};

// a stage run forward keeping its residual: its own (fwd) or its input
// (to_optic of the lens); and backward from that residual
template <class V>
std::pair<Tracked<V>, Tracked<V>> forward_keeping(const Stage<V>& s, const Tracked<V>& a) {
  if (!s.fwd) return {a, Tracked<V>(s.get(a.value()))};
  auto [m, b] = s.fwd(a.value());
  return {Tracked<V>(std::move(m)), Tracked<V>(std::move(b))};
}
template <class V>
Tracked<V> backward_from(const Stage<V>& s, const Tracked<V>& m, const Tracked<V>& d) {
  return Tracked<V>(s.fwd ? s.bwd(m.value(), d.value()) : s.put(m.value(), d.value()));
}

template <class V>
ListOptic<V> stage_optic(const Stage<V>& s, std::size_t* gets) {
  return {[s, gets](const Tracked<V>& a) {
            ++*gets;
            auto [r, b] = forward_keeping(s, a);
            std::vector<Tracked<V>> m;
            m.push_back(std::move(r));
            return std::pair<std::vector<Tracked<V>>, Tracked<V>>(std::move(m), std::move(b));
          },
          [s](std::vector<Tracked<V>> m, Tracked<V> d) { return backward_from(s, m.back(), d); }};
}

template <class V>
ListOptic<V> then(const ListOptic<V>& f0, const ListOptic<V>& g0, std::size_t f_residuals) {
  const auto p = std::make_shared<const std::pair<ListOptic<V>, ListOptic<V>>>(f0, g0);
  return {[p](const Tracked<V>& a) {
            const auto& [f, g] = *p;
            auto [m, b] = f.fwd(a);
            auto [n, c] = g.fwd(b);
            for (auto& x : n) m.push_back(std::move(x));
            return std::pair<std::vector<Tracked<V>>, Tracked<V>>(std::move(m), std::move(c));
          },
          [p, f_residuals](std::vector<Tracked<V>> r, Tracked<V> c) {
            const auto& [f, g] = *p;
            std::vector<Tracked<V>> n;
            for (std::size_t k = f_residuals; k < r.size(); ++k) n.push_back(std::move(r[k]));
            r.resize(f_residuals);
            Tracked<V> b = g.bwd(std::move(n), std::move(c));
            return f.bwd(std::move(r), std::move(b));
          }};
}

}  // namespace detail

template <class V>
PassResult<V> forward_backward(const std::vector<Stage<V>>& chain, const V& x0,
                               const std::type_identity_t<std::function<V(const V&)>>& feedback, Mode mode) {
  PassResult<V> res;
  const auto t0 = detail::Clock::now();
  std::size_t gets = 0;
  const std::size_t live0 = meter().live;
  meter().reset_peak();
  {
    for (const auto& s : chain)
      if (!s.get || !s.put || bool(s.fwd) != bool(s.bwd))
        throw std::invalid_argument("stage \"" + s.name + "\": get and put are required, fwd and bwd go together");
    const Tracked<V> x(x0);
    const std::size_t n = chain.size();
    auto bytes_of = [](const std::vector<Tracked<V>>& values) {
      detail::DistinctBytes<V> b;
      b.add(values);
      return b.total;
    };
    // between the passes: record the forward figures, take the output's
    // feedback, release the output, count the backward pass's gets afresh
    auto turn = [&](Tracked<V>& y, std::size_t stored, std::size_t stored_bytes) {
      res.stats.forward_gets = gets;
      res.stats.stored = stored;
      res.stats.stored_bytes = stored_bytes;
      res.stats.residual_peak_bytes = std::max(res.stats.residual_peak_bytes, stored_bytes);
      Tracked<V> d(feedback(y.value()));
      res.output = y.value();
      y = Tracked<V>();
      gets = 0;
      return d;
    };
    if (n == 0) {
      const Tracked<V> d(feedback(x.value()));
      res.output = x.value(), res.input_feedback = d.value();
    } else if (mode.kind == Mode::LeftLens || mode.kind == Mode::RightLens) {
      std::vector<detail::TLens<V>> lenses;
      for (const auto& s : chain) lenses.push_back(detail::stage_lens(s, &gets));
      detail::TLens<V> l;
      if (mode.kind == Mode::LeftLens) {
        l = lenses.front();
        for (std::size_t k = 1; k < n; ++k) l = then(l, lenses[k]);
      } else {
        l = lenses.back();
        for (std::size_t k = n - 1; k-- > 0;) l = then(lenses[k], l);
      }
      Tracked<V> y = l.get(x);
      Tracked<V> d = turn(y, 1, x.bytes());  // a lens keeps its input
      const Tracked<V> dx = l.put(x, std::move(d));
      res.stats.backward_gets = gets;
      res.input_feedback = dx.value();
    } else if (mode.kind == Mode::Optic) {
      detail::ListOptic<V> o = detail::stage_optic(chain.front(), &gets);
      for (std::size_t k = 1; k < n; ++k) o = detail::then(o, detail::stage_optic(chain[k], &gets), k);
      auto [m, y] = o.fwd(x);
      Tracked<V> d = turn(y, m.size(), bytes_of(m));
      const Tracked<V> dx = o.bwd(std::move(m), std::move(d));
      res.stats.backward_gets = gets;
      res.input_feedback = dx.value();
    } else if (mode.kind == Mode::Closed) {
      // each stage stores the closure of its put at its input
      std::vector<std::function<Tracked<V>(Tracked<V>)>> closures;
      detail::DistinctBytes<V> closed_bytes;
      Tracked<V> y = x;
      for (const auto& s : chain) {
        ++gets;
        auto [m, next] = detail::forward_keeping(s, y);
        closed_bytes.add(m);
        y = Tracked<V>();
        closures.push_back([&s, m = std::move(m)](Tracked<V> d) { return detail::backward_from(s, m, d); });
        y = std::move(next);
      }
      Tracked<V> d = turn(y, closures.size(), closed_bytes.total);
      while (!closures.empty()) {
        d = closures.back()(std::move(d));
        closures.pop_back();
      }
      res.stats.backward_gets = gets;
      res.input_feedback = d.value();
    } else {
      // checkpoint every k: keep the inputs of stages 0, k, 2k, …; backwards,
      // recompute each segment from its checkpoint as an optic (storing the
      // residuals of all its stages but the last, whose put takes its input),
      // then drop it
      const std::size_t k = mode.every == 0 ? 1 : mode.every;
      std::vector<Tracked<V>> saved;
      Tracked<V> y = x;
      for (std::size_t i = 0; i < n; ++i) {
        if (i % k == 0) saved.push_back(y);
        ++gets;
        y = Tracked<V>(chain[i].get(y.value()));
      }
      Tracked<V> d = turn(y, saved.size(), bytes_of(saved));
      for (std::size_t seg = saved.size(); seg-- > 0;) {
        const std::size_t begin = seg * k, end = std::min(n, begin + k);
        Tracked<V> a = std::move(saved[seg]);
        saved.pop_back();
        std::vector<Tracked<V>> residuals;
        for (std::size_t i = begin; i + 1 < end; ++i) {
          ++gets;
          auto [m, b] = detail::forward_keeping(chain[i], a);
          residuals.push_back(std::move(m));
          a = std::move(b);
        }
        detail::DistinctBytes<V> held;  // the checkpoints left and this segment's residuals
        held.add(saved), held.add(residuals), held.add(a);
        res.stats.residual_peak_bytes = std::max(res.stats.residual_peak_bytes, held.total);
        d = Tracked<V>(chain[end - 1].put(a.value(), d.value()));
        a = Tracked<V>();
        for (std::size_t i = end - 1; i-- > begin;) {
          d = detail::backward_from(chain[i], residuals.back(), d);
          residuals.pop_back();
        }
      }
      res.stats.backward_gets = gets;
      res.input_feedback = d.value();
    }
  }
  res.stats.peak_bytes = meter().peak - live0;
  res.stats.seconds = std::chrono::duration<double>(detail::Clock::now() - t0).count();
  return res;
}

}  // namespace factorkit::category::optics
