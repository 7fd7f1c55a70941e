// bench_sem: the vanishing ideal of a SEM up to a degree, in a LibTorch-free
// process, timed in-process (parametrization included). Prints JSON with the
// seconds of each repetition and the basis of every degree. Driven by run.py.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "factorkit/core/error.h"
#include "graph.h"
#include "ideal.h"

int main(int argc, char** argv) {
  using namespace factorkit::sem;
  std::string graph;
  IdealOptions o;
  o.progress = false;
  int repeat = 1;
  CLI::App app{"Times the SEM vanishing-ideal search"};
  app.add_option("--graph", graph, "The mixed graph")->required();
  app.add_option("--max-degree", o.max_degree)->capture_default_str();
  app.add_option("--threads", o.threads, "0: all cores")->capture_default_str();
  app.add_option("--repeat", repeat)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    nlohmann::json seconds = nlohmann::json::array(), parts = nlohmann::json::array();
    for (int k = 0; k < repeat; ++k) {
      const auto t = std::chrono::steady_clock::now();
      const Parametrization p = parametrize(parse_graph(graph));
      const Ideal I = vanishing_ideal(p, o);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
      if (k + 1 < repeat) continue;
      for (const IdealPart& part : I.parts) {
        nlohmann::json basis = nlohmann::json::array();
        for (const auto& q : part.basis) basis.push_back(q.str());
        parts.push_back({{"degree", part.degree}, {"dimension", part.dimension}, {"verified", part.verified},
                         {"unlifted", part.unlifted}, {"basis", basis}});
      }
    }
    std::cout << nlohmann::json{{"graph", graph}, {"seconds", seconds}, {"degrees", parts}}.dump() << std::endl;
    return 0;
  } catch (const factorkit::Error& e) {
    std::cerr << "bench_sem: " << e.what() << "\n";
    return 2;
  }
}
