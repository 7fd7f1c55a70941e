#include "expression.h"

#include <fmt/format.h>

#include <cctype>
#include <functional>
#include <map>
#include <vector>

#include "factorkit/core/error.h"

namespace factorkit::esma {

using exact::Ball;

struct ExprNode {
  enum Kind { Number, Constant, Negate, Add, Sub, Mul, Div, Pow, Call } kind;
  exact::Rational number;
  std::string name;  // constant or function
  std::vector<std::shared_ptr<const ExprNode>> args;
};

namespace {

using Node = std::shared_ptr<const ExprNode>;

const std::map<std::string, int, std::less<>>& function_arity() {
  static const std::map<std::string, int, std::less<>> f{
      {"exp", 1},  {"log", 1},  {"ln", 1},   {"sqrt", 1},  {"sin", 1},     {"cos", 1},     {"tan", 1},
      {"cot", 1},  {"sinh", 1}, {"cosh", 1}, {"tanh", 1},  {"coth", 1},    {"atan", 1},    {"gamma", 1},
      {"zeta", 1}, {"I0", 1},   {"I1", 1},   {"besseli", 2}, {"besselj", 2}};
  return f;
}
bool is_constant(std::string_view n) {
  return n == "e" || n == "pi" || n == "euler" || n == "catalan" || n == "phi";
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view where) : s_(text), where_(where) {}

  Node parse_all(bool& atom) {
    skip();
    if (pos_ == s_.size()) fail("the expression is empty", "an expression such as e/(e-1) or besseli(1,2)/besseli(0,2)");
    Node n = expr();
    skip();
    if (pos_ != s_.size()) fail(fmt::format("unexpected '{}'", printable(s_[pos_])), "an operator + - * / ^ or the end");
    atom = n->kind == ExprNode::Constant || n->kind == ExprNode::Call ||
           (n->kind == ExprNode::Number && n->number.is_integer() && n->number.sign() >= 0);
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& expected) const {
    throw InvalidInput(std::string(where_), fmt::format("column {}: {}", pos_ + 1, what), expected,
                       "ExpressionSyntax");
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Node make(ExprNode::Kind k, std::vector<Node> args = {}, std::string name = {}) {
    // left-deep chains (1+1+...+1) recurse in evaluation and destruction
    if (++nodes_ > 2000) fail("the expression is too long", "at most 2000 operations");
    auto n = std::make_shared<ExprNode>();
    n->kind = k;
    n->args = std::move(args);
    n->name = std::move(name);
    return n;
  }
  Node expr() {
    Node left = term();
    for (;;) {
      if (eat('+'))
        left = make(ExprNode::Add, {left, term()});
      else if (eat('-'))
        left = make(ExprNode::Sub, {left, term()});
      else
        return left;
    }
  }
  Node term() {
    Node left = unary();
    for (;;) {
      skip();
      if (pos_ + 1 < s_.size() && s_[pos_] == '*' && s_[pos_ + 1] == '*') return left;  // power, handled below
      if (eat('*'))
        left = make(ExprNode::Mul, {left, unary()});
      else if (eat('/'))
        left = make(ExprNode::Div, {left, unary()});
      else
        return left;
    }
  }
  Node unary() {
    if (++depth_ > 200) fail("the expression nests too deeply", "at most 200 nested operations");
    Node r;
    if (eat('-'))
      r = make(ExprNode::Negate, {unary()});
    else if (eat('+'))
      r = unary();
    else
      r = power();
    --depth_;
    return r;
  }
  Node power() {
    Node base = primary();
    skip();
    if (pos_ + 1 < s_.size() && s_[pos_] == '*' && s_[pos_ + 1] == '*') {
      pos_ += 2;
      return make(ExprNode::Pow, {base, unary()});
    }
    if (eat('^')) return make(ExprNode::Pow, {base, unary()});
    return base;
  }
  Node primary() {
    skip();
    if (pos_ == s_.size()) fail("the expression ends too early", "a number, a constant, a function or '('");
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      Node n = expr();
      if (!eat(')')) fail("missing ')'", "')' to close the parenthesis");
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
      const std::string name(s_.substr(start, pos_ - start));
      skip();
      const bool call = pos_ < s_.size() && s_[pos_] == '(';
      if (call) {
        auto it = function_arity().find(name);
        if (it == function_arity().end()) {
          pos_ = start;
          fail(fmt::format("unknown function '{}'", name),
               "one of exp log sqrt sin cos tan cot sinh cosh tanh coth atan gamma zeta besseli besselj I0 I1");
        }
        ++pos_;
        std::vector<Node> args{expr()};
        while (eat(',')) args.push_back(expr());
        if (!eat(')')) fail("missing ')' after the arguments", "')' or ','");
        if (static_cast<int>(args.size()) != it->second) {
          pos_ = start;
          fail(fmt::format("{} takes {} argument(s), got {}", name, it->second, args.size()),
               fmt::format("{} argument(s)", it->second));
        }
        return make(ExprNode::Call, std::move(args), name == "ln" ? "log" : name);
      }
      if (!is_constant(name)) {
        pos_ = start;
        fail(fmt::format("unknown name '{}'", name), "a constant: e, pi, euler, catalan or phi");
      }
      return make(ExprNode::Constant, {}, name);
    }
    fail(fmt::format("unexpected '{}'", printable(c)), "a number, a constant, a function or '('");
  }
  Node number() {
    const size_t start = pos_;
    std::string digits;
    int64_t frac = 0;
    bool point = false;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || (s_[pos_] == '.' && !point))) {
      if (s_[pos_] == '.')
        point = true;
      else {
        digits += s_[pos_];
        if (point) ++frac;
      }
      ++pos_;
    }
    if (digits.empty()) {
      pos_ = start;
      fail("a lone '.'", "a number such as 2 or 0.5");
    }
    if (digits.size() > 10000) fail("the number is too long", "at most 10000 digits");
    auto n = std::make_shared<ExprNode>();
    n->kind = ExprNode::Number;
    n->number = exact::Rational(exact::Integer(digits), exact::pow(exact::Integer(10), static_cast<uint64_t>(frac)));
    return n;
  }

  std::string_view s_, where_;
  size_t pos_ = 0;
  int depth_ = 0, nodes_ = 0;
};

