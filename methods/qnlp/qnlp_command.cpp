// `factorkit qnlp generate|train|predict|draw`: the QNLP pipeline from the
// command line (docs/methods/qnlp.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "data.h"
#include "factorkit/category/drawing.h"
#include "factorkit/cli/options.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/source.h"
#include "pipeline.h"

namespace factorkit::cli {
namespace {

namespace fc = factorkit::category;
namespace qc = factorkit::category::circuit;
using namespace factorkit::qnlp;

Task task_named(const std::string& name, std::uint64_t seed) {
  if (name == "mc") return generate_mc(seed);
  if (name == "rp") return generate_rp(seed);
  throw InvalidInput("--task", name, "mc or rp", "BadOption");
}

class QnlpCommand final : public Command {
 public:
  std::string name() const override { return "qnlp"; }
  std::string summary() const override {
    return "Quantum NLP: sentences to parameterised circuits (IQP, Sim14, Sim15), exact simulation, SPSA/Adam training";
  }
  std::string doc_page() const override { return "docs/methods/qnlp.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    gen_ = sub.add_subcommand("generate", "Write a generated task (train/dev/test files and its lexicon) to a folder");
    gen_->add_option("--task", task_, "mc (meaning classification) or rp (relative pronouns)")->required();
    gen_->add_option("--out", out_dir_, "Folder to write train.txt, dev.txt, test.txt, lexicon.txt")->required();

    train_ = sub.add_subcommand("train", "Train a model on labelled sentences (\"<0|1> <sentence>\" lines)");
    train_->add_option("--train", train_file_, "Training sentences");
    train_->add_option("--dev", dev_file_, "Development sentences (early stopping, best epoch)");
    train_->add_option("--test", test_file_, "Test sentences");
    train_->add_option("--lexicon", lexicon_file_, "Lexicon file: lines \"word: n.r s n.l\"");
    train_->add_option("--task", task_, "Use a generated task (mc or rp) instead of files, seeded by --seed");
    add_pipeline(train_);
    train_->add_option("--optimizer", topt_.optimizer, "spsa (as lambeq) or adam (exact gradients)")->capture_default_str();
    train_->add_option("--epochs", topt_.epochs, "Epochs")->capture_default_str();
    train_->add_option("--batch-size", topt_.batch_size, "Sentences per step")->capture_default_str();
    train_->add_option("--spsa-a", topt_.spsa_a, "SPSA step size a")->capture_default_str();
    train_->add_option("--spsa-c", topt_.spsa_c, "SPSA perturbation size c")->capture_default_str();
    train_->add_option("--spsa-A", topt_.spsa_A, "SPSA stability constant A (default 0.01 x epochs)");
    train_->add_option("--lr", topt_.learning_rate, "Adam learning rate")->capture_default_str();
    train_->add_option("--patience", topt_.patience, "Stop after this many epochs without a better dev accuracy (0: never)")
        ->capture_default_str();
    train_->add_option("--checkpoint", topt_.checkpoint, "Checkpoint file, written after every epoch");
    train_->add_flag("--resume", topt_.resume, "Continue from --checkpoint when it exists");
    train_->add_option("-o,--output", output_, "Model file to write (JSON)");
    train_->add_option("--results", results_, "Results file to write (JSON: options, history, accuracies)");

    predict_ = sub.add_subcommand("predict", "Classify sentences with a trained model");
    predict_->add_option("--model", model_file_, "Model file from `qnlp train -o`")->required();
    predict_->add_option("--sentence", sentence_, "One sentence");
    predict_->add_option("--input", input_, "Sentences, one per line; \"<0|1> <sentence>\" lines also report accuracy");
    predict_->add_flag("--labelled", labelled_, "--input has labels");

    draw_ = sub.add_subcommand("draw", "Draw a sentence's pregroup diagram and its circuit (SVG)");
    draw_->add_option("sentence", sentence_, "The sentence")->required();
    draw_->add_option("--lexicon", lexicon_file_, "Lexicon file");
    draw_->add_option("--task", task_, "The lexicon of a generated task (mc or rp)");
    draw_->add_option("--model", model_file_, "Take the lexicon and pipeline options from a model file");
    add_pipeline(draw_);
    draw_->add_option("--diagram", diagram_svg_, "SVG file for the pregroup diagram");
    draw_->add_option("--circuit", circuit_svg_, "SVG file for the circuit");
  }

