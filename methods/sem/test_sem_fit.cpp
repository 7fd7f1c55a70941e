// Maximum-likelihood fitting: derivatives, recovery, simulation, lavaan.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/source.h"
#include "covariance.h"
#include "fit.h"
#include "test_util.h"

using namespace factorkit;
using namespace factorkit::sem;

namespace {

Moments exact_moments(const MixedGraph& g, const std::vector<double>& theta, int64_t n) {
  return Moments{g.size(), n, implied_covariance(g, theta)};
}

Moments data_moments(const MixedGraph& g, const std::vector<double>& x, int64_t n) {
  return moments_from_data(g, g.names, x, n, "<simulated>");
}

}  // namespace

// The closed-form gradient and Hessian against central differences of F and
// of the gradient, on a cyclic graph with a bidirected edge and S off the model.
TEST(SemFit, DerivativesMatchFiniteDifferences) {
  const MixedGraph g = parse_graph("1 -> 2 -> 3 -> 1; 3 -> 4; 2 <-> 4");
  // S: a generic positive-definite matrix, not of the model's form
  const int p = 4;
  Moments m{p, 100, std::vector<double>(16)};
  const double b[16] = {1.0, 0.3, -0.2, 0.1, 0.5, 1.2, 0.4, -0.3, 0.2, -0.1, 0.9, 0.6, 0.3, 0.2, -0.4, 1.1};
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j) {
      double s = 0;
      for (int k = 0; k < p; ++k) s += b[i * p + k] * b[j * p + k];
      m.cov[static_cast<size_t>(i * p + j)] = s;
    }
  const std::vector<double> theta = {0.4, -0.3, 0.5, 0.7, 1.3, 0.8, 1.1, 0.9, 0.25};
  ASSERT_EQ(fit_parameter_names(g).size(), theta.size());
  const auto o = ml_objective(g, m, theta, true);
  ASSERT_TRUE(o.has_value());
  const size_t q = theta.size();
  const double h = 1e-5;
  for (size_t a = 0; a < q; ++a) {
    auto tp = theta, tm = theta;
    tp[a] += h;
    tm[a] -= h;
    const auto op = ml_objective(g, m, tp, false), om = ml_objective(g, m, tm, false);
    ASSERT_TRUE(op && om);
    EXPECT_NEAR(o->gradient[a], (op->f - om->f) / (2 * h), 1e-7) << fit_parameter_names(g)[a];
    for (size_t c = 0; c < q; ++c)
      EXPECT_NEAR(o->hessian[a * q + c], (op->gradient[c] - om->gradient[c]) / (2 * h), 1e-6)
          << fit_parameter_names(g)[a] << ", " << fit_parameter_names(g)[c];
  }
  // F_ML >= 0 with equality at S = Sigma(theta)
  EXPECT_GT(o->f, 0);
  const auto at_truth = ml_objective(g, exact_moments(g, theta, 100), theta, false);
  EXPECT_NEAR(at_truth->f, 0, 1e-12);
  for (double x : at_truth->gradient) EXPECT_NEAR(x, 0, 1e-12);
}

TEST(SemFit, RecoversParametersFromTheExactCovariance) {
  const MixedGraph g = parse_graph("1 -> 2 -> 3 -> 4 -> 2; 1 <-> 4");
  const std::vector<double> theta = {0.8, 0.6, -0.5, 0.7, 1.0, 0.5, 1.5, 0.8, 0.3};
  ASSERT_EQ(fit_parameter_names(g).size(), theta.size());
  const FitResult r = fit(g, exact_moments(g, theta, 1000));
  EXPECT_NEAR(r.fmin, 0, 1e-10);
  EXPECT_EQ(r.df, 1);
  for (size_t k = 0; k < theta.size(); ++k) EXPECT_NEAR(r.estimate[k], theta[k], 1e-6) << r.names[k];
  EXPECT_FALSE(r.information_singular);
  EXPECT_EQ(r.cfi, 1.0);
}

// The check: n = 10 000 draws from a known cyclic model; every
// estimate within 3 standard errors of the truth, and the chi-square test not
// rejecting the true model.
TEST(SemFit, SimulatedCyclicModelWithinThreeStandardErrors) {
  const MixedGraph g = parse_graph("1 -> 2 -> 3 -> 4 -> 2; 1 <-> 4");
  const std::vector<double> theta = {0.8, 0.6, -0.5, 0.7, 1.0, 0.5, 1.5, 0.8, 0.3};
  const int64_t n = 10000;
  const auto x = simulate(g, theta, n, 42);
  FitOptions opt;
  opt.extra_starts = 4;
  opt.seed = 7;
  const FitResult r = fit(g, data_moments(g, x, n), opt);
  EXPECT_EQ(r.starts_converged, 5);
  EXPECT_FALSE(r.information_singular);
  for (size_t k = 0; k < theta.size(); ++k) {
    EXPECT_GT(r.se[k], 0) << r.names[k];
    EXPECT_LT(std::abs(r.estimate[k] - theta[k]), 3 * r.se[k]) << r.names[k] << " = " << r.estimate[k] << " +/- " << r.se[k];
  }
  EXPECT_GT(r.pvalue, 0.001);
  EXPECT_LT(r.rmsea, 0.05);
}

