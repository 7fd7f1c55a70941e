// LightSB files: sample arrays (any tensor file factorkit reads: .npy,
// .safetensors, .csv), the model file and the fitting checkpoint.
//
// Model file (safetensors), tensors named as the reference's state_dict:
//   epsilon                 scalar
//   log_alpha_raw           K          (log α = log_alpha_raw / ε)
//   r                       K × D
//   S_log_diagonal_matrix   K × D      (log of S's diagonal, or eigenvalues)
//   S_rotation_matrix       K × D × D  (only for full covariance: S = R diag(e^s) Rᵀ)
// metadata {"format": "factorkit-lightsb", "version": "1"}. float32 or
// float64; written as float64.
//
// Checkpoint (safetensors): the model's tensors, Adam's moments (adam_m.NAME,
// adam_v.NAME), the loss history (losses), and metadata "step", "rng" (the
// generator's state) and "run" (the settings it belongs to, JSON).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "factorkit/core/raw_tensor.h"
#include "fit.h"

namespace factorkit::lightsb {

// A 2-D array of finite numbers with at least `min_rows` rows. Errors name the
// file, the field and what was expected (MalformedFile / InvalidInput).
Matrix read_samples(const std::string& path, const std::string& what, Eigen::Index min_rows = 1);
Matrix to_matrix(const RawTensor& t, const std::string& where, const std::string& what);
RawTensor from_matrix(const Matrix& m, DType dtype = DType::F64);
// n × steps × D trajectories as one tensor
RawTensor from_trajectory(const std::vector<Matrix>& path, DType dtype = DType::F64);
void write_samples(const std::string& path, const Matrix& m, DType dtype = DType::F64);

TensorFile encode_model(const Model& m);
Model decode_model(const TensorFile& f, const std::string& file);
void write_model(const std::string& path, const Model& m);
Model read_model(const std::string& path);

TensorFile encode_checkpoint(const FitState& s, const nlohmann::json& run);
// Throws InvalidInput when `run` differs from the checkpoint's settings.
FitState decode_checkpoint(const TensorFile& f, const std::string& file, const nlohmann::json& run);
void write_checkpoint(const std::string& path, const FitState& s, const nlohmann::json& run);
FitState read_checkpoint(const std::string& path, const nlohmann::json& run);

}  // namespace factorkit::lightsb
