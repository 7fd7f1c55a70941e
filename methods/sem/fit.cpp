// Maximum-likelihood fit of linear SEMs on mixed, possibly cyclic graphs; see
// fit.h for the objective and its derivatives.
#include "fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "covariance.h"
#include "factorkit/core/error.h"
#include "factorkit/exact/ball.h"

namespace factorkit::sem {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kMaxParameters = 5000;

// ---- small dense algebra (p x p row-major; SEMs have tens of variables) ------

using Mat = std::vector<double>;

Mat identity(int p) {
  Mat m(static_cast<size_t>(p) * p, 0.0);
  for (int i = 0; i < p; ++i) m[static_cast<size_t>(i) * p + i] = 1.0;
  return m;
}

Mat matmul(const Mat& a, const Mat& b, int p) {
  Mat c(static_cast<size_t>(p) * p, 0.0);
  for (int i = 0; i < p; ++i)
    for (int k = 0; k < p; ++k) {
      const double aik = a[static_cast<size_t>(i) * p + k];
      if (aik == 0.0) continue;
      for (int j = 0; j < p; ++j) c[static_cast<size_t>(i) * p + j] += aik * b[static_cast<size_t>(k) * p + j];
    }
  return c;
}

Mat transpose(const Mat& a, int p) {
  Mat t(a.size());
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j) t[static_cast<size_t>(j) * p + i] = a[static_cast<size_t>(i) * p + j];
  return t;
}

// Lower Cholesky factor of a symmetric matrix in place. Returns the first
// index whose pivot is not above `rel` times the diagonal entry (the matrix is
// not numerically positive definite there), or -1 on success.
int cholesky(Mat& a, int p, double rel = 1e-12) {
  for (int j = 0; j < p; ++j) {
    const double ajj0 = a[static_cast<size_t>(j) * p + j];
    double d = ajj0;
    for (int k = 0; k < j; ++k) d -= a[static_cast<size_t>(j) * p + k] * a[static_cast<size_t>(j) * p + k];
    if (!(d > rel * std::abs(ajj0)) || !(ajj0 > 0)) return j;
    const double l = std::sqrt(d);
    a[static_cast<size_t>(j) * p + j] = l;
    for (int i = j + 1; i < p; ++i) {
      double s = a[static_cast<size_t>(i) * p + j];
      for (int k = 0; k < j; ++k) s -= a[static_cast<size_t>(i) * p + k] * a[static_cast<size_t>(j) * p + k];
      a[static_cast<size_t>(i) * p + j] = s / l;
    }
    for (int k = j + 1; k < p; ++k) a[static_cast<size_t>(j) * p + k] = 0.0;
  }
  return -1;
}

double cholesky_logdet(const Mat& l, int p) {
  double s = 0;
  for (int i = 0; i < p; ++i) s += std::log(l[static_cast<size_t>(i) * p + i]);
  return 2 * s;
}

// Solves L L^T x = b for each column of b (p x m, row-major) in place.
void cholesky_solve(const Mat& l, int p, std::vector<double>& b, int m) {
  for (int c = 0; c < m; ++c) {
    for (int i = 0; i < p; ++i) {
      double s = b[static_cast<size_t>(i) * m + c];
      for (int k = 0; k < i; ++k) s -= l[static_cast<size_t>(i) * p + k] * b[static_cast<size_t>(k) * m + c];
      b[static_cast<size_t>(i) * m + c] = s / l[static_cast<size_t>(i) * p + i];
    }
    for (int i = p - 1; i >= 0; --i) {
      double s = b[static_cast<size_t>(i) * m + c];
      for (int k = i + 1; k < p; ++k) s -= l[static_cast<size_t>(k) * p + i] * b[static_cast<size_t>(k) * m + c];
      b[static_cast<size_t>(i) * m + c] = s / l[static_cast<size_t>(i) * p + i];
    }
  }
}

Mat cholesky_inverse(const Mat& l, int p) {
  Mat inv = identity(p);
  cholesky_solve(l, p, inv, p);
  return inv;
}