// The simulator draws from N(0, Sigma(theta)): the sample covariance of many
// draws approaches Sigma.
TEST(SemFit, SimulationHasTheModelCovariance) {
  const MixedGraph g = parse_graph("1 -> 2 -> 1; 3 -> 1; 2 <-> 3");
  const std::vector<double> theta = {0.5, -0.4, 0.8, 1.0, 2.0, 0.5, 0.3};
  const int64_t n = 200000;
  const auto x = simulate(g, theta, n, 3);
  const Moments m = data_moments(g, x, n);
  const auto sigma = implied_covariance(g, theta);
  for (size_t k = 0; k < sigma.size(); ++k) EXPECT_NEAR(m.cov[k], sigma[k], 0.03) << k;
  EXPECT_EQ(simulate(g, theta, 5, 3), std::vector<double>(x.begin(), x.begin() + 15));  // a prefix: reproducible
}

// lavaan 0.6.14 (Debian r-cran-lavaan), ML with observed information, on data
// committed with the test; the fixture and the R script that made it are in
// tests/data/sem/.
TEST(SemFit, MatchesLavaan) {
  const std::string dir = std::string(FACTORKIT_SOURCE_DIR) + "/tests/data/sem/";
  std::ifstream in(dir + "lavaan_reference.json");
  ASSERT_TRUE(in.good());
  const auto ref = nlohmann::json::parse(in);
  double worst_est = 0, worst_se = 0, worst_chisq = 0;
  for (const auto& model : ref["models"]) {
    const MixedGraph g = parse_graph(model["graph"].get<std::string>());
    CsvOptions copt;
    copt.header = true;
    const CsvTable t = read_csv(FileSource(dir + model["data"].get<std::string>()), copt);
    std::vector<double> v(static_cast<size_t>(t.values.numel()));
    for (size_t k = 0; k < v.size(); ++k) v[k] = t.values.element_as_double(k);
    const FitResult r = fit(g, moments_from_data(g, t.columns, v, t.values.shape[0], model["data"]));
    SCOPED_TRACE(model["graph"].get<std::string>());
    for (const auto& par : model["parameters"]) {
      // lavaan's "y ~ x" is lambda(x, y); "a ~~ b" is omega over the pair in vertex order
      const int lhs = g.index(par["lhs"].get<std::string>()), rhs = g.index(par["rhs"].get<std::string>());
      ASSERT_GE(std::min(lhs, rhs), 0) << par;
      const std::string name = par["op"] == "~" ? parameter_name('l', g, rhs, lhs)
                                                : parameter_name('w', g, std::min(lhs, rhs), std::max(lhs, rhs));
      const auto it = std::find(r.names.begin(), r.names.end(), name);
      ASSERT_NE(it, r.names.end()) << name;
      const size_t k = static_cast<size_t>(it - r.names.begin());
      EXPECT_NEAR(r.estimate[k], par["est"].get<double>(), 1e-6) << name;
      EXPECT_NEAR(r.se[k], par["se"].get<double>(), 1e-6) << name;
      worst_est = std::max(worst_est, std::abs(r.estimate[k] - par["est"].get<double>()));
      worst_se = std::max(worst_se, std::abs(r.se[k] - par["se"].get<double>()));
    }
    worst_chisq = std::max(worst_chisq, std::abs(r.chisq - model["chisq"].get<double>()));
    EXPECT_EQ(static_cast<size_t>(r.params), model["parameters"].size());
    EXPECT_NEAR(r.chisq, model["chisq"].get<double>(), 1e-4);
    EXPECT_EQ(r.df, model["df"].get<int64_t>());
    EXPECT_NEAR(r.pvalue, model["pvalue"].get<double>(), 1e-6);
    EXPECT_NEAR(r.rmsea, model["rmsea"].get<double>(), 1e-6);
    EXPECT_NEAR(r.cfi, model["cfi"].get<double>(), 1e-6);
    EXPECT_NEAR(r.tli, model["tli"].get<double>(), 1e-6);
    EXPECT_NEAR(r.baseline_chisq, model["baseline_chisq"].get<double>(), 1e-4);
    EXPECT_NEAR(r.loglik, model["logl"].get<double>(), 1e-4);
    EXPECT_NEAR(r.aic, model["aic"].get<double>(), 1e-4);
    EXPECT_NEAR(r.bic, model["bic"].get<double>(), 1e-4);
  }
  std::cout << "largest difference from lavaan: estimates " << worst_est << ", standard errors " << worst_se
            << ", chi-square " << worst_chisq << "\n";
}

