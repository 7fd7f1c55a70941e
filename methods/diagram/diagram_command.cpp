// `factorkit diagram parse|draw|normal-form|eval`: string diagrams from JSON
// documents or sentences (docs/methods/diagram.md).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>

#include "factorkit/category/drawing.h"
#include "factorkit/category/json.h"
#include "factorkit/category/pregroup.h"
#include "factorkit/category/tensor.h"
#include "factorkit/cli/options.h"
#include "factorkit/cli/registry.h"
#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"
#include "factorkit/core/formats.h"
#include "factorkit/core/torch_bridge.h"

namespace factorkit::cli {
namespace {

using namespace factorkit::category;

// a platform-independent hash for per-box random streams
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

PathMethod parse_path(const std::string& s) {
  if (s == "auto") return PathMethod::Auto;
  if (s == "optimal") return PathMethod::Optimal;
  if (s == "greedy") return PathMethod::Greedy;
  if (s == "sequential") return PathMethod::Sequential;
  throw InvalidInput("--path", s, "one of auto, optimal, greedy, sequential", "BadOption");
}

class DiagramCommand final : public Command {
 public:
  std::string name() const override { return "diagram"; }
  std::string summary() const override {
    return "String diagrams: parse sentences with a pregroup lexicon, draw (SVG), normal forms, tensor evaluation";
  }
  std::string doc_page() const override { return "docs/methods/diagram.md"; }

  void configure(CLI::App& sub) override {
    sub.require_subcommand(1, 1);
    parse_ = sub.add_subcommand("parse", "Parse a sentence with a pregroup lexicon into a diagram (JSON)");
    add_sentence(parse_, true);
    parse_->add_option("-o,--output", output_, "Write the diagram as JSON to this file");

    draw_ = sub.add_subcommand("draw", "Draw a diagram (JSON document, or a sentence and a lexicon) as SVG");
    draw_->add_option("diagram", input_, "Diagram JSON document (or use --sentence and --lexicon)");
    add_sentence(draw_, false);
    draw_->add_option("-o,--output", output_, "SVG file to write")->required();
    draw_->add_flag("--pregroup", pregroup_, "Pregroup style: words in a row, cups below (sentences)");
    draw_->add_flag("--normal-form", normal_, "Draw the normal form of the diagram");
    draw_->add_option("--title", title_, "A title above the drawing");

    nf_ = sub.add_subcommand("normal-form", "Normal form: snake removal, then interchanges (DisCoPy's normal_form)");
    nf_->add_option("diagram", input_, "Diagram JSON document")->required();
    nf_->add_flag("--left", left_, "Left interchanges instead of right ones");
    nf_->add_flag("--no-snake-removal", no_snakes_, "Interchanges only (the monoidal normal form)");
    nf_->add_flag("--pregroup", pregroup_, "Normalise words and wiring apart (words stay on top)");
    nf_->add_option("-o,--output", output_, "Write the normal form as JSON to this file");

    eval_ = sub.add_subcommand("eval", "Evaluate with the tensor functor (contraction along a searched path)");
    eval_->add_option("diagram", input_, "Diagram JSON document")->required();
    eval_->add_option("--arrays", arrays_,
                      "safetensors/npy file with one array per box name, shaped dims(dom) + dims(cod)");
    eval_->add_flag("--random", random_, "Random normal arrays for every box (seeded by --seed)");
    eval_->add_option("--dims", dims_text_, "Dimensions of the objects, e.g. n=2,s=1 (default: the document's dims)");
    eval_->add_option("--path", path_text_, "Contraction path: auto, optimal, greedy or sequential")
        ->capture_default_str();
    eval_->add_option("--max-elements", max_elements_,
                      "Refuse a contraction whose largest tensor would exceed this many elements")
        ->capture_default_str();
    eval_->add_option("-o,--output", output_, "Write the result tensor (.npy or .safetensors)");
  }