// Inverse and log|det| by LU with partial pivoting; nullopt when a pivot is
// below 1e-13 times the largest entry (numerically singular).
struct Inverse {
  Mat inv;
  double logabsdet = 0;
};
std::optional<Inverse> lu_inverse(Mat a, int p) {
  double scale = 0;
  for (double v : a) scale = std::max(scale, std::abs(v));
  std::vector<int> piv(static_cast<size_t>(p));
  Inverse r;
  for (int k = 0; k < p; ++k) {
    int best = k;
    for (int i = k + 1; i < p; ++i)
      if (std::abs(a[static_cast<size_t>(i) * p + k]) > std::abs(a[static_cast<size_t>(best) * p + k])) best = i;
    const double pk = a[static_cast<size_t>(best) * p + k];
    if (!(std::abs(pk) > 1e-13 * scale)) return std::nullopt;
    piv[static_cast<size_t>(k)] = best;
    if (best != k)
      for (int j = 0; j < p; ++j) std::swap(a[static_cast<size_t>(k) * p + j], a[static_cast<size_t>(best) * p + j]);
    r.logabsdet += std::log(std::abs(pk));
    for (int i = k + 1; i < p; ++i) {
      const double f = a[static_cast<size_t>(i) * p + k] /= pk;
      for (int j = k + 1; j < p; ++j) a[static_cast<size_t>(i) * p + j] -= f * a[static_cast<size_t>(k) * p + j];
    }
  }
  r.inv = identity(p);
  Mat& x = r.inv;
  // P A = L U; solve for the columns of A^{-1}: apply the row swaps to I, then L, then U.
  for (int k = 0; k < p; ++k)
    if (piv[static_cast<size_t>(k)] != k)
      for (int j = 0; j < p; ++j) std::swap(x[static_cast<size_t>(k) * p + j], x[static_cast<size_t>(piv[static_cast<size_t>(k)]) * p + j]);
  for (int c = 0; c < p; ++c) {
    for (int i = 0; i < p; ++i) {
      double s = x[static_cast<size_t>(i) * p + c];
      for (int k = 0; k < i; ++k) s -= a[static_cast<size_t>(i) * p + k] * x[static_cast<size_t>(k) * p + c];
      x[static_cast<size_t>(i) * p + c] = s;
    }
    for (int i = p - 1; i >= 0; --i) {
      double s = x[static_cast<size_t>(i) * p + c];
      for (int k = i + 1; k < p; ++k) s -= a[static_cast<size_t>(i) * p + k] * x[static_cast<size_t>(k) * p + c];
      x[static_cast<size_t>(i) * p + c] = s / a[static_cast<size_t>(i) * p + i];
    }
  }
  return r;
}

// ---- the model ------------------------------------------------------------------

// One free parameter: lambda_ij (edge i -> j) or omega_ij (i <= j).
struct Param {
  bool lambda;
  int i, j;
};

std::vector<Param> parameters(const MixedGraph& g) {
  std::vector<Param> ps;
  for (const auto& [i, j] : g.directed) ps.push_back({true, i, j});
  for (int i = 0; i < g.size(); ++i) ps.push_back({false, i, i});
  for (const auto& [i, j] : g.bidirected) ps.push_back({false, i, j});
  return ps;
}

struct Matrices {
  Mat a, omega;  // I - Lambda, Omega
};
Matrices matrices(const MixedGraph& g, const std::vector<Param>& ps, const std::vector<double>& theta) {
  const int p = g.size();
  Matrices m{identity(p), Mat(static_cast<size_t>(p) * p, 0.0)};
  for (size_t k = 0; k < ps.size(); ++k) {
    const Param& q = ps[k];
    if (q.lambda) {
      m.a[static_cast<size_t>(q.i) * p + q.j] -= theta[k];
    } else {
      m.omega[static_cast<size_t>(q.i) * p + q.j] = theta[k];
      m.omega[static_cast<size_t>(q.j) * p + q.i] = theta[k];
    }
  }
  return m;
}

// Uniform in (0, 1) from 53 bits: the same numbers on every platform (the
// standard distributions are implementation-defined).
double unit_uniform(std::mt19937_64& rng) { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; }

// (I - Lambda)^{-1}, or NumericalFailure when it is singular.
std::optional<Inverse> invert_model(const Mat& a, int p) {
  auto inv = lu_inverse(a, p);
  if (!inv)
    throw NumericalFailure("sem", "I - Lambda", "an invertible I - Lambda (a cycle's weights multiply to 1 here)",
                           "SingularModel");
  return inv;
}

void check_theta(const MixedGraph& g, const std::vector<double>& theta) {
  const size_t q = g.directed.size() + static_cast<size_t>(g.size()) + g.bidirected.size();
  if (theta.size() != q)
    throw InvalidInput("theta", fmt::format("{} values", theta.size()), fmt::format("{} parameters", q), "BadParameters");
}

double dot(const double* x, const double* y, int p) {
  double s = 0;
  for (int i = 0; i < p; ++i) s += x[i] * y[i];
  return s;
}

}  // namespace

