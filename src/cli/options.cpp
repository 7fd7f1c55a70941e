// Option syntaxes shared by commands.
#include "factorkit/cli/options.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

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

void check_writable_folder(const std::string& dir, const std::string& where, const std::string& option) {
  namespace fs = std::filesystem;
  fs::path probe = dir.empty() ? fs::path(".") : fs::path(dir);
  std::error_code ec;
  while (!fs::exists(probe, ec) && probe.has_parent_path() && probe != probe.parent_path()) probe = probe.parent_path();
  if (!fs::exists(probe, ec)) probe = ".";
  if (!fs::is_directory(probe, ec))
    throw InvalidInput(where, option, fmt::format("a folder that can be created, but {} is not a directory", probe.string()),
                       "NotADirectory");
  if (::access(probe.c_str(), W_OK | X_OK) != 0)
    throw InvalidInput(where, option, fmt::format("a writable folder, but {} is not writable", probe.string()),
                       "NotWritable");
}

void check_output_file(const std::string& path, const std::string& option) {
  namespace fs = std::filesystem;
  if (path.empty()) throw InvalidInput(option, "(missing)", "an output file", "BadOption");
  const fs::path p(path);
  if (p.has_parent_path() && !fs::is_directory(p.parent_path()))
    throw InvalidInput(path, option, fmt::format("a file in an existing folder ({} does not exist)", p.parent_path().string()),
                       "NoSuchFolder");
  check_writable_folder(p.parent_path().string(), path, option);
}

}  // namespace factorkit::cli
