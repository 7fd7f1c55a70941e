// LightSB files: samples, model, checkpoint.
#include "io.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"

namespace factorkit::lightsb {

namespace {

constexpr const char* kModelFormat = "factorkit-lightsb";
constexpr const char* kCheckpointFormat = "factorkit-lightsb-checkpoint";

std::string fmt_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::vector<double> doubles_of(const RawTensor& t, const std::string& where, const std::string& what) {
  const RawTensor d = cast(t, DType::F64, where + ": " + what);
  std::vector<double> v(std::size_t(d.numel()));
  if (!v.empty()) std::memcpy(v.data(), d.data.data(), v.size() * sizeof(double));
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw MalformedFile(where, what + " element " + std::to_string(i), "finite numbers", "NotFinite");
  return v;
}

RawTensor raw_of(const double* data, std::vector<int64_t> shape) {
  RawTensor t;
  t.dtype = DType::F64;
  t.shape = std::move(shape);
  t.data.resize(std::size_t(t.numel()) * sizeof(double));
  if (!t.data.empty()) std::memcpy(t.data.data(), data, t.data.size());
  return t;
}

// row-major copies of Eigen matrices
RawTensor raw_matrix(const Matrix& m) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
  return raw_of(rm.data(), {int64_t(m.rows()), int64_t(m.cols())});
}
RawTensor raw_vector(const Vector& v) { return raw_of(v.data(), {int64_t(v.size())}); }
RawTensor raw_stack(const std::vector<Matrix>& ms, Eigen::Index rows, Eigen::Index cols) {
  std::vector<double> all;
  for (const Matrix& m : ms) {
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
    all.insert(all.end(), rm.data(), rm.data() + rm.size());
  }
  return raw_of(all.data(), {int64_t(ms.size()), int64_t(rows), int64_t(cols)});
}

const RawTensor& need(const TensorFile& f, const std::string& file, const std::string& name) {
  const RawTensor* t = f.find(name);
  if (t == nullptr) throw MalformedFile(file, "tensor " + name, "present", "MissingTensor");
  return *t;
}

void need_shape(const RawTensor& t, const std::string& file, const std::string& name, const std::vector<int64_t>& shape) {
  if (t.shape != shape)
    throw MalformedFile(file, "tensor " + name + " shape " + shape_str(t.shape), "shape " + shape_str(shape), "BadShape");
}

Matrix matrix_of(const RawTensor& t, const std::string& file, const std::string& name, int64_t rows, int64_t cols) {
  need_shape(t, file, name, {rows, cols});
  const std::vector<double> v = doubles_of(t, file, "tensor " + name);
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), rows, cols);
}

Vector vector_of(const RawTensor& t, const std::string& file, const std::string& name, int64_t n) {
  need_shape(t, file, name, {n});
  const std::vector<double> v = doubles_of(t, file, "tensor " + name);
  return Eigen::Map<const Vector>(v.data(), n);
}

std::vector<Matrix> stack_of(const RawTensor& t, const std::string& file, const std::string& name, int64_t k,
                             int64_t rows, int64_t cols) {
  need_shape(t, file, name, {k, rows, cols});
  const std::vector<double> v = doubles_of(t, file, "tensor " + name);
  std::vector<Matrix> out;
  for (int64_t i = 0; i < k; ++i)
    out.push_back(Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        v.data() + i * rows * cols, rows, cols));
  return out;
}

void add_parameters(TensorFile& f, const std::string& prefix, const Vector& a, const Matrix& r, const Matrix& s,
                    const std::vector<Matrix>& rotation) {
  f.tensors.emplace_back(prefix + "log_alpha_raw", raw_vector(a));
  f.tensors.emplace_back(prefix + "r", raw_matrix(r));
  f.tensors.emplace_back(prefix + "S_log_diagonal_matrix", raw_matrix(s));
  if (!rotation.empty()) f.tensors.emplace_back(prefix + "S_rotation_matrix", raw_stack(rotation, r.cols(), r.cols()));
}

}  // namespace

