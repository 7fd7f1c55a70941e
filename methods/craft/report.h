// methods/craft/report.h — CRAFT's pictures and bundle: the concept gallery
// (top crops per concept), attribution overlays, the importance bar chart, and
// the factors as safetensors + JSON. Every file is written atomically.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "craft.h"

namespace factorkit::craft {

// (n, C, S, S) in [0, 1] (C = 1 or 3) → one PNG image of a grid of tiles:
// tiles[row][col] indexes the batch (−1 leaves the tile empty), each tile
// scaled by `zoom` (nearest), separated by 2 white pixels.
void write_tile_png(const std::string& path, const at::Tensor& images,
                    const std::vector<std::vector<std::int64_t>>& tiles, std::int64_t zoom = 2);

// The concept gallery: one row per concept in `order`, its `top` crops with the
// largest coefficients, cut from `unit_images` (the pixels in [0, 1]).
void write_gallery(const std::string& path, const Concepts& c, const at::Tensor& unit_images,
                   const std::vector<std::int64_t>& order, std::int64_t top = 8, std::int64_t zoom = 2);

// Attribution overlays: one row per image — the image, then for each concept
// in `order` the image with its map (n, r, S, S) blended in red.
void write_overlays(const std::string& path, const at::Tensor& unit_images, const at::Tensor& maps,
                    const std::vector<std::int64_t>& order, std::int64_t zoom = 2);

// Importance bars (with intervals when present), concepts in `order`.
void write_importance_chart(const std::string& path, const Importance& imp, const std::vector<std::string>& labels,
                            const std::vector<std::int64_t>& order, const std::string& title);

// concepts.safetensors (w, u, activations, importance …) and concepts.json.
void write_bundle(const std::string& dir, const Concepts& c, const Importance& imp, const nlohmann::json& extra);

// Concept indices by decreasing total index.
std::vector<std::int64_t> by_importance(const Importance& imp);

}  // namespace factorkit::craft
