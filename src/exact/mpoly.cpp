#include "factorkit/exact/mpoly.h"

#include <algorithm>

#include <flint/nmod_mat.h>
#include <flint/nmod_vec.h>
#include <fmt/format.h>

#include "factorkit/core/error.h"

namespace factorkit::exact {

struct PolyRing::Impl {
  fmpq_mpoly_ctx_t ctx;
  std::vector<std::string> names;
  ~Impl() { fmpq_mpoly_ctx_clear(ctx); }
};

PolyRing::PolyRing(std::vector<std::string> names) {
  if (names.empty() || names.size() > 10000)
    throw InvalidInput("polynomial ring", fmt::format("{} variables", names.size()), "1 to 10000 variables",
                       "BadRing");
  impl_ = std::make_shared<Impl>();
  impl_->names = std::move(names);
  fmpq_mpoly_ctx_init(impl_->ctx, static_cast<slong>(impl_->names.size()), ORD_DEGREVLEX);
}
int64_t PolyRing::nvars() const noexcept { return static_cast<int64_t>(impl_->names.size()); }
const std::vector<std::string>& PolyRing::names() const noexcept { return impl_->names; }
const fmpq_mpoly_ctx_struct* PolyRing::raw() const noexcept { return impl_->ctx; }

namespace {
fmpq_mpoly_ctx_struct* ctx_of(const PolyRing& r) { return const_cast<fmpq_mpoly_ctx_struct*>(r.raw()); }
}  // namespace

QPoly::QPoly(const PolyRing& ring) : ring_(ring) { fmpq_mpoly_init(v_, ctx_of(ring_)); }
QPoly::QPoly(const PolyRing& ring, const Rational& c) : ring_(ring) {
  fmpq_mpoly_init(v_, ctx_of(ring_));
  fmpq_mpoly_set_fmpq(v_, c.raw(), ctx_of(ring_));
}
QPoly QPoly::var(const PolyRing& ring, int64_t i) {
  if (i < 0 || i >= ring.nvars())
    throw InvalidInput("polynomial ring", fmt::format("variable {}", i), fmt::format("an index below {}", ring.nvars()),
                       "BadVariable");
  QPoly p(ring);
  fmpq_mpoly_gen(p.v_, i, ctx_of(ring));
  return p;
}
QPoly::QPoly(const QPoly& o) : ring_(o.ring_) {
  fmpq_mpoly_init(v_, ctx_of(ring_));
  fmpq_mpoly_set(v_, o.v_, ctx_of(ring_));
}
QPoly::QPoly(QPoly&& o) noexcept : ring_(o.ring_) {
  fmpq_mpoly_init(v_, ctx_of(ring_));
  fmpq_mpoly_swap(v_, o.v_, ctx_of(ring_));
}
QPoly& QPoly::operator=(const QPoly& o) {
  if (this == &o) return *this;
  if (!(ring_ == o.ring_)) {
    fmpq_mpoly_clear(v_, ctx_of(ring_));
    ring_ = o.ring_;
    fmpq_mpoly_init(v_, ctx_of(ring_));
  }
  fmpq_mpoly_set(v_, o.v_, ctx_of(ring_));
  return *this;
}
QPoly& QPoly::operator=(QPoly&& o) noexcept {
  if (!(ring_ == o.ring_)) {
    fmpq_mpoly_clear(v_, ctx_of(ring_));
    ring_ = o.ring_;
    fmpq_mpoly_init(v_, ctx_of(ring_));
  }
  fmpq_mpoly_swap(v_, o.v_, ctx_of(ring_));
  return *this;
}
QPoly::~QPoly() { fmpq_mpoly_clear(v_, ctx_of(ring_)); }

void QPoly::check_same(const QPoly& o) const {
  if (!(ring_ == o.ring_))
    throw InvalidInput("polynomial arithmetic", "rings", "polynomials of the same ring", "RingMismatch");
}
bool QPoly::is_zero() const noexcept { return fmpq_mpoly_is_zero(v_, ctx_of(ring_)); }
int64_t QPoly::length() const noexcept { return fmpq_mpoly_length(v_, ctx_of(ring_)); }
int64_t QPoly::total_degree() const noexcept { return fmpq_mpoly_total_degree_si(v_, ctx_of(ring_)); }

QPoly operator+(const QPoly& a, const QPoly& b) {
  a.check_same(b);
  QPoly r(a.ring_);
  fmpq_mpoly_add(r.v_, a.v_, b.v_, ctx_of(a.ring_));
  return r;
}
QPoly operator-(const QPoly& a, const QPoly& b) {
  a.check_same(b);
  QPoly r(a.ring_);
  fmpq_mpoly_sub(r.v_, a.v_, b.v_, ctx_of(a.ring_));
  return r;
}
QPoly operator*(const QPoly& a, const QPoly& b) {
  a.check_same(b);
  QPoly r(a.ring_);
  fmpq_mpoly_mul(r.v_, a.v_, b.v_, ctx_of(a.ring_));
  return r;
}
QPoly operator-(const QPoly& a) {
  QPoly r(a.ring_);
  fmpq_mpoly_neg(r.v_, a.v_, ctx_of(a.ring_));
  return r;
}
QPoly& QPoly::operator+=(const QPoly& b) {
  check_same(b);
  fmpq_mpoly_add(v_, v_, b.v_, ctx_of(ring_));
  return *this;
}
QPoly& QPoly::operator-=(const QPoly& b) {
  check_same(b);
  fmpq_mpoly_sub(v_, v_, b.v_, ctx_of(ring_));
  return *this;
}
QPoly& QPoly::operator*=(const QPoly& b) {
  check_same(b);
  fmpq_mpoly_mul(v_, v_, b.v_, ctx_of(ring_));
  return *this;
}
bool operator==(const QPoly& a, const QPoly& b) {
  return a.ring_ == b.ring_ && fmpq_mpoly_equal(a.v_, b.v_, ctx_of(a.ring_));
}
QPoly QPoly::from_terms(const PolyRing& ring, std::span<const Term> terms) {
  QPoly r(ring);
  for (const Term& t : terms) {
    if (static_cast<int64_t>(t.exps.size()) != ring.nvars())
      throw InvalidInput("polynomial term", fmt::format("{} exponents", t.exps.size()),
                         fmt::format("{} (one per variable)", ring.nvars()), "BadShape");
    fmpq_mpoly_push_term_fmpq_ui(r.v_, t.coeff.raw(), t.exps.data(), ctx_of(ring));
  }
  fmpq_mpoly_sort_terms(r.v_, ctx_of(ring));
  fmpq_mpoly_combine_like_terms(r.v_, ctx_of(ring));
  return r;
}

QPoly QPoly::compose(std::span<const QPoly> values, const PolyRing& target) const {
  if (static_cast<int64_t>(values.size()) != ring_.nvars())
    throw InvalidInput("polynomial composition", fmt::format("{} values", values.size()),
                       fmt::format("{} (one per variable)", ring_.nvars()), "BadShape");
  std::vector<fmpq_mpoly_struct*> c;
  for (const QPoly& v : values) {
    if (!(v.ring_ == target))
      throw InvalidInput("polynomial composition", "values", "polynomials of the target ring", "RingMismatch");
    c.push_back(const_cast<fmpq_mpoly_struct*>(v.v_));  // read only
  }
  QPoly r(target);
  if (!fmpq_mpoly_compose_fmpq_mpoly(r.v_, v_, c.data(), ctx_of(ring_), ctx_of(target)))
    throw NumericalFailure("polynomial composition", "exponents", "a result whose exponents fit", "PowerOverflow");
  return r;
}

QPoly QPoly::pow(uint64_t e) const {
  QPoly r(ring_);
  if (!fmpq_mpoly_pow_ui(r.v_, v_, e, ctx_of(ring_)))
    throw NumericalFailure("polynomial power", fmt::format("exponent {}", e), "a result whose exponents fit",
                           "PowerOverflow");
  return r;
}
QPoly QPoly::derivative(int64_t var) const {
  if (var < 0 || var >= ring_.nvars())
    throw InvalidInput("derivative", fmt::format("variable {}", var), "a variable of the ring", "BadVariable");
  QPoly r(ring_);
  fmpq_mpoly_derivative(r.v_, v_, var, ctx_of(ring_));
  return r;
}

Rational QPoly::evaluate(std::span<const Rational> point) const {
  if (static_cast<int64_t>(point.size()) != ring_.nvars())
    throw InvalidInput("evaluate", fmt::format("{} values", point.size()), fmt::format("{} values", ring_.nvars()),
                       "BadPoint");
  std::vector<fmpq*> vals;
  for (const Rational& r : point) vals.push_back(const_cast<fmpq*>(r.raw()));
  Rational out;
  if (!fmpq_mpoly_evaluate_all_fmpq(out.raw(), v_, vals.data(), ctx_of(ring_)))
    throw NumericalFailure("evaluate", "polynomial", "a value FLINT can represent", "EvaluationFailed");
  return out;
}

uint64_t QPoly::evaluate_mod(std::span<const uint64_t> point, const PrimeField& f) const {
  if (static_cast<int64_t>(point.size()) != ring_.nvars())
    throw InvalidInput("evaluate", fmt::format("{} values", point.size()), fmt::format("{} values", ring_.nvars()),
                       "BadPoint");
  // v = content * zpoly (FLINT's representation): the integer polynomial mod
  // p, then one multiplication by the content (one inversion, not one per term)
  const fmpz_mpoly_struct* z = v_->zpoly;
  const fmpz_mpoly_ctx_struct* zc = ctx_of(ring_)->zctx;
  const uint64_t den = fmpz_fdiv_ui(fmpq_denref(v_->content), f.p());
  if (den == 0)
    throw NumericalFailure("evaluate mod p", "coefficient", "denominators not divisible by p", "DenominatorModP");
  const int64_t n = fmpz_mpoly_length(z, zc), nv = ring_.nvars();
  std::vector<ulong> exps(static_cast<size_t>(nv));
  std::vector<uint64_t> base(static_cast<size_t>(nv));
  for (int64_t i = 0; i < nv; ++i) base[static_cast<size_t>(i)] = point[static_cast<size_t>(i)] % f.p();
  uint64_t acc = 0;
  for (int64_t t = 0; t < n; ++t) {
    uint64_t term = fmpz_fdiv_ui(z->coeffs + t, f.p());
    fmpz_mpoly_get_term_exp_ui(exps.data(), z, t, zc);
    for (int64_t i = 0; i < nv && term; ++i)
      for (ulong e = exps[static_cast<size_t>(i)], b = base[static_cast<size_t>(i)]; e; e >>= 1, b = f.mul(b, b))
        if (e & 1) term = f.mul(term, b);
    acc = f.add(acc, term);
  }
  return f.mul(acc, f.mul(fmpz_fdiv_ui(fmpq_numref(v_->content), f.p()), f.inv(den)));
}

std::vector<QPoly::Term> QPoly::terms() const {
  std::vector<Term> out;
  const int64_t n = length(), nv = ring_.nvars();
  std::vector<ulong> exps(static_cast<size_t>(nv));
  for (int64_t t = 0; t < n; ++t) {
    Term term;
    fmpq_mpoly_get_term_coeff_fmpq(term.coeff.raw(), v_, t, ctx_of(ring_));
    fmpq_mpoly_get_term_exp_ui(exps.data(), v_, t, ctx_of(ring_));
    term.exps.assign(exps.begin(), exps.end());
    out.push_back(std::move(term));
  }
  return out;
}

std::string QPoly::str() const {
  std::vector<const char*> names;
  for (const std::string& s : ring_.names()) names.push_back(s.c_str());
  char* s = fmpq_mpoly_get_str_pretty(v_, names.data(), ctx_of(ring_));
  std::string out(s);
  flint_free(s);
  return out;
}

namespace {
struct ModMat {
  nmod_mat_t m;
  ModMat(std::span<const uint64_t> e, int64_t rows, int64_t cols, const PrimeField& f) {
    if (rows < 0 || cols < 0 || static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols) != e.size())
      throw InvalidInput("matrix mod p", fmt::format("{} entries for {} x {}", e.size(), rows, cols),
                         "rows * cols entries", "BadShape");
    nmod_mat_init(m, rows, cols, f.p());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) nmod_mat_entry(m, i, j) = e[static_cast<size_t>(i * cols + j)] % f.p();
  }
  ~ModMat() { nmod_mat_clear(m); }
};
}  // namespace

