// `factorkit lightsb` end to end (generate, fit with checkpoints and resume,
// sample, bench) and the model/checkpoint files: round trips, malformed files,
// bad input that names the file and field and writes nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>

#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "io.h"
#include "test_util.h"

namespace ls = factorkit::lightsb;
using factorkit::testing::read_bytes;
using factorkit::testing::run;
using factorkit::testing::TempDir;
using factorkit::testing::write_bytes;

TEST(LightsbCli, GenerateFitSampleAndResume) {
  TempDir dir;
  const std::string d = dir.path().string();
  ASSERT_EQ(run("lightsb generate --dim 2 --eps 1 --n 2000 --out '" + d + "/data'").code, 0);
  for (const char* f : {"source.npy", "target.npy", "test_inputs.npy", "truth.safetensors"})
    EXPECT_TRUE(std::filesystem::exists(d + "/data/" + f)) << f;
  const std::string files = " --source '" + d + "/data/source.npy' --target '" + d + "/data/target.npy' --eps 1 --K 20";
  const auto fit = run("--json lightsb fit" + files + " --steps 3000 -o '" + d + "/m.safetensors' --results '" + d +
                       "/r.json'");
  ASSERT_EQ(fit.code, 0) << fit.err;
  const auto r = nlohmann::json::parse(read_bytes(d + "/r.json"));
  EXPECT_EQ(r["loss"].size(), 3000u);
  EXPECT_DOUBLE_EQ(r["lr"].get<double>(), 3e-3);  // the reference's rate for ε = 1
  // stopped at 1500 with a checkpoint, resumed to 3000: the same model as one run of 3000
  const std::string ck = " --checkpoint '" + d + "/c.safetensors' --checkpoint-every 500";
  ASSERT_EQ(run("lightsb fit" + files + " --steps 1500" + ck + " -o '" + d + "/half.safetensors'").code, 0);
  const auto resumed = run("--json lightsb fit" + files + " --steps 3000" + ck + " --resume -o '" + d + "/a.safetensors'");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(nlohmann::json::parse(resumed.out)["resumed"].get<bool>());
  EXPECT_EQ(read_bytes(d + "/a.safetensors"), read_bytes(d + "/m.safetensors"));
  // a checkpoint of other settings is refused, naming it, and nothing is written
  const auto other = run("lightsb fit" + files + " --steps 3000 --batch 64" + ck + " --resume -o '" + d + "/b.safetensors'");
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.err.find("c.safetensors"), std::string::npos) << other.err;
  EXPECT_FALSE(std::filesystem::exists(d + "/b.safetensors"));
  // sampling: endpoints, bridges at t, trajectories, a picture
  const std::string s = "lightsb sample --model '" + d + "/m.safetensors' --x '" + d + "/data/test_inputs.npy'";
  ASSERT_EQ(run(s + " -o '" + d + "/y.npy' --plot '" + d + "/p.svg'").code, 0);
  const auto y = factorkit::read_tensor_file(d + "/y.npy");
  EXPECT_EQ(y.tensors[0].second.shape, (std::vector<int64_t>{1000, 2}));
  EXPECT_NE(read_bytes(d + "/p.svg").find("<circle"), std::string::npos);
  ASSERT_EQ(run(s + " --trajectory 10 -o '" + d + "/path.npy'").code, 0);
  EXPECT_EQ(factorkit::read_tensor_file(d + "/path.npy").tensors[0].second.shape, (std::vector<int64_t>{1000, 11, 2}));
  ASSERT_EQ(run(s + " --t 0.5 -o '" + d + "/mid.csv'").code, 0);
  // scored without ground truth: the mapped source is nearer the target than the source itself
  const auto e = run("--json lightsb eval --model '" + d + "/m.safetensors' --source '" + d + "/data/source.npy' --target '" +
                     d + "/data/target.npy' --rows 500");
  ASSERT_EQ(e.code, 0) << e.err;
  const auto ej = nlohmann::json::parse(e.out);
  EXPECT_LT(ej["energy_distance"].get<double>(), 0.5 * ej["energy_distance_unmapped"].get<double>()) << e.out;
  // a model of ε = 1 scored against ε = 0.1 is refused; bad counts name their option
  auto bad = run("lightsb eval --model '" + d + "/m.safetensors' --dim 2 --eps 0.1");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--eps 0.1"), std::string::npos) << bad.err;
  bad = run("lightsb eval --model '" + d + "/m.safetensors' --dim 2 --test-inputs 0");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--test-inputs"), std::string::npos) << bad.err;
  // a plot into a missing folder is refused before anything is written
  bad = run(s + " -o '" + d + "/y2.npy' --plot '" + d + "/no/such/p.svg'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_FALSE(std::filesystem::exists(d + "/y2.npy"));
  // and on the benchmark it came from (seed 0), far better than on another instance (seed 5)
  const std::string ev = "--json lightsb eval --model '" + d + "/m.safetensors' --dim 2 --test-inputs 50";
  const auto b = run(ev), elsewhere = run("--seed 5 " + ev);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_LT(3 * nlohmann::json::parse(b.out)["cbw2_uvp"].get<double>(),
            nlohmann::json::parse(elsewhere.out)["cbw2_uvp"].get<double>())
      << b.out << elsewhere.out;
}