  int run(const Context& ctx) override {
    if (gen_->parsed()) return run_generate(ctx);
    if (train_->parsed()) return run_train(ctx);
    if (predict_->parsed()) return run_predict(ctx);
    return run_draw(ctx);
  }

 private:
  void add_pipeline(CLI::App* app) {
    app->add_option("--ansatz", ansatz_, "iqp, sim14 or sim15")->capture_default_str();
    app->add_option("--layers", popt_.ansatz.layers, "Ansatz layers")->capture_default_str();
    app->add_option("--qubits", qubits_, "Qubits per atomic type")->capture_default_str();
    app->add_option("--single-qubit-params", popt_.ansatz.single_qubit_params, "Rx/Rz rotations on one-qubit words")
        ->capture_default_str();
    app->add_flag("--keep-cups", keep_cups_, "Do not bend cupped words into effects (more qubits, same amplitudes)");
    app->add_option("--target", popt_.target, "The sentence type")->capture_default_str();
  }

  PipelineOptions pipeline() const {
    PipelineOptions o = popt_;
    o.ansatz.kind = qc::parse_ansatz_kind(ansatz_);
    o.ansatz.qubits.clear();
    for (const auto& [name, k] : parse_name_values(qubits_, "--qubits", 0, 8, "n=1,s=1")) o.ansatz.qubits[name] = std::size_t(k);
    o.remove_cups = !keep_cups_;
    return o;
  }

  int run_generate(const Context& ctx) {
    const Task t = task_named(task_, ctx.seed);
    std::filesystem::create_directories(out_dir_);
    const std::filesystem::path dir(out_dir_);
    write_file_atomic((dir / "train.txt").string(), format_labelled(t.train));
    write_file_atomic((dir / "dev.txt").string(), format_labelled(t.dev));
    write_file_atomic((dir / "test.txt").string(), format_labelled(t.test));
    write_file_atomic((dir / "lexicon.txt").string(), t.lexicon);
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "qnlp generate"}, {"task", task_}, {"train", t.train.size()},
                                  {"dev", t.dev.size()}, {"test", t.test.size()}, {"out", out_dir_}}
                       .dump()
                << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("wrote {}/{{train,dev,test,lexicon}}.txt ({} / {} / {} sentences)\n", out_dir_,
                               t.train.size(), t.dev.size(), t.test.size());
    return 0;
  }

