// `factorkit sem covariance|identify|ideal`: the algebra of linear SEMs on
// mixed, possibly cyclic graphs (see docs/methods/sem.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "covariance.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/core/source.h"
#include "ideal.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::sem;
using exact::QPoly;

// LaTeX for a polynomial in the parameters (l12 -> \lambda_{12}, w13 -> \omega_{13})
// or in the covariances (s12 -> \sigma_{12}).
std::string latex(const QPoly& q, const std::vector<std::string>& tex_names) {
  if (q.is_zero()) return "0";
  std::string out;
  bool first = true;
  for (const auto& t : q.terms()) {
    const bool neg = t.coeff.sign() < 0;
    const exact::Rational mag = neg ? -t.coeff : t.coeff;
    std::string mono;
    for (size_t v = 0; v < t.exps.size(); ++v) {
      if (!t.exps[v]) continue;
      mono += tex_names[v];
      if (t.exps[v] > 1) mono += fmt::format("^{{{}}}", t.exps[v]);
    }
    std::string coef;
    if (!(mag == exact::Rational(1)) || mono.empty())
      coef = mag.is_integer() ? mag.str() : fmt::format("\\frac{{{}}}{{{}}}", mag.num().str(), mag.den().str());
    out += first ? (neg ? "-" : "") : (neg ? " - " : " + ");
    out += coef + mono;
    first = false;
  }
  return out;
}

// "12" or "a,b" with '_' escaped: the subscript of lambda/omega/sigma
std::string tex_pair(const MixedGraph& g, int i, int j) {
  const bool short_names = g.short_names();
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) o += c == '_' ? std::string("\\_") : std::string(1, c);
    return o;
  };
  const std::string a = esc(g.names[static_cast<size_t>(i)]), b = esc(g.names[static_cast<size_t>(j)]);
  return short_names ? a + b : a + "," + b;
}

std::vector<std::string> tex_names(const Parametrization& p) {
  auto pair = [&](int i, int j) { return tex_pair(p.graph, i, j); };
  std::vector<std::string> out;
  for (const auto& [i, j] : p.graph.directed) out.push_back("\\lambda_{" + pair(i, j) + "}");
  for (int i = 0; i < p.n(); ++i) out.push_back("\\omega_{" + pair(i, i) + "}");
  for (const auto& [i, j] : p.graph.bidirected) out.push_back("\\omega_{" + pair(i, j) + "}");
  return out;
}

class SemCommand final : public Command {
 public:
  std::string name() const override { return "sem"; }
  std::string summary() const override {
    return "Linear SEMs on cyclic mixed graphs: exact covariance (one-connection rule), identifiability, vanishing ideal";
  }
  std::string doc_page() const override { return "docs/methods/sem.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    cov_ = sub.add_subcommand("covariance", "Sigma's entries as N_ij / det(I - Lambda)^2, exactly");
    add_graph(cov_);
    cov_->add_flag("--latex", latex_, "Print LaTeX instead of plain text");
    id_ = sub.add_subcommand("identify", "Generic rank of the Jacobian: is the model finite-to-one?");
    add_graph(id_);
    id_->add_option("--points", points_, "Random points mod p (the rank is the maximum)")->capture_default_str();
    ideal_ = sub.add_subcommand("ideal", "Polynomials in the sigma_ij vanishing on the model, degree by degree");
    add_graph(ideal_);
    ideal_->add_option("--max-degree", ideal_opts_.max_degree, "Highest degree to search")->capture_default_str();
    ideal_->add_flag("--latex", latex_, "Print LaTeX instead of plain text");
    ideal_->add_flag("--all", all_, "Print every basis polynomial, not only the new generators");
  }

  int run(const Context& ctx) override {
    const MixedGraph g = read_graph();
    const Parametrization p = parametrize(g);
    if (cov_->parsed()) return covariance(ctx, p);
    if (id_->parsed()) return identify(ctx, p);
    return ideal(ctx, p);
  }

 private:
  void add_graph(CLI::App* app) {
    graph_opts_.push_back(
        app->add_option("--graph", graph_, "The mixed graph, e.g. \"1->2; 2->3; 3->1; 1<->3\" or lavaan \"y ~ x\""));
    file_opts_.push_back(app->add_option("--graph-file", graph_file_, "Read the graph from this file instead"));
  }

