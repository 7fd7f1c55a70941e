// Writes the fuzzers' seed corpus: the malformed-file corpus of the tests plus
// a few valid files per format. Usage: make_corpus DIR (creates DIR/<format>/).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <fstream>
#include <iostream>

#include "core/malformed_corpus.h"
#include "datasets/spm_builder.h"
#include "factorkit/core/formats.h"

int main(int argc, char** argv) {
  using namespace factorkit;
  if (argc != 2) {
    std::cerr << "usage: make_corpus DIR\n";
    return 2;
  }
  namespace fs = std::filesystem;
  fs::path root(argv[1]);
  for (const char* d : {"safetensors", "npy", "idx", "csv", "esma_checkpoint", "sem_graph", "diagram_json", "lexicon", "qnlp_dataset", "qnlp_model", "lightsb_model", "wordnet", "sentencepiece", "anncur_index"}) fs::create_directories(root / d);
  auto put = [&](const std::string& dir, const std::string& name, const std::string& bytes) {
    std::ofstream(root / dir / name, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  };
  for (const auto& c : testing::malformed_corpus()) {
    std::string dir = c.name.find(".safetensors") != std::string::npos ? "safetensors"
                      : c.name.find(".npy") != std::string::npos        ? "npy"
                      : c.name.find(".idx") != std::string::npos        ? "idx"
                                                                        : "csv";
    put(dir, c.name, c.bytes);
  }
  RawTensor t;
  t.dtype = DType::F32;
  t.shape = {2, 3};
  t.data.resize(24, std::byte{0x3f});
  TensorFile f;
  f.tensors = {{"w", t}, {"b", t}};
  f.metadata["k"] = "v";
  auto st = encode_safetensors(f);
  put("safetensors", "valid.safetensors", std::string(reinterpret_cast<char*>(st.data()), st.size()));
  auto npy = encode_npy(t);
  put("npy", "valid.npy", std::string(reinterpret_cast<char*>(npy.data()), npy.size()));
  auto idx = encode_idx(t);
  std::string idxs(reinterpret_cast<char*>(idx.data()), idx.size());
  put("idx", "valid.idx", idxs);
  put("idx", "valid.idx.gz", testing::gzip(idxs));
  put("csv", "valid.csv", "a,b,c\n1,2.5,-3e4\n\"4\",nan,inf\n");
  put("csv", "valid2.csv", "1;2\n3;4\n");
  put("esma_checkpoint", "valid.json",
      R"({"format":"factorkit-esma-checkpoint","version":1,"search":{"constant":"e","depth":105},"items":3,)"
      R"("done":[{"i":0,"candidates":4,"zero_terms":1,"precision_stops":0,"hits":[{"period":1,"c":[1,-2,1],"L":2,)"
      R"("terms":["1","3","5","7"]}]},{"i":2,"candidates":4,"zero_terms":0,"precision_stops":4,"hits":[]}]})");
  put("esma_checkpoint", "truncated.json", R"({"format":"factorkit-esma-checkpoint","version":1,"search":{},"it)");
  put("sem_graph", "arrows.txt", "1 -> 2 -> 3 -> 1; 1 <-> 3\n4 <- 2 # comment\n5");
  put("sem_graph", "lavaan.txt", "y ~ x1 + x2\nx1 ~~ x2\ny ~~ y\n");
  put("sem_graph", "bad.txt", "1 -> 1; a b; y ~");
  put("diagram_json", "sentence.json",
      R"({"format":"factorkit.diagram","version":1,"dom":[],"cod":["s"],"boxes":[{"kind":"word","name":"Alice",)"
      R"("cod":["n"]},{"kind":"word","name":"loves","cod":["n.r","s","n.l"]},{"kind":"word","name":"Bob","cod":["n"]},)"
      R"({"kind":"cup","dom":["n","n.r"]},{"kind":"cup","dom":["n.l","n"]}],"layers":[[0,0],[1,1],[2,4],[3,0],[4,1]],)"
      R"("dims":{"n":2,"s":1}})");
  put("diagram_json", "kinds.json",
      R"({"format":"factorkit.diagram","version":1,"dom":["x",{"name":"a.l","z":-1}],"boxes":[{"name":"f",)"
      R"("dom":["x"],"cod":["x","x"],"z":2,"dagger":true,"data":[0.5,-1e300]},{"kind":"cap","cod":["x","x.l"]},)"
      R"({"kind":"swap","dom":["x","x"]},{"kind":"spider","legs":[2,0],"ob":"x"}],"layers":[[1,0],[2,1],[3,0]]})");
  put("qnlp_dataset", "mc.txt", "1  skillful man prepares sauce .\n0  person runs program .\n\n1 woman cooks tasty meal .");
  put("qnlp_dataset", "bad.txt", "2 x .\n1\n1sentence\n");
  put("qnlp_model", "model.json",
      R"({"format":"factorkit-qnlp-model","version":1,"ansatz":"iqp","layers":1,"single_qubit_params":3,)"
      R"("qubits":{"n":1,"s":1},"remove_cups":true,"target":"s","lexicon":"man: n\nruns: n.r s\n",)"
      R"("parameters":{"man__n_0":0.25,"runs__n.r@s_0":-1.5}})");
  std::ostringstream rng_text;
  rng_text << std::mt19937_64(5489);
  const std::string rng_state = rng_text.str();
  put("qnlp_model", "checkpoint.json",
      R"({"format":"factorkit-qnlp-checkpoint","version":1,"optimizer":"adam","seed":0,"batch_size":30,"epochs":2,)"
      R"("patience":0,"train_size":70,"learning_rate":0.05,"spsa_a":0.2,"spsa_c":0.06,"spsa_A":0.02,"stopped":false,)"
      R"("epoch":1,"step":3,"parameters":["a"],"weights":[0.5],"adam_m":[0.1],"adam_v":[0.01],"best_weights":[0.5],)"
      R"("best_epoch":1,"best_dev_acc":0.9,"best_dev_loss":0.3,"since_best":0,"rng":")" + rng_state + R"(",)"
      R"("history":[{"epoch":1,"train_loss":0.5,"train_acc":0.8,"dev_loss":0.4,"dev_acc":0.9,"seconds":0.01}]})");
  put("lexicon", "example.txt", "# words\nAlice: n\nloves: n.r s n.l\nBob: n | n.l.l\nwho: n.r n s.l n\n");
  put("lexicon", "bad.txt", "Alice n\n: s\nx: a..l\n");
  put("diagram_json", "bad_offset.json",
      R"({"format":"factorkit.diagram","version":1,"dom":["x"],"boxes":[{"name":"f","dom":["x"],"cod":[]}],)"
      R"("layers":[[0,4294967295]]})");
  std::cout << "seed corpus written to " << root << "\n";
  {
    // a LightSB model (K = 2, D = 2, diagonal) and one with rotations
    auto f64 = [](std::vector<int64_t> shape, std::vector<double> v) {
      RawTensor r;
      r.dtype = DType::F64;
      r.shape = std::move(shape);
      r.data.resize(v.size() * 8);
      std::memcpy(r.data.data(), v.data(), r.data.size());
      return r;
    };
    TensorFile m;
    m.metadata = {{"format", "factorkit-lightsb"}, {"version", "1"}, {"covariance", "diagonal"}};
    m.tensors = {{"epsilon", f64({}, {0.5})},
                 {"log_alpha_raw", f64({2}, {-0.3, -0.4})},
                 {"r", f64({2, 2}, {1, 2, -1, 0.5})},
                 {"S_log_diagonal_matrix", f64({2, 2}, {0, -1, 0.2, 0.1})}};
    auto bytes = encode_safetensors(m);
    put("lightsb_model", "diagonal.safetensors", std::string(reinterpret_cast<char*>(bytes.data()), bytes.size()));
    {
      // an ANNCUR index: 2 anchor queries, 1 anchor item, 3 items
      auto i64 = [](std::vector<int64_t> shape, std::vector<int64_t> v) {
        RawTensor r;
        r.dtype = DType::I64;
        r.shape = std::move(shape);
        r.data.resize(v.size() * 8);
        std::memcpy(r.data.data(), v.data(), r.data.size());
        return r;
      };
      TensorFile ix;
      ix.metadata = {{"format", "factorkit-anncur-index/1"}, {"anncur", R"({"anchor_items":1,"seed":0})"}};
      ix.tensors = {{"anchor_queries", i64({2}, {0, 4})},
                    {"anchor_items", i64({1}, {2})},
                    {"r", f64({2, 3}, {1, 2, 3, 4, 5, 6})},
                    {"u", f64({1, 2}, {0.1, 0.2})},
                    {"e", f64({1, 3}, {0.9, 1.2, 1.5})}};
      auto ib = encode_safetensors(ix);
      put("anncur_index", "index.safetensors", std::string(reinterpret_cast<char*>(ib.data()), ib.size()));
      put("anncur_index", "queries.txt", "the [[bank]] of the river\r\nshe went to the [[bank]]\n");
      put("anncur_index", "items.txt", "bank\tsloping land\ndog\ta canine");
    }
    m.metadata["covariance"] = "full";
    m.tensors.emplace_back("S_rotation_matrix", f64({2, 2, 2}, {1, 0, 0, 1, 0, 1, -1, 0}));
    bytes = encode_safetensors(m);
    put("lightsb_model", "full.safetensors", std::string(reinterpret_cast<char*>(bytes.data()), bytes.size()));
  }
  put("wordnet", "data.lines",
      "  licence line\n"
      "00000015 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 001 @ 02083346 n 0000 | a member of the genus "
      "Canis; \"the dog barked all night\"\n");
  put("wordnet", "verb.lines", "00000000 29 v 01 breathe 0 001 * 00005041 v 0000 02 + 02 00 + 08 01 | draw air; \"breathe deeply\"\n");
  put("wordnet", "adj.lines", "00000000 00 a 01 able(a) 0 000 | having the means\n");
  put("sentencepiece", "small.model", testing::spm_model(testing::small_spm_model()));
  {
    testing::SpmModelSpec bytes = testing::small_spm_model();
    bytes.byte_fallback = true;
    for (int b = 0; b < 256; ++b) bytes.pieces.push_back({[&] { char n[8]; std::snprintf(n, sizeof n, "<0x%02X>", b); return std::string(n); }(), 0, 6});
    put("sentencepiece", "bytes.model", testing::spm_model(bytes));
  }
  return 0;
}