  int run_train(const Context& ctx) {
    std::vector<Example> tr, dev, test;
    std::string lexicon, lexicon_source;
    if (!task_.empty()) {
      if (!train_file_.empty() || !lexicon_file_.empty() || !dev_file_.empty() || !test_file_.empty())
        throw InvalidInput("--task", task_, "either --task or --train/--dev/--test/--lexicon files, not both",
                           "BadOption");
      Task t = task_named(task_, ctx.seed);
      tr = t.train, dev = t.dev, test = t.test, lexicon = t.lexicon, lexicon_source = "generated " + task_ + " lexicon";
    } else {
      if (train_file_.empty() || lexicon_file_.empty())
        throw InvalidInput(train_file_.empty() ? "--train" : "--lexicon", "(missing)",
                           "--train and --lexicon files (or --task mc|rp)", "BadOption");
      tr = read_labelled(train_file_);
      if (!dev_file_.empty()) dev = read_labelled(dev_file_);
      if (!test_file_.empty()) test = read_labelled(test_file_);
      lexicon = read_file_text(lexicon_file_, std::size_t(1) << 26);
      lexicon_source = lexicon_file_;
    }
    Model model(lexicon, lexicon_source, pipeline());
    const Split s_tr = add_split(model, tr), s_dev = add_split(model, dev), s_test = add_split(model, test);
    model.sort_parameters();
    model.initialise(ctx.seed);
    TrainOptions o = topt_;
    o.seed = ctx.seed;
    const std::size_t every = std::max<std::size_t>(1, o.epochs / 12);
    if (!ctx.quiet && !ctx.json)
      o.on_epoch = [&](std::size_t e, double tl, double ta, double dl, double da) {
        if (e % every == 0 || e == o.epochs)
          std::cerr << fmt::format("epoch {:>4}/{}  train loss {:.4f} acc {:.3f}", e, o.epochs, tl, ta)
                    << (s_dev.items.empty() ? std::string() : fmt::format("  dev loss {:.4f} acc {:.3f}", dl, da))
                    << std::endl;
      };
    const TrainResult r = train(model, s_tr, s_dev, s_test, o);
    if (!output_.empty()) write_model(output_, model);
    const nlohmann::json history = history_json(r.history);
    std::size_t max_qubits = 0, post = 0;
    for (std::size_t i = 0; i < model.size(); ++i) {
      max_qubits = std::max(max_qubits, model.sentence(i).program.max_width());
      post += qc::post_selected(model.sentence(i).circuit);
    }
    const nlohmann::json res{
        {"command", "qnlp train"},
        {"ansatz", ansatz_},
        {"layers", popt_.ansatz.layers},
        {"qubits", qubits_},
        {"remove_cups", !keep_cups_},
        {"optimizer", o.optimizer},
        {"epochs", o.epochs},
        {"batch_size", o.batch_size},
        {"seed", o.seed},
        {"parameters", model.parameters().size()},
        {"sentences", {{"train", tr.size()}, {"dev", dev.size()}, {"test", test.size()}}},
        {"circuits", {{"max_qubits", max_qubits}, {"post_selected_qubits", post}}},
        {"epochs_run", r.history.size()},
        {"stopped_early", r.stopped_early},
        {"resumed", r.resumed},
        {"best_epoch", r.best_epoch},
        {"seconds", r.seconds},
        {"train", {{"loss", r.train.loss}, {"accuracy", r.train.accuracy}}},
        {"dev", {{"loss", r.dev.loss}, {"accuracy", r.dev.accuracy}}},
        {"test", {{"loss", r.test.loss}, {"accuracy", r.test.accuracy}}},
        {"history", history},
        {"model", output_}};
    if (!results_.empty()) write_file_atomic(results_, res.dump(1) + "\n");
    if (ctx.json) {
      nlohmann::json brief = res;
      brief.erase("history");
      std::cout << brief.dump() << std::endl;
    } else if (!ctx.quiet) {
      std::cout << fmt::format("{} parameters, {} epochs in {:.1f} s{}\n", model.parameters().size(), r.history.size(),
                               r.seconds, r.best_epoch ? fmt::format(" (best dev epoch {})", r.best_epoch) : "");
      std::cout << fmt::format("train acc {:.3f}", r.train.accuracy)
                << (dev.empty() ? "" : fmt::format("  dev acc {:.3f}", r.dev.accuracy))
                << (test.empty() ? "" : fmt::format("  test acc {:.3f}", r.test.accuracy)) << "\n";
    }
    return 0;
  }

