// factorkit/category/lens.h — lenses and cartesian optics: bidirectional
// maps and how they compose (Gavranović, "Space-time tradeoffs of lenses and
// optics via higher category theory", arXiv:2209.09351; Cruttwell et al.,
// arXiv:2103.01931).
//
//   Lens   (A, A') → (B, B'):  get: A → B,  put: A × B' → A'.
//          Composite: get = get₁ ; get₂,  put(a, c') = put₁(a, put₂(get₁(a), c')).
//          The residual is always the input A: get₁ is recomputed backwards.
//   Optic  (A, A') → (B, B') with residual M: fwd: A → M × B, bwd: M × B' → A'.
//          Composite residual M × N: intermediates are stored, nothing recomputed.
//   Closed the third point: the residual is the backward closure B' → A'
//          (what a vjp returns).
//
// to_optic(lens) has residual A (the input); to_optic(l₁ ; l₂) therefore has
// residual A while to_optic(l₁) ; to_optic(l₂) has A × B: the embedding is only
// oplax, and the oplaxator a ↦ (a, get₁(a)) is the 2-cell between them —
// exactly "store get₁(a) instead of recomputing it".
//
// Accessor lenses (get/set/over on plain data) are the lenses of data access
// (lager's view/set/over): put(s, v) = set(s, v) with A' = A, B' = B.
//
// Composites move intermediates into the next call and release them before
// recursing, so what a composite holds at once is what its shape needs
// (chain.h measures it). The forward and backward halves of a composite share
// one copy of its parts (a shared pointer): copying both into each half would
// double the closure tree at every level, 2ⁿ copies for a chain of n.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace factorkit::category::optics {

// ---- accessor lenses -------------------------------------------------------

template <class S, class V>
struct Accessor {
  std::function<V(const S&)> get;
  std::function<S(const S&, const V&)> set;

  V view(const S& s) const { return get(s); }
  template <class F>
  S over(const S& s, F&& f) const {
    return set(s, f(get(s)));
  }
  // focus further: this, then `inner` on the focused value
  template <class W>
  Accessor<S, W> then(const Accessor<V, W>& inner) const {
    const auto p = std::make_shared<const std::pair<Accessor, Accessor<V, W>>>(*this, inner);
    return {[p](const S& s) { return p->second.get(p->first.get(s)); },
            [p](const S& s, const W& w) { return p->first.set(s, p->second.set(p->first.get(s), w)); }};
  }
};

template <class S>
Accessor<S, S> identity_accessor() {
  return {[](const S& s) { return s; }, [](const S&, const S& v) { return v; }};
}

// a data member: member(&Point::x)
template <class S, class V>
Accessor<S, V> member(V S::*field) {
  return {[field](const S& s) { return s.*field; },
          [field](const S& s, const V& v) {
            S out = s;
            out.*field = v;
            return out;
          }};
}

// element i of a vector (std::out_of_range when absent)
template <class T>
Accessor<std::vector<T>, T> at(std::size_t i) {
  return {[i](const std::vector<T>& v) { return v.at(i); },
          [i](const std::vector<T>& v, const T& x) {
            std::vector<T> out = v;
            out.at(i) = x;
            return out;
          }};
}

// ---- lenses ------------------------------------------------------------------

template <class A, class Ap, class B, class Bp>
struct Lens {
  using In = A;
  using InBack = Ap;
  using Out = B;
  using OutBack = Bp;
  std::function<B(const A&)> get;
  std::function<Ap(const A&, Bp)> put;
};

template <class A, class Ap>
Lens<A, Ap, A, Ap> identity_lens() {
  return {[](const A& a) { return a; }, [](const A&, Ap d) { return d; }};
}

// f ; g. The put recomputes f.get(a), hands it to g.put, drops it, then
// recurses into f.put with g's result.
template <class A, class Ap, class B, class Bp, class C, class Cp>
Lens<A, Ap, C, Cp> then(const Lens<A, Ap, B, Bp>& f, const Lens<B, Bp, C, Cp>& g) {
  const auto p = std::make_shared<const std::pair<Lens<A, Ap, B, Bp>, Lens<B, Bp, C, Cp>>>(f, g);
  return {[p](const A& a) { return p->second.get(p->first.get(a)); },
          [p](const A& a, Cp c) {
            Bp b = p->second.put(p->first.get(a), std::move(c));
            return p->first.put(a, std::move(b));
          }};
}

// f ⊗ g on pairs
template <class A, class Ap, class B, class Bp, class C, class Cp, class D, class Dp>
Lens<std::pair<A, C>, std::pair<Ap, Cp>, std::pair<B, D>, std::pair<Bp, Dp>> tensor(const Lens<A, Ap, B, Bp>& f,
                                                                                  const Lens<C, Cp, D, Dp>& g) {
  const auto p = std::make_shared<const std::pair<Lens<A, Ap, B, Bp>, Lens<C, Cp, D, Dp>>>(f, g);
  return {[p](const std::pair<A, C>& x) { return std::pair<B, D>(p->first.get(x.first), p->second.get(x.second)); },
          [p](const std::pair<A, C>& x, std::pair<Bp, Dp> d) {
            return std::pair<Ap, Cp>(p->first.put(x.first, std::move(d.first)),
                                     p->second.put(x.second, std::move(d.second)));
          }};
}

// an accessor lens as a lens (A' = A, B' = B)
template <class S, class V>
Lens<S, S, V, V> as_lens(const Accessor<S, V>& acc) {
  return {acc.get, [acc](const S& s, V v) { return acc.set(s, v); }};
}

// ---- optics ------------------------------------------------------------------

