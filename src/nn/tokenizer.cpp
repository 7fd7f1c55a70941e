// SentencePiece tokenizer: training, loading, special tokens, pair encoding.
#include "factorkit/nn/tokenizer.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/data/wordnet.h"
#include "factorkit/data/wordnet_tasks.h"

namespace fs = std::filesystem;

namespace factorkit::nn {

namespace {

void check_specials(const data::SentencePieceModel& m, const std::string& where) {
  const std::pair<int, const char*> want[] = {{Tokenizer::kPad, "[PAD]"}, {Tokenizer::kCls, "[CLS]"},
                                              {Tokenizer::kSep, "[SEP]"}, {Tokenizer::kMask, "[MASK]"}};
  for (const auto& [id, piece] : want)
    if (m.size() <= id || m.piece(id).text != piece)
      throw MalformedFile(where, fmt::format("piece {}", id), fmt::format("the special token {} (a factorkit tokenizer)", piece),
                          "BadTokenizer");
  if (m.unk_id() != Tokenizer::kUnk) throw MalformedFile(where, "unknown piece", "id 1", "BadTokenizer");
}

std::string find_spm_train() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    const std::string p = std::string(dir) + "/spm_train";
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  throw InvalidInput("tokenizer", "spm_train",
                     "SentencePiece's trainer program (apt-get install sentencepiece)", "MissingTool");
}

// Runs argv with stdout and stderr into `log`; returns the exit status.
int run_program(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw InvalidInput("tokenizer", "spm_train", "a process to run it in (fork failed)", "NoProcess");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) ::dup2(fd, 1), ::dup2(fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

Tokenizer Tokenizer::train(const std::vector<std::string>& lines, const TokenizerOptions& o, const std::string& path) {
  if (o.vocab_size < 300 || o.vocab_size > 1000000)
    throw InvalidInput("tokenizer", "vocab size", "300 … 1000000 (5 special + 256 byte pieces + learned ones)", "BadOption");
  if (o.model_type != "unigram")
    throw InvalidInput("tokenizer", "model type", "unigram, not '" + o.model_type + "'", "BadOption");
  if (lines.empty()) throw InvalidInput("tokenizer", "training text", "at least one line", "BadOption");
  const std::string trainer = find_spm_train();
  std::string tmpl = (fs::temp_directory_path() / "factorkit-spm-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw InvalidInput("tokenizer", "temporary folder", "a writable temporary folder", "NotWritable");
  const fs::path tmp = tmpl;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{tmp};
  {
    std::ofstream corpus(tmp / "corpus.txt", std::ios::binary);
    for (const std::string& l : lines) {
      if (l.find('\n') != std::string::npos)
        throw InvalidInput("tokenizer", "training text", "lines without newline characters", "BadOption");
      corpus << l << '\n';
    }
    if (!corpus) throw InvalidInput("tokenizer", "temporary corpus", "space in the temporary folder", "NotWritable");
  }
  const std::vector<std::string> argv{
      trainer,
      "--input=" + (tmp / "corpus.txt").string(),
      "--model_prefix=" + (tmp / "m").string(),
      "--model_type=unigram",
      fmt::format("--vocab_size={}", o.vocab_size),
      "--character_coverage=1.0",
      "--byte_fallback=true",
      "--normalization_rule_name=identity",
      "--remove_extra_whitespaces=false",
      "--split_digits=true",
      "--pad_id=0",
      "--pad_piece=[PAD]",
      "--unk_id=1",
      "--bos_id=-1",
      "--eos_id=-1",
      "--user_defined_symbols=[CLS],[SEP],[MASK]",
      "--num_threads=2",
      "--max_sentence_length=100000",
      "--input_sentence_size=0",
      "--shuffle_input_sentence=false",
      "--random_seed=1"};
  const std::string log = (tmp / "log.txt").string();
  if (run_program(argv, log) != 0) {
    std::ifstream f(log);
    std::string text((std::istreambuf_iterator<char>(f)), {}), last;
    std::istringstream ls(text);
    for (std::string line; std::getline(ls, line);)
      if (!line.empty()) last = line;
    throw InvalidInput("tokenizer", "training", "a text and vocabulary size spm_train accepts (it said: " + last + ")",
                       "TokenizerTraining");
  }
  std::ifstream f(tmp / "m.model", std::ios::binary);
  const std::string proto((std::istreambuf_iterator<char>(f)), {});
  write_file_atomic(path, proto);
  return load(path);
}

Tokenizer Tokenizer::load(const std::string& path) {
  data::SentencePieceModel m = data::SentencePieceModel::read(path);
  check_specials(m, path);
  return Tokenizer(std::move(m), path);
}

int Tokenizer::vocab_size() const { return model_.size(); }

std::vector<int> Tokenizer::encode(std::string_view text) const { return model_.encode(text); }

std::string Tokenizer::decode(const std::vector<int>& ids) const { return model_.decode(ids); }

std::string Tokenizer::piece(int id) const {
  if (id < 0 || id >= vocab_size()) throw InvalidInput("tokenizer", fmt::format("id {}", id), "a vocabulary id", "BadId");
  return model_.piece(id).text;
}

std::vector<int> Tokenizer::encode_single(std::string_view text, std::size_t max_len) const {
  if (max_len < 2) throw InvalidInput("tokenizer", "max_len", "at least 2 ([CLS] and [SEP])", "BadOption");
  std::vector<int> t = encode(text);
  if (t.size() > max_len - 2) t.resize(max_len - 2);
  std::vector<int> out{kCls};
  out.insert(out.end(), t.begin(), t.end());
  out.push_back(kSep);
  return out;
}

std::vector<int> Tokenizer::encode_pair(std::string_view a, std::string_view b, std::size_t max_len) const {
  if (max_len < 3) throw InvalidInput("tokenizer", "max_len", "at least 3 ([CLS] and two [SEP])", "BadOption");
  std::vector<int> x = encode(a), y = encode(b);
  while (x.size() + y.size() > max_len - 3) (x.size() >= y.size() ? x : y).pop_back();
  std::vector<int> out{kCls};
  out.insert(out.end(), x.begin(), x.end());
  out.push_back(kSep);
  out.insert(out.end(), y.begin(), y.end());
  out.push_back(kSep);
  return out;
}

at::Tensor Tokenizer::pad_batch(const std::vector<std::vector<int>>& rows) {
  std::size_t t = 1;
  for (const auto& r : rows) t = std::max(t, r.size());
  at::Tensor out = at::full({std::int64_t(rows.size()), std::int64_t(t)}, kPad, at::kLong);
  auto a = out.accessor<std::int64_t, 2>();
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < rows[i].size(); ++j) a[std::int64_t(i)][std::int64_t(j)] = rows[i][j];
  return out;
}

std::string cache_dir() {
  std::string dir;
  if (const char* c = std::getenv("FACTORKIT_CACHE"); c && *c)
    dir = c;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    dir = std::string(x) + "/factorkit";
  else if (const char* h = std::getenv("HOME"); h && *h)
    dir = std::string(h) + "/.cache/factorkit";
  else
    dir = (fs::temp_directory_path() / "factorkit-cache").string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    throw InvalidInput(dir, "cache folder", "a folder that can be created (set FACTORKIT_CACHE)", "NotWritable");
  return dir;
}

std::string wordnet_tokenizer_path(const TokenizerOptions& o) {
  return fmt::format("{}/tokenizer/wordnet-{}-{}.model", cache_dir(), o.model_type, o.vocab_size);
}

Tokenizer wordnet_tokenizer(const TokenizerOptions& o) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const std::string path = wordnet_tokenizer_path(o);
  if (fs::exists(path)) return Tokenizer::load(path);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw InvalidInput(fs::path(path).parent_path().string(), "cache folder", "a folder that can be created (" + ec.message() + "; set FACTORKIT_CACHE)", "NotWritable");
  const data::TextCorpus corpus = data::text_corpus(data::read_wordnet());
  return Tokenizer::train(corpus.train, o, path);
}

}  // namespace factorkit::nn