std::vector<std::string> fit_parameter_names(const MixedGraph& g) {
  std::vector<std::string> names;
  for (const Param& q : parameters(g)) names.push_back(parameter_name(q.lambda ? 'l' : 'w', g, q.i, q.j));
  return names;
}

void assign_parameters(const MixedGraph& g, const std::map<std::string, double>& values, std::vector<double>& theta,
                       const std::string& where) {
  check_theta(g, theta);
  const auto names = fit_parameter_names(g);
  for (const auto& [name, value] : values) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      throw InvalidInput(where, name, fmt::format("a parameter of the model ({})", fmt::join(names, ", ")),
                         "UnknownParameter");
    if (!std::isfinite(value)) throw InvalidInput(where, name, "a finite value", "BadParameters");
    theta[static_cast<size_t>(it - names.begin())] = value;
  }
}

std::vector<double> implied_covariance(const MixedGraph& g, const std::vector<double>& theta) {
  check_theta(g, theta);
  const int p = g.size();
  const Matrices m = matrices(g, parameters(g), theta);
  const auto ainv = invert_model(m.a, p);
  Mat sigma = matmul(transpose(ainv->inv, p), matmul(m.omega, ainv->inv, p), p);
  for (int i = 0; i < p; ++i)  // symmetric exactly, not only up to rounding
    for (int j = i + 1; j < p; ++j)
      sigma[static_cast<size_t>(i) * p + j] = sigma[static_cast<size_t>(j) * p + i] =
          0.5 * (sigma[static_cast<size_t>(i) * p + j] + sigma[static_cast<size_t>(j) * p + i]);
  return sigma;
}

