// factorkit/category/tensor.h — the tensor functor: diagrams to torch tensors.
//
// A TensorFunctor maps each object to a dimension and each generating box to an
// array of shape dims(dom) + dims(cod) (DisCoPy's axis order: inputs, then
// outputs). It extends to every diagram: F(d1 >> d2) contracts the shared
// wires, F(d1 * d2) is the Kronecker product with axes dom1 + dom2 + cod1 + cod2,
// F(d.dagger()) is the conjugate transpose, cups and caps are identity matrices,
// swaps permute axes, spiders are copy tensors (1 where all indices agree).
// F(f.l()) and F(f.r()) reverse f's axes; F(x.l) and F(x.r) have x's dimension.
//
// Evaluation does not scan the layers. The diagram becomes a tensor network —
// cups, caps, swaps and spiders only identify wires, so they cost nothing — and
// the network is contracted pairwise in an order found by a path search:
// dynamic programming over subsets for small networks, a greedy search with
// randomised restarts otherwise. A path's cost is modelled as its
// multiply-adds plus four times the elements each step moves (both inputs are
// permuted into place, the output written): applying a small gate to a large
// state is memory-bound, and counting flops alone would favour it. Every operation is a torch
// operation, so gradients flow to the box arrays.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "factorkit/category/diagram.h"
#include "factorkit/category/grad.h"

namespace factorkit::category {

enum class PathMethod {
  Auto,        // Optimal up to 12 tensors, Greedy beyond
  Optimal,     // dynamic programming over subsets, minimum cost (≤ 16 tensors)
  Greedy,      // pick the pair that shrinks memory most (or the diagram's order, if cheaper);
               // `greedy_trials` randomised restarts
  Sequential,  // in the order the boxes appear (DisCoPy 1.2.2's scan order), for comparison
};

struct ContractionOptions {
  PathMethod method = PathMethod::Auto;
  int greedy_trials = 8;        // randomised restarts after the first, deterministic, greedy run
                                // (only when that path's modelled cost exceeds 1e8)
  std::uint64_t seed = 0;
  // the largest tensor (elements) a plan may create; find_path and network()
  // throw InvalidInput beyond it instead of letting an allocation fail
  double max_elements = double(std::int64_t(1) << 28);
};

// One pairwise contraction plan over a network's tensors: step k contracts
// tensors steps[k].first and steps[k].second (indices into the list of live
// tensors, new tensors appended at the end, as opt_einsum's ssa paths).
struct ContractionPath {
  std::vector<std::pair<int, int>> steps;
  double flops = 0;             // multiply-adds, summed over steps
  double cost = 0;              // the search's objective: flops + 4 × elements moved
  double largest = 0;           // elements of the largest intermediate (or input)
};

// A diagram's tensor network: tensors with one index id per axis; `output` are
// the result's axes (the diagram's domain wires, then its codomain wires).
struct TensorNetwork {
  std::vector<at::Tensor> tensors;
  std::vector<std::vector<int>> legs;
  std::vector<std::int64_t> dims;   // per index id
  std::vector<int> output;
  double scalar = 1;                // closed loops: the product of their dimensions
};

ContractionPath find_path(const TensorNetwork& network, const ContractionOptions& options = {});
at::Tensor contract(const TensorNetwork& network, const ContractionPath& path);

class TensorFunctor {
 public:
  using ObMap = std::function<std::int64_t(const Ob&)>;      // called with z = 0 objects
  using ArMap = std::function<at::Tensor(const Box&)>;       // called with generators (z = 0, no dagger)

  TensorFunctor(ObMap ob, ArMap ar, ContractionOptions options = {})
      : ob_(std::move(ob)), ar_(std::move(ar)), options_(options) {}

  // The network of `d` (boxes' arrays checked against their types).
  TensorNetwork network(const Diagram& d) const;
  // F(d): an array of shape dims(dom) + dims(cod).
  at::Tensor operator()(const Diagram& d) const;
  // The array of a single box, with dagger and rotations applied.
  at::Tensor box_array(const Box& box) const;
  std::int64_t dim(const Ob& x) const { return ob_(Ob(x.name, 0)); }

  const ContractionOptions& options() const { return options_; }

 private:
  ObMap ob_;
  ArMap ar_;
  ContractionOptions options_;
};

// F(Σ wᵢ dᵢ) = Σ wᵢ F(dᵢ) (a functor is linear on sums); the zero sum gives
// a float64 zero array of shape dims(dom) + dims(cod).
at::Tensor evaluate(const TensorFunctor& F, const Sum& sum);

}  // namespace factorkit::category