Ball eval_node(const ExprNode& n, int64_t prec) {
  auto arg = [&](size_t i) { return eval_node(*n.args[i], prec); };
  switch (n.kind) {
    case ExprNode::Number:
      return Ball(n.number, prec);
    case ExprNode::Constant:
      if (n.name == "e") return exact::const_e(prec);
      if (n.name == "pi") return exact::const_pi(prec);
      if (n.name == "euler") return exact::const_euler(prec);
      if (n.name == "catalan") return exact::const_catalan(prec);
      // phi = (1 + sqrt 5) / 2
      return exact::div(exact::add(Ball(1), exact::sqrt(Ball(5), prec), prec), Ball(2), prec);
    case ExprNode::Negate:
      return exact::neg(arg(0));
    case ExprNode::Add:
      return exact::add(arg(0), arg(1), prec);
    case ExprNode::Sub:
      return exact::sub(arg(0), arg(1), prec);
    case ExprNode::Mul:
      return exact::mul(arg(0), arg(1), prec);
    case ExprNode::Div:
      return exact::div(arg(0), arg(1), prec);
    case ExprNode::Pow: {
      const ExprNode& e = *n.args[1];
      if (e.kind == ExprNode::Number && e.number.is_integer() && e.number.num().fits_long() &&
          std::labs(e.number.num().to_long()) < (1L << 30))
        return exact::pow(arg(0), e.number.num().to_long(), prec);
      if (e.kind == ExprNode::Negate && e.args[0]->kind == ExprNode::Number && e.args[0]->number.is_integer() &&
          e.args[0]->number.num().fits_long() && e.args[0]->number.num().to_long() < (1L << 30))
        return exact::pow(arg(0), -e.args[0]->number.num().to_long(), prec);
      return exact::pow(arg(0), arg(1), prec);
    }
    case ExprNode::Call: {
      const std::string& f = n.name;
      if (f == "besseli") return exact::bessel_i(arg(0), arg(1), prec);
      if (f == "besselj") return exact::bessel_j(arg(0), arg(1), prec);
      if (f == "I0") return exact::bessel_i(Ball(0), arg(0), prec);
      if (f == "I1") return exact::bessel_i(Ball(1), arg(0), prec);
      if (f == "zeta") {
        const ExprNode& s = *n.args[0];
        if (s.kind != ExprNode::Number || !s.number.is_integer() || s.number.num() < exact::Integer(2) ||
            s.number.num() > exact::Integer(100000))
          throw InvalidInput("expression", "zeta", "an integer argument s with 2 <= s <= 100000", "ZetaArgument");
        return exact::zeta(static_cast<uint64_t>(s.number.num().to_long()), prec);
      }
      const Ball a = arg(0);
      if (f == "exp") return exact::exp(a, prec);
      if (f == "log") return exact::log(a, prec);
      if (f == "sqrt") return exact::sqrt(a, prec);
      if (f == "sin") return exact::sin(a, prec);
      if (f == "cos") return exact::cos(a, prec);
      if (f == "tan") return exact::tan(a, prec);
      if (f == "cot") return exact::cot(a, prec);
      if (f == "sinh") return exact::sinh(a, prec);
      if (f == "cosh") return exact::cosh(a, prec);
      if (f == "tanh") return exact::tanh(a, prec);
      if (f == "coth") return exact::coth(a, prec);
      if (f == "atan") return exact::atan(a, prec);
      return exact::gamma(a, prec);
    }
  }
  return Ball();
}

}  // namespace

Expr Expr::parse(std::string_view text, std::string_view where) {
  Expr e;
  Parser p(text, where);
  e.root_ = p.parse_all(e.atom_);
  e.text_ = std::string(text);
  // trim for display
  const size_t a = e.text_.find_first_not_of(" \t\n"), b = e.text_.find_last_not_of(" \t\n");
  e.text_ = e.text_.substr(a, b - a + 1);
  return e;
}

Ball Expr::eval(int64_t prec) const {
  if (!root_) throw InvalidInput("expression", "text", "a parsed expression", "EmptyExpression");
  return eval_node(*root_, prec);
}

Ball Expr::eval_accurate(int64_t bits, std::string_view where) const {
  int64_t prec = bits + 32;
  for (int attempt = 0; attempt < 6; ++attempt, prec *= 2) {
    Ball v = eval(prec);
    if (v.is_finite() && !v.contains_zero() && v.accuracy_bits() >= bits) return v;
  }
  throw NumericalFailure(std::string(where), fmt::format("'{}'", text_),
                         "an expression with a finite, non-zero value (this one is zero, undefined, or too "
                         "ill-conditioned to evaluate)",
                         "NoValue");
}

}  // namespace factorkit::esma