  int run(const Context& ctx) override {
    if (parse_->parsed()) return run_parse(ctx);
    if (draw_->parsed()) return run_draw(ctx);
    if (nf_->parsed()) return run_normal_form(ctx);
    return run_eval(ctx);
  }

 private:
  void add_sentence(CLI::App* app, bool required) {
    auto* s = app->add_option("--sentence", sentence_, "A sentence, e.g. \"Alice loves Bob .\"");
    auto* l = app->add_option("--lexicon", lexicon_, "Lexicon file: lines \"word: n.r s n.l\"");
    app->add_option("--target", target_, "The sentence type to reduce to")->capture_default_str();
    if (required) s->required(), l->required();
  }

  DiagramDocument load(bool allow_sentence) const {
    const bool sentence = !sentence_.empty() || !lexicon_.empty();
    if (allow_sentence && sentence) {
      if (!input_.empty())
        throw InvalidInput("diagram", input_, "either a diagram file or --sentence with --lexicon, not both", "BadOption");
      if (sentence_.empty() || lexicon_.empty())
        throw InvalidInput(sentence_.empty() ? "--sentence" : "--lexicon", "(missing)",
                           "both --sentence and --lexicon", "BadOption");
      const Lexicon lex = read_lexicon(lexicon_);
      return {parse_sentence(tokenize(sentence_), lex, parse_type(target_, "--target")), {}};
    }
    if (input_.empty())
      throw InvalidInput("diagram", "(missing)", allow_sentence ? "a diagram file, or --sentence and --lexicon" : "a diagram file",
                         "BadOption");
    return read_diagram_json(input_);
  }

  int run_parse(const Context& ctx) {
    const Diagram d = load(true).diagram;
    if (!output_.empty()) write_diagram_json(output_, d);
    if (ctx.json) {
      std::cout << nlohmann::json{{"command", "diagram parse"}, {"diagram", d.str()}, {"layers", d.size()},
                                  {"output", output_}}
                       .dump()
                << std::endl;
      return 0;
    }
    std::cout << d.str() << "\n";
    return 0;
  }

  int run_draw(const Context& ctx) {
    Diagram d = load(true).diagram;
    if (normal_) d = pregroup_ ? pregroup_normal_form(d) : d.normal_form();
    DrawOptions o;
    o.title = title_;
    const std::string svg = pregroup_ ? pregroup_svg(d, o) : to_svg(d, o);
    write_file_atomic(output_, svg);
    if (ctx.json)
      std::cout << nlohmann::json{{"command", "diagram draw"}, {"output", output_}, {"layers", d.size()}}.dump()
                << std::endl;
    else if (!ctx.quiet)
      std::cout << fmt::format("wrote {} ({} layers)\n", output_, d.size());
    return 0;
  }

  int run_normal_form(const Context& ctx) {
    const Diagram d = load(false).diagram;
    Diagram::NormalFormOptions o;
    o.left = left_;
    o.snake_removal = !no_snakes_;
    const Diagram nf = pregroup_ ? pregroup_normal_form(d) : d.normal_form(o);
    if (!output_.empty()) write_diagram_json(output_, nf);
    if (ctx.json) {
      std::cout << nlohmann::json{{"command", "diagram normal-form"}, {"diagram", nf.str()}, {"layers_before", d.size()},
                                  {"layers", nf.size()}, {"output", output_}}
                       .dump()
                << std::endl;
      return 0;
    }
    std::cout << nf.str() << "\n";
    return 0;
  }

