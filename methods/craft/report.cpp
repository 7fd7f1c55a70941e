#include "report.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/png.h"
#include "factorkit/core/svg_plot.h"
#include "factorkit/core/torch_bridge.h"

namespace factorkit::craft {

void write_tile_png(const std::string& path, const at::Tensor& images,
                    const std::vector<std::vector<std::int64_t>>& tiles, std::int64_t zoom) {
  if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
    throw InvalidInput(path, "images", "an (n, 1 or 3, H, W) batch");
  const std::int64_t h = images.size(2) * zoom, w = images.size(3) * zoom, gap = 2;
  std::int64_t cols = 0;
  for (const auto& row : tiles) cols = std::max<std::int64_t>(cols, std::int64_t(row.size()));
  const std::int64_t rows = std::int64_t(tiles.size());
  if (rows == 0 || cols == 0) throw InvalidInput(path, "tiles", "at least one tile");
  const std::int64_t width = cols * w + (cols + 1) * gap, height = rows * h + (rows + 1) * gap;
  std::vector<std::uint8_t> px(std::size_t(width * height * 3), 255);
  const at::Tensor rgb = (images.size(1) == 1 ? images.expand({-1, 3, -1, -1}) : images)
                             .clamp(0, 1)
                             .mul(255)
                             .round()
                             .to(at::kByte)
                             .contiguous();
  const auto acc = rgb.accessor<std::uint8_t, 4>();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < std::int64_t(tiles[std::size_t(r)].size()); ++c) {
      const std::int64_t idx = tiles[std::size_t(r)][std::size_t(c)];
      if (idx < 0) continue;
      const std::int64_t y0 = gap + r * (h + gap), x0 = gap + c * (w + gap);
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x)
          for (int ch = 0; ch < 3; ++ch)
            px[std::size_t(((y0 + y) * width + x0 + x) * 3 + ch)] = acc[idx][ch][y / zoom][x / zoom];
    }
  write_png(path, width, height, 3, px);
}

void write_gallery(const std::string& path, const Concepts& c, const at::Tensor& unit_images,
                   const std::vector<std::int64_t>& order, std::int64_t top, std::int64_t zoom) {
  const std::int64_t side = unit_images.size(2);
  if (c.crops.size() != std::size_t(c.u.size(0)))
    throw InvalidInput(path, "concepts", "concepts fitted on image crops (their crop boxes are needed)");
  std::vector<at::Tensor> crops;
  std::vector<std::vector<std::int64_t>> tiles;
  for (const std::int64_t k : order) {
    const auto best = std::get<1>(c.u.select(1, k).topk(std::min<std::int64_t>(top, c.u.size(0))));
    std::vector<std::int64_t> row;
    for (std::int64_t j = 0; j < best.numel(); ++j) {
      const CropRef& r = c.crops[std::size_t(best[j].item<std::int64_t>())];
      at::Tensor crop = unit_images[r.image].slice(1, r.y, r.y + r.size).slice(2, r.x, r.x + r.size).unsqueeze(0);
      if (r.size != side) crop = at::upsample_bilinear2d(crop, {side, side}, false);
      row.push_back(std::int64_t(crops.size()));
      crops.push_back(crop);
    }
    tiles.push_back(row);
  }
  write_tile_png(path, at::cat(crops, 0), tiles, zoom);
}

void write_overlays(const std::string& path, const at::Tensor& unit_images, const at::Tensor& maps,
                    const std::vector<std::int64_t>& order, std::int64_t zoom) {
  const std::int64_t n = unit_images.size(0);
  const at::Tensor rgb = unit_images.size(1) == 1 ? unit_images.expand({-1, 3, -1, -1}) : unit_images;
  std::vector<at::Tensor> out;
  std::vector<std::vector<std::int64_t>> tiles;
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<std::int64_t> row{std::int64_t(out.size())};
    out.push_back(rgb[i].unsqueeze(0));
    for (const std::int64_t k : order) {
      at::Tensor m = maps[i][k];
      const double top = m.max().item<double>();
      m = top > 0 ? m / top : m;
      at::Tensor o = rgb[i].mul(0.5).clone();
      o[0] = o[0] + m * 0.5;
      row.push_back(std::int64_t(out.size()));
      out.push_back(o.unsqueeze(0));
    }
    tiles.push_back(row);
  }
  write_tile_png(path, at::cat(out, 0), tiles, zoom);
}

void write_importance_chart(const std::string& path, const Importance& imp, const std::vector<std::string>& labels,
                            const std::vector<std::int64_t>& order, const std::string& title) {
  Bars b;
  for (const std::int64_t k : order) {
    b.labels.push_back(labels[std::size_t(k)]);
    b.values.push_back(imp.total[std::size_t(k)]);
    if (!imp.total_low.empty()) {
      b.low.push_back(imp.total_low[std::size_t(k)]);
      b.high.push_back(imp.total_high[std::size_t(k)]);
    }
  }
  ChartOptions o;
  o.title = title;
  o.x_label = "total Sobol' index (mean over images)";
  write_file_atomic(path, bar_chart(b, o));
}

std::vector<std::int64_t> by_importance(const Importance& imp) {
  std::vector<std::int64_t> order(imp.total.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return imp.total[std::size_t(a)] > imp.total[std::size_t(b)]; });
  return order;
}

void write_bundle(const std::string& dir, const Concepts& c, const Importance& imp, const nlohmann::json& extra) {
  TensorFile f;
  auto add = [&](const std::string& name, const at::Tensor& t) {
    if (t.defined()) f.tensors.emplace_back(name, from_torch(t.contiguous(), name));
  };
  add("concepts", c.w);
  add("crop_coefficients", c.u);
  add("crop_activations", c.activations);
  std::vector<std::int64_t> refs;
  for (const CropRef& r : c.crops) refs.insert(refs.end(), {r.image, r.y, r.x, r.size});
  if (!refs.empty()) add("crop_boxes", at::tensor(refs, at::kLong).reshape({-1, 4}));
  if (!imp.total.empty()) {
    add("importance_total", at::tensor(imp.total, at::kDouble));
    add("importance_first", at::tensor(imp.first, at::kDouble));
    add("importance_per_image", imp.per_image_total);
  }
  f.metadata["format"] = "factorkit-craft-1";
  f.metadata["layer"] = c.layer;
  write_safetensors(dir + "/concepts.safetensors", f);
  nlohmann::json j = extra;
  j["layer"] = c.layer;
  j["concepts"] = c.rank();
  j["crops"] = c.u.size(0);
  j["nmf"] = {{"solver", linalg::to_string(c.nmf.solver)}, {"init", linalg::to_string(c.nmf.init)},
              {"tol", c.nmf.tol},     {"max_iter", c.nmf.max_iter},     {"alpha_w", c.nmf.alpha_w},
              {"iterations", c.nmf_iterations}, {"converged", c.nmf_converged}, {"error", c.nmf_error}};
  j["importance_total"] = imp.total;
  j["importance_first"] = imp.first;
  if (!imp.total_low.empty()) j["importance_interval"] = {imp.total_low, imp.total_high};
  j["order"] = by_importance(imp);
  j["model_calls"] = imp.model_calls;
  write_file_atomic(dir + "/concepts.json", j.dump(2) + "\n");
}

}  // namespace factorkit::craft