std::optional<Objective> ml_objective(const MixedGraph& g, const Moments& mo, const std::vector<double>& theta,
                                      bool want_hessian) {
  check_theta(g, theta);
  const int p = g.size();
  const auto ps = parameters(g);
  const int q = static_cast<int>(ps.size());
  const Matrices m = matrices(g, ps, theta);
  Mat lo = m.omega;
  if (cholesky(lo, p) >= 0) return std::nullopt;
  const auto ainv = lu_inverse(m.a, p);
  if (!ainv) return std::nullopt;
  const Mat M = cholesky_inverse(lo, p);                 // Omega^{-1}
  const Mat AM = matmul(m.a, M, p);                      // A Omega^{-1}
  const Mat K = matmul(AM, transpose(m.a, p), p);        // Sigma^{-1}
  const Mat sigma = matmul(transpose(ainv->inv, p), matmul(m.omega, ainv->inv, p), p);
  Mat ls = mo.cov;
  if (cholesky(ls, p) >= 0) return std::nullopt;
  Objective o;
  double trSK = 0;
  for (size_t k = 0; k < K.size(); ++k) trSK += mo.cov[k] * K[k];
  o.f = cholesky_logdet(lo, p) - 2 * ainv->logabsdet + trSK - cholesky_logdet(ls, p) - p;

  // K_a = -(x_a y_a^T + y_a x_a^T): lambda_ij: x = e_i, y = (A M)_{:,j};
  // omega_rr: x = y/2... written as x = u_r, y = u_r / 2; omega_rc: x = u_r, y = u_c
  // with u = columns of A M.
  Mat D(mo.cov.size());
  for (size_t k = 0; k < D.size(); ++k) D[k] = mo.cov[k] - sigma[k];
  Mat X(static_cast<size_t>(q) * p, 0.0), Y(static_cast<size_t>(q) * p, 0.0);  // rows x_a, y_a
  for (int a = 0; a < q; ++a) {
    const Param& pa = ps[static_cast<size_t>(a)];
    double* x = &X[static_cast<size_t>(a) * p];
    double* y = &Y[static_cast<size_t>(a) * p];
    if (pa.lambda) {
      x[pa.i] = 1.0;
      for (int r = 0; r < p; ++r) y[r] = AM[static_cast<size_t>(r) * p + pa.j];
    } else {
      const double h = pa.i == pa.j ? 0.5 : 1.0;
      for (int r = 0; r < p; ++r) {
        x[r] = AM[static_cast<size_t>(r) * p + pa.i];
        y[r] = h * AM[static_cast<size_t>(r) * p + pa.j];
      }
    }
  }
  auto times = [&](const Mat& B, const Mat& V) {  // rows of V times symmetric B
    Mat out(V.size(), 0.0);
    for (int a = 0; a < q; ++a)
      for (int r = 0; r < p; ++r)
        out[static_cast<size_t>(a) * p + r] = dot(&B[static_cast<size_t>(r) * p], &V[static_cast<size_t>(a) * p], p);
    return out;
  };
  const Mat DY = times(D, Y);
  o.gradient.resize(static_cast<size_t>(q));
  for (int a = 0; a < q; ++a)
    o.gradient[static_cast<size_t>(a)] = -2 * dot(&X[static_cast<size_t>(a) * p], &DY[static_cast<size_t>(a) * p], p);
  if (!want_hessian) return o;

  // First term tr(Sigma K_a Sigma K_b) from the bilinear form u^T Sigma v.
  const Mat SX = times(sigma, X), SY = times(sigma, Y);
  auto row = [p](const Mat& V, int a) { return &V[static_cast<size_t>(a) * p]; };
  // Second term tr(D K_ab): closed forms per pair type (fit.h), with
  // Z = M A^T D and P = M (A^T D A) M.
  const Mat Z = matmul(transpose(AM, p), D, p);
  const Mat P = matmul(matmul(Z, m.a, p), M, p);
  auto at = [p](const Mat& A, int i, int j) { return A[static_cast<size_t>(i) * p + j]; };
  // The entries (r, c) of Omega_a = dOmega/domega_a: (i,i), or (i,j) and (j,i).
  auto entries = [](const Param& w, auto&& f) {
    f(w.i, w.j);
    if (w.i != w.j) f(w.j, w.i);
  };
  o.hessian.assign(static_cast<size_t>(q) * q, 0.0);
  for (int a = 0; a < q; ++a)
    for (int b = a; b < q; ++b) {
      const double* xa = row(X, a); const double* ya = row(Y, a);
      const double* xb = row(X, b); const double* yb = row(Y, b);
      const double* sxa = row(SX, a); const double* sya = row(SY, a);
      double h = dot(ya, row(SX, b), p) * dot(yb, sxa, p) + dot(ya, row(SY, b), p) * dot(xb, sxa, p) +
                 dot(xa, row(SX, b), p) * dot(yb, sya, p) + dot(xa, row(SY, b), p) * dot(xb, sya, p);
      const Param& pa = ps[static_cast<size_t>(a)];
      const Param& pb = ps[static_cast<size_t>(b)];
      double t = 0;
      if (pa.lambda && pb.lambda) {
        t = 2 * at(D, pb.i, pa.i) * at(M, pa.j, pb.j);
      } else if (pa.lambda != pb.lambda) {
        const Param& l = pa.lambda ? pa : pb;
        const Param& w = pa.lambda ? pb : pa;
        entries(w, [&](int r, int c) { t += 2 * at(M, l.j, r) * at(Z, c, l.i); });
      } else {
        entries(pa, [&](int r, int c) { entries(pb, [&](int s, int u) { t += 2 * at(P, u, r) * at(M, c, s); }); });
      }
      h += t;
      o.hessian[static_cast<size_t>(a) * q + b] = o.hessian[static_cast<size_t>(b) * q + a] = h;
    }
  return o;
}

namespace {

Moments finish_moments(Moments m, const MixedGraph& g, const std::string& where) {
  Mat l = m.cov;
  const int bad = cholesky(l, m.p);
  if (bad >= 0) {
    const std::string& name = g.names[static_cast<size_t>(bad)];
    const bool constant = !(m.cov[static_cast<size_t>(bad) * m.p + bad] > 0);
    throw InvalidInput(where, fmt::format("column \"{}\"", name),
                       constant ? "a column that varies (this one is constant: the sample covariance is singular)"
                                : "columns that are not linear combinations of each other (this one is, numerically, "
                                  "of the columns before it: the sample covariance is singular)",
                       "SingularCovariance");
  }
  return m;
}

// The column of each vertex.
std::vector<int> vertex_columns(const MixedGraph& g, const std::vector<std::string>& columns, const std::string& where) {
  if (columns.empty())
    throw InvalidInput(where, "(header)", "a header row naming the columns after the graph's vertices", "NoHeader");
  std::vector<int> col(static_cast<size_t>(g.size()), -1);
  for (size_t c = 0; c < columns.size(); ++c) {
    const int v = g.index(columns[c]);
    if (v < 0) continue;
    if (col[static_cast<size_t>(v)] >= 0)
      throw InvalidInput(where, fmt::format("header, column {}", c + 1),
                         fmt::format("each vertex once; \"{}\" appears twice", columns[c]), "DuplicateColumn");
    col[static_cast<size_t>(v)] = static_cast<int>(c);
  }
  for (int v = 0; v < g.size(); ++v)
    if (col[static_cast<size_t>(v)] < 0)
      throw InvalidInput(where, "header", fmt::format("a column named \"{}\" (a vertex of the graph)", g.names[static_cast<size_t>(v)]),
                         "MissingColumn");
  return col;
}

}  // namespace