int64_t rank_mod(std::span<const uint64_t> entries, int64_t rows, int64_t cols, const PrimeField& f) {
  ModMat a(entries, rows, cols, f);
  return nmod_mat_rank(a.m);
}

std::vector<std::vector<uint64_t>> kernel_mod(std::span<const uint64_t> entries, int64_t rows, int64_t cols,
                                              const PrimeField& f) {
  ModMat a(entries, rows, cols, f);
  nmod_mat_t x;
  nmod_mat_init(x, cols, cols, f.p());
  const slong dim = nmod_mat_nullspace(x, a.m);
  nmod_mat_t basis;
  nmod_mat_init(basis, dim, cols, f.p());
  for (slong k = 0; k < dim; ++k)
    for (int64_t i = 0; i < cols; ++i) nmod_mat_entry(basis, k, i) = nmod_mat_entry(x, i, k);
  nmod_mat_rref(basis);
  std::vector<std::vector<uint64_t>> out(static_cast<size_t>(dim), std::vector<uint64_t>(static_cast<size_t>(cols)));
  for (slong k = 0; k < dim; ++k)
    for (int64_t i = 0; i < cols; ++i) out[static_cast<size_t>(k)][static_cast<size_t>(i)] = nmod_mat_entry(basis, k, i);
  nmod_mat_clear(basis);
  nmod_mat_clear(x);
  return out;
}

