// Option syntaxes shared by commands.
#include "factorkit/cli/options.h"

#include <fmt/format.h>

#include "factorkit/core/error.h"

namespace factorkit::cli {

std::map<std::string, std::int64_t> parse_name_values(const std::string& text, const std::string& option,
                                                      std::int64_t lo, std::int64_t hi, const std::string& example) {
  const std::string expected = fmt::format("name=value pairs with values {} … {}, e.g. {}", lo, hi, example);
  std::map<std::string, std::int64_t> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    pos = end + 1;
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    std::int64_t v = 0;
    bool ok = eq != std::string::npos && eq > 0 && eq + 1 < item.size();
    if (ok) {
      try {
        std::size_t used = 0;
        v = std::stoll(item.substr(eq + 1), &used);
        ok = used == item.size() - eq - 1 && v >= lo && v <= hi;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) throw InvalidInput(option, item, expected, "BadOption");
    std::string name = item.substr(0, eq);
    name.erase(name.find_last_not_of(" \t") + 1);
    out[name] = v;
  }
  if (out.empty()) throw InvalidInput(option, text, expected, "BadOption");
  return out;
}

}  // namespace factorkit::cli
