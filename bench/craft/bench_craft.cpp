// bench_craft: factorkit's CRAFT pipeline — crops, NMF, Sobol importance — on
// the first --images test images of one class, through the reference
// Fashion-MNIST CNN split after features.6. With --export DIR it also writes
// the model's tensors, the images and its own concepts as .npy for the peer.
// Prints one JSON line: wall-clock medians and the importances.
#include <CLI/CLI.hpp>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/nn.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "craft.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"
#include "factorkit/nn/checkpoint.h"
#include "factorkit/nn/images.h"
#include "factorkit/nn/reference.h"

namespace fc = factorkit::craft;

int main(int argc, char** argv) {
  CLI::App app("bench_craft");
  std::int64_t images = 100, concepts = 10, patch = 14, designs = 32, cls = 0;
  int repeats = 3, threads = 2;
  std::string layer = "features.6", export_dir;
  app.add_option("--images", images);
  app.add_option("--concepts", concepts);
  app.add_option("--patch", patch);
  app.add_option("--designs", designs);
  app.add_option("--class", cls);
  app.add_option("--repeats", repeats);
  app.add_option("--threads", threads);
  app.add_option("--layer", layer);
  app.add_option("--export", export_dir);
  CLI11_PARSE(app, argc, argv);
  at::set_num_threads(threads);
  try {
    factorkit::nn::Cnn cnn = factorkit::nn::reference_cnn();
    torch::NoGradGuard no_grad;
    const factorkit::nn::ImageDataset test = factorkit::nn::load_fashion_mnist("test");
    const at::Tensor keep = (test.labels == cls).nonzero().reshape(-1).slice(0, 0, images);
    const at::Tensor x = test.images.index_select(0, keep).contiguous();
    fc::LayerChain chain = fc::LayerChain::from_sequentials({{"features", cnn->features}, {"head", cnn->head}});
    const fc::ModelSplit split(chain, layer);
    fc::CraftOptions o;
    o.concepts = concepts;
    o.patch_size = patch;
    o.designs = designs;
    std::vector<double> total, crops_s, importance_s;
    fc::Concepts c;
    fc::Importance imp;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      c = fc::fit_concepts(split, x, o);
      const auto t1 = std::chrono::steady_clock::now();
      imp = fc::estimate_importance(split, c, x, cls, o);
      const auto t2 = std::chrono::steady_clock::now();
      crops_s.push_back(std::chrono::duration<double>(t1 - t0).count());
      importance_s.push_back(std::chrono::duration<double>(t2 - t1).count());
      total.push_back(std::chrono::duration<double>(t2 - t0).count());
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    if (!export_dir.empty()) {
      std::filesystem::create_directories(export_dir);
      for (const auto& [name, t] : factorkit::nn::module_tensors(*cnn))
        factorkit::write_npy(export_dir + "/" + name + ".npy", factorkit::from_torch(t.contiguous()));
      factorkit::write_npy(export_dir + "/images.npy", factorkit::from_torch(x));
      factorkit::write_npy(export_dir + "/ours_w.npy", factorkit::from_torch(c.w.contiguous()));
    }
    nlohmann::json j{{"images", x.size(0)},
                     {"crops", c.u.size(0)},
                     {"concepts", concepts},
                     {"patch", patch},
                     {"designs", designs},
                     {"threads", threads},
                     {"seconds", median(total)},
                     {"seconds_concepts", median(crops_s)},
                     {"seconds_importance", median(importance_s)},
                     {"nmf_iterations", c.nmf_iterations},
                     {"nmf_error", c.nmf_error},
                     {"importance", imp.total}};
    std::cout << j.dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "bench_craft: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
