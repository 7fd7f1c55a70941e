// `factorkit train cnn|transformer|lm`: the reference models, trained by
// recipe into a model folder (cached by default), resumable.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

#include "factorkit/cli/options.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/error.h"
#include "factorkit/nn/reference.h"
#include "factorkit/nn/summary.h"

namespace factorkit::cli {

namespace {

using namespace factorkit::nn;

class TrainCommand final : public Command {
 public:
  std::string name() const override { return "train"; }
  std::string summary() const override {
    return "Train a reference model (CNN on Fashion-MNIST, Transformer encoder, SwiGLU language model on WordNet)";
  }
  std::string doc_page() const override { return "docs/methods/nn.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    cnn_ = sub.add_subcommand("cnn", "A small CNN on Fashion-MNIST (target: test accuracy ≥ 0.90)");
    enc_ = sub.add_subcommand("transformer", "A Transformer encoder classifying WordNet glosses into 41 supersenses");
    lm_ = sub.add_subcommand("lm", "A decoder-only language model with SwiGLU blocks on the WordNet text");
    for (CLI::App* a : {cnn_, enc_, lm_}) {
      a->add_option("--out", out_, "Model folder (default: the cache, <cache>/models/<model>)");
      a->add_option("--epochs", epochs_, "Epochs (cnn, transformer)");
      a->add_option("--steps", steps_, "Optimizer steps in total (overrides --epochs)");
      a->add_option("--lr", lr_, "Peak learning rate (AdamW)");
      a->add_option("--weight-decay", wd_, "AdamW weight decay");
      a->add_option("--warmup", warmup_, "Warmup steps before the cosine decay");
      a->add_option("--batch-size", batch_, "Examples per step");
      a->add_option("--clip", clip_, "Gradient clipping norm (0: off)");
      a->add_option("--eval-every", eval_every_, "Evaluate every N steps (0: each epoch)");
      a->add_option("--patience", patience_, "Stop after N evaluations without improvement (0: never)");
      a->add_option("--checkpoint-every", ckpt_every_, "Checkpoint every N steps besides each evaluation");
      a->add_option("--halt-after", halt_after_, "Stop after N steps of this run (checkpointed; rerun to continue)");
      a->add_option("--limit", limit_, "Training examples to use (0: all)");
      a->add_flag("--no-resume", no_resume_, "Start afresh even if the folder has checkpoints");
      a->add_flag("--deterministic", deterministic_, "Deterministic kernels, threads pinned (with --threads): repeatable runs");
      a->add_flag("--summary", summary_only_, "Print the model's parameters, FLOPs and samples/s, and exit");
    }
    cnn_->add_option("--width", cnn_width_, "Channels of the first block")->capture_default_str();
    cnn_->add_option("--crop-padding", crop_, "Random-crop augmentation: pad by N pixels, crop back")->capture_default_str();
    cnn_->add_flag("--flip", flip_, "Random horizontal flips");
    cnn_->add_option("--data", data_, "Fashion-MNIST folder (Debian's dataset-fashion-mnist)")->capture_default_str();
    for (CLI::App* a : {enc_, lm_}) {
      a->add_option("--dim", dim_, "Model width");
      a->add_option("--layers", layers_, "Blocks");
      a->add_option("--heads", heads_, "Attention heads");
      a->add_option("--vocab", vocab_, "Tokenizer vocabulary size (trained on the WordNet text at first use, cached)");
      a->add_option("--seq-len", seq_len_, "Tokens per sequence (lm: training window; transformer: longest gloss)");
    }
  }