template <class A, class Ap, class B, class Bp, class M>
struct Optic {
  using In = A;
  using InBack = Ap;
  using Out = B;
  using OutBack = Bp;
  using Residual = M;
  std::function<std::pair<M, B>(const A&)> fwd;
  std::function<Ap(M, Bp)> bwd;
};

struct Unit {
  friend bool operator==(Unit, Unit) { return true; }
};

template <class A, class Ap>
Optic<A, Ap, A, Ap, Unit> identity_optic() {
  return {[](const A& a) { return std::pair<Unit, A>(Unit{}, a); }, [](Unit, Ap d) { return d; }};
}

// f ; g with residual M × N
template <class A, class Ap, class B, class Bp, class M, class C, class Cp, class N>
Optic<A, Ap, C, Cp, std::pair<M, N>> then(const Optic<A, Ap, B, Bp, M>& f, const Optic<B, Bp, C, Cp, N>& g) {
  const auto p = std::make_shared<const std::pair<Optic<A, Ap, B, Bp, M>, Optic<B, Bp, C, Cp, N>>>(f, g);
  return {[p](const A& a) {
            auto [m, b] = p->first.fwd(a);
            auto [n, c] = p->second.fwd(b);
            return std::pair<std::pair<M, N>, C>(std::pair<M, N>(std::move(m), std::move(n)), std::move(c));
          },
          [p](std::pair<M, N> r, Cp c) {
            Bp b = p->second.bwd(std::move(r.second), std::move(c));
            return p->first.bwd(std::move(r.first), std::move(b));
          }};
}

template <class A, class Ap, class B, class Bp, class M, class C, class Cp, class D, class Dp, class N>
Optic<std::pair<A, C>, std::pair<Ap, Cp>, std::pair<B, D>, std::pair<Bp, Dp>, std::pair<M, N>> tensor(
    const Optic<A, Ap, B, Bp, M>& f, const Optic<C, Cp, D, Dp, N>& g) {
  const auto p = std::make_shared<const std::pair<Optic<A, Ap, B, Bp, M>, Optic<C, Cp, D, Dp, N>>>(f, g);
  return {[p](const std::pair<A, C>& x) {
            auto [m, b] = p->first.fwd(x.first);
            auto [n, d] = p->second.fwd(x.second);
            return std::pair<std::pair<M, N>, std::pair<B, D>>({std::move(m), std::move(n)}, {std::move(b), std::move(d)});
          },
          [p](std::pair<M, N> r, std::pair<Bp, Dp> d) {
            return std::pair<Ap, Cp>(p->first.bwd(std::move(r.first), std::move(d.first)),
                                     p->second.bwd(std::move(r.second), std::move(d.second)));
          }};
}

// run forward then backward: (output, input feedback)
template <class O>
std::pair<typename O::Out, typename O::InBack> run(const O& optic, const typename O::In& a,
                                                   const std::function<typename O::OutBack(const typename O::Out&)>& feedback) {
  auto [m, b] = optic.fwd(a);
  typename O::OutBack db = feedback(b);
  typename O::InBack da = optic.bwd(std::move(m), std::move(db));
  return {std::move(b), std::move(da)};
}

// The embedding Lens → Optic: residual A, fwd = Δ ; (A × get), bwd = put.
template <class A, class Ap, class B, class Bp>
Optic<A, Ap, B, Bp, A> to_optic(const Lens<A, Ap, B, Bp>& l) {
  return {[l](const A& a) { return std::pair<A, B>(a, l.get(a)); },
          [l](A a, Bp d) { return l.put(a, std::move(d)); }};
}

// The third point: the residual is the backward closure.
template <class A, class Ap, class B, class Bp>
using Closure = std::function<Ap(Bp)>;
template <class A, class Ap, class B, class Bp>
Optic<A, Ap, B, Bp, Closure<A, Ap, B, Bp>> to_closed(const Lens<A, Ap, B, Bp>& l) {
  return {[l](const A& a) {
            return std::pair<Closure<A, Ap, B, Bp>, B>([l, a](Bp d) { return l.put(a, std::move(d)); }, l.get(a));
          },
          [](Closure<A, Ap, B, Bp> k, Bp d) { return k(std::move(d)); }};
}

// A 2-cell (M, f, b) ⇒ (M', f', b'): a residual map r: M → M' with
// f' = f ; (r × B) and b = (r × B') ; b'. reparametrize(o, r, b') builds the
// target from the source and r; the two optics are equal as maps (the coend
// quotient of Optic(C)) but store different things.
template <class A, class Ap, class B, class Bp, class M, class Mp>
Optic<A, Ap, B, Bp, Mp> reparametrize(const Optic<A, Ap, B, Bp, M>& o, std::function<Mp(M)> r,
                                      std::function<Ap(Mp, Bp)> bwd) {
  return {[o, r](const A& a) {
            auto [m, b] = o.fwd(a);
            return std::pair<Mp, B>(r(std::move(m)), std::move(b));
          },
          std::move(bwd)};
}

// The oplaxator of Lens → Optic at (l₁, l₂): to_optic(l₁ ; l₂) ⇒ to_optic(l₁) ; to_optic(l₂),
// the residual map a ↦ (a, get₁(a)).
template <class A, class Ap, class B, class Bp, class C, class Cp>
std::function<std::pair<A, B>(A)> oplaxator(const Lens<A, Ap, B, Bp>& l1, const Lens<B, Bp, C, Cp>&) {
  return [l1](A a) {
    B b = l1.get(a);
    return std::pair<A, B>(std::move(a), std::move(b));
  };
}

}  // namespace factorkit::category::optics
