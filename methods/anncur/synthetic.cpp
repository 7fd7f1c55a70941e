// The synthetic non-factorizable scorer and the distilled dual encoder (synthetic.h).
#include "synthetic.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"
#include "factorkit/nn/optim.h"

namespace factorkit::anncur {

namespace {

at::Generator generator(std::uint64_t seed, std::uint64_t stream) {
  return at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, {0x5E7, stream}));
}

void check(const SyntheticOptions& o) {
  auto bad = [](const char* f, auto v, const char* e) { throw InvalidInput("synthetic scorer", fmt::format("{} = {}", f, v), e, "BadOption"); };
  if (o.queries < 1) bad("queries", o.queries, "at least 1");
  if (o.items < 1) bad("items", o.items, "at least 1");
  if (o.dim < 1 || o.facets < 1 || o.dim % o.facets != 0) bad("dim", o.dim, "a positive multiple of facets");
  if (o.topics < 1) bad("topics", o.topics, "at least 1");
  if (o.hidden < 1) bad("hidden", o.hidden, "at least 1");
  if (!(o.length_scale > 0)) bad("length_scale", o.length_scale, "positive");
  if (!(o.noise >= 0)) bad("noise", o.noise, ">= 0");
  if (o.train_steps < 0 || o.train_batch < 1) bad("train_steps", o.train_steps, ">= 0 with train_batch >= 1");
}

}  // namespace

SyntheticScorer::SyntheticScorer(const SyntheticOptions& o) : o_(o) {
  check(o);
  c10::InferenceMode off(false);
  const auto d = o.dim, h = o.hidden;
  auto g = generator(o.seed, 1);
  auto centres = at::randn({o.topics, d}, g, at::kFloat);
  auto tq = at::randint(o.topics, {o.queries}, g, at::kLong);
  auto ti = at::randint(o.topics, {o.items}, g, at::kLong);
  q_ = (centres.index_select(0, tq) + o.noise * at::randn({o.queries, d}, g, at::kFloat)).contiguous();
  i_ = (centres.index_select(0, ti) + o.noise * at::randn({o.items, d}, g, at::kFloat)).contiguous();

  auto gp = generator(o.seed, 2);
  if (o.form == SyntheticForm::Cls) {
    w_ = at::randn({h, 3 * d}, gp, at::kFloat) / std::sqrt(double(3 * d));
  } else {
    a_ = at::randn({h, d}, gp, at::kFloat) / std::sqrt(double(d));
    b_mat_ = at::randn({h, d}, gp, at::kFloat) / std::sqrt(double(d));
  }
  bias_ = at::zeros({h}, at::kFloat);
  v_ = at::randn({h}, gp, at::kFloat) / std::sqrt(double(h));
  c_ = at::zeros({}, at::kFloat);
  std::vector<std::pair<std::string, at::Tensor>> params;
  for (auto* p : {&w_, &a_, &b_mat_, &bias_, &v_, &c_})
    if (p->defined()) {
      p->set_requires_grad(true);
      params.emplace_back(fmt::format("p{}", params.size()), *p);
    }
  nn::AdamW opt(params, {o.lr, 0.9, 0.999, 1e-8, 0.0});

  // Training pairs: half within a topic (the informative part), half uniform.
  auto gt = generator(o.seed, 3);
  // items of each topic, as a sorted order and offsets, to draw a same-topic item
  auto order = std::get<1>(ti.sort());
  auto counts = at::bincount(ti, {}, o.topics);
  auto offsets = at::cat({at::zeros({1}, at::kLong), counts.cumsum(0)});
  auto draw_pairs = [&](std::int64_t n) {
    auto qi = at::randint(o.queries, {n}, gt, at::kLong);
    auto ii = at::randint(o.items, {n}, gt, at::kLong);
    const auto half = n / 2;
    auto topic = tq.index_select(0, qi.narrow(0, 0, half));
    auto cnt = counts.index_select(0, topic);
    auto has = cnt > 0;
    auto pick = (at::rand({half}, gt, at::kDouble) * cnt.to(at::kDouble)).floor().to(at::kLong);
    auto same = order.index_select(0, (offsets.index_select(0, topic) + pick).clamp_max(o.items - 1));
    ii.narrow(0, 0, half).copy_(at::where(has, same, ii.narrow(0, 0, half)));
    return std::make_pair(qi, ii);
  };
  for (std::int64_t step = 0; step < o.train_steps; ++step) {
    auto [qi, ii] = draw_pairs(o.train_batch);
    auto y = relevance_pairs(q_.index_select(0, qi), i_.index_select(0, ii));
    auto s = forward_pairs(q_.index_select(0, qi), i_.index_select(0, ii));
    auto loss = (s - y).pow(2).mean();
    opt.zero_grad();
    loss.backward();
    const double lr = o.lr * 0.5 * (1 + std::cos(M_PI * double(step) / double(o.train_steps)));
    opt.step(lr);
  }
  for (auto* p : {&w_, &a_, &b_mat_, &bias_, &v_, &c_})
    if (p->defined()) *p = p->detach().requires_grad_(false);
  {
    c10::NoGradGuard ng;
    auto [qi, ii] = draw_pairs(8192);
    auto y = relevance_pairs(q_.index_select(0, qi), i_.index_select(0, ii));
    auto s = forward_pairs(q_.index_select(0, qi), i_.index_select(0, ii));
    fit_rmse_ = (s - y).pow(2).mean().sqrt().item<double>();
    if (!std::isfinite(fit_rmse_))
      throw NumericalFailure("synthetic scorer", "training", "a finite fit (lower the learning rate)", "NonFinite");
  }
}

