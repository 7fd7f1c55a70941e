// methods/craft/sobol.h — variance-based sensitivity: quasi-Monte-Carlo samplers,
// the replicated design of CRAFT and the Sobol' index estimators.
//
// The design is CRAFT's (deel-ai/Craft, sobol/): draw P = sample(N, 2d); A is
// its first d columns, B its last d; C_i is A with column i taken from B. The
// model is evaluated on the stacked rows [A; B; C_1; …; C_d] (N(d+2) rows, in
// that order), and the indices come from those outputs:
//
//   total, Jansen (1999)     ST_i = Σ_n (yA − yCi)² / (2 N V),  V = var(yA), ddof 1
//   total, Homma–Saltelli    ST_i = 1 − (Σ_n yA·yCi / N − mean(yA)²) / V
//   total, Saltelli (Primer) the same formula as Homma–Saltelli (both kept for
//                            CRAFT's names)
//   total, Janon (2014)      ST_i = 1 − (Σ yA·yCi / N − μ_i²) / V_i, with
//                            μ_i = mean of yA and yCi together and
//                            V_i = Σ (yA² + yCi²) / (2 (N − 1)) − μ_i²
//   total, Glen–Isaacs       ST_i = 1 − corr(yA, yCi), the covariance with
//                            1/(N − 1) and the variances with 1/N (as CRAFT)
//   first order, Saltelli 2010   S_i = Σ_n yB (yCi − yA) / (N V)
//
// A variance below 1e-12 is floored at 1e-12 (xplique's EPS), so a constant
// model gives 0 instead of NaN.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace factorkit::craft {

enum class Sampler { Halton, Sobol, LatinHypercube };
enum class Estimator { Jansen, Homma, Janon, Glen, Saltelli };

std::string to_string(Sampler s);
std::string to_string(Estimator e);
Sampler parse_sampler(const std::string& s, const std::string& where);        // halton, sobol, lhs
Estimator parse_estimator(const std::string& s, const std::string& where);    // jansen, homma, …

inline constexpr std::int64_t kSobolMaxDims = 256;  // the direction-number table's size

// The first n points of the unscrambled Halton sequence in `dims` dimensions
// (bases 2, 3, 5, …), starting at index 0 (the origin), as
// scipy.stats.qmc.Halton(dims, scramble=False).random(n). n x dims float64.
at::Tensor halton(std::int64_t n, std::int64_t dims);
// The first n points of the unscrambled Sobol' sequence (Joe–Kuo direction
// numbers, Gray-code order, 30 bits), as scipy.stats.qmc.Sobol(dims,
// scramble=False).random(n); the origin first. dims <= kSobolMaxDims.
at::Tensor sobol(std::int64_t n, std::int64_t dims);
// Latin hypercube: in every column, one point in each of the n strata
// [k/n, (k+1)/n), at a uniform position inside it; seeded.
at::Tensor latin_hypercube(std::int64_t n, std::int64_t dims, std::uint64_t seed);
at::Tensor sample(Sampler s, std::int64_t n, std::int64_t dims, std::uint64_t seed = 0);

// The stacked design [A; B; C_1; …; C_d]: (n (d + 2)) x d float64, values in [0, 1).
at::Tensor replicated_design(Sampler s, std::int64_t n, std::int64_t d, std::uint64_t seed = 0);

// Indices from the outputs of a replicated design (length n (d + 2), any float
// dtype). InvalidInput when the length does not match or n < 2.
std::vector<double> total_indices(const at::Tensor& outputs, std::int64_t n, std::int64_t d,
                                  Estimator e = Estimator::Jansen);
std::vector<double> first_order_indices(const at::Tensor& outputs, std::int64_t n, std::int64_t d);

// The q-quantile (0 <= q <= 1) with linear interpolation between order
// statistics (numpy's default); NaN for an empty vector.
double percentile(std::vector<double> v, double q);

struct SobolIndices {
  std::vector<double> total, first;
  // Bootstrap percentile intervals (empty without resamples).
  std::vector<double> total_low, total_high, first_low, first_high;
};
struct BootstrapOptions {
  std::int64_t resamples = 0;  // 0: no intervals
  double level = 0.95;
  std::uint64_t seed = 0;
};
// Both kinds of index; with resamples > 0 the design's n rows are drawn with
// replacement (the same draw for A, B and every C_i) and the intervals are the
// percentiles of the re-estimated indices.
SobolIndices sobol_indices(const at::Tensor& outputs, std::int64_t n, std::int64_t d, Estimator e = Estimator::Jansen,
                           const BootstrapOptions& bootstrap = {});

}  // namespace factorkit::craft
