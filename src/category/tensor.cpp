// The tensor functor: diagram -> tensor network -> path search -> pairwise contraction.
#include "factorkit/category/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <queue>
#include <random>
#include <unordered_map>

#include "internal.h"

namespace factorkit::category {

namespace {

struct UnionFind {
  std::vector<int> parent;
  std::vector<std::int64_t> dim;
  int make(std::int64_t d) {
    parent.push_back(int(parent.size()));
    dim.push_back(d);
    return parent.back();
  }
  int find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(int a, int b, const Box& box) {
    a = find(a), b = find(b);
    if (a == b) return;
    if (dim[a] != dim[b])
      throw InvalidInput("tensor functor", box.str(),
                         "wires of equal dimension (" + std::to_string(dim[a]) + " and " + std::to_string(dim[b]) +
                             " are joined)",
                         "DimensionMismatch");
    parent[b] = a;
  }
};

std::string fmt_elements(double n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", n);
  return buf;
}

std::string shape_str(at::IntArrayRef s) {
  std::string out = "(";
  for (std::size_t k = 0; k < s.size(); ++k) out += (k ? ", " : "") + std::to_string(s[k]);
  return out + ")";
}

at::Tensor copy_tensor(std::int64_t d, std::size_t rank, const at::TensorOptions& opts) {
  if (rank == 0) return at::full({}, double(d), opts);
  std::vector<std::int64_t> shape(rank, d);
  at::Tensor t = at::zeros(shape, opts);
  std::int64_t stride = 0, s = 1;
  for (std::size_t k = 0; k < rank; ++k, s *= d) stride += s;
  t.view({-1}).index_put_({at::arange(d, at::kLong) * stride}, at::ones({d}, opts));
  return t;
}

}  // namespace

at::Tensor TensorFunctor::box_array(const Box& box) const {
  // rotate back to winding number 0, undo the dagger, look the generator up
  const Box base = box.generator();
  const std::int32_t z = box.z();
  const bool dagger = box.is_dagger();
  at::Tensor a = ar_(base);
  std::vector<std::int64_t> want;
  for (const Ob& x : base.dom()) want.push_back(dim(x));
  for (const Ob& x : base.cod()) want.push_back(dim(x));
  if (!a.defined() || a.sizes().vec() != want)
    throw InvalidInput("tensor functor", "array of box " + base.str(),
                       "shape " + shape_str(want) + " (dims of its domain, then its codomain)" +
                           (a.defined() ? ", got " + shape_str(a.sizes()) : ", got none"),
                       "BadBoxArray");
  if (dagger) {
    const std::int64_t n_dom = std::int64_t(base.dom().size()), n_cod = std::int64_t(base.cod().size());
    std::vector<std::int64_t> perm;
    for (std::int64_t k = 0; k < n_cod; ++k) perm.push_back(n_dom + k);
    for (std::int64_t k = 0; k < n_dom; ++k) perm.push_back(k);
    a = a.permute(perm);
    if (a.is_complex()) a = a.conj();
  }
  if (z % 2 != 0) {  // each half-turn reverses the axes; two give them back
    std::vector<std::int64_t> perm(std::size_t(a.dim()));
    std::iota(perm.rbegin(), perm.rend(), 0);
    a = a.permute(perm);
  }
  return a;
}

TensorNetwork TensorFunctor::network(const Diagram& d) const {
  UnionFind uf;
  std::vector<int> wires, output;
  for (const Ob& x : d.dom()) {
    wires.push_back(uf.make(dim(x)));
    output.push_back(wires.back());
  }
  TensorNetwork net;
  for (const Layer& layer : d.layers()) {
    const Box& box = layer.box;
    const auto off = std::ptrdiff_t(layer.offset);
    const std::size_t n_in = box.dom().size();
    switch (box.kind()) {
      case BoxKind::Cup:
        uf.unite(wires[std::size_t(off)], wires[std::size_t(off) + 1], box);
        wires.erase(wires.begin() + off, wires.begin() + off + 2);
        break;
      case BoxKind::Cap: {
        const int u = uf.make(dim(box.cod()[0]));
        wires.insert(wires.begin() + off, {u, u});
        break;
      }
      case BoxKind::Swap:
        std::swap(wires[std::size_t(off)], wires[std::size_t(off) + 1]);
        break;
      case BoxKind::Spider: {
        const int u = n_in ? wires[std::size_t(off)] : uf.make(dim(box.spider_object()));
        for (std::size_t k = 1; k < n_in; ++k) uf.unite(u, wires[std::size_t(off) + k], box);
        wires.erase(wires.begin() + off, wires.begin() + off + std::ptrdiff_t(n_in));
        wires.insert(wires.begin() + off, box.cod().size(), u);
        break;
      }
      default: {
        std::vector<int> legs(wires.begin() + off, wires.begin() + off + std::ptrdiff_t(n_in));
        std::vector<int> outs;
        for (const Ob& x : box.cod()) outs.push_back(uf.make(dim(x)));
        legs.insert(legs.end(), outs.begin(), outs.end());
        net.tensors.push_back(box_array(box));
        net.legs.push_back(std::move(legs));
        wires.erase(wires.begin() + off, wires.begin() + off + std::ptrdiff_t(n_in));
        wires.insert(wires.begin() + off, outs.begin(), outs.end());
      }
    }
  }
  output.insert(output.end(), wires.begin(), wires.end());

  // compact the surviving index ids
  std::unordered_map<int, int> id;
  auto index_of = [&](int w) {
    const int root = uf.find(w);
    auto [it, fresh] = id.emplace(root, int(net.dims.size()));
    if (fresh) net.dims.push_back(uf.dim[std::size_t(root)]);
    return it->second;
  };
  for (auto& legs : net.legs)
    for (int& l : legs) l = index_of(l);
  for (int& o : output) o = index_of(o);
  // closed loops: wires whose every end is a cup, cap or spider
  for (std::size_t w = 0; w < uf.parent.size(); ++w)
    if (uf.find(int(w)) == int(w) && !id.count(int(w))) net.scalar *= double(uf.dim[w]);

  // a tensor with one index on two axes (a box fed by a cap) takes its diagonal
  for (std::size_t t = 0; t < net.tensors.size(); ++t) {
    auto& legs = net.legs[t];
    for (bool again = true; again;) {
      again = false;
      for (std::size_t p = 0; p < legs.size() && !again; ++p)
        for (std::size_t q = p + 1; q < legs.size() && !again; ++q)
          if (legs[p] == legs[q]) {
            net.tensors[t] = net.tensors[t].diagonal(0, std::int64_t(p), std::int64_t(q));
            const int l = legs[p];
            legs.erase(legs.begin() + std::ptrdiff_t(q));
            legs.erase(legs.begin() + std::ptrdiff_t(p));
            legs.push_back(l);
            again = true;
          }
    }
  }

  // an index the output shows several times, or shows without any tensor
  // holding it (identity wires, spider units), goes through a copy tensor
  at::TensorOptions opts = at::TensorOptions().dtype(at::kDouble);
  if (!net.tensors.empty()) {
    at::ScalarType t = net.tensors[0].scalar_type();
    for (const auto& x : net.tensors) t = at::promote_types(t, x.scalar_type());
    opts = opts.dtype(t);
  }
  std::vector<int> in_tensors(net.dims.size(), 0), in_output(net.dims.size(), 0);
  for (const auto& legs : net.legs)
    for (int l : legs) in_tensors[std::size_t(l)] = 1;
  for (int o : output) ++in_output[std::size_t(o)];
  const std::vector<int> original = output;  // ids below in_output.size(); output[] gets new ones
  std::vector<char> done(net.dims.size(), 0);
  for (std::size_t k = 0; k < original.size(); ++k) {
    const int u = original[k];
    const std::size_t ui = std::size_t(u);
    if (done[ui] || (in_output[ui] == 1 && in_tensors[ui])) continue;
    done[ui] = 1;
    std::vector<int> legs;
    if (in_tensors[ui]) legs.push_back(u);
    for (std::size_t j = k; j < original.size(); ++j)
      if (original[j] == u) {
        output[j] = int(net.dims.size());
        net.dims.push_back(net.dims[ui]);
        legs.push_back(output[j]);
      }
    const double elements = std::pow(double(net.dims[ui]), double(legs.size()));
    if (elements > options_.max_elements)
      throw InvalidInput("tensor functor", "identity wires of dimension " + std::to_string(net.dims[ui]),
                         "a copy tensor of at most " + std::to_string(std::int64_t(options_.max_elements)) +
                             " elements (this one has " + fmt_elements(elements) + "; raise max_elements)",
                         "TooLarge");
    net.tensors.push_back(copy_tensor(net.dims[ui], legs.size(), opts));
    net.legs.push_back(std::move(legs));
  }
  net.output = std::move(output);
  return net;
}

// ---- path search -----------------------------------------------------------

namespace {

double size_of(const std::vector<int>& legs, const std::vector<std::int64_t>& dims) {
  double s = 1;
  for (int l : legs) s *= double(dims[std::size_t(l)]);
  return s;
}

// The legs of the contraction of a and b: the union minus the shared indices
// that no other live tensor and not the output holds.
std::vector<int> merged_legs(const std::vector<int>& a, const std::vector<int>& b, const std::vector<int>& count,
                             const std::vector<char>& in_output) {
  std::vector<int> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i] < b[j])) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j] < a[i]) {
      out.push_back(b[j++]);
    } else {
      const int l = a[i];
      if (in_output[std::size_t(l)] || count[std::size_t(l)] > 2) out.push_back(l);
      ++i, ++j;
    }
  }
  return out;
}