  int run_predict(const Context& ctx) {
    Model model = read_model(model_file_);
    std::vector<Example> items;
    if (!sentence_.empty() == !input_.empty())
      throw InvalidInput("--sentence/--input", "(both or neither)", "exactly one of --sentence or --input", "BadOption");
    if (!sentence_.empty()) {
      items.push_back({-1, sentence_});
    } else if (labelled_) {
      items = read_labelled(input_);
    } else {
      const std::string text = read_file_text(input_, std::size_t(1) << 28);
      std::size_t pos = 0;
      while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        line.erase(0, line.find_first_not_of(" \t\r"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (!line.empty()) items.push_back({-1, line});
      }
    }
    nlohmann::json out = nlohmann::json::array();
    std::size_t correct = 0;
    for (const Example& e : items) {
      const std::size_t i = model.add(e.sentence, false);
      const auto p = model.predict(i, model.weights().data());
      const int label = p[0] > p[1] ? 1 : 0;
      correct += e.label == label;
      out.push_back({{"sentence", e.sentence}, {"label", label}, {"p_label1", p[0]}, {"p_label0", p[1]}});
      if (!ctx.json) std::cout << fmt::format("{} {:.4f}  {}\n", label, p[0], e.sentence);
    }
    const bool scored = labelled_ && !items.empty();
    if (ctx.json) {
      nlohmann::json j{{"command", "qnlp predict"}, {"predictions", out}};
      if (scored) j["accuracy"] = double(correct) / double(items.size());
      std::cout << j.dump() << std::endl;
    } else if (scored && !ctx.quiet) {
      std::cout << fmt::format("accuracy {:.3f} ({} / {})\n", double(correct) / double(items.size()), correct, items.size());
    }
    return 0;
  }

  int run_draw(const Context& ctx) {
    if (diagram_svg_.empty() && circuit_svg_.empty())
      throw InvalidInput("draw", "(no output)", "--diagram FILE.svg and/or --circuit FILE.svg", "BadOption");
    std::optional<Model> model;
    if (!model_file_.empty()) {
      model.emplace(read_model(model_file_));
    } else if (!task_.empty()) {
      model.emplace(task_named(task_, ctx.seed).lexicon, "generated " + task_ + " lexicon", pipeline());
    } else {
      if (lexicon_file_.empty()) throw InvalidInput("--lexicon", "(missing)", "--lexicon, --task or --model", "BadOption");
      model.emplace(read_file_text(lexicon_file_, std::size_t(1) << 26), lexicon_file_, pipeline());
    }
    const std::size_t i = model->add(sentence_, true);
    const SentenceCircuit& s = model->sentence(i);
    fc::DrawOptions o;
    if (!diagram_svg_.empty()) {
      o.title = sentence_;
      const fc::Diagram parsed =
          fc::parse_sentence(fc::tokenize(sentence_), fc::parse_lexicon(model->lexicon_text(), "lexicon"),
                             fc::parse_type(model->options().target, "--target"));
      write_file_atomic(diagram_svg_, model->options().remove_cups ? fc::to_svg(s.diagram, o) : fc::pregroup_svg(parsed, o));
    }
    if (!circuit_svg_.empty()) {
      o.title = fmt::format("{} ({}, {} layer{})", sentence_, qc::ansatz_kind_name(model->options().ansatz.kind),
                            model->options().ansatz.layers, model->options().ansatz.layers == 1 ? "" : "s");
      o.wire_labels = false;
      write_file_atomic(circuit_svg_, fc::to_svg(s.circuit, o));
    }
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "qnlp draw"}, {"diagram", diagram_svg_}, {"circuit", circuit_svg_},
                                  {"qubits", s.program.max_width()}, {"gates", s.circuit.size()},
                                  {"parameters", s.program.params().size()}}
                       .dump()
                << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("{} gates on at most {} qubits, {} parameters\n", s.circuit.size(), s.program.max_width(),
                               s.program.params().size());
    return 0;
  }

  CLI::App *gen_ = nullptr, *train_ = nullptr, *predict_ = nullptr, *draw_ = nullptr;
  std::string task_, out_dir_, train_file_, dev_file_, test_file_, lexicon_file_, output_, results_, model_file_;
  std::string sentence_, input_, diagram_svg_, circuit_svg_;
  std::string ansatz_ = "iqp", qubits_ = "n=1,s=1";
  bool keep_cups_ = false, labelled_ = false;
  PipelineOptions popt_;
  TrainOptions topt_;
};

FACTORKIT_REGISTER_COMMAND(QnlpCommand);

}  // namespace
}  // namespace factorkit::cli
