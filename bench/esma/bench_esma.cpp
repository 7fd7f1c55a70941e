// bench_esma: the ESMA search in a LibTorch-free process, timed in-process.
// Driven by run.py in this folder, which races it against the reference
// Python implementation on the reference's own test search.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "esma.h"
#include "factorkit/core/error.h"

int main(int argc, char** argv) {
  using namespace factorkit::esma;
  SearchOptions o = reference_test_search(false);
  int repeat = 1;
  CLI::App app{"Times the ESMA search (default: the reference's test run)"};
  app.add_option("--constant", o.constant)->capture_default_str();
  app.add_option("--poly-deg", o.poly_deg)->capture_default_str();
  app.add_option("--coeff-lim", o.coeff_lim)->capture_default_str();
  app.add_option("--min-sign-len", o.min_sign_len)->capture_default_str();
  app.add_option("--max-sign-len", o.max_sign_len)->capture_default_str();
  app.add_option("--depth", o.depth)->capture_default_str();
  app.add_option("--threads", o.threads, "0: all cores")->capture_default_str();
  app.add_option("--repeat", repeat)->capture_default_str();
  app.add_flag("--compat", o.compat);
  CLI11_PARSE(app, argc, argv);
  try {
    nlohmann::json seconds = nlohmann::json::array();
    SearchResult r;
    for (int k = 0; k < repeat; ++k) {
      const auto t = std::chrono::steady_clock::now();
      r = search(o);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
    }
    auto row = [](const Conjecture& c) {
      nlohmann::json init = nlohmann::json::array();
      for (const auto& x : c.initial) init.push_back(x.str());
      return nlohmann::json{{"lhs", c.lhs.text}, {"value", c.value}, {"signs", c.signs},
                            {"recurrence", c.recurrence}, {"initial", init}};
    };
    nlohmann::json results = nlohmann::json::array(), dups = nlohmann::json::array();
    for (const auto& c : r.results) results.push_back(row(c));
    for (const auto& c : r.recurring) dups.push_back(row(c));
    nlohmann::json j{{"seconds", seconds},
                     {"phases",
                      {{"enumerate", r.stats.seconds_enumerate},
                       {"search", r.stats.seconds_search},
                       {"verify", r.stats.seconds_verify}}},
                     {"lhs_count", r.stats.lhs_distinct},
                     {"pre_hits", r.stats.pre_hits},
                     {"verified_before_dedup", r.stats.verified},
                     {"verified", r.results.size()},
                     {"results", results},
                     {"duplicates", dups}};
    std::cout << j.dump(1) << std::endl;
  } catch (const factorkit::Error& e) {
    std::cerr << "bench_esma: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