Moments moments_from_data(const MixedGraph& g, const std::vector<std::string>& columns, const std::vector<double>& values,
                          int64_t rows, const std::string& where) {
  const auto col = vertex_columns(g, columns, where);
  const int p = g.size();
  const size_t width = columns.size();
  if (values.size() != static_cast<size_t>(rows) * width)
    throw InvalidInput(where, "values", "a full table", "BadShape");
  if (rows < p + 1)
    throw InvalidInput(where, "rows", fmt::format("at least p + 1 = {} observations, got {}", p + 1, rows), "TooFewRows");
  Moments m{p, rows, Mat(static_cast<size_t>(p) * p, 0.0)};
  std::vector<double> mean(static_cast<size_t>(p), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int v = 0; v < p; ++v) mean[static_cast<size_t>(v)] += values[static_cast<size_t>(r) * width + col[static_cast<size_t>(v)]];
  for (double& x : mean) x /= static_cast<double>(rows);
  std::vector<double> d(static_cast<size_t>(p));
  for (int64_t r = 0; r < rows; ++r) {
    for (int v = 0; v < p; ++v)
      d[static_cast<size_t>(v)] = values[static_cast<size_t>(r) * width + col[static_cast<size_t>(v)]] - mean[static_cast<size_t>(v)];
    for (int i = 0; i < p; ++i)
      for (int j = i; j < p; ++j) m.cov[static_cast<size_t>(i) * p + j] += d[static_cast<size_t>(i)] * d[static_cast<size_t>(j)];
  }
  for (int i = 0; i < p; ++i)
    for (int j = i; j < p; ++j) {
      double& c = m.cov[static_cast<size_t>(i) * p + j];
      c /= static_cast<double>(rows);
      m.cov[static_cast<size_t>(j) * p + i] = c;
    }
  for (double c : m.cov)
    if (!std::isfinite(c)) throw InvalidInput(where, "values", "finite values whose squares sum to a finite number", "NonFinite");
  return finish_moments(std::move(m), g, where);
}

Moments moments_from_covariance(const MixedGraph& g, const std::vector<std::string>& columns,
                                const std::vector<double>& values, int64_t rows, int64_t n, const std::string& where) {
  const int p = g.size();
  const int64_t width = static_cast<int64_t>(columns.size());
  if (rows != width || values.size() != static_cast<size_t>(rows * width))
    throw InvalidInput(where, "shape", fmt::format("a square covariance matrix (as many rows as named columns), got {} x {}",
                                                   rows, width),
                       "BadShape");
  const auto col = vertex_columns(g, columns, where);
  if (n < p + 1) throw InvalidInput("--n", std::to_string(n), fmt::format("at least p + 1 = {} observations", p + 1), "TooFewRows");
  Moments m{p, n, Mat(static_cast<size_t>(p) * p)};
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j) {
      // row k of the file holds the column k variable
      const double v = values[static_cast<size_t>(col[static_cast<size_t>(i)] * width + col[static_cast<size_t>(j)])];
      const double w = values[static_cast<size_t>(col[static_cast<size_t>(j)] * width + col[static_cast<size_t>(i)])];
      if (!std::isfinite(v)) throw InvalidInput(where, fmt::format("row {}", col[static_cast<size_t>(i)] + 2), "finite entries", "NonFinite");
      if (std::abs(v - w) > 1e-8 * std::max({std::abs(v), std::abs(w), 1e-300}))
        throw InvalidInput(where, fmt::format("row {}, column {}", col[static_cast<size_t>(i)] + 2, col[static_cast<size_t>(j)] + 1),
                           fmt::format("a symmetric matrix ({} here, {} across the diagonal)", v, w), "NotSymmetric");
      m.cov[static_cast<size_t>(i) * p + j] = v;
    }
  return finish_moments(std::move(m), g, where);
}

