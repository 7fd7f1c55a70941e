// Classification and language-modelling tasks for the training loop.
#include "factorkit/nn/tasks.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "factorkit/core/error.h"
#include "factorkit/core/shuffle.h"

namespace factorkit::nn {

namespace {

BatchResult classify(const Forward& forward, const at::Tensor& x, const at::Tensor& y) {
  const at::Tensor logits = forward(x);
  BatchResult r;
  r.loss = at::cross_entropy_loss(logits, y);
  r.samples = y.size(0);
  r.correct = (logits.argmax(1) == y).sum().item<std::int64_t>();
  r.predictions = r.samples;
  return r;
}

}  // namespace

// ---- images ---------------------------------------------------------------------

Task image_classification(Forward forward, const ImageLoader& train, const ImageDataset* eval, std::int64_t eval_batch) {
  Task t;
  t.batches_per_epoch = train.batches();
  t.train_batch = [forward, &train](std::int64_t epoch, std::int64_t b) {
    const ImageBatch batch = train.batch(epoch, b);
    return classify(forward, batch.images, batch.labels);
  };
  if (eval) t.evaluate = [forward, eval, eval_batch] { return evaluate_images(forward, *eval, eval_batch); };
  return t;
}

Metrics evaluate_images(const Forward& forward, const ImageDataset& data, std::int64_t batch) {
  MetricSum sum;
  for (std::int64_t s = 0; s < data.size(); s += batch) {
    const std::int64_t n = std::min(batch, data.size() - s);
    sum.add(classify(forward, data.images.narrow(0, s, n), data.labels.narrow(0, s, n)));
  }
  return sum.metrics();
}

std::vector<CorruptionResult> evaluate_corruptions(const Forward& forward, const ImageDataset& data,
                                                   const std::vector<int>& severities, std::int64_t limit,
                                                   std::uint64_t seed) {
  const std::int64_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
  ImageDataset part = data;
  part.images = data.images.narrow(0, 0, n);
  part.labels = data.labels.narrow(0, 0, n);
  const at::Tensor unit = part.unit_images();
  std::vector<CorruptionResult> out;
  for (Corruption c : all_corruptions())
    for (int s : severities) {
      ImageDataset bad = part;
      bad.images = (corrupt(unit, c, s, seed) - data.mean) / data.std;
      out.push_back({c, s, evaluate_images(forward, bad).at("accuracy")});
    }
  return out;
}

// ---- text ------------------------------------------------------------------------

namespace {
std::pair<at::Tensor, at::Tensor> text_batch(const TextSet& set, const std::int64_t* index, std::int64_t n) {
  std::vector<std::vector<int>> rows;
  rows.reserve(std::size_t(n));
  at::Tensor y = at::empty({n}, at::kLong);
  for (std::int64_t i = 0; i < n; ++i) {
    rows.push_back(set.ids[std::size_t(index[i])]);
    y[i] = set.labels[std::size_t(index[i])];
  }
  return {Tokenizer::pad_batch(rows), y};
}
}  // namespace

Task text_classification(Forward forward, const TextSet& train, const TextSet* eval, std::int64_t batch_size,
                         std::uint64_t seed) {
  if (train.ids.empty() || train.ids.size() != train.labels.size())
    throw InvalidInput("text classification", "training set", "texts with one label each", "BadOption");
  if (batch_size < 1) throw InvalidInput("text classification", "batch size", "at least 1", "BadOption");
  const std::int64_t n = std::int64_t(train.ids.size());
  Task t;
  t.batches_per_epoch = (n + batch_size - 1) / batch_size;
  // Each epoch: a seeded permutation, sorted by length within windows of 32
  // batches (so a batch pads little), cut into batches, the batches shuffled.
  struct Order {
    std::int64_t epoch = -1;
    std::vector<std::int64_t> index;
    std::vector<std::int64_t> starts;  // of the batches, in the epoch's order
  };
  auto order = std::make_shared<Order>();
  t.train_batch = [forward, &train, batch_size, seed, n, order](std::int64_t epoch, std::int64_t b) {
    if (order->epoch != epoch) {
      std::mt19937_64 rng(derive_seed(seed, {std::uint64_t(epoch), 2}));
      order->index = permutation(n, rng);
      const std::int64_t window = 32 * batch_size;
      for (std::int64_t w = 0; w < n; w += window) {
        auto first = order->index.begin() + w, last = order->index.begin() + std::min(n, w + window);
        std::stable_sort(first, last, [&](std::int64_t i, std::int64_t j) {
          return train.ids[std::size_t(i)].size() < train.ids[std::size_t(j)].size();
        });
      }
      order->starts.clear();
      for (std::int64_t s = 0; s < n; s += batch_size) order->starts.push_back(s);
      shuffle(order->starts, rng);
      order->epoch = epoch;
    }
    const std::int64_t s = order->starts[std::size_t(b)], m = std::min(batch_size, n - s);
    const auto [x, y] = text_batch(train, order->index.data() + s, m);
    return classify(forward, x, y);
  };
  if (eval) t.evaluate = [forward, eval] { return evaluate_text(forward, *eval); };
  return t;
}

Metrics evaluate_text(const Forward& forward, const TextSet& data, std::int64_t batch) {
  MetricSum sum;
  const std::int64_t n = std::int64_t(data.ids.size());
  std::vector<std::int64_t> index(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) index[std::size_t(i)] = i;
  // by length, so batches pad little (the sums do not depend on the order)
  std::stable_sort(index.begin(), index.end(), [&](std::int64_t i, std::int64_t j) {
    return data.ids[std::size_t(i)].size() < data.ids[std::size_t(j)].size();
  });
  for (std::int64_t s = 0; s < n; s += batch) {
    const auto [x, y] = text_batch(data, index.data() + s, std::min(batch, n - s));
    sum.add(classify(forward, x, y));
  }
  return sum.metrics();
}

// ---- language modelling ------------------------------------------------------------

at::Tensor token_stream(const Tokenizer& tokenizer, const std::vector<std::string>& lines) {
  std::vector<std::int64_t> ids;
  for (const std::string& line : lines) {
    for (int id : tokenizer.encode(line)) ids.push_back(id);
    ids.push_back(Tokenizer::kSep);
  }
  return at::tensor(ids, at::kLong);
}

LmLoader::LmLoader(at::Tensor stream, std::int64_t seq_len, std::int64_t batch_size, std::uint64_t seed)
    : stream_(std::move(stream)), seq_len_(seq_len), batch_size_(batch_size), seed_(seed) {
  if (seq_len < 1 || batch_size < 1) throw InvalidInput("LM loader", "sequence length / batch size", "at least 1", "BadOption");
  if (stream_.dim() != 1 || stream_.scalar_type() != at::kLong)
    throw InvalidInput("LM loader", "stream", "a 1-D int64 tensor of token ids", "BadShape");
  windows_ = (stream_.size(0) - 1) / seq_len;
  if (windows_ < 1)
    throw InvalidInput("LM loader", "stream", fmt::format("at least {} tokens (one window)", seq_len + 1), "BadOption");
  batches_ = (windows_ + batch_size - 1) / batch_size;
}

std::pair<at::Tensor, at::Tensor> LmLoader::batch(std::int64_t epoch, std::int64_t b) const {
  if (order_epoch_ != epoch) {
    std::mt19937_64 rng(derive_seed(seed_, {std::uint64_t(epoch), 3}));
    order_ = permutation(windows_, rng);
    order_epoch_ = epoch;
  }
  const std::int64_t s = b * batch_size_, n = std::min(batch_size_, windows_ - s);
  at::Tensor starts = at::from_blob(order_.data() + s, {n}, at::kLong) * seq_len_;
  const at::Tensor index = starts.unsqueeze(1) + at::arange(seq_len_ + 1, at::kLong).unsqueeze(0);
  const at::Tensor w = stream_.index_select(0, index.reshape({-1})).view({n, seq_len_ + 1});
  return {w.narrow(1, 0, seq_len_), w.narrow(1, 1, seq_len_)};
}

namespace {
BatchResult lm_batch(const Forward& forward, const at::Tensor& x, const at::Tensor& y) {
  const at::Tensor logits = forward(x);
  BatchResult r;
  r.loss = at::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), y.reshape({-1}));
  r.samples = x.size(0);
  r.tokens = y.numel();
  r.correct = (logits.argmax(-1) == y).sum().item<std::int64_t>();
  r.predictions = r.tokens;
  return r;
}
}  // namespace

