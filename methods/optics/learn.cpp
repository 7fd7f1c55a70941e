// Para(Lens) learning: primitives with hand-written reverse derivatives.
#include "learn.h"

#include <cmath>

#include "factorkit/core/error.h"

namespace factorkit::optics {

namespace op = factorkit::category::optics;

namespace {

void check_rows(const at::Tensor& x, std::int64_t width, const char* layer) {
  if (x.dim() != 2 || x.size(1) != width)
    throw InvalidInput(std::string(layer) + " layer", "input shape",
                       "a batch of rows of " + std::to_string(width) + " values", "BadShape");
}

at::Tensor torch_linear_init(std::int64_t in, std::int64_t out, at::Generator& gen) {
  const double bound = 1 / std::sqrt(double(in));
  at::Tensor w = at::empty({out, in}, at::kFloat);
  w.uniform_(-bound, bound, gen);
  return w;
}

}  // namespace

ParaLens linear(std::int64_t in, std::int64_t out, at::Generator& gen) {
  ParaLens l{"linear",
             [](const Params& p, const at::Tensor& x) {
               check_rows(x, p[0].size(1), "linear");
               return at::matmul(x, p[0].t());
             },
             [](const Params& p, const at::Tensor& x, const at::Tensor& dy) {
               return std::pair<Params, at::Tensor>({at::matmul(dy.t(), x)}, at::matmul(dy, p[0]));
             },
             {torch_linear_init(in, out, gen)}};
  l.put_params = [](const Params&, const at::Tensor& x, const at::Tensor& dy) { return Params{at::matmul(dy.t(), x)}; };
  return l;
}

ParaLens bias(std::int64_t n) {
  ParaLens l{"bias",
             [](const Params& p, const at::Tensor& x) { return x + p[0]; },
             [n](const Params&, const at::Tensor&, const at::Tensor& dy) {
               return std::pair<Params, at::Tensor>({dy.reshape({-1, n}).sum(0)}, dy);  // sum over every batch axis
             },
             {at::zeros({n}, at::kFloat)}};
  // the reverse derivative does not look at the input: the residual is empty
  l.fwd = [](const Params& p, const at::Tensor& x) { return std::pair(at::Tensor(), x + p[0]); };
  l.bwd = l.put;
  return l;
}

ParaLens affine(std::int64_t in, std::int64_t out, at::Generator& gen) {
  ParaLens l{"affine",
             [](const Params& p, const at::Tensor& x) {
               check_rows(x, p[0].size(1), "affine");
               return at::addmm(p[1], x, p[0].t());
             },
             [](const Params& p, const at::Tensor& x, const at::Tensor& dy) {
               return std::pair<Params, at::Tensor>({at::matmul(dy.t(), x), dy.sum(0)}, at::matmul(dy, p[0]));
             },
             {torch_linear_init(in, out, gen), at::zeros({out}, at::kFloat)}};
  l.put_params = [](const Params&, const at::Tensor& x, const at::Tensor& dy) {
    return Params{at::matmul(dy.t(), x), dy.sum(0)};
  };
  return l;
}

// ReLU and tanh differentiate from their output: with it as the residual the
// backward pass needs neither the input nor a recomputation.
ParaLens relu() {
  ParaLens l{"relu", [](const Params&, const at::Tensor& x) { return at::relu(x); },
             [](const Params&, const at::Tensor& x, const at::Tensor& dy) {
               return std::pair<Params, at::Tensor>({}, at::threshold_backward(dy, x, 0));
             },
             {}};
  l.fwd = [](const Params&, const at::Tensor& x) {
    at::Tensor y = at::relu(x);
    return std::pair(y, y);
  };
  l.bwd = [](const Params&, const at::Tensor& y, const at::Tensor& dy) {
    return std::pair<Params, at::Tensor>({}, at::threshold_backward(dy, y, 0));  // y > 0 exactly where x > 0
  };
  return l;
}

ParaLens tanh_layer() {
  ParaLens l{"tanh", [](const Params&, const at::Tensor& x) { return at::tanh(x); },
             [](const Params&, const at::Tensor& x, const at::Tensor& dy) {
               return std::pair<Params, at::Tensor>({}, at::tanh_backward(dy, at::tanh(x)));
             },
             {}};
  l.fwd = [](const Params&, const at::Tensor& x) {
    at::Tensor y = at::tanh(x);
    return std::pair(y, y);
  };
  l.bwd = [](const Params&, const at::Tensor& y, const at::Tensor& dy) {
    return std::pair<Params, at::Tensor>({}, at::tanh_backward(dy, y));  // dy · (1 − y²)
  };
  return l;
}

ParaLens softmax() {
  const auto from_output = [](const at::Tensor& y, const at::Tensor& dy) { return y * (dy - (dy * y).sum(-1, true)); };
  ParaLens l{"softmax", [](const Params&, const at::Tensor& x) { return at::softmax(x, -1); },
             [from_output](const Params&, const at::Tensor& x, const at::Tensor& dy) {
               return std::pair<Params, at::Tensor>({}, from_output(at::softmax(x, -1), dy));
             },
             {}};
  l.fwd = [](const Params&, const at::Tensor& x) {
    at::Tensor y = at::softmax(x, -1);
    return std::pair(y, y);
  };
  l.bwd = [from_output](const Params&, const at::Tensor& y, const at::Tensor& dy) {
    return std::pair<Params, at::Tensor>({}, from_output(y, dy));
  };
  return l;
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

// The optimizers' state (velocity, moments) belongs to the update lens and
// is updated in place; the parameters are values (models share them when
// copied), so each update makes new ones.
Update momentum(double lr, double mu) {
  auto v = std::make_shared<Params>();
  return {"momentum", [lr, mu, v](Params& p, const Params& dp) {
            if (v->empty())
              for (const auto& g : dp) v->push_back(at::zeros_like(g));
            for (std::size_t k = 0; k < p.size(); ++k) {
              (*v)[k].mul_(mu).add_(dp[k]);
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
              st->m[k].mul_(b1).add_(dp[k], 1 - b1);
              st->v[k].mul_(b2).addcmul_(dp[k], dp[k], 1 - b2);
              // p − lr · (m / c1) / (√(v / c2) + eps)
              at::Tensor denom = (st->v[k] / c2).sqrt_().add_(eps);
              p[k] = at::addcdiv(p[k], st->m[k], denom, -lr / c1);
            }
          }};
}

at::Tensor Model::operator()(const at::Tensor& x) const {
  at::Tensor y = x;
  for (const ParaLens& l : layers) y = l.get(l.params, y);
  return y;
}

Model mlp(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t classes, std::uint64_t seed,
          bool fused) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  Model m;
  auto add_affine = [&](std::int64_t a, std::int64_t b) {
    if (fused) {
      m.layers.push_back(affine(a, b, gen));
    } else {
      m.layers.push_back(linear(a, b, gen));
      m.layers.push_back(bias(b));
    }
  };
  std::int64_t width = in;
  for (std::int64_t h : hidden) {
    if (h <= 0) throw InvalidInput("mlp", "hidden width " + std::to_string(h), "positive widths", "BadOption");
    add_affine(width, h);
    m.layers.push_back(relu());
    width = h;
  }
  add_affine(width, classes);
  return m;
}

StepResult gradients(const Model& model, const at::Tensor& x, const Loss& loss, op::Mode mode) {
  StepResult out;
  out.grads.resize(model.layers.size());
  std::vector<op::Stage<at::Tensor>> chain;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const ParaLens* l = &model.layers[i];
    Params* slot = &out.grads[i];
    // each put (or bwd) runs once per backward pass, in every mode
    op::Stage<at::Tensor> s{l->name, [l](const at::Tensor& a) { return l->get(l->params, a); },
                            [l, slot](const at::Tensor& a, const at::Tensor& dy) {
                              auto [dp, dx] = l->put(l->params, a, dy);
                              *slot = std::move(dp);
                              return dx;
                            }};
    if (i == 0 && l->put_params) {
      // the input is data: its feedback is not needed (the residual stays the input)
      s.put = [l, slot](const at::Tensor& a, const at::Tensor& dy) {
        *slot = l->put_params(l->params, a, dy);
        return at::Tensor();
      };
    } else if (l->fwd) {
      s.fwd = [l](const at::Tensor& a) { return l->fwd(l->params, a); };
      s.bwd = [l, slot](const at::Tensor& m, const at::Tensor& dy) {
        auto [dp, dx] = l->bwd(l->params, m, dy);
        *slot = std::move(dp);
        return dx;
      };
    }
    chain.push_back(std::move(s));
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