  int run(const Context& ctx) override {
    const std::string model = cnn_->parsed() ? "cnn" : enc_->parsed() ? "transformer" : "lm";
    const std::string out = out_.empty() ? reference_model_dir(model) : out_;
    if (!summary_only_) check_writable_folder(out, "train " + model, "--out");
    TrainOptions* t = nullptr;
    CnnRecipe cr = cnn_recipe();
    EncoderRecipe er = encoder_recipe();
    LmRecipe lr = lm_recipe();
    std::int64_t* batch = nullptr;
    if (model == "cnn") t = &cr.train, batch = &cr.batch_size;
    if (model == "transformer") t = &er.train, batch = &er.batch_size;
    if (model == "lm") t = &lr.train, batch = &lr.batch_size;
    if (epochs_) t->epochs = *epochs_, t->max_steps = 0;
    if (steps_) t->max_steps = *steps_;
    if (lr_) t->adamw.lr = *lr_;
    if (wd_) t->adamw.weight_decay = *wd_;
    if (warmup_) t->warmup_steps = *warmup_;
    if (batch_) *batch = *batch_;
    if (clip_) t->clip_norm = *clip_;
    if (eval_every_) t->eval_every = *eval_every_;
    if (patience_) t->patience = *patience_;
    if (ckpt_every_) t->checkpoint_every = *ckpt_every_;
    if (halt_after_) t->halt_after = *halt_after_;
    t->resume = !no_resume_;
    t->deterministic = deterministic_;
    t->threads = ctx.threads;
    t->seed = ctx.seed;
    if (ctx.quiet || ctx.json) t->label.clear();
    if (!ctx.quiet && !ctx.json)
      t->on_eval = [](const EvalRecord& r) {
        std::string m;
        for (const auto& [k, v] : r.metrics) m += fmt::format("  {} {:.4f}", k, v);
        std::cerr << fmt::format("step {} (epoch {})  train loss {:.4f}{}  {:.0f} s", r.step, r.epoch, r.train_loss, m, r.seconds)
                  << std::endl;
      };
    if (*batch < 1 || *batch > 65536) throw InvalidInput("--batch-size", std::to_string(*batch), "1 … 65536", "BadOption");
    if (limit_ < 0) throw InvalidInput("--limit", std::to_string(limit_), "0 (all) or a positive count", "BadOption");
    if (vocab_ && (*vocab_ < 300 || *vocab_ > 1000000))
      throw InvalidInput("--vocab", std::to_string(*vocab_), "300 … 1000000 (5 special + 256 byte pieces + learned ones)",
                         "BadOption");

    TrainedModel tm;
    if (model == "cnn") {
      cr.model.width = cnn_width_;
      cr.augment.crop_padding = crop_;
      cr.augment.horizontal_flip = flip_;
      cr.limit = limit_;
      cr.data_dir = data_;
      if (summary_only_) {
        Cnn m(cr.model);
        const at::Tensor x = at::randn({64, 1, cr.model.image_size, cr.model.image_size});
        return print_summary(ctx, *m, [&] { m->forward(x); }, 64);
      }
      tm = train_cnn(cr, out);
    } else if (model == "transformer") {
      apply_text(er.model.dim, er.model.layers, er.model.heads, er.tokenizer);
      if (dim_) er.model.ffn = 4 * *dim_;
      if (seq_len_) er.max_len = *seq_len_;
      er.limit = limit_;
      if (summary_only_) {
        EncoderOptions mo = er.model;
        mo.vocab = er.tokenizer.vocab_size;
        mo.classes = 41;
        TransformerEncoder m(mo);
        const at::Tensor x = at::randint(5, mo.vocab, {64, er.max_len}, at::kLong);
        return print_summary(ctx, *m, [&] { m->forward(x); }, 64);
      }
      tm = train_encoder(er, out);
    } else {
      apply_text(lr.model.dim, lr.model.layers, lr.model.heads, lr.tokenizer);
      if (seq_len_) lr.seq_len = *seq_len_;
      lr.limit = limit_;
      if (summary_only_) {
        DecoderOptions mo = lr.model;
        mo.vocab = lr.tokenizer.vocab_size;
        DecoderLM m(mo);
        const at::Tensor x = at::randint(5, mo.vocab, {lr.batch_size, lr.seq_len}, at::kLong);
        return print_summary(ctx, *m, [&] { m->forward(x); }, lr.batch_size);
      }
      tm = train_lm(lr, out);
    }
    if (tm.report.halted) {
      const nlohmann::json j{{"command", "train " + model}, {"halted", true}, {"steps", tm.report.steps}, {"dir", out}};
      if (ctx.json) std::cout << j.dump() << std::endl;
      else
        std::cout << fmt::format("halted after step {}; checkpoint in {}/checkpoints (rerun the same command to continue)\n",
                                 tm.report.steps, out);
      return 0;
    }
    if (ctx.json) {
      std::cout << nlohmann::json{{"command", "train " + model}, {"dir", out}, {"model", tm.info}}.dump() << std::endl;
      return 0;
    }
    const auto& m = tm.info.at("metrics");
    if (model == "cnn")
      std::cout << fmt::format("test accuracy {:.4f} (validation {:.4f})", m.at("test_accuracy").get<double>(),
                               m.at("validation_accuracy").get<double>());
    else if (model == "transformer")
      std::cout << fmt::format("supersense test accuracy {:.4f} (majority class {:.4f})", m.at("test_accuracy").get<double>(),
                               m.at("majority_accuracy").get<double>());
    else
      std::cout << fmt::format("perplexity: validation {:.2f}, test {:.2f} (unigram baseline {:.2f}, {:.2f})",
                               m.at("valid_perplexity").get<double>(), m.at("test_perplexity").get<double>(),
                               m.at("valid_unigram_perplexity").get<double>(), m.at("test_unigram_perplexity").get<double>());
    std::cout << fmt::format("; {} steps, {:.0f} samples/s; model in {}\n", tm.report.steps, tm.report.samples_per_second, out);
    return 0;
  }

 private:
  void apply_text(std::int64_t& dim, std::int64_t& layers, std::int64_t& heads, TokenizerOptions& tok) {
    if (dim_) dim = *dim_;
    if (layers_) layers = *layers_;
    if (heads_) heads = *heads_;
    if (vocab_) tok.vocab_size = *vocab_;
  }

  int print_summary(const Context& ctx, torch::nn::Module& m, const std::function<void()>& fwd, std::int64_t batch) {
    const Summary s = summarize(m, fwd, batch);
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "train --summary"}, {"summary", to_json(s)}}.dump() << std::endl;
    else
      std::cout << format_summary(s);
    return 0;
  }

  CLI::App *cnn_ = nullptr, *enc_ = nullptr, *lm_ = nullptr;
  std::string out_, data_ = data::kFashionMnistDir;
  std::optional<std::int64_t> epochs_, steps_, warmup_, batch_, eval_every_, ckpt_every_, halt_after_, dim_, layers_,
      heads_, seq_len_;
  std::optional<int> patience_, vocab_;
  std::optional<double> lr_, wd_, clip_;
  std::int64_t limit_ = 0, cnn_width_ = 32, crop_ = 0;
  bool flip_ = false, no_resume_ = false, deterministic_ = false, summary_only_ = false;
};

FACTORKIT_REGISTER_COMMAND(TrainCommand);

}  // namespace

}  // namespace factorkit::cli