double flops_of(const std::vector<int>& a, const std::vector<int>& b, const std::vector<std::int64_t>& dims) {
  std::vector<int> u;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(u));
  return size_of(u, dims);
}

struct Setup {
  std::vector<std::vector<int>> legs;  // sorted, deduplicated
  std::vector<int> count;              // tensors holding each index
  std::vector<char> in_output;
};

Setup setup(const TensorNetwork& net) {
  Setup s;
  s.count.assign(net.dims.size(), 0);
  s.in_output.assign(net.dims.size(), 0);
  for (int o : net.output) s.in_output[std::size_t(o)] = 1;
  for (const auto& l : net.legs) {
    std::vector<int> v = l;
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    for (int x : v) ++s.count[std::size_t(x)];
    s.legs.push_back(std::move(v));
  }
  return s;
}

// The modelled time of one pairwise step: its multiply-adds plus the memory it
// moves (both inputs are permuted into place and the output written), which
// dominates when a small tensor is applied to a large one.
constexpr double kMoveCost = 4.0;
double step_cost(double flops, double sa, double sb, double sc) { return flops + kMoveCost * (sa + sb + sc); }

// Runs a path (ssa pairs) on the index sets only: flops, cost and the largest tensor.
void cost_path(const TensorNetwork& net, ContractionPath& path) {
  Setup s = setup(net);
  path.flops = 0;
  path.cost = 0;
  path.largest = 0;
  for (const auto& l : s.legs) path.largest = std::max(path.largest, size_of(l, net.dims));
  for (auto [i, j] : path.steps) {
    const auto& a = s.legs[std::size_t(i)];
    const auto& b = s.legs[std::size_t(j)];
    std::vector<int> m = merged_legs(a, b, s.count, s.in_output);
    const double f = flops_of(a, b, net.dims);
    path.flops += f;
    path.cost += step_cost(f, size_of(a, net.dims), size_of(b, net.dims), size_of(m, net.dims));
    for (int x : a) --s.count[std::size_t(x)];
    for (int x : b) --s.count[std::size_t(x)];
    for (int x : m) ++s.count[std::size_t(x)];
    path.largest = std::max(path.largest, size_of(m, net.dims));
    s.legs.push_back(std::move(m));
  }
}