Task language_modelling(Forward forward, const LmLoader& train, const at::Tensor* eval_stream, std::int64_t eval_batch) {
  Task t;
  t.batches_per_epoch = train.batches();
  t.train_batch = [forward, &train](std::int64_t epoch, std::int64_t b) {
    const auto [x, y] = train.batch(epoch, b);
    return lm_batch(forward, x, y);
  };
  if (eval_stream)
    t.evaluate = [forward, eval_stream, eval_batch, seq = train.seq_len()] {
      return evaluate_lm(forward, *eval_stream, seq, eval_batch);
    };
  return t;
}

Metrics evaluate_lm(const Forward& forward, const at::Tensor& stream, std::int64_t seq_len, std::int64_t batch) {
  MetricSum sum;
  const std::int64_t n = stream.size(0);
  std::vector<at::Tensor> xs, ys;
  auto flush = [&] {
    if (xs.empty()) return;
    if (xs.size() == 1 || xs.front().size(0) == xs.back().size(0)) {
      sum.add(lm_batch(forward, at::stack(xs), at::stack(ys)));
    } else {  // the short last window goes alone
      const at::Tensor lx = xs.back(), ly = ys.back();
      xs.pop_back(), ys.pop_back();
      sum.add(lm_batch(forward, at::stack(xs), at::stack(ys)));
      sum.add(lm_batch(forward, lx.unsqueeze(0), ly.unsqueeze(0)));
    }
    xs.clear(), ys.clear();
  };
  for (std::int64_t s = 0; s + 1 < n; s += seq_len) {
    const std::int64_t len = std::min(seq_len, n - 1 - s);
    xs.push_back(stream.narrow(0, s, len));
    ys.push_back(stream.narrow(0, s + 1, len));
    if (std::int64_t(xs.size()) == batch || len < seq_len) flush();
  }
  flush();
  return sum.metrics();
}

double unigram_perplexity(const at::Tensor& train_stream, const at::Tensor& eval_stream, std::int64_t vocab) {
  const at::Tensor counts = at::bincount(train_stream, {}, vocab).to(at::kDouble) + 1.0;
  const at::Tensor logp = (counts / counts.sum()).log();
  const at::Tensor predicted = eval_stream.narrow(0, 1, eval_stream.size(0) - 1);
  return std::exp(-logp.index_select(0, predicted).mean().item<double>());
}

}  // namespace factorkit::nn
