// Learning with lenses (Cruttwell, Gavranović, Ghani, Wilson, Zanasi,
// arXiv:2103.01931): a model is a chain of parametric lenses (Para(Lens)) whose
// put is the reverse derivative of the layer, written by hand per primitive —
// no torch autograd. The loss is a lens from predictions to a number; the
// optimizers are update lenses on the parameters. The chain runs backward as
// an optic (stored activations), a left-nested lens (recomputation) or with a
// checkpoint every k layers (chain.h), with identical gradients.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <vector>

#include "factorkit/category/chain.h"

namespace factorkit::category::optics {
// A tensor holds its whole storage (a view keeps all of it alive); copies
// and views share it.
template <>
struct ByteSize<at::Tensor> {
  static std::size_t of(const at::Tensor& t) { return t.defined() && t.has_storage() ? t.storage().nbytes() : 0; }
  static const void* storage(const at::Tensor& t) {
    return t.defined() && t.has_storage() ? t.storage().unsafeGetStorageImpl() : nullptr;
  }
};
}  // namespace factorkit::category::optics

namespace factorkit::optics {

using Params = std::vector<at::Tensor>;

// A parametric lens (P × A, P' × A') → (B, B'): get(p, x) = y and
// put(p, x, dy) = (dp, dx), the reverse derivative at (p, x).
//
// Optionally, as in chain.h's Stage, the layer as an optic with a residual of
// its choosing: fwd(p, x) = (m, y) and bwd(p, m, dy) = put(p, x, dy); and the
// parameter half of put alone, for a first layer whose input is data (its
// feedback is never used).
struct ParaLens {
  using Reverse = std::function<std::pair<Params, at::Tensor>(const Params&, const at::Tensor&, const at::Tensor&)>;
  std::string name;
  std::function<at::Tensor(const Params&, const at::Tensor&)> get;
  Reverse put;
  Params params;  // the current values (empty for layers without parameters)
  std::function<std::pair<at::Tensor, at::Tensor>(const Params&, const at::Tensor&)> fwd = {};  // (residual, y)
  Reverse bwd = {};                                                                               // (p, residual, dy)
  std::function<Params(const Params&, const at::Tensor&, const at::Tensor&)> put_params = {};    // (p, x, dy) → dp
};

// y = x Wᵀ with W of shape (out, in), initialised U(−1/√in, 1/√in) as torch's Linear
ParaLens linear(std::int64_t in, std::int64_t out, at::Generator& gen);
ParaLens bias(std::int64_t n);  // y = x + b, b = 0 initially; no residual
// linear then bias in one lens (one fused multiply-add, as torch's Linear):
// y = x Wᵀ + b, W initialised as linear's, b = 0
ParaLens affine(std::int64_t in, std::int64_t out, at::Generator& gen);
ParaLens relu();        // residual: the output
ParaLens tanh_layer();  // residual: the output
ParaLens softmax();     // along the last dimension; residual: the output

// Losses as lenses from predictions (with targets fixed): value(y) and the
// reverse derivative d loss / d y for a loss feedback of 1.
struct Loss {
  std::string name;
  std::function<double(const at::Tensor& y)> value;
  std::function<at::Tensor(const at::Tensor& y)> grad;
};
Loss cross_entropy(const at::Tensor& labels);  // y: logits (N, C); mean over N of −log softmax(y)[label]
Loss mse(const at::Tensor& targets);           // mean of (y − t)²

// Update lenses (P, P) → (P, P'): get = identity, put(p, dp) = the new p. The
// optimizer's state (momentum, Adam moments, step) lives in the lens.
struct Update {
  std::string name;
  std::function<void(Params& p, const Params& dp)> put;
};
Update sgd(double lr);
Update momentum(double lr, double mu);
Update adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

struct Model {
  std::vector<ParaLens> layers;
  // forward only (evaluation)
  at::Tensor operator()(const at::Tensor& x) const;
};

// The MLP in → hidden… → classes: affine and ReLU per hidden layer, then
// affine (logits). `fused = false` builds each affine as linear then bias
// (the same function and initialisation, two stages).
Model mlp(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t classes, std::uint64_t seed,
          bool fused = true);

struct StepResult {
  double loss = 0;
  std::vector<Params> grads;  // per layer
  category::optics::PassStats stats;
};

// One forward and backward pass of the model and the loss, composed as `mode`;
// gradients per layer. No update.
StepResult gradients(const Model& model, const at::Tensor& x, const Loss& loss, category::optics::Mode mode);
// Then the update lens on every layer's parameters (one Update per layer, for
// all its parameter tensors, created by `make_update` on first use and kept in
// `state`).
void apply(Model& model, const std::vector<Params>& grads, std::vector<Update>& state,
           const std::function<Update()>& make_update);

}  // namespace factorkit::optics