ContractionPath sequential_path(std::size_t n) {
  ContractionPath p;
  if (n < 2) return p;
  int acc = 0;
  for (std::size_t k = 1; k < n; ++k) {
    p.steps.emplace_back(acc, int(k));
    acc = int(n + k - 1);
  }
  return p;
}

// Greedy: repeatedly contract the connected pair whose result is smallest
// relative to its inputs (opt_einsum's "greedy" cost), candidates kept in a
// heap and scored once (when they appear); with `rng`, choose among the best
// few candidates with Boltzmann weights instead of always the best.
ContractionPath greedy_path(const TensorNetwork& net, std::mt19937_64* rng, double temperature) {
  Setup s = setup(net);
  const std::size_t n = s.legs.size();
  std::vector<char> alive(n, 1);
  std::vector<double> size(n);
  for (std::size_t t = 0; t < n; ++t) size[t] = size_of(s.legs[t], net.dims);
  std::unordered_map<int, std::vector<int>> holders;  // index -> tensors holding it (dead ones skipped)
  for (std::size_t t = 0; t < n; ++t)
    for (int x : s.legs[t]) holders[x].push_back(int(t));
  struct Cand {
    double cost;
    int a, b;
    bool operator>(const Cand& o) const {
      return cost > o.cost || (cost == o.cost && (a > o.a || (a == o.a && b > o.b)));
    }
  };
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> heap;
  auto score = [&](int a, int b) {
    const auto m = merged_legs(s.legs[std::size_t(a)], s.legs[std::size_t(b)], s.count, s.in_output);
    return Cand{size_of(m, net.dims) - size[std::size_t(a)] - size[std::size_t(b)], std::min(a, b), std::max(a, b)};
  };
  auto push_neighbours = [&](int t) {
    std::vector<int> seen;
    for (int x : s.legs[std::size_t(t)])
      for (int u : holders[x])
        if (u != t && alive[std::size_t(u)] && std::find(seen.begin(), seen.end(), u) == seen.end()) {
          seen.push_back(u);
          heap.push(score(t, u));
        }
  };
  for (std::size_t t = 0; t < n; ++t) {
    for (int x : s.legs[t])
      for (int u : holders[x])
        if (u > int(t)) heap.push(score(int(t), u));
  }
  ContractionPath path;
  std::size_t live = n;
  std::vector<Cand> top;
  while (live > 1) {
    Cand pick{0, -1, -1};
    top.clear();
    while (!heap.empty() && top.size() < (rng ? 4u : 1u)) {
      const Cand c = heap.top();
      heap.pop();
      if (alive[std::size_t(c.a)] && alive[std::size_t(c.b)]) top.push_back(c);
    }
    if (top.empty()) {
      // disconnected: outer product of the two smallest live tensors
      int a = -1, b = -1;
      for (std::size_t t = 0; t < alive.size(); ++t) {
        if (!alive[t]) continue;
        if (a < 0 || size[t] < size[std::size_t(a)]) {
          b = a;
          a = int(t);
        } else if (b < 0 || size[t] < size[std::size_t(b)]) {
          b = int(t);
        }
      }
      pick = {0, std::min(a, b), std::max(a, b)};
    } else if (!rng || top.size() == 1) {
      pick = top[0];
    } else {
      const double scale = std::max(1.0, std::abs(top[0].cost));
      std::vector<double> w;
      for (const auto& c : top) w.push_back(std::exp(-(c.cost - top[0].cost) / (temperature * scale)));
      std::discrete_distribution<std::size_t> dist(w.begin(), w.end());
      const std::size_t k = dist(*rng);
      pick = top[k];
      for (std::size_t j = 0; j < top.size(); ++j)
        if (j != k) heap.push(top[j]);
    }
    const auto& a = s.legs[std::size_t(pick.a)];
    const auto& b = s.legs[std::size_t(pick.b)];
    std::vector<int> m = merged_legs(a, b, s.count, s.in_output);
    for (int x : a) --s.count[std::size_t(x)];
    for (int x : b) --s.count[std::size_t(x)];
    for (int x : m) ++s.count[std::size_t(x)];
    alive[std::size_t(pick.a)] = alive[std::size_t(pick.b)] = 0;
    const int id = int(s.legs.size());
    for (int x : m) holders[x].push_back(id);
    size.push_back(size_of(m, net.dims));
    s.legs.push_back(std::move(m));
    alive.push_back(1);
    path.steps.emplace_back(pick.a, pick.b);
    push_neighbours(id);
    --live;
  }
  cost_path(net, path);
  return path;
}