namespace {

struct Run {
  std::vector<double> theta;
  Objective obj;
  int iterations = 0;
  bool converged = false;
  double decrement = 0;
};

// The Newton decrement g^T (H + eps I)^{-1} g / 2 with a tiny ridge,
// eps = 1e-10 max |H_aa|, so that a singular positive semidefinite H (a flat
// valley of equal fits, in a model that is not locally identified) still gives
// an answer; +infinity when H + eps I is not positive definite.
// The Cholesky factor of H + c max|H_aa| I; nullopt unless positive definite.
std::optional<Mat> ridged_cholesky(const Mat& hessian, size_t q, double c) {
  Mat h = hessian;
  double hmax = 0;
  for (size_t a = 0; a < q; ++a) hmax = std::max(hmax, std::abs(h[a * q + a]));
  for (size_t a = 0; a < q; ++a) h[a * q + a] += c * std::max(hmax, 1e-300);
  if (cholesky(h, static_cast<int>(q), 1e-14) >= 0) return std::nullopt;
  return h;
}

double newton_decrement(const Objective& o, size_t q) {
  const auto l = ridged_cholesky(o.hessian, q, 1e-10);
  if (!l) return std::numeric_limits<double>::infinity();
  std::vector<double> step = o.gradient;
  cholesky_solve(*l, static_cast<int>(q), step, 1);
  return 0.5 * dot(step.data(), o.gradient.data(), static_cast<int>(q));
}

// Newton with Levenberg–Marquardt damping from a feasible theta.
Run newton(const MixedGraph& g, const Moments& mo, std::vector<double> theta, const FitOptions& opt) {
  const size_t q = theta.size();
  Run run;
  auto cur = ml_objective(g, mo, theta, true);
  double mu = 0;
  for (int it = 0;; ++it) {
    run.iterations = it;
    run.decrement = newton_decrement(*cur, q);
    if (run.decrement < opt.tolerance) {
      run.converged = true;
      break;
    }
    if (it == opt.max_iterations) break;
    // Damped step: (H + mu max|H_aa| I) delta = -g, mu raised until the
    // matrix is positive definite and the step lowers F.
    bool moved = false;
    for (int attempt = 0; attempt < 60 && !moved; ++attempt) {
      if (const auto l = ridged_cholesky(cur->hessian, q, mu)) {
        std::vector<double> step = cur->gradient;
        cholesky_solve(*l, static_cast<int>(q), step, 1);
        std::vector<double> next(q);
        for (size_t a = 0; a < q; ++a) next[a] = theta[a] - step[a];
        auto obj = ml_objective(g, mo, next, true);
        if (obj && obj->f <= cur->f) {
          theta = std::move(next);
          cur = std::move(obj);
          mu = mu < 1e-10 ? 0 : mu / 10;
          moved = true;
          continue;
        }
      }
      mu = std::max(mu * 10, 1e-8);
    }
    if (!moved) break;  // no damping lowers F: as far as double precision goes
  }
  run.theta = std::move(theta);
  run.obj = std::move(*cur);
  return run;
}

}  // namespace