TEST(LightsbCli, BadInputIsAClearErrorAndWritesNothing) {
  TempDir dir;
  const std::string d = dir.path().string();
  ASSERT_EQ(run("lightsb generate --dim 2 --eps 1 --n 100 --out '" + d + "/two'").code, 0);
  ASSERT_EQ(run("lightsb generate --dim 3 --eps 1 --n 100 --out '" + d + "/three'").code, 0);
  const std::string out = " -o '" + d + "/m.safetensors'";
  // dimensions differ
  auto bad = run("lightsb fit --source '" + d + "/two/source.npy' --target '" + d + "/three/target.npy' --steps 5" + out);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("three/target.npy"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("2 columns"), std::string::npos) << bad.err;
  // ε ≤ 0
  bad = run("lightsb fit --source '" + d + "/two/source.npy' --target '" + d + "/two/target.npy' --eps 0" + out);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--eps"), std::string::npos) << bad.err;
  // a NaN sample, named by row and column
  write_bytes(d + "/nan.csv", "1,2\n3,nan\n");
  bad = run("lightsb fit --source '" + d + "/nan.csv' --target '" + d + "/two/target.npy' --steps 5" + out);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("nan.csv"), std::string::npos) << bad.err;
  // a 1-D array
  write_bytes(d + "/flat.csv", "1\n2\n3\n");
  bad = run("lightsb fit --source '" + d + "/two/source.npy' --target '" + d + "/flat.csv' --steps 5" + out);
  EXPECT_NE(bad.code, 0);
  EXPECT_FALSE(std::filesystem::exists(d + "/m.safetensors"));
  // a model file that would not be safetensors; a trajectory into CSV
  bad = run("lightsb fit --source '" + d + "/two/source.npy' --target '" + d + "/two/target.npy' --steps 5 -o '" + d +
            "/m.npy'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("m.npy"), std::string::npos) << bad.err;
  bad = run("lightsb sample --model '" + d + "/two/truth.safetensors' --x '" + d + "/two/source.npy' --trajectory 3 -o '" +
            d + "/y.csv'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_FALSE(std::filesystem::exists(d + "/y.csv"));
  // sizes that would not fit are refused before any allocation
  bad = run("lightsb fit --source '" + d + "/two/source.npy' --target '" + d + "/two/target.npy' --K 2000000000" + out);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--K"), std::string::npos) << bad.err;
  ASSERT_EQ(run("lightsb generate --dim 2 --eps 1 --n 2000 --out '" + d + "/more'").code, 0);
  // 2000 rows x 2 x 100001 steps: more than 2^28 numbers
  bad = run("lightsb sample --model '" + d + "/two/truth.safetensors' --x '" + d +
            "/more/source.npy' --trajectory 100000 -o '" + d + "/path2.npy'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--trajectory"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(d + "/path2.npy"));
  // sampling with a model of another dimension; a file that is not a model
  bad = run("lightsb sample --model '" + d + "/two/truth.safetensors' --x '" + d + "/three/source.npy' -o '" + d +
            "/y.npy'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("three/source.npy"), std::string::npos) << bad.err;
  bad = run("lightsb sample --model '" + d + "/two/source.npy' --x '" + d + "/two/source.npy' -o '" + d + "/y.npy'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_FALSE(std::filesystem::exists(d + "/y.npy"));
}

TEST(LightsbFiles, ModelAndCheckpointRoundTripAndMalformedFilesAreRefused) {
  ls::Rng rng(1);
  ls::Model m;
  m.eps = 0.5;
  m.log_alpha_raw = ls::standard_normal(3, 1, rng);
  m.r = ls::standard_normal(3, 2, rng);
  m.s = ls::standard_normal(3, 2, rng);
  for (int k = 0; k < 3; ++k) m.rotation.push_back(ls::Matrix::Identity(2, 2));
  const ls::Model back = ls::decode_model(ls::encode_model(m), "m");
  EXPECT_EQ(back.r, m.r);
  EXPECT_EQ(back.s, m.s);
  EXPECT_EQ(back.eps, m.eps);
  EXPECT_EQ(back.rotation.size(), 3u);
  // the diagonal model drops the rotation
  ls::Model diag = m;
  diag.rotation.clear();
  EXPECT_TRUE(ls::decode_model(ls::encode_model(diag), "m").diagonal());
  auto refuses = [](factorkit::TensorFile f, const std::string& what) {
    try {
      ls::decode_model(f, "model.safetensors");
      ADD_FAILURE() << "accepted: " << what;
    } catch (const factorkit::Error& e) {
      EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos) << e.what();
    }
  };
  const factorkit::TensorFile good = ls::encode_model(m);
  for (const char* name : {"epsilon", "r", "log_alpha_raw", "S_log_diagonal_matrix", "S_rotation_matrix"}) {
    factorkit::TensorFile f = good;
    std::erase_if(f.tensors, [&](const auto& t) { return t.first == name; });
    refuses(f, std::string("without ") + name);
  }
  factorkit::TensorFile f = good;
  f.tensors[1].second.shape = {3};  // log_alpha_raw: wrong size for the data
  f.tensors[1].second.data.resize(3 * 8);
  f.tensors[1].second.shape = {2};
  f.tensors[1].second.data.resize(2 * 8);
  refuses(f, "log_alpha_raw of 2");
  f = good;
  f.metadata["format"] = "something-else";
  refuses(f, "another format");
  f = good;
  f.metadata["covariance"] = "banded";
  refuses(f, "unknown covariance");
  f = good;
  f.metadata["covariance"] = "diagonal";  // with rotations present
  refuses(f, "rotations in a diagonal model");
  f = good;
  for (auto& [name, t] : f.tensors)
    if (name == "S_log_diagonal_matrix") {
      const double big = 800;  // e^800 overflows
      std::memcpy(t.data.data(), &big, 8);
    }
  refuses(f, "an S that overflows");
  f = good;
  for (auto& [name, t] : f.tensors)
    if (name == "epsilon") t = ls::from_matrix(ls::Matrix::Constant(1, 1, -1.0));
  refuses(f, "negative epsilon");
  f = good;
  for (auto& [name, t] : f.tensors)
    if (name == "S_rotation_matrix") std::memset(t.data.data(), 0, 8);  // R[0](0,0) = 0: not orthogonal
  refuses(f, "a rotation that is not orthogonal");
  f = good;
  for (auto& [name, t] : f.tensors)
    if (name == "r") {
      const double nan = std::nan("");
      std::memcpy(t.data.data(), &nan, 8);
    }
  refuses(f, "a NaN");
  // checkpoints: round trip, and the run settings must match
  ls::FitOptions o;
  o.K = 4;
  o.steps = 20;
  const ls::Sampler sampler = [](Eigen::Index n, ls::Rng& g) { return ls::standard_normal(n, 2, g); };
  ls::FitState s = ls::start_fit(sampler, 2, o, 3);
  o.steps = 10;
  ls::fit_steps(s, sampler, sampler, o);
  const nlohmann::json run_settings{{"K", 4}};
  const ls::FitState c = ls::decode_checkpoint(ls::encode_checkpoint(s, run_settings), "c", run_settings);
  EXPECT_EQ(c.step, 10);
  EXPECT_EQ(c.losses, s.losses);
  EXPECT_EQ(c.m.r, s.m.r);
  EXPECT_EQ(ls::rng_state(c.rng), ls::rng_state(s.rng));
  EXPECT_THROW(ls::decode_checkpoint(ls::encode_checkpoint(s, run_settings), "c", nlohmann::json{{"K", 5}}),
               factorkit::InvalidInput);
  factorkit::TensorFile cf = ls::encode_checkpoint(s, run_settings);
  cf.metadata["step"] = "11";  // the loss history has 10
  EXPECT_THROW(ls::decode_checkpoint(cf, "c", run_settings), factorkit::MalformedFile);
  cf = ls::encode_checkpoint(s, run_settings);
  cf.metadata["rng"] = "not a state";
  EXPECT_THROW(ls::decode_checkpoint(cf, "c", run_settings), factorkit::MalformedFile);
  cf = ls::encode_checkpoint(s, run_settings);
  cf.metadata["run"] = "{";
  EXPECT_THROW(ls::decode_checkpoint(cf, "c", run_settings), factorkit::MalformedFile);
  cf = ls::encode_checkpoint(s, run_settings);
  cf.metadata["run"] = std::string(100000, '[') + std::string(100000, ']');  // deep nesting
  EXPECT_THROW(ls::decode_checkpoint(cf, "c", run_settings), factorkit::MalformedFile);
  // every tensor of the optimizer's state is required, second moments non-negative
  for (const char* name : {"adam_m.r", "adam_v.log_alpha_raw", "adam_v.S_log_diagonal_matrix", "losses"}) {
    cf = ls::encode_checkpoint(s, run_settings);
    std::erase_if(cf.tensors, [&](const auto& t) { return t.first == name; });
    EXPECT_THROW(ls::decode_checkpoint(cf, "c", run_settings), factorkit::MalformedFile) << name;
  }
  cf = ls::encode_checkpoint(s, run_settings);
  for (auto& [name, t] : cf.tensors)
    if (name == "adam_v.r") {
      const double minus = -1;
      std::memcpy(t.data.data(), &minus, 8);
    }
  EXPECT_THROW(ls::decode_checkpoint(cf, "c", run_settings), factorkit::MalformedFile);
  // the tensors must be those of the settings the file names
  const nlohmann::json wrong_dim{{"K", 4}, {"dim", 3}};
  EXPECT_THROW(ls::decode_checkpoint(ls::encode_checkpoint(s, wrong_dim), "c", wrong_dim), factorkit::MalformedFile);
  const nlohmann::json wrong_eps{{"K", 4}, {"eps", 0.5}};
  EXPECT_THROW(ls::decode_checkpoint(ls::encode_checkpoint(s, wrong_eps), "c", wrong_eps), factorkit::MalformedFile);
}
