// `factorkit sem covariance|identify|ideal|fit|simulate`: the algebra of linear
// SEMs on mixed, possibly cyclic graphs, and fitting them to data (see
// docs/methods/sem.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "covariance.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/source.h"
#include "fit.h"
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
    return "Linear SEMs on cyclic mixed graphs: exact covariance (one-connection rule), identifiability, vanishing "
           "ideal, ML fit";
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
    fit_ = sub.add_subcommand("fit", "Maximum-likelihood fit to data: estimates, standard errors, chi-square, RMSEA");
    add_graph(fit_);
    fit_->add_option("--data", data_, "CSV with a header; the columns named like the vertices are used (rows = observations)");
    fit_->add_option("--covariance", cov_file_, "Instead of --data: a covariance matrix CSV with a header (needs --n)");
    fit_->add_option("--n", n_obs_, "Observations behind --covariance");
    fit_->add_flag("--unbiased", unbiased_,
                   "The --covariance matrix divides by n - 1 (as R's cov()): rescale it by (n - 1) / n");
    fit_->add_option("--starts", starts_, "Starting points (the default one, then random lambdas; the best fit is kept)")
        ->capture_default_str();
    fit_->add_option("--start", start_, "Starting values, e.g. \"l12=0.5, w11=2\"");
    fit_->add_option("--max-iterations", fit_opts_.max_iterations, "Newton iterations per start")->capture_default_str();
    fit_->add_option("-o,--output", output_, "Also write the result as JSON to this file");
    sim_ = sub.add_subcommand("simulate", "Draw Gaussian data from the model at given parameters (CSV)");
    add_graph(sim_);
    sim_->add_option("--theta", theta_,
                     "Parameter values, e.g. \"l12=0.8, l21=-0.5, w12=0.3\"; unnamed omega_ii are 1, the rest 0")
        ->required();
    sim_->add_option("--n", n_obs_, "Observations")->required();
    sim_->add_option("-o,--output", output_, "CSV file to write (header = vertex names)")->required();
  }

  int run(const Context& ctx) override {
    const MixedGraph g = read_graph();
    if (fit_->parsed()) return fit(ctx, g);
    if (sim_->parsed()) return simulate_data(ctx, g);
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
                       {"blocks", part.blocks},
                       {"largest_block", part.largest_block},
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

  // "name=value, name=value" (',' outside parentheses, ';' or new lines
  // between pairs: names such as "l(x1,m)" keep their comma).
  static std::map<std::string, double> parse_assignments(const std::string& text, const std::string& where) {
    std::map<std::string, double> out;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = pos;
      for (int depth = 0; end < text.size(); ++end) {
        const char ch = text[end];
        if (ch == '(') ++depth;
        else if (ch == ')' && depth > 0) --depth;
        else if (ch == ';' || ch == '\n' || (ch == ',' && depth == 0)) break;
      }
      std::string item = text.substr(pos, end - pos);
      pos = end + 1;
      const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
      if (b == std::string::npos) continue;
      item = item.substr(b, e - b + 1);
      const size_t eq = item.find('=');
      if (eq == std::string::npos)
        throw InvalidInput(where, item, "name=value pairs such as \"l12=0.5\"", "BadAssignment");
      std::string name, value = item.substr(eq + 1);
      for (char ch : item.substr(0, eq))  // "l(x1, m)" is l(x1,m): names have no blanks
        if (ch != ' ' && ch != '\t') name += ch;
      value.erase(0, value.find_first_not_of(" \t"));
      if (value.size() > 1 && value[0] == '+' && value[1] != '-') value.erase(0, 1);
      double v = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(v))
        throw InvalidInput(where, item, fmt::format("a finite number after \"{}=\"", name), "BadAssignment");
      if (!out.emplace(name, v).second)
        throw InvalidInput(where, name, "each parameter once", "BadAssignment");
    }
    return out;
  }

  Moments read_moments(const MixedGraph& g) const {
    const bool data = !data_.empty(), cov = !cov_file_.empty();
    if (data == cov)
      throw InvalidInput("--data/--covariance", data ? "both given" : "neither given",
                         "exactly one of --data FILE.csv or --covariance FILE.csv --n N", "BadOption");
    CsvOptions opt;
    opt.header = true;
    const std::string& path = data ? data_ : cov_file_;
    const CsvTable t = read_csv(FileSource(path), opt);
    if (t.values.shape.size() != 2) throw InvalidInput(path, "(table)", "a table with a header row and data rows", "BadShape");
    const int64_t rows = t.values.shape[0];
    std::vector<double> v(static_cast<size_t>(t.values.numel()));
    for (size_t k = 0; k < v.size(); ++k) v[k] = t.values.element_as_double(k);
    if (data) {
      if (n_obs_ >= 0 || unbiased_)
        throw InvalidInput(n_obs_ >= 0 ? "--n" : "--unbiased", n_obs_ >= 0 ? std::to_string(n_obs_) : "given",
                           "only with --covariance (--data counts its rows and divides by n)", "BadOption");
      return moments_from_data(g, t.columns, v, rows, path);
    }
    if (n_obs_ < 0) throw InvalidInput("--n", "(missing)", "the number of observations behind --covariance", "BadOption");
    Moments m = moments_from_covariance(g, t.columns, v, rows, n_obs_, path);
    if (unbiased_)
      for (double& c : m.cov) c *= static_cast<double>(m.n - 1) / static_cast<double>(m.n);
    return m;
  }

  static nlohmann::json number(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

  int fit(const Context& ctx, const MixedGraph& g) {
    const Moments m = read_moments(g);
    if (starts_ < 1) throw InvalidInput("--starts", std::to_string(starts_), "at least 1", "BadOption");
    fit_opts_.extra_starts = starts_ - 1;
    fit_opts_.seed = ctx.seed;
    if (!start_.empty()) fit_opts_.start = parse_assignments(start_, "--start");
    const FitResult r = sem::fit(g, m, fit_opts_);
    nlohmann::json j = {{"command", "sem fit"},
                        {"graph", g.str()},
                        {"acyclic", g.is_acyclic()},
                        {"simple", g.is_simple()},
                        {"n", r.n},
                        {"variables", g.names},
                        {"fmin", r.fmin},
                        {"chisq", r.chisq},
                        {"df", r.df},
                        {"pvalue", number(r.pvalue)},
                        {"rmsea", number(r.rmsea)},
                        {"cfi", number(r.cfi)},
                        {"tli", number(r.tli)},
                        {"baseline_chisq", r.baseline_chisq},
                        {"baseline_df", r.baseline_df},
                        {"loglik", r.loglik},
                        {"aic", r.aic},
                        {"bic", r.bic},
                        {"iterations", r.iterations},
                        {"starts", r.starts},
                        {"starts_converged", r.starts_converged},
                        {"other_optima", r.other_optima},
                        {"information_singular", r.information_singular},
                        {"implied_covariance", r.sigma}};
    nlohmann::json params = nlohmann::json::array();
    for (size_t k = 0; k < r.names.size(); ++k) {
      const double z = r.estimate[k] / r.se[k];
      params.push_back({{"name", r.names[k]},
                        {"estimate", r.estimate[k]},
                        {"se", number(r.se[k])},
                        {"z", number(z)},
                        {"pvalue", number(std::erfc(std::abs(z) / std::sqrt(2.0)))}});
    }
    j["parameters"] = params;
    if (!output_.empty()) write_file_atomic(output_, j.dump(2) + "\n");
    if (ctx.json) {
      std::cout << j.dump() << std::endl;
      return 0;
    }
    std::cout << fmt::format("{} ({}, {}), n = {}, {} parameters\n", g.str(), g.is_acyclic() ? "acyclic" : "cyclic",
                             g.is_simple() ? "simple" : "not simple", r.n, r.params);
    std::cout << fmt::format("{:<14} {:>12} {:>10} {:>9} {:>9}\n", "parameter", "estimate", "std.err", "z", "P(>|z|)");
    // "NA" for an undefined value (no standard error, df = 0)
    auto cell = [](double x, const char* spec) { return std::isfinite(x) ? fmt::format(fmt::runtime(spec), x) : "NA"; };
    for (size_t k = 0; k < r.names.size(); ++k) {
      const double z = r.estimate[k] / r.se[k];
      std::cout << fmt::format("{:<14} {:>12.6f} {:>10} {:>9} {:>9}\n", r.names[k], r.estimate[k], cell(r.se[k], "{:.6f}"),
                               cell(z, "{:.3f}"), cell(std::erfc(std::abs(z) / std::sqrt(2.0)), "{:.4f}"));
    }
    std::cout << fmt::format("chi-square {:.4f} on {} df (p = {}), RMSEA {}, CFI {}, TLI {}\n", r.chisq, r.df,
                             cell(r.pvalue, "{:.4g}"), cell(r.rmsea, "{:.4f}"), cell(r.cfi, "{:.4f}"),
                             cell(r.tli, "{:.4f}"));
    std::cout << fmt::format("log-likelihood {:.4f}, AIC {:.4f}, BIC {:.4f}; {} of {} starts converged\n", r.loglik,
                             r.aic, r.bic, r.starts_converged, r.starts);
    if (r.information_singular)
      std::cout << "warning: the information matrix is singular at the estimate (the model is not locally identified "
                   "there; see `factorkit sem identify`): no standard errors\n";
    if (r.other_optima > 0)
      std::cout << fmt::format("note: {} other start(s) reached the same fit at different parameters: the estimate is "
                               "one of several equivalent solutions\n",
                               r.other_optima);
    return 0;
  }

  int simulate_data(const Context& ctx, const MixedGraph& g) {
    if (n_obs_ < 1) throw InvalidInput("--n", std::to_string(n_obs_), "at least 1 observation", "BadOption");
    // unnamed parameters: omega_ii = 1 (they follow the lambdas), the rest 0
    std::vector<double> theta(fit_parameter_names(g).size(), 0.0);
    std::fill_n(theta.begin() + static_cast<std::ptrdiff_t>(g.directed.size()), g.size(), 1.0);
    assign_parameters(g, parse_assignments(theta_, "--theta"), theta, "--theta");
    const auto x = simulate(g, theta, n_obs_, ctx.seed);
    RawTensor t;
    t.dtype = DType::F64;
    t.shape = {n_obs_, g.size()};
    t.data.resize(x.size() * sizeof(double));
    std::memcpy(t.data.data(), x.data(), t.data.size());
    write_csv(output_, t, g.names);
    if (ctx.json) std::cout << nlohmann::json{{"command", "sem simulate"}, {"output", output_}, {"n", n_obs_}}.dump() << std::endl;
    else if (!ctx.quiet) std::cout << fmt::format("wrote {} x {} to {}\n", n_obs_, g.size(), output_);
    return 0;
  }

  std::string graph_, graph_file_;
  std::vector<CLI::Option*> graph_opts_, file_opts_;
  bool latex_ = false, all_ = false;
  int points_ = 3;
  IdealOptions ideal_opts_;
  std::string data_, cov_file_, start_, theta_, output_;
  int64_t n_obs_ = -1;
  bool unbiased_ = false;
  int starts_ = 1;
  FitOptions fit_opts_;
  CLI::App *cov_ = nullptr, *id_ = nullptr, *ideal_ = nullptr, *fit_ = nullptr, *sim_ = nullptr;
};

FACTORKIT_REGISTER_COMMAND(SemCommand);

}  // namespace
}  // namespace factorkit::cli