// Optimal (minimum modelled cost: flops plus memory moved) by dynamic programming over subsets.
ContractionPath optimal_path(const TensorNetwork& net) {
  Setup s = setup(net);
  const std::size_t n = s.legs.size();
  if (n > 16)
    throw InvalidInput("tensor functor", "path method", "at most 16 tensors for the optimal path search (got " +
                                                            std::to_string(n) + "); use greedy",
                       "TooManyTensors");
  if (n < 2) return ContractionPath{};
  const std::size_t full = (std::size_t(1) << n) - 1;
  // legs of each subset's contraction: indices held inside and also outside or in the output
  std::vector<std::vector<int>> legs(full + 1);
  std::vector<int> inside(net.dims.size());
  for (std::size_t S = 1; S <= full; ++S) {
    std::fill(inside.begin(), inside.end(), 0);
    for (std::size_t t = 0; t < n; ++t)
      if (S >> t & 1)
        for (int x : s.legs[t]) ++inside[std::size_t(x)];
    std::vector<int> v;
    for (std::size_t x = 0; x < inside.size(); ++x)
      if (inside[x] && (s.in_output[x] || inside[x] < s.count[x])) v.push_back(int(x));
    legs[S] = std::move(v);
  }
  std::vector<double> cost(full + 1, std::numeric_limits<double>::infinity());
  std::vector<std::size_t> split(full + 1, 0);
  for (std::size_t t = 0; t < n; ++t) cost[std::size_t(1) << t] = 0;
  for (std::size_t S = 1; S <= full; ++S) {
    if ((S & (S - 1)) == 0) continue;
    const std::size_t low = S & (~S + 1);  // the lowest member goes left: each split once
    for (std::size_t A = (S - 1) & S; A; A = (A - 1) & S) {
      if (!(A & low)) continue;
      const std::size_t B = S ^ A;
      const double c = cost[A] + cost[B] +
                       step_cost(flops_of(legs[A], legs[B], net.dims), size_of(legs[A], net.dims),
                                 size_of(legs[B], net.dims), size_of(legs[S], net.dims));
      if (c < cost[S]) cost[S] = c, split[S] = A;
    }
  }
  // unfold the splits into ssa steps
  ContractionPath path;
  int next = int(n);
  std::function<int(std::size_t)> emit = [&](std::size_t S) -> int {
    if ((S & (S - 1)) == 0) return int(__builtin_ctzll(S));
    const int a = emit(split[S]), b = emit(S ^ split[S]);
    path.steps.emplace_back(a, b);
    return next++;
  };
  emit(full);
  cost_path(net, path);
  return path;
}

}  // namespace

