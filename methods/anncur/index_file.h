// methods/anncur/index_file.h — the ANNCUR index file and the text inputs of
// `factorkit anncur`, checked without LibTorch (so the fuzz targets and the
// sanitizer build of the readers stay small).
//
// Index file (safetensors), written by save_index:
//   anchor_queries  int64 (k_q)        query ids R was computed for (>= 0)
//   anchor_items    int64 (k_i)        distinct item ids in [0, |I|)
//   r               f32/f64 (k_q, |I|) anchor-query scores
//   u               f64 (k_i, k_q)     pinv(R[:, anchor_items])
//   e               f32/f64 (k_i, |I|) U R, finite
//   __metadata__    format = "factorkit-anncur-index/1", anncur = a JSON object
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "factorkit/core/raw_tensor.h"
#include "factorkit/core/source.h"

namespace factorkit::anncur {

inline constexpr const char* kIndexFormat = "factorkit-anncur-index/1";

struct IndexLayout {
  std::int64_t anchor_queries = 0, anchor_items = 0, items = 0;
  nlohmann::json info;
};
// MalformedFile naming `path` and the tensor or field at the first problem.
IndexLayout check_index_file(const TensorFile& f, const std::string& path);

// Text inputs: one query or item per line (UTF-8; "\n" or "\r\n"; a final
// newline optional). Empty lines are refused (MalformedFile naming the line),
// as are NUL bytes and control bytes 0x01–0x03 (the models' marker tokens).
std::vector<std::string> read_lines(const Source& src, const std::string& what);
// A query line must mark its mention once as [[mention]] (non-empty);
// MalformedFile naming `file` and `where` (its line) otherwise.
void check_marked_query(const std::string& line, const std::string& file, const std::string& where);
// An item line: "name<TAB>description" becomes "name: description"; a line
// without a tab is used as it is.
std::string item_text(const std::string& line);

}  // namespace factorkit::anncur
