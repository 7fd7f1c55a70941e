// Para(Lens) learning: primitives with hand-written reverse derivatives.
#include "learn.h"

#include <cmath>

#include "factorkit/core/error.h"

namespace factorkit::optics {

namespace op = factorkit::category::optics;

ParaLens linear(std::int64_t in, std::int64_t out, at::Generator& gen) {
  const double bound = 1 / std::sqrt(double(in));
  at::Tensor w = at::empty({out, in}, at::kFloat);
  w.uniform_(-bound, bound, gen);
  return {"linear",
          [](const Params& p, const at::Tensor& x) {
            if (x.dim() != 2 || x.size(1) != p[0].size(1))
              throw InvalidInput("linear layer", "input shape", "a batch of rows of " + std::to_string(p[0].size(1)) + " values",
                                 "BadShape");
            return at::matmul(x, p[0].t());
          },
          [](const Params& p, const at::Tensor& x, const at::Tensor& dy) {
            return std::pair<Params, at::Tensor>({at::matmul(dy.t(), x)}, at::matmul(dy, p[0]));
          },
          {w}};
}

ParaLens bias(std::int64_t n) {
  return {"bias",
          [](const Params& p, const at::Tensor& x) { return x + p[0]; },
          [n](const Params&, const at::Tensor&, const at::Tensor& dy) {
            return std::pair<Params, at::Tensor>({dy.reshape({-1, n}).sum(0)}, dy);  // sum over every batch axis
          },
          {at::zeros({n}, at::kFloat)}};
}

ParaLens relu() {
  return {"relu", [](const Params&, const at::Tensor& x) { return at::relu(x); },
          [](const Params&, const at::Tensor& x, const at::Tensor& dy) {
            return std::pair<Params, at::Tensor>({}, dy * (x > 0).to(dy.scalar_type()));
          },
          {}};
}

ParaLens tanh_layer() {
  return {"tanh", [](const Params&, const at::Tensor& x) { return at::tanh(x); },
          [](const Params&, const at::Tensor& x, const at::Tensor& dy) {
            const at::Tensor t = at::tanh(x);
            return std::pair<Params, at::Tensor>({}, dy * (1 - t * t));
          },
          {}};
}

ParaLens softmax() {
  return {"softmax", [](const Params&, const at::Tensor& x) { return at::softmax(x, -1); },
          [](const Params&, const at::Tensor& x, const at::Tensor& dy) {
            const at::Tensor y = at::softmax(x, -1);
            return std::pair<Params, at::Tensor>({}, y * (dy - (dy * y).sum(-1, true)));
          },
          {}};
}

Loss cross_entropy(const at::Tensor& labels) {
  return {"cross-entropy",
          [labels](const at::Tensor& y) {
            return -at::log_softmax(y, 1).gather(1, labels.unsqueeze(1)).mean().item<double>();
          },
          [labels](const at::Tensor& y) {
            at::Tensor g = at::softmax(y, 1);
            g.scatter_add_(1, labels.unsqueeze(1), -at::ones({y.size(0), 1}, g.options()));
            return g / double(y.size(0));
          }};
}

Loss mse(const at::Tensor& t) {
  return {"mse", [t](const at::Tensor& y) { return (y - t).pow(2).mean().item<double>(); },
          [t](const at::Tensor& y) { return 2 * (y - t) / double(y.numel()); }};
}

Update sgd(double lr) {
  return {"sgd", [lr](Params& p, const Params& dp) {
            for (std::size_t k = 0; k < p.size(); ++k) p[k] = p[k] - lr * dp[k];
          }};
}

Update momentum(double lr, double mu) {
  auto v = std::make_shared<Params>();
  return {"momentum", [lr, mu, v](Params& p, const Params& dp) {
            if (v->empty())
              for (const auto& g : dp) v->push_back(at::zeros_like(g));
            for (std::size_t k = 0; k < p.size(); ++k) {
              (*v)[k] = mu * (*v)[k] + dp[k];
              p[k] = p[k] - lr * (*v)[k];
            }
          }};
}

Update adam(double lr, double b1, double b2, double eps) {
  struct State {
    Params m, v;
    std::int64_t t = 0;
  };
  auto st = std::make_shared<State>();
  return {"adam", [lr, b1, b2, eps, st](Params& p, const Params& dp) {
            if (st->m.empty())
              for (const auto& g : dp) st->m.push_back(at::zeros_like(g)), st->v.push_back(at::zeros_like(g));
            ++st->t;
            const double c1 = 1 - std::pow(b1, double(st->t)), c2 = 1 - std::pow(b2, double(st->t));
            for (std::size_t k = 0; k < p.size(); ++k) {
              st->m[k] = b1 * st->m[k] + (1 - b1) * dp[k];
              st->v[k] = b2 * st->v[k] + (1 - b2) * dp[k] * dp[k];
              p[k] = p[k] - lr * (st->m[k] / c1) / ((st->v[k] / c2).sqrt() + eps);
            }
          }};
}

at::Tensor Model::operator()(const at::Tensor& x) const {
  at::Tensor y = x;
  for (const ParaLens& l : layers) y = l.get(l.params, y);
  return y;
}

Model mlp(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t classes, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  Model m;
  std::int64_t width = in;
  for (std::int64_t h : hidden) {
    if (h <= 0) throw InvalidInput("mlp", "hidden width " + std::to_string(h), "positive widths", "BadOption");
    m.layers.push_back(linear(width, h, gen));
    m.layers.push_back(bias(h));
    m.layers.push_back(relu());
    width = h;
  }
  m.layers.push_back(linear(width, classes, gen));
  m.layers.push_back(bias(classes));
  return m;
}

StepResult gradients(const Model& model, const at::Tensor& x, const Loss& loss, op::Mode mode) {
  StepResult out;
  out.grads.resize(model.layers.size());
  std::vector<op::Stage<at::Tensor>> chain;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const ParaLens* l = &model.layers[i];
    Params* slot = &out.grads[i];
    chain.push_back({l->name, [l](const at::Tensor& a) { return l->get(l->params, a); },
                     [l, slot](const at::Tensor& a, const at::Tensor& dy) {
                       auto [dp, dx] = l->put(l->params, a, dy);
                       *slot = std::move(dp);  // each put runs once per backward pass, in every mode
                       return dx;
                     }});
  }
  double value = 0;
  const auto r = op::forward_backward<at::Tensor>(chain, x,
                                                 [&](const at::Tensor& y) {
                                                   value = loss.value(y);
                                                   return loss.grad(y);
                                                 },
                                                 mode);
  out.loss = value;
  out.stats = r.stats;
  return out;
}

void apply(Model& model, const std::vector<Params>& grads, std::vector<Update>& state,
           const std::function<Update()>& make_update) {
  if (state.size() != model.layers.size()) {
    state.clear();
    for (std::size_t i = 0; i < model.layers.size(); ++i) state.push_back(make_update());
  }
  for (std::size_t i = 0; i < model.layers.size(); ++i)
    if (!model.layers[i].params.empty()) state[i].put(model.layers[i].params, grads[i]);
}

}  // namespace factorkit::optics