constexpr double kRestartCost = 1e8;

namespace {
ContractionPath plan(const TensorNetwork& net, const ContractionOptions& options);
}  // namespace

ContractionPath find_path(const TensorNetwork& net, const ContractionOptions& options) {
  ContractionPath p = plan(net, options);
  if (p.largest > options.max_elements)
    throw InvalidInput("tensor contraction", "largest intermediate",
                       "at most " + std::to_string(std::int64_t(options.max_elements)) + " elements (the best path found needs " +
                           fmt_elements(p.largest) + "; raise max_elements, or cut the diagram)",
                       "TooLarge");
  return p;
}

namespace {
ContractionPath plan(const TensorNetwork& net, const ContractionOptions& options) {
  const std::size_t n = net.tensors.size();
  PathMethod m = options.method;
  if (m == PathMethod::Auto) m = n <= 12 ? PathMethod::Optimal : PathMethod::Greedy;
  switch (m) {
    case PathMethod::Sequential: {
      ContractionPath p = sequential_path(n);
      cost_path(net, p);
      return p;
    }
    case PathMethod::Optimal:
      return optimal_path(net);
    default: {
      ContractionPath best = greedy_path(net, nullptr, 1.0);
      // the diagram's own order (a circuit applied gate by gate to its input
      // state) is sometimes better, and costing it is cheap
      ContractionPath scan = sequential_path(n);
      cost_path(net, scan);
      if (scan.cost < best.cost) best = std::move(scan);
      // restarts only pay off when the contraction costs more than the search
      if (best.cost < kRestartCost) return best;
      std::mt19937_64 rng(options.seed);
      for (int k = 0; k < options.greedy_trials; ++k) {
        ContractionPath p = greedy_path(net, &rng, 0.5);
        if (p.cost < best.cost) best = std::move(p);
      }
      return best;
    }
  }
}

}  // namespace