bool EchelonMod::add(std::vector<uint64_t> v) {
  if (static_cast<int64_t>(v.size()) != cols_)
    throw InvalidInput("vector mod p", fmt::format("{} entries", v.size()), fmt::format("{} entries", cols_), "BadShape");
  for (auto& x : v) x %= f_.p();
  // each row is zero at the pivots of the rows before it, so one pass suffices
  for (size_t k = 0; k < rows_.size(); ++k) {
    const uint64_t c = v[static_cast<size_t>(pivot_[k])];
    if (c) _nmod_vec_scalar_addmul_nmod(v.data(), rows_[k].data(), cols_, f_.neg(c), f_.mod());
  }
  const auto it = std::find_if(v.begin(), v.end(), [](uint64_t x) { return x != 0; });
  if (it == v.end()) return false;
  const uint64_t inv = f_.inv(*it);
  _nmod_vec_scalar_mul_nmod(v.data(), v.data(), cols_, inv, f_.mod());
  pivot_.push_back(it - v.begin());
  rows_.push_back(std::move(v));
  return true;
}

std::optional<Rational> rational_reconstruct(uint64_t a, const PrimeField& f) {
  Integer av(0), m(0);
  fmpz_set_ui(av.raw(), a % f.p());
  fmpz_set_ui(m.raw(), f.p());
  Rational r;
  if (!fmpq_reconstruct_fmpz(r.raw(), av.raw(), m.raw())) return std::nullopt;
  return r;
}

}  // namespace factorkit::exact