Matrix to_matrix(const RawTensor& t, const std::string& where, const std::string& what) {
  if (t.shape.size() != 2)
    throw MalformedFile(where, what + " shape " + shape_str(t.shape), "a 2-D array (samples x dimensions)", "BadShape");
  if (t.shape[0] == 0 || t.shape[1] == 0)
    throw MalformedFile(where, what + " shape " + shape_str(t.shape), "at least one row and one column", "BadShape");
  const RawTensor d = cast(t, DType::F64, where);
  const auto rows = Eigen::Index(t.shape[0]), cols = Eigen::Index(t.shape[1]);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm(rows, cols);
  std::memcpy(rm.data(), d.data.data(), d.data.size());
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j)
      if (!std::isfinite(rm(i, j)))
        throw MalformedFile(where, what + " row " + std::to_string(i) + ", column " + std::to_string(j),
                            "finite numbers (found " + std::to_string(rm(i, j)) + ")", "NotFinite");
  return rm;
}

Matrix read_samples(const std::string& path, const std::string& what, Eigen::Index min_rows) {
  const TensorFile f = read_tensor_file(path);
  if (f.tensors.size() != 1)
    throw MalformedFile(path, "tensors", "exactly one array of " + what + " (found " + std::to_string(f.tensors.size()) + ")",
                        "NotOneTensor");
  Matrix m = to_matrix(f.tensors[0].second, path, what);
  if (m.rows() < min_rows)
    throw MalformedFile(path, what + " rows", "at least " + std::to_string(min_rows) + " (found " + std::to_string(m.rows()) + ")",
                        "TooFewRows");
  return m;
}

RawTensor from_matrix(const Matrix& m, DType dtype) { return cast(raw_matrix(m), dtype, "samples"); }

RawTensor from_trajectory(const std::vector<Matrix>& path, DType dtype) {
  if (path.empty()) return from_matrix(Matrix(0, 0), dtype);
  const Eigen::Index n = path[0].rows(), D = path[0].cols(), T = Eigen::Index(path.size());
  std::vector<double> all(std::size_t(n * T * D));
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index t = 0; t < T; ++t)
      for (Eigen::Index d = 0; d < D; ++d) all[std::size_t((i * T + t) * D + d)] = path[std::size_t(t)](i, d);
  return cast(raw_of(all.data(), {int64_t(n), int64_t(T), int64_t(D)}), dtype, "trajectory");
}

void write_samples(const std::string& path, const Matrix& m, DType dtype) {
  TensorFile f;
  f.tensors.emplace_back("samples", from_matrix(m, dtype));
  write_tensor_file(path, f);
}

TensorFile encode_model(const Model& m) {
  TensorFile f;
  f.metadata = {{"format", kModelFormat}, {"version", "1"}, {"covariance", m.diagonal() ? "diagonal" : "full"}};
  f.tensors.emplace_back("epsilon", raw_of(&m.eps, {}));
  add_parameters(f, "", m.log_alpha_raw, m.r, m.s, m.rotation);
  return f;
}