FitResult fit(const MixedGraph& g, const Moments& mo, const FitOptions& opt) {
  const int p = g.size();
  if (mo.p != p || mo.cov.size() != static_cast<size_t>(p) * p)
    throw InvalidInput("moments", fmt::format("{} variables", mo.p), fmt::format("the graph's {}", p), "BadShape");
  if (mo.n < 1) throw InvalidInput("moments", fmt::format("n = {}", mo.n), "at least one observation", "BadShape");
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j) {
      const double a = mo.cov[static_cast<size_t>(i) * p + j], b = mo.cov[static_cast<size_t>(j) * p + i];
      if (!std::isfinite(a) || std::abs(a - b) > 1e-8 * std::max(std::abs(a), std::abs(b)))
        throw InvalidInput("moments", fmt::format("entry ({}, {})", i + 1, j + 1), "a finite symmetric covariance", "BadShape");
    }
  finish_moments(mo, g, "the sample covariance");  // positive definite, or an error naming the column
  const auto ps = parameters(g);
  const auto names = fit_parameter_names(g);
  const int64_t q = static_cast<int64_t>(ps.size());
  const int64_t entries = int64_t{p} * (p + 1) / 2;
  if (q > entries)
    throw InvalidInput("--graph", g.str(),
                       fmt::format("at most p(p+1)/2 = {} parameters for {} variables, got {}: the model is not "
                                   "identified",
                                   entries, p, q),
                       "TooManyParameters");
  if (q > kMaxParameters)
    throw InvalidInput("--graph", fmt::format("{} parameters", q),
                       fmt::format("at most {} parameters (the Newton step is dense: q^2 doubles)", kMaxParameters),
                       "TooManyParameters");
  if (opt.extra_starts < 0 || opt.extra_starts > 10000)
    throw InvalidInput("--starts", std::to_string(opt.extra_starts + 1), "between 1 and 10001", "BadOption");
  if (opt.max_iterations < 1) throw InvalidInput("--max-iterations", std::to_string(opt.max_iterations), "at least 1", "BadOption");

  // The default start, then the user's values.
  std::vector<double> start(static_cast<size_t>(q), 0.0);
  for (size_t k = 0; k < ps.size(); ++k)
    if (!ps[k].lambda && ps[k].i == ps[k].j) start[k] = mo.cov[static_cast<size_t>(ps[k].i) * p + ps[k].i];
  assign_parameters(g, opt.start, start, opt.start_where);
  const Matrices sm = matrices(g, ps, start);
  Mat lo = sm.omega;
  if (cholesky(lo, p) >= 0)
    throw InvalidInput(opt.start_where, "omega", "starting values with Omega positive definite", "BadStart");
  if (!lu_inverse(sm.a, p))
    throw InvalidInput(opt.start_where, "lambda", "starting values with I - Lambda invertible (no cycle of weight product 1)",
                       "BadStart");

  std::mt19937_64 rng(opt.seed);
  std::vector<Run> runs;
  for (int s = 0; s <= opt.extra_starts; ++s) {
    std::vector<double> theta = start;
    if (s > 0) {
      for (int tries = 0; tries < 100; ++tries) {
        for (size_t k = 0; k < ps.size(); ++k)
          if (ps[k].lambda) theta[k] = 1.8 * unit_uniform(rng) - 0.9;
        if (ml_objective(g, mo, theta, false)) break;
      }
    }
    if (!ml_objective(g, mo, theta, false)) continue;
    runs.push_back(newton(g, mo, std::move(theta), opt));
  }
  const Run* best = nullptr;
  int converged = 0;
  for (const Run& r : runs) {
    if (!r.converged) continue;
    ++converged;
    if (!best || r.obj.f < best->obj.f) best = &r;
  }
  if (!best) {
    double dec = std::numeric_limits<double>::infinity();
    for (const Run& r : runs) dec = std::min(dec, r.decrement);
    throw NumericalFailure("sem fit", fmt::format("Newton decrement {:.3g} (the best start's)", dec),
                           fmt::format("convergence below {:.3g} within {} iterations: try more starts (--starts), "
                                       "starting values (--start) or --max-iterations",
                                       opt.tolerance, opt.max_iterations),
                           "NoConvergence");
  }

  FitResult r;
  r.names = names;
  r.estimate = best->theta;
  r.n = mo.n;
  r.p = p;
  r.params = static_cast<int>(q);
  r.iterations = best->iterations;
  r.starts = opt.extra_starts + 1;
  r.starts_converged = converged;
  // other points with the best F: each distinct one counted once
  auto apart = [](const std::vector<double>& a, const std::vector<double>& b) {
    for (size_t k = 0; k < a.size(); ++k)
      if (std::abs(a[k] - b[k]) > 1e-4 * (1 + std::abs(b[k]))) return true;
    return false;
  };
  std::vector<const std::vector<double>*> optima{&best->theta};
  for (const Run& o : runs) {
    if (!o.converged || std::abs(o.obj.f - best->obj.f) > 1e-9 * (1 + std::abs(best->obj.f))) continue;
    if (std::all_of(optima.begin(), optima.end(), [&](const auto* t) { return apart(o.theta, *t); }))
      optima.push_back(&o.theta);
  }
  r.other_optima = static_cast<int>(optima.size()) - 1;
  const double n = static_cast<double>(mo.n);
  r.fmin = std::max(best->obj.f, 0.0);  // F_ML >= 0; a perfect fit may round to -1e-16
  r.chisq = n * r.fmin;
  r.df = entries - q;
  r.pvalue = r.df > 0 ? chi_square_survival(r.chisq, static_cast<double>(r.df)) : kNaN;
  r.rmsea = r.df > 0 ? std::sqrt(std::max(r.chisq - static_cast<double>(r.df), 0.0) / (static_cast<double>(r.df) * n)) : kNaN;
  Mat ls = mo.cov;
  cholesky(ls, p);
  double logdiag = 0;
  for (int i = 0; i < p; ++i) logdiag += std::log(mo.cov[static_cast<size_t>(i) * p + i]);
  r.baseline_chisq = n * (logdiag - cholesky_logdet(ls, p));
  r.baseline_df = int64_t{p} * (p - 1) / 2;
  {
    const double d = std::max(r.chisq - static_cast<double>(r.df), 0.0);
    const double db = std::max(r.baseline_chisq - static_cast<double>(r.baseline_df), 0.0);
    r.cfi = std::max(d, db) > 0 ? 1 - d / std::max(d, db) : 1.0;
    const double rb = r.baseline_chisq / static_cast<double>(r.baseline_df);
    r.tli = r.df > 0 && r.baseline_df > 0 ? (rb - r.chisq / static_cast<double>(r.df)) / (rb - 1) : kNaN;
  }
  r.loglik = -n / 2 * (p * std::log(2 * std::numbers::pi) + r.fmin + cholesky_logdet(ls, p) + p);
  r.aic = -2 * r.loglik + 2 * static_cast<double>(q);
  r.bic = -2 * r.loglik + static_cast<double>(q) * std::log(n);
  r.sigma = implied_covariance(g, r.estimate);

  // Standard errors: (n/2 H)^{-1}.
  Mat h = best->obj.hessian;
  r.se.assign(static_cast<size_t>(q), kNaN);
  // Scale to unit diagonal so the test is unit-free, then call the information
  // singular when a Cholesky pivot falls below sqrt(eps) ~ 1e-8: H's entries
  // carry rounding of relative size eps * cond, and at an optimum inside a
  // flat valley (a model not locally identified) the zero eigenvalue comes out
  // anywhere up to ~1e-9. An identified model this close to singular has
  // estimates correlated beyond 1 - 1e-8: no usable standard errors either.
  std::vector<double> sc(static_cast<size_t>(q));
  bool diag_ok = true;
  for (int64_t a = 0; a < q; ++a) {
    const double d = h[static_cast<size_t>(a * q + a)];
    diag_ok &= d > 0;
    sc[static_cast<size_t>(a)] = d > 0 ? 1 / std::sqrt(d) : 0;
  }
  for (int64_t a = 0; a < q; ++a)
    for (int64_t b = 0; b < q; ++b) h[static_cast<size_t>(a * q + b)] *= sc[static_cast<size_t>(a)] * sc[static_cast<size_t>(b)];
  if (!diag_ok || cholesky(h, static_cast<int>(q), 1e-8) >= 0) {
    r.information_singular = true;
  } else {
    const Mat inv = cholesky_inverse(h, static_cast<int>(q));
    for (int64_t a = 0; a < q; ++a)
      r.se[static_cast<size_t>(a)] =
          std::sqrt(2 / n * inv[static_cast<size_t>(a * q + a)]) * sc[static_cast<size_t>(a)];
  }
  return r;
}

