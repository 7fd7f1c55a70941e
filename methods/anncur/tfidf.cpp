// TF-IDF retrieval (tfidf.h).
#include "tfidf.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace factorkit::anncur {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80) {
      cur += char(c);
    } else if (c >= 'A' && c <= 'Z') {
      cur += char(c - 'A' + 'a');
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

TfIdf::TfIdf(const std::vector<std::string>& docs) : doc_count_(docs.size()) {
  std::vector<std::vector<std::pair<std::int32_t, float>>> counts(docs.size());
  std::vector<std::int64_t> df;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    std::map<std::int32_t, float> c;
    for (auto& w : words(docs[d])) {
      auto [it, fresh] = vocab_.try_emplace(w, std::int32_t(vocab_.size()));
      if (fresh) df.push_back(0);
      c[it->second] += 1;
    }
    for (auto& [t, n] : c) {
      ++df[std::size_t(t)];
      counts[d].emplace_back(t, n);
    }
  }
  idf_.resize(df.size());
  const double n = double(docs.size());
  for (std::size_t t = 0; t < df.size(); ++t) idf_[t] = float(std::log((1 + n) / (1 + double(df[t]))) + 1);
  postings_.resize(df.size());
  for (std::size_t d = 0; d < docs.size(); ++d) {
    double norm = 0;
    for (auto& [t, c] : counts[d]) {
      c *= idf_[std::size_t(t)];
      norm += double(c) * c;
    }
    norm = std::sqrt(norm);
    for (auto& [t, c] : counts[d]) postings_[std::size_t(t)].emplace_back(std::int32_t(d), float(c / norm));
  }
}

std::vector<std::pair<std::int32_t, float>> TfIdf::vectorize(std::string_view text) const {
  std::map<std::int32_t, float> c;
  for (auto& w : words(text)) {
    auto it = vocab_.find(w);
    if (it != vocab_.end()) c[it->second] += 1;
  }
  std::vector<std::pair<std::int32_t, float>> v;
  double norm = 0;
  for (auto& [t, n] : c) {
    const float w = n * idf_[std::size_t(t)];
    v.emplace_back(t, w);
    norm += double(w) * w;
  }
  if (norm > 0)
    for (auto& p : v) p.second = float(p.second / std::sqrt(norm));
  return v;
}

std::vector<float> TfIdf::scores(std::string_view query) const {
  std::vector<float> s(doc_count_, 0.0f);
  for (auto [t, w] : vectorize(query))
    for (auto [d, v] : postings_[std::size_t(t)]) s[std::size_t(d)] += w * v;
  return s;
}

std::vector<std::int64_t> TfIdf::top(std::string_view query, std::size_t n, std::int64_t exclude) const {
  // Only documents sharing a word can score above 0: rank those, then fill
  // with the zero-score documents in index order.
  std::vector<float> s(doc_count_, 0.0f);
  std::vector<std::int64_t> touched;
  for (auto [t, w] : vectorize(query))
    for (auto [d, v] : postings_[std::size_t(t)]) {
      if (s[std::size_t(d)] == 0.0f) touched.push_back(d);
      s[std::size_t(d)] += w * v;
    }
  std::vector<std::int64_t> idx;
  for (auto d : touched)
    if (d != exclude && s[std::size_t(d)] > 0) idx.push_back(d);
  const auto better = [&](std::int64_t a, std::int64_t b) {
    const float x = s[std::size_t(a)], y = s[std::size_t(b)];
    return x != y ? x > y : a < b;
  };
  const std::size_t m = std::min(n, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + std::ptrdiff_t(m), idx.end(), better);
  idx.resize(m);
  for (std::size_t d = 0; d < doc_count_ && idx.size() < n; ++d)
    if (std::int64_t(d) != exclude && !(s[d] > 0)) idx.push_back(std::int64_t(d));
  return idx;
}

}  // namespace factorkit::anncur