std::string SyntheticScorer::describe() const {
  return fmt::format("synthetic-{}(q={},i={},d={},topics={},h={},facets={},noise={},l={},seed={})",
                     o_.form == SyntheticForm::Cls ? "cls" : "emb", o_.queries, o_.items, o_.dim, o_.topics, o_.hidden,
                     o_.facets, o_.noise, o_.length_scale, o_.seed);
}

at::Tensor SyntheticScorer::relevance_pairs(const at::Tensor& q, const at::Tensor& i) const {
  const auto f = o_.facets, db = o_.dim / f;
  auto diff = (q - i).reshape({q.size(0), f, db});
  return at::exp(-diff.pow(2).sum(2) / (2 * o_.length_scale * o_.length_scale * double(db))).mean(1);
}

at::Tensor SyntheticScorer::relevance(const at::Tensor& queries, const at::Tensor& items) const {
  auto q = q_.index_select(0, queries), i = i_.index_select(0, items);
  const auto nq = q.size(0), ni = i.size(0);
  return relevance_pairs(q.repeat_interleave(ni, 0), i.repeat({nq, 1})).reshape({nq, ni});
}

at::Tensor SyntheticScorer::forward_pairs(const at::Tensor& q, const at::Tensor& i) const {
  at::Tensor pre;
  if (o_.form == SyntheticForm::Cls)
    pre = at::addmm(bias_, at::cat({q, i, q * i}, 1), w_.t());
  else
    pre = at::matmul(q, a_.t()) * at::matmul(i, b_mat_.t()) + bias_;
  return at::matmul(at::tanh(pre), v_) + c_;
}

at::Tensor SyntheticScorer::score_pairs(const at::Tensor& qi, const at::Tensor& ii) {
  c10::NoGradGuard ng;
  return forward_pairs(q_.index_select(0, qi), i_.index_select(0, ii));
}

at::Tensor SyntheticScorer::score_block_impl(const at::Tensor& qs, const at::Tensor& is) {
  c10::NoGradGuard ng;
  const auto d = o_.dim, h = o_.hidden;
  auto q = q_.index_select(0, qs), it = i_.index_select(0, is);
  const auto nq = q.size(0), ni = it.size(0);
  const std::int64_t rows = std::max<std::int64_t>(1, (std::int64_t(1) << 22) / std::max<std::int64_t>(1, h * ni));
  auto out = at::empty({nq, ni}, at::kFloat);
  if (o_.form == SyntheticForm::Cls) {
    auto wq = w_.narrow(1, 0, d), wi = w_.narrow(1, d, d), wqi = w_.narrow(1, 2 * d, d);
    auto pi = at::matmul(it, wi.t()).t().contiguous();  // (h, ni)
    auto pq = at::matmul(q, wq.t()) + bias_;            // (nq, h)
    for (std::int64_t r = 0; r < nq; r += rows) {
      const auto e = std::min(nq, r + rows), n = e - r;
      // (q ⊙ i) Wqiᵀ for every pair: (n, h, d) · (d, ni) in one product
      auto qw = (q.slice(0, r, e).unsqueeze(1) * wqi.unsqueeze(0)).reshape({n * h, d});
      auto pre = at::matmul(qw, it.t()).reshape({n, h, ni});
      pre.add_(pq.slice(0, r, e).unsqueeze(2)).add_(pi.unsqueeze(0));
      pre.tanh_();
      out.slice(0, r, e).copy_(at::einsum("nhi,h->ni", {pre, v_}) + c_);
    }
  } else {
    auto za = at::matmul(q, a_.t());                     // (nq, h)
    auto zb = at::matmul(it, b_mat_.t()).t().contiguous();  // (h, ni)
    for (std::int64_t r = 0; r < nq; r += rows) {
      const auto e = std::min(nq, r + rows);
      auto pre = za.slice(0, r, e).unsqueeze(2) * zb.unsqueeze(0);  // (n, h, ni)
      pre.add_(bias_.view({1, h, 1}));
      pre.tanh_();
      out.slice(0, r, e).copy_(at::einsum("nhi,h->ni", {pre, v_}) + c_);
    }
  }
  return out;
}