std::vector<double> simulate(const MixedGraph& g, const std::vector<double>& theta, int64_t n, uint64_t seed) {
  check_theta(g, theta);
  const int p = g.size();
  if (n < 1 || n > int64_t{100'000'000} / std::max(p, 1))
    throw InvalidInput("--n", std::to_string(n), fmt::format("between 1 and 10^8 / p = {} draws", int64_t{100'000'000} / std::max(p, 1)),
                       "BadOption");
  const Matrices m = matrices(g, parameters(g), theta);
  Mat lo = m.omega;
  if (cholesky(lo, p) >= 0) throw InvalidInput("theta", "omega", "Omega positive definite", "BadParameters");
  const auto ainv = invert_model(m.a, p);
  // x = A^{-T} L z: one matrix B = A^{-T} L.
  const Mat B = matmul(transpose(ainv->inv, p), lo, p);
  std::mt19937_64 rng(seed);
  std::vector<double> out(static_cast<size_t>(n) * p), z(static_cast<size_t>(p));
  for (int64_t r = 0; r < n; ++r) {
    for (int i = 0; i < p; i += 2) {
      const double rad = std::sqrt(-2 * std::log(unit_uniform(rng))), ang = 2 * std::numbers::pi * unit_uniform(rng);
      z[static_cast<size_t>(i)] = rad * std::cos(ang);
      if (i + 1 < p) z[static_cast<size_t>(i) + 1] = rad * std::sin(ang);
    }
    for (int i = 0; i < p; ++i) out[static_cast<size_t>(r) * p + i] = dot(&B[static_cast<size_t>(i) * p], z.data(), p);
  }
  return out;
}

double chi_square_survival(double x, double df) {
  if (!(df > 0) || !std::isfinite(x)) return kNaN;
  if (x <= 0) return 1.0;
  const int64_t prec = 128;
  const exact::Ball half = exact::Ball::from_double(0.5);
  const exact::Ball v = exact::gamma_q(exact::mul(exact::Ball::from_double(df), half, prec),
                                       exact::mul(exact::Ball::from_double(x), half, prec), prec);
  return v.mid_double();
}

}  // namespace factorkit::sem