Model decode_model(const TensorFile& f, const std::string& file) {
  const auto fmt = f.metadata.find("format");
  if (fmt != f.metadata.end() && fmt->second != kModelFormat)
    throw MalformedFile(file, "metadata format \"" + fmt->second + "\"", std::string("\"") + kModelFormat + "\"",
                        "WrongFormat");
  Model m;
  const RawTensor& eps = need(f, file, "epsilon");
  if (eps.numel() != 1) throw MalformedFile(file, "tensor epsilon shape " + shape_str(eps.shape), "one number", "BadShape");
  m.eps = doubles_of(eps, file, "tensor epsilon")[0];
  if (!(m.eps > 0)) throw MalformedFile(file, "tensor epsilon", "a positive number", "BadValue");
  const RawTensor& r = need(f, file, "r");
  if (r.shape.size() != 2 || r.shape[0] <= 0 || r.shape[1] <= 0)
    throw MalformedFile(file, "tensor r shape " + shape_str(r.shape), "K x D with K, D >= 1", "BadShape");
  const int64_t K = r.shape[0], D = r.shape[1];
  if (K > 1'000'000 || D > 100'000 || (f.find("S_rotation_matrix") != nullptr && K * D * D > (int64_t(1) << 31)))
    throw MalformedFile(file, "tensor r shape " + shape_str(r.shape), "at most 1e6 components and 1e5 dimensions",
                        "TooLarge");
  m.r = matrix_of(r, file, "r", K, D);
  m.log_alpha_raw = vector_of(need(f, file, "log_alpha_raw"), file, "log_alpha_raw", K);
  m.s = matrix_of(need(f, file, "S_log_diagonal_matrix"), file, "S_log_diagonal_matrix", K, D);
  const auto cov = f.metadata.find("covariance");
  const bool full = f.find("S_rotation_matrix") != nullptr && (cov == f.metadata.end() || cov->second == "full");
  if (cov != f.metadata.end() && cov->second != "full" && cov->second != "diagonal")
    throw MalformedFile(file, "metadata covariance \"" + cov->second + "\"", "\"diagonal\" or \"full\"", "BadValue");
  if (cov != f.metadata.end() && cov->second == "full" && f.find("S_rotation_matrix") == nullptr)
    throw MalformedFile(file, "tensor S_rotation_matrix", "present for a full-covariance model", "MissingTensor");
  if (cov != f.metadata.end() && cov->second == "diagonal" && f.find("S_rotation_matrix") != nullptr)
    throw MalformedFile(file, "tensor S_rotation_matrix", "absent from a model whose metadata says diagonal",
                        "UnexpectedTensor");
  if (full) m.rotation = stack_of(need(f, file, "S_rotation_matrix"), file, "S_rotation_matrix", K, D, D);
  try {
    m.check(file.c_str());
  } catch (const InvalidInput& e) {
    throw MalformedFile(file, e.field(), e.expected(), "BadModel");
  }
  return m;
}

void write_model(const std::string& path, const Model& m) { write_safetensors(path, encode_model(m)); }

Model read_model(const std::string& path) { return decode_model(read_safetensors(FileSource(path)), path); }

TensorFile encode_checkpoint(const FitState& s, const nlohmann::json& run) {
  TensorFile f = encode_model(s.model);
  f.metadata["format"] = kCheckpointFormat;
  f.metadata["step"] = std::to_string(s.step);
  f.metadata["rng"] = rng_state(s.rng);
  f.metadata["run"] = run.dump();
  add_parameters(f, "adam_m.", s.m.log_alpha_raw, s.m.r, s.m.s, s.m.rotation);
  add_parameters(f, "adam_v.", s.v.log_alpha_raw, s.v.r, s.v.s, s.v.rotation);
  f.tensors.emplace_back("losses", raw_of(s.losses.data(), {int64_t(s.losses.size())}));
  return f;
}

FitState decode_checkpoint(const TensorFile& f, const std::string& file, const nlohmann::json& run) {
  auto meta = [&](const char* key) {
    const auto it = f.metadata.find(key);
    if (it == f.metadata.end()) throw MalformedFile(file, std::string("metadata ") + key, "present", "MissingMetadata");
    return it->second;
  };
  if (meta("format") != kCheckpointFormat)
    throw MalformedFile(file, "metadata format", std::string("\"") + kCheckpointFormat + "\"", "WrongFormat");
  nlohmann::json saved;
  try {
    // settings are a flat object: refuse deep nesting before it costs stack
    saved = nlohmann::json::parse(meta("run"), [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > 8) throw MalformedFile("", "", "", "");
      return true;
    });
  } catch (const nlohmann::json::exception&) {
    throw MalformedFile(file, "metadata run", "a JSON object of run settings", "BadJson");
  } catch (const MalformedFile&) {
    throw MalformedFile(file, "metadata run", "a flat JSON object of run settings", "BadJson");
  }
  if (!saved.is_object()) throw MalformedFile(file, "metadata run", "a JSON object of run settings", "BadJson");
  if (saved != run) {
    std::string text = saved.dump();
    if (text.size() > 300) text = text.substr(0, 300) + "…";
    throw InvalidInput(file, "run settings " + text,
                       "the settings of this run " + run.dump() + " (remove the checkpoint or use the same options)",
                       "CheckpointMismatch");
  }
  TensorFile model_part = f;
  model_part.metadata["format"] = kModelFormat;
  FitState s;
  s.model = decode_model(model_part, file);
  const std::string step = meta("step");
  if (step.empty() || step.size() > 12 || step.find_first_not_of("0123456789") != std::string::npos)
    throw MalformedFile(file, "metadata step \"" + step + "\"", "a non-negative integer", "BadValue");
  s.step = std::stol(step);
  try {
    s.rng = rng_from_state(meta("rng"));
  } catch (const InvalidInput&) {
    throw MalformedFile(file, "metadata rng", "a generator state", "BadValue");
  }
  const int64_t K = s.model.K(), D = s.model.D();
  auto moments = [&](const std::string& p) {
    Gradient g;
    g.log_alpha_raw = vector_of(need(f, file, p + "log_alpha_raw"), file, p + "log_alpha_raw", K);
    g.r = matrix_of(need(f, file, p + "r"), file, p + "r", K, D);
    g.s = matrix_of(need(f, file, p + "S_log_diagonal_matrix"), file, p + "S_log_diagonal_matrix", K, D);
    if (!s.model.diagonal()) g.rotation = stack_of(need(f, file, p + "S_rotation_matrix"), file, p + "S_rotation_matrix", K, D, D);
    return g;
  };
  // the tensors must be those of the settings the file names
  auto against = [&](const char* key, double value, const std::string& what) {
    const auto it = run.find(key);
    if (it != run.end() && it->is_number() && it->get<double>() != value)
      throw MalformedFile(file, what + " " + fmt_number(value), std::string("the run's ") + key + " " + it->dump(),
                          "CheckpointInconsistent");
  };
  against("K", double(K), "components");
  against("dim", double(D), "dimension");
  against("eps", s.model.eps, "tensor epsilon");
  if (const auto it = run.find("diagonal"); it != run.end() && it->is_boolean() && it->get<bool>() != s.model.diagonal())
    throw MalformedFile(file, "covariance", std::string("the run's: ") + (it->get<bool>() ? "diagonal" : "full"),
                        "CheckpointInconsistent");
  s.m = moments("adam_m.");
  s.v = moments("adam_v.");
  auto nonneg = [&](const Gradient& g, const char* which) {
    bool ok = (g.log_alpha_raw.array() >= 0).all() && (g.r.array() >= 0).all() && (g.s.array() >= 0).all();
    for (const auto& m : g.rotation) ok = ok && (m.array() >= 0).all();
    if (!ok) throw MalformedFile(file, which, "non-negative second moments", "BadValue");
  };
  nonneg(s.v, "adam_v tensors");
  const RawTensor& losses = need(f, file, "losses");
  need_shape(losses, file, "losses", {int64_t(s.step)});
  s.losses = doubles_of(losses, file, "tensor losses");
  return s;
}

void write_checkpoint(const std::string& path, const FitState& s, const nlohmann::json& run) {
  write_safetensors(path, encode_checkpoint(s, run));
}

FitState read_checkpoint(const std::string& path, const nlohmann::json& run) {
  return decode_checkpoint(read_safetensors(FileSource(path)), path, run);
}

}  // namespace factorkit::lightsb