// ---- the dual encoder --------------------------------------------------------------------
at::Tensor DualEncoderResult::scores(const at::Tensor& queries) const {
  return at::matmul(query_embeddings.index_select(0, queries), item_embeddings.t());
}

DualEncoderResult distill_dual_encoder(SyntheticScorer& scorer, const at::Tensor& train_queries,
                                       const DualEncoderOptions& o) {
  if (train_queries.numel() < 1) throw InvalidInput("dual encoder", "no training queries", "at least one", "BadOption");
  if (o.steps < 0 || o.queries_per_step < 1 || o.items_per_step < 1 || o.hidden < 1 || o.out < 1)
    throw InvalidInput("dual encoder", "options", "positive sizes and steps >= 0", "BadOption");
  c10::InferenceMode off(false);
  const auto t0 = std::chrono::steady_clock::now();
  const auto before = scorer.calls();
  const auto& qv = scorer.query_vectors();
  const auto& iv = scorer.item_vectors();
  const auto d = qv.size(1);
  auto g = generator(o.seed, 11);
  auto init = [&](std::int64_t rows, std::int64_t cols) {
    return (at::randn({rows, cols}, g, at::kFloat) / std::sqrt(double(cols))).requires_grad_(true);
  };
  // towers: x → W2 gelu(W1 x + b1) + b2
  auto qw1 = init(o.hidden, d), qw2 = init(o.out, o.hidden), iw1 = init(o.hidden, d), iw2 = init(o.out, o.hidden);
  auto qb1 = at::zeros({o.hidden}).requires_grad_(true), ib1 = at::zeros({o.hidden}).requires_grad_(true);
  auto qb2 = at::zeros({o.out}).requires_grad_(true), ib2 = at::zeros({o.out}).requires_grad_(true);
  auto tower = [](const at::Tensor& x, const at::Tensor& w1, const at::Tensor& b1, const at::Tensor& w2,
                  const at::Tensor& b2) { return at::addmm(b2, at::gelu(at::addmm(b1, x, w1.t())), w2.t()); };
  nn::AdamW opt({{"qw1", qw1}, {"qb1", qb1}, {"qw2", qw2}, {"qb2", qb2}, {"iw1", iw1}, {"ib1", ib1}, {"iw2", iw2},
                 {"ib2", ib2}},
                {o.lr, 0.9, 0.999, 1e-8, 0.0});
  auto gs = generator(o.seed, 12);
  const auto ni = scorer.items();
  for (std::int64_t step = 0; step < o.steps; ++step) {
    auto qpick = train_queries.index_select(
        0, at::randint(train_queries.numel(), {std::min(o.queries_per_step, train_queries.numel())}, gs, at::kLong));
    auto ipick = at::randint(ni, {std::min(o.items_per_step, ni)}, gs, at::kLong);
    auto target = scorer.score_block(qpick, ipick);  // counted: distillation's cost
    auto fq = tower(qv.index_select(0, qpick), qw1, qb1, qw2, qb2);
    auto gi = tower(iv.index_select(0, ipick), iw1, ib1, iw2, ib2);
    auto s = at::matmul(fq, gi.t());
    // listwise distillation: cross-entropy of softmax(s) against softmax(target)
    auto p = at::softmax(target / o.temperature, 1);
    auto loss = -(p * at::log_softmax(s / o.temperature, 1)).sum(1).mean();
    opt.zero_grad();
    loss.backward();
    const double lr = o.lr * 0.5 * (1 + std::cos(M_PI * double(step) / double(o.steps)));
    opt.step(lr);
  }
  DualEncoderResult r;
  {
    c10::NoGradGuard ng;
    r.query_embeddings = tower(qv, qw1, qb1, qw2, qb2).detach();
    r.item_embeddings = tower(iv, iw1, ib1, iw2, ib2).detach();
  }
  r.scorer_calls = scorer.calls() - before;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace factorkit::anncur