// ---- contraction -----------------------------------------------------------

namespace {

// Sums the axes whose index no other tensor and not the output holds.
void sum_private(at::Tensor& t, std::vector<int>& legs, const std::vector<int>& count,
                 const std::vector<char>& in_output) {
  std::vector<std::int64_t> axes;
  std::vector<int> keep;
  for (std::size_t k = 0; k < legs.size(); ++k) {
    const auto x = std::size_t(legs[k]);
    if (count[x] == 1 && !in_output[x])
      axes.push_back(std::int64_t(k));
    else
      keep.push_back(legs[k]);
  }
  if (axes.empty()) return;
  t = t.sum(axes);
  legs = std::move(keep);
}

}  // namespace

at::Tensor contract(const TensorNetwork& net, const ContractionPath& path) {
  std::vector<at::Tensor> ts = net.tensors;
  std::vector<std::vector<int>> legs = net.legs;
  std::vector<int> count(net.dims.size(), 0);
  std::vector<char> in_output(net.dims.size(), 0);
  for (int o : net.output) in_output[std::size_t(o)] = 1;
  for (const auto& l : legs)
    for (int x : l) ++count[std::size_t(x)];
  at::ScalarType dtype = at::kDouble;
  if (!ts.empty()) {
    dtype = ts[0].scalar_type();
    for (const auto& t : ts) dtype = at::promote_types(dtype, t.scalar_type());
  }
  // booleans (DisCoPy's dtype=bool: or of ands) are counted in doubles, then thresholded
  const bool boolean = dtype == at::kBool;
  if (boolean) dtype = at::kDouble;
  for (std::size_t k = 0; k < ts.size(); ++k) {
    ts[k] = ts[k].to(dtype);
    sum_private(ts[k], legs[k], count, in_output);
  }
  if (ts.empty()) {
    at::Tensor s = at::full({}, net.scalar, at::TensorOptions().dtype(dtype));
    return boolean ? s != 0 : s;
  }
  if (path.steps.size() + 1 != ts.size())
    throw InvalidInput("contraction path", "steps",
                       std::to_string(ts.size() - 1) + " pairwise steps for " + std::to_string(ts.size()) +
                           " tensors (got " + std::to_string(path.steps.size()) + ")",
                       "BadPath");
  for (auto [i, j] : path.steps) {
    if (i < 0 || j < 0 || std::size_t(i) >= ts.size() || std::size_t(j) >= ts.size() || i == j ||
        !ts[std::size_t(i)].defined() || !ts[std::size_t(j)].defined())
      throw InvalidInput("contraction path", "step (" + std::to_string(i) + ", " + std::to_string(j) + ")",
                         "two distinct live tensors", "BadPath");
    at::Tensor A = std::move(ts[std::size_t(i)]), B = std::move(ts[std::size_t(j)]);
    const std::vector<int> la = std::move(legs[std::size_t(i)]), lb = std::move(legs[std::size_t(j)]);
    ts[std::size_t(i)] = at::Tensor();
    ts[std::size_t(j)] = at::Tensor();
    for (int x : la) --count[std::size_t(x)];
    for (int x : lb) --count[std::size_t(x)];
    // classify: batch (shared, still needed), contracted (shared, done), free
    std::vector<int> batch, summed, fa, fb;
    for (int x : la) {
      const bool shared = std::find(lb.begin(), lb.end(), x) != lb.end();
      if (!shared)
        fa.push_back(x);
      else if (in_output[std::size_t(x)] || count[std::size_t(x)] > 0)
        batch.push_back(x);
      else
        summed.push_back(x);
    }
    for (int x : lb)
      if (std::find(la.begin(), la.end(), x) == la.end()) fb.push_back(x);
    auto axes = [](const std::vector<int>& legs_, const std::vector<int>& order) {
      std::vector<std::int64_t> p;
      for (int x : order) p.push_back(std::find(legs_.begin(), legs_.end(), x) - legs_.begin());
      return p;
    };
    auto prod = [&](const std::vector<int>& v) {
      std::int64_t s = 1;
      for (int x : v) s *= net.dims[std::size_t(x)];
      return s;
    };
    std::vector<int> oa = batch, ob = batch;
    oa.insert(oa.end(), fa.begin(), fa.end());
    oa.insert(oa.end(), summed.begin(), summed.end());
    ob.insert(ob.end(), summed.begin(), summed.end());
    ob.insert(ob.end(), fb.begin(), fb.end());
    const std::int64_t nb = prod(batch), na = prod(fa), nk = prod(summed), nf = prod(fb);
    at::Tensor a3 = A.permute(axes(la, oa)).reshape({nb, na, nk});
    at::Tensor b3 = B.permute(axes(lb, ob)).reshape({nb, nk, nf});
    std::vector<int> lc = batch;
    lc.insert(lc.end(), fa.begin(), fa.end());
    lc.insert(lc.end(), fb.begin(), fb.end());
    std::vector<std::int64_t> shape;
    for (int x : lc) shape.push_back(net.dims[std::size_t(x)]);
    at::Tensor C = at::bmm(a3, b3).reshape(shape);
    for (int x : lc) ++count[std::size_t(x)];
    sum_private(C, lc, count, in_output);
    ts.push_back(std::move(C));
    legs.push_back(std::move(lc));
  }
  at::Tensor R = std::move(ts.back());
  const std::vector<int>& lr = legs.back();
  // the result holds each output index once, in some order: permute to the output's
  std::vector<std::int64_t> perm;
  for (int o : net.output) perm.push_back(std::find(lr.begin(), lr.end(), o) - lr.begin());
  if (perm.size() != lr.size())
    throw std::logic_error("tensor contraction: result indices do not match the output");
  R = R.permute(perm);
  if (net.scalar != 1) R = R * net.scalar;
  return boolean ? R != 0 : R;
}

at::Tensor TensorFunctor::operator()(const Diagram& d) const {
  const TensorNetwork net = network(d);
  return contract(net, find_path(net, options_));
}

at::Tensor evaluate(const TensorFunctor& F, const Sum& sum) {
  at::Tensor out;
  for (const Term& t : sum.terms()) {
    at::Tensor v = F(t.diagram) * t.weight;
    out = out.defined() ? out + v : v;
  }
  if (out.defined()) return out;
  std::vector<std::int64_t> shape;
  for (const Ob& x : sum.dom()) shape.push_back(F.dim(x));
  for (const Ob& x : sum.cod()) shape.push_back(F.dim(x));
  return at::zeros(shape, at::kDouble);
}

}  // namespace factorkit::category