// {1 <-> 2 as a 2-cycle, 2 -> 3}: 6 parameters, Jacobian rank 5 (the reference
// note's table). A continuum of parameters gives the same Sigma: the fit
// reports a singular information matrix (no standard errors) and, over
// several starts, other points with the same F_ML.
TEST(SemFit, NotIdentifiedModelIsReportedAsSuch) {
  const MixedGraph g = parse_graph("1 -> 2 -> 1; 2 -> 3");
  const std::vector<double> theta = {0.5, -0.4, 0.6, 1.0, 2.0, 0.5};
  FitOptions opt;
  opt.extra_starts = 9;
  opt.seed = 2;
  const FitResult r = fit(g, exact_moments(g, theta, 1000), opt);
  EXPECT_NEAR(r.fmin, 0, 1e-10);
  EXPECT_TRUE(r.information_singular);
  for (double se : r.se) EXPECT_TRUE(std::isnan(se));
  EXPECT_GE(r.other_optima, 1);
  // the estimate still reproduces Sigma
  const auto sigma = implied_covariance(g, theta);
  for (size_t k = 0; k < sigma.size(); ++k) EXPECT_NEAR(r.sigma[k], sigma[k], 1e-8);
}

TEST(SemFit, ChiSquareSurvival) {
  EXPECT_NEAR(chi_square_survival(7.0, 5.0), 0.22064030793671079, 1e-15);
  EXPECT_NEAR(chi_square_survival(3.841458820694124, 1.0), 0.05, 1e-12);
  EXPECT_EQ(chi_square_survival(0.0, 3.0), 1.0);
  EXPECT_TRUE(std::isnan(chi_square_survival(1.0, 0.0)));
}

TEST(SemFit, ClearErrors) {
  const MixedGraph g = parse_graph("x -> y -> z");
  // a missing column, a repeated one, too few rows
  EXPECT_THROW(moments_from_data(g, {"x", "y"}, {1, 2, 3, 4}, 2, "d.csv"), InvalidInput);
  EXPECT_THROW(moments_from_data(g, {"x", "y", "y", "z"}, std::vector<double>(16, 1.0), 4, "d.csv"), InvalidInput);
  EXPECT_THROW(moments_from_data(g, {"x", "y", "z"}, std::vector<double>(9, 1.0), 3, "d.csv"), InvalidInput);
  // z = x + y: singular, naming z
  std::vector<double> v;
  for (int r = 0; r < 10; ++r) {
    const double a = std::sin(r + 1.0), b = std::cos(3.0 * r);
    v.insert(v.end(), {a, b, a + b});
  }
  try {
    moments_from_data(g, {"x", "y", "z"}, v, 10, "d.csv");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("d.csv"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"z\""), std::string::npos) << e.what();
  }
  // a starting point with I - Lambda singular (the 2-cycle's weights multiply to 1)
  const MixedGraph c = parse_graph("1 -> 2 -> 1; 3 -> 1; 4 -> 2");
  Moments m{4, 100, implied_covariance(c, {0.5, 0.5, 0.3, 0.4, 1, 1, 1, 1})};
  FitOptions opt;
  opt.start = {{"l12", 1.0}, {"l21", 1.0}};
  EXPECT_THROW(fit(c, m, opt), InvalidInput);
  opt.start = {{"w11", -1.0}};
  EXPECT_THROW(fit(c, m, opt), InvalidInput);
  opt.start = {{"nope", 1.0}};
  EXPECT_THROW(fit(c, m, opt), InvalidInput);
  EXPECT_THROW(implied_covariance(c, {1, 1, 0, 0, 1, 1, 1, 1}), NumericalFailure);
  // moments that are not a covariance: singular (naming the column), asymmetric, no observations
  const MixedGraph xy = parse_graph("x -> y");
  EXPECT_THROW(fit(xy, Moments{2, 10, {1, 1, 1, 1}}), InvalidInput);
  EXPECT_THROW(fit(xy, Moments{2, 10, {1, 0.5, 0.1, 1}}), InvalidInput);
  EXPECT_THROW(fit(xy, Moments{2, 0, {1, 0, 0, 1}}), InvalidInput);
  // the complete DAG on 101 vertices: 5151 parameters, more than a dense Hessian is allowed
  std::string dag;
  for (int i = 1; i <= 101; ++i)
    for (int j = i + 1; j <= 101; ++j) dag += std::to_string(i) + "->" + std::to_string(j) + ";";
  Moments eye{101, 200, std::vector<double>(101 * 101, 0.0)};
  for (int i = 0; i < 101; ++i) eye.cov[static_cast<size_t>(i * 101 + i)] = 1.0;
  factorkit::testing::expect_error<InvalidInput>([&] { fit(parse_graph(dag), eye); }, "TooManyParameters",
                                                 {"at most 5000 parameters"});
  // more parameters than covariances
  const MixedGraph big = parse_graph("1 -> 2 -> 1; 1 <-> 2");
  EXPECT_THROW(fit(big, Moments{2, 10, {1, 0.1, 0.1, 1}}), InvalidInput);
}