  MixedGraph read_graph() const {
    const bool text = std::any_of(graph_opts_.begin(), graph_opts_.end(), [](const CLI::Option* o) { return o->count() > 0; });
    const bool file = std::any_of(file_opts_.begin(), file_opts_.end(), [](const CLI::Option* o) { return o->count() > 0; });
    if (text == file)
      throw InvalidInput("--graph/--graph-file", text ? "both given" : "neither given",
                         "exactly one of --graph TEXT or --graph-file PATH", "BadOption");
    if (text) return parse_graph(graph_, "--graph");
    FileSource src(graph_file_);  // a regular file, or a clear error
    constexpr uint64_t kMax = uint64_t{1} << 24;
    if (src.size() > kMax) throw InvalidInput(graph_file_, "(size)", "a graph text of at most 16 MiB", "GraphTooLarge");
    const auto bytes = src.read_vector(0, static_cast<size_t>(src.size()));
    return parse_graph(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), graph_file_);
  }

  nlohmann::json graph_json(const Parametrization& p) const {
    return {{"graph", p.graph.str()},
            {"vertices", p.graph.names},
            {"acyclic", p.graph.is_acyclic()},
            {"simple", p.graph.is_simple()},
            {"parameters", p.ring.names()}};
  }

  int covariance(const Context& ctx, const Parametrization& p) {
    const auto tex = tex_names(p);
    nlohmann::json j = graph_json(p);
    j["command"] = "sem covariance";
    j["det"] = p.det.str();
    nlohmann::json entries = nlohmann::json::array();
    const int n = p.n();
    for (int i = 0; i < n; ++i)
      for (int k = i; k < n; ++k)
        entries.push_back({{"i", p.graph.names[static_cast<size_t>(i)]},
                           {"j", p.graph.names[static_cast<size_t>(k)]},
                           {"numerator", p.numer_at(i, k).str()},
                           {"latex", latex(p.numer_at(i, k), tex)}});
    j["entries"] = entries;
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    const bool one = p.det == QPoly(p.ring, exact::Rational(1));
    const std::string d = latex(p.det, tex);
    std::cout << (latex_ ? "\\det(I - \\Lambda) = " + d + " \\\\" : "det(I - Lambda) = " + p.det.str()) << "\n";
    for (int i = 0; i < n; ++i)
      for (int k = i; k < n; ++k) {
        if (latex_) {
          const std::string num = latex(p.numer_at(i, k), tex);
          std::cout << "\\sigma_{" << tex_pair(p.graph, i, k) << "} = "
                    << (one ? num : "\\frac{" + num + "}{(" + d + ")^2}") << " \\\\\n";
        } else {
          const std::string num = p.numer_at(i, k).str();
          std::cout << parameter_name('s', p.graph, i, k) << " = " << (one ? num : "(" + num + ") / det^2") << "\n";
        }
      }
    return 0;
  }

  int identify(const Context& ctx, const Parametrization& p) {
    if (points_ < 1 || points_ > 100)
      throw InvalidInput("--points", std::to_string(points_), "a count in [1, 100]", "BadOption");
    const JacobianRank r = jacobian_rank(p, points_, ctx.seed);
    nlohmann::json j = graph_json(p);
    j["command"] = "sem identify";
    j["rank"] = r.rank;
    j["parameters_count"] = r.params;
    j["entries"] = r.entries;
    j["points"] = r.points;
    j["prime"] = r.prime;
    j["finite_to_one"] = r.finite_to_one();
    j["expected_dimension"] = std::min(r.params, r.entries);
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    std::cout << fmt::format(
        "{} ({}, {})\nJacobian rank {} with {} parameters and {} covariances (max over {} random points mod {})\n"
        "generically {}; model dimension {}{}\n",
        p.graph.str(), p.graph.is_acyclic() ? "acyclic" : "cyclic", p.graph.is_simple() ? "simple" : "not simple",
        r.rank, r.params, r.entries, r.points, r.prime,
        r.finite_to_one() ? "finite-to-one" : "NOT finite-to-one (positive-dimensional fibres)", r.rank,
        r.rank < r.entries ? fmt::format(", codimension {}", r.entries - r.rank) : "");
    return 0;
  }

  int ideal(const Context& ctx, const Parametrization& p) {
    ideal_opts_.threads = ctx.threads;
    ideal_opts_.seed = ctx.seed;
    ideal_opts_.progress = !ctx.quiet;
    const Ideal I = vanishing_ideal(p, ideal_opts_);
    std::vector<std::string> tex;
    for (int i = 0; i < p.n(); ++i)
      for (int k = i; k < p.n(); ++k)
        tex.push_back("\\sigma_{" + tex_pair(p.graph, i, k) + "}");
    nlohmann::json j = graph_json(p);
    j["command"] = "sem ideal";
    nlohmann::json parts = nlohmann::json::array();
    for (const IdealPart& part : I.parts) {
      nlohmann::json basis = nlohmann::json::array(), gens = nlohmann::json::array();
      for (const auto& q : part.basis) basis.push_back(q.str());
      for (const auto& q : part.new_generators) gens.push_back(q.str());
      parts.push_back({{"degree", part.degree},
                       {"monomials", part.monomials},
                       {"dimension", part.dimension},
                       {"from_lower_degrees", part.from_lower},
                       {"verified", part.verified},
                       {"unlifted", part.unlifted},
                       {"new_generators", gens},
                       {"basis", basis}});
    }
    j["degrees"] = parts;
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    std::cout << p.graph.str() << "\n";
    for (const IdealPart& part : I.parts) {
      std::cout << fmt::format("degree {}: {} of {} polynomials vanish ({} from lower degrees, {} new){}\n", part.degree,
                               part.dimension, part.monomials, part.from_lower, part.new_generators.size(),
                               part.dimension == 0 || part.verified
                                   ? ""
                                   : part.unlifted ? fmt::format("  [{} could not be lifted to Q from one prime; left out]",
                                                                 part.unlifted)
                                                   : "  [NOT verified exactly]");
      for (const auto& q : all_ ? part.basis : part.new_generators)
        std::cout << "  " << (latex_ ? latex(q, tex) : q.str()) << "\n";
    }
    return 0;
  }

  std::string graph_, graph_file_;
  std::vector<CLI::Option*> graph_opts_, file_opts_;
  bool latex_ = false, all_ = false;
  int points_ = 3;
  IdealOptions ideal_opts_;
  CLI::App *cov_ = nullptr, *id_ = nullptr, *ideal_ = nullptr;
};

FACTORKIT_REGISTER_COMMAND(SemCommand);

}  // namespace
}  // namespace factorkit::cli
