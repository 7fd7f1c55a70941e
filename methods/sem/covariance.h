// methods/sem/covariance.h — the covariance parametrization of a linear SEM on
// a mixed graph, exactly, by the one-connection rule.
//
// X = Lambda^T X + eps, Cov(eps) = Omega (diagonal plus the bidirected edges):
//   Sigma = (I - Lambda)^{-T} Omega (I - Lambda)^{-1}.
// With D = det(I - Lambda) = sum over sets of vertex-disjoint directed cycles of
// (-1)^{#cycles} prod(cycle weights), and
//   adj_ij = sum over simple paths P: i -> j of lambda^P * det(I - Lambda on V \ V(P))
// (a path plus cycles covering the other vertices: a one-connection),
// (I - Lambda)^{-1} = adj / D and sigma_ij = N_ij / D^2 with
//   N_ij = sum_{k,l} adj_ki omega_kl adj_lj.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "factorkit/exact/mpoly.h"
#include "graph.h"

namespace factorkit::sem {

struct Parametrization {
  MixedGraph graph;
  exact::PolyRing ring;                // parameters: lambdas, then omega_ii, then omega_ij (i <-> j)
  std::vector<int64_t> lambda;         // variable of graph.directed[k]
  std::vector<int64_t> omega_diag;     // variable of omega_ii
  std::vector<int64_t> omega_bi;       // variable of graph.bidirected[k]
  exact::QPoly det;                    // det(I - Lambda)
  std::vector<exact::QPoly> adj;       // n x n, row-major
  std::vector<exact::QPoly> numer;     // n x n, row-major, symmetric: Sigma * det^2

  int n() const noexcept { return graph.size(); }
  int64_t params() const noexcept { return ring.nvars(); }
  int64_t entries() const noexcept { return int64_t{n()} * (n() + 1) / 2; }
  const exact::QPoly& adj_at(int i, int j) const { return adj[static_cast<size_t>(i * n() + j)]; }
  const exact::QPoly& numer_at(int i, int j) const { return numer[static_cast<size_t>(i * n() + j)]; }
};

// Builds the parametrization. Throws InvalidInput (GraphTooLarge) for more than
// 62 vertices, more than 10^6 simple paths and cycles to enumerate, or a
// polynomial beyond 2 10^6 terms; EmptyGraph for no vertices.
Parametrization parametrize(const MixedGraph& g);

// The variable name of lambda_ij (kind 'l'), omega_ij ('w') or sigma_ij ('s'):
// "l12" when every vertex name is one character, "l(a_b,c)" otherwise
// (unambiguous).
std::string parameter_name(char kind, const MixedGraph& g, int i, int j);

// Sigma at a rational parameter point (one value per ring variable), by exact
// Gauss–Jordan inversion of I - Lambda: the independent check of the formulas.
// Throws NumericalFailure when I - Lambda is singular there.
std::vector<exact::Rational> covariance_by_inversion(const Parametrization& p, std::span<const exact::Rational> point);
// Sigma at the point from the polynomials: N_ij / det^2.
std::vector<exact::Rational> covariance_by_formula(const Parametrization& p, std::span<const exact::Rational> point);

// Generic rank of the Jacobian of theta -> (sigma_ij)_{i<=j} at random points
// modulo a 62-bit prime: the maximum over `points` points (a smaller value at
// every point has probability about points * degree / p). The parametrization
// is generically finite-to-one exactly when rank == params.
struct JacobianRank {
  int64_t rank = 0, params = 0, entries = 0;
  int points = 0;
  uint64_t prime = 0;
  bool finite_to_one() const noexcept { return rank == params; }
};
JacobianRank jacobian_rank(const Parametrization& p, int points = 3, uint64_t seed = 0);

}  // namespace factorkit::sem
