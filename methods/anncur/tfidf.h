// methods/anncur/tfidf.h — TF-IDF retrieval (the classic first stage), as
// scikit-learn's TfidfVectorizer defaults compute it: words are runs of
// letters and digits (lowercased, ASCII case folding; bytes ≥ 0x80 count as
// letters), raw counts, idf = ln((1 + N) / (1 + df)) + 1, rows L2-normalized,
// scores = cosine. An inverted index answers a query in time proportional to
// the postings of its words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace factorkit::anncur {

std::vector<std::string> words(std::string_view text);

class TfIdf {
 public:
  explicit TfIdf(const std::vector<std::string>& documents);
  std::size_t documents() const noexcept { return doc_count_; }
  // Cosine scores of `query` against every document (dense, documents()).
  std::vector<float> scores(std::string_view query) const;
  // The n best documents (ties: lower index first), skipping `exclude`.
  std::vector<std::int64_t> top(std::string_view query, std::size_t n, std::int64_t exclude = -1) const;

 private:
  std::vector<std::pair<std::int32_t, float>> vectorize(std::string_view text) const;  // (term, weight), normalized
  std::unordered_map<std::string, std::int32_t> vocab_;
  std::vector<float> idf_;
  std::vector<std::vector<std::pair<std::int32_t, float>>> postings_;  // term → (document, weight)
  std::size_t doc_count_ = 0;
};

}  // namespace factorkit::anncur