  int run_eval(const Context& ctx) {
    const DiagramDocument doc = load(false);
    std::map<std::string, std::int64_t> dims = doc.dims;
    if (!dims_text_.empty()) dims = parse_name_values(dims_text_, "--dims", 1, std::int64_t(1) << 31, "n=2,s=1");
    if (arrays_.empty() == !random_)
      throw InvalidInput("--arrays/--random", random_ ? "both given" : "neither given",
                         "exactly one of --arrays FILE or --random", "BadOption");
    TensorFile arrays;
    if (!arrays_.empty()) arrays = read_tensor_file(arrays_);
    ContractionOptions opts;
    opts.method = parse_path(path_text_);
    opts.seed = ctx.seed;
    opts.max_elements = max_elements_;
    const std::string source = input_;
    TensorFunctor F(
        [&](const Ob& x) -> std::int64_t {
          auto it = dims.find(x.name.str());
          if (it == dims.end())
            throw InvalidInput("--dims", x.name.str(), "a dimension for every object of the diagram (e.g. --dims " +
                                                           x.name.str() + "=2)",
                               "MissingDimension");
          return it->second;
        },
        [&](const Box& b) -> at::Tensor {
          std::vector<std::int64_t> shape;
          for (const Ob& x : b.dom()) shape.push_back(dims.count(x.name.str()) ? dims.at(x.name.str()) : 0);
          for (const Ob& x : b.cod()) shape.push_back(dims.count(x.name.str()) ? dims.at(x.name.str()) : 0);
          if (random_) {
            double elements = 1;
            for (std::int64_t s : shape) elements *= double(s);
            if (elements > opts.max_elements)
              throw InvalidInput("--random", "box " + b.name(),
                                 fmt::format("an array of at most {:.0f} elements (its dimensions give {:.3g}; raise "
                                             "--max-elements)",
                                             opts.max_elements, elements),
                                 "TooLarge");
            at::Generator gen = at::detail::createCPUGenerator(ctx.seed * 1000003u + fnv1a(b.name()));
            return at::randn(shape, gen, at::TensorOptions().dtype(at::kDouble));
          }
          const RawTensor* t = arrays.find(b.name());
          if (!t)
            throw InvalidInput(arrays_, "tensor \"" + b.name() + "\"", "an array for every box of " + source, "MissingArray");
          return to_torch(*t, arrays_ + ":" + b.name());
        },
        opts);
    const TensorNetwork net = F.network(doc.diagram);
    const ContractionPath path = find_path(net, opts);
    const at::Tensor result = contract(net, path).contiguous();
    if (!output_.empty()) {
      TensorFile f;
      f.tensors.emplace_back("result", from_torch(result.is_complex() ? at::view_as_real(result) : result, output_));
      write_tensor_file(output_, f);
    }
    // complex results print and serialise as (real, imaginary) pairs
    const at::Tensor flat = (result.is_complex() ? at::view_as_real(result) : result).reshape({-1}).to(at::kDouble);
    if (ctx.json) {
      nlohmann::json j{{"command", "diagram eval"},
                       {"shape", result.sizes().vec()},
                       {"tensors", net.tensors.size()},
                       {"flops", path.flops},
                       {"largest_intermediate", path.largest},
                       {"output", output_}};
      if (flat.numel() <= 4096) {
        std::vector<double> v(std::size_t(flat.numel()));
        for (std::int64_t i = 0; i < flat.numel(); ++i) v[std::size_t(i)] = flat[i].item<double>();
        j["values"] = v;
      }
      std::cout << j.dump() << std::endl;
      return 0;
    }
    std::cout << fmt::format("shape ({}){}, {} tensors, {:.3g} flops, largest intermediate {:.3g} elements\n",
                             fmt::join(result.sizes(), ", "), result.is_complex() ? " complex" : "", net.tensors.size(),
                             path.flops, path.largest);
    if (flat.numel() <= 64)
      for (std::int64_t i = 0; i < flat.numel(); ++i) std::cout << fmt::format("{:.6g}\n", flat[i].item<double>());
    return 0;
  }

  CLI::App *parse_ = nullptr, *draw_ = nullptr, *nf_ = nullptr, *eval_ = nullptr;
  std::string input_, output_, sentence_, lexicon_, target_ = "s", title_, arrays_, dims_text_, path_text_ = "auto";
  bool pregroup_ = false, normal_ = false, left_ = false, no_snakes_ = false, random_ = false;
  double max_elements_ = ContractionOptions{}.max_elements;
};

FACTORKIT_REGISTER_COMMAND(DiagramCommand);

}  // namespace
}  // namespace factorkit::cli
