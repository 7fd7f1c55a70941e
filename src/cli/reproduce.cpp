#include "factorkit/cli/reproduce.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>
#include <fmt/format.h>

#include "factorkit/core/atomic_file.h"
#include "factorkit/core/error.h"

namespace factorkit::cli {

namespace fs = std::filesystem;

std::vector<ReproRow> run_reproductions(const std::vector<ReproEntry>& entries, const ReproOptions& o) {
  // a method ("anncur") or one entry of it ("anncur/synthetic")
  std::set<std::string> known, entry_names;
  for (const auto& e : entries) {
    known.insert(e.method);
    entry_names.insert(e.method + "/" + e.name);
  }
  for (const auto& m : o.methods)
    if (!known.count(m) && !entry_names.count(m))
      throw InvalidInput("reproduce", fmt::format("method \"{}\"", m),
                         known.empty() ? std::string("a registered method, but none has a reproduction yet")
                                       : fmt::format("one of: {}", fmt::join(known, ", ")),
                         "UnknownMethod");
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec)
    throw InvalidInput(o.out_dir, "--out", fmt::format("a folder that can be created ({})", ec.message()),
                       "CannotWrite");
  std::vector<ReproRow> rows;
  for (const auto& e : entries) {
    if (!o.methods.empty() && std::find(o.methods.begin(), o.methods.end(), e.method) == o.methods.end() &&
        std::find(o.methods.begin(), o.methods.end(), e.method + "/" + e.name) == o.methods.end())
      continue;
    ReproRow row{e.method, e.name, e.claim, {}, 0, {}};
    ReproContext ctx;
    ctx.quick = o.quick;
    ctx.seed = o.seed;
    ctx.threads = o.threads;
    ctx.out_dir = (fs::path(o.out_dir) / e.method).string();
    fs::create_directories(ctx.out_dir, ec);
    auto t0 = std::chrono::steady_clock::now();
    try {
      if (o.prepare) o.prepare(ctx);
      row.result = e.run(ctx);
    } catch (const std::exception& ex) {
      row.error = ex.what();
      row.result.pass = false;
    }
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rows.push_back(std::move(row));
  }
  write_file_atomic((fs::path(o.out_dir) / "report.md").string(), report_markdown(rows, o));
  write_file_atomic((fs::path(o.out_dir) / "results.json").string(), report_json(rows, o).dump(2) + "\n");
  return rows;
}

std::string format_table(const std::vector<ReproRow>& rows) {
  struct Col { std::string head; std::vector<std::string> cells; std::size_t width; };
  std::vector<Col> cols = {{"method", {}, 0}, {"claim", {}, 0}, {"paper", {}, 0},
                           {"ours", {}, 0},   {"result", {}, 0}, {"seconds", {}, 0}};
  for (const auto& r : rows) {
    cols[0].cells.push_back(r.method + "/" + r.name);
    cols[1].cells.push_back(r.claim);
    cols[2].cells.push_back(r.result.paper);
    cols[3].cells.push_back(r.error.empty() ? r.result.ours : "error");
    cols[4].cells.push_back(!r.error.empty() ? "ERROR" : r.result.pass ? "pass" : "FAIL");
    cols[5].cells.push_back(fmt::format("{:.1f}", r.seconds));
  }
  for (auto& c : cols) {
    c.width = c.head.size();
    for (auto& s : c.cells) {
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      c.width = std::max(c.width, s.size());
    }
  }
  std::string out;
  auto line = [&](auto get) {
    for (std::size_t k = 0; k < cols.size(); ++k) {
      std::string s = get(cols[k]);
      out += k == 0 ? "" : "  ";
      out += s;
      if (k + 1 < cols.size()) out.append(cols[k].width - s.size(), ' ');
    }
    out += '\n';
  };
  line([](const Col& c) { return c.head; });
  line([](const Col& c) { return std::string(c.width, '-'); });
  for (std::size_t i = 0; i < rows.size(); ++i) line([&](const Col& c) { return c.cells[i]; });
  return out;
}

static std::string md_escape(std::string s) {
  std::string o;
  for (char c : s) {
    if (c == '|') o += "\\|";
    else if (c == '\n') o += ' ';
    else o += c;
  }
  return o;
}

std::string report_markdown(const std::vector<ReproRow>& rows, const ReproOptions& o) {
  std::string md = "# factorkit reproduction report\n\n";
  md += fmt::format("Mode: {} · seed {} · threads {}\n\n", o.quick ? "quick" : "full", o.seed,
                    o.threads ? std::to_string(o.threads) : std::string("default"));
  if (rows.empty()) {
    md += "No reproductions are registered yet";
    if (!o.methods.empty()) md += fmt::format(" for {}", fmt::join(o.methods, ", "));
    md += ". Each method adds its entries as it lands (see docs/architecture.md).\n";
    return md;
  }
  md += "| method | claim | paper | ours | result | seconds |\n|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    md += fmt::format("| {}/{} | {} | {} | {} | {} | {:.1f} |\n", r.method, r.name, md_escape(r.claim),
                      md_escape(r.result.paper), md_escape(r.error.empty() ? r.result.ours : "error"),
                      !r.error.empty() ? "ERROR" : r.result.pass ? "pass" : "FAIL", r.seconds);
  for (const auto& r : rows) {
    md += fmt::format("\n## {}/{}\n\n{}\n\n", r.method, r.name, r.claim);
    if (!r.error.empty()) md += fmt::format("**Error:** `{}`\n\n", r.error);
    if (!r.result.note.empty()) md += r.result.note + "\n\n";
    for (const auto& f : r.result.figures) md += fmt::format("![{}]({}/{})\n\n", f, r.method, f);
  }
  return md;
}

nlohmann::json report_json(const std::vector<ReproRow>& rows, const ReproOptions& o) {
  nlohmann::json j;
  j["mode"] = o.quick ? "quick" : "full";
  j["seed"] = o.seed;
  j["threads"] = o.threads;
  j["entries"] = nlohmann::json::array();
  int passed = 0;
  for (const auto& r : rows) {
    nlohmann::json e;
    e["method"] = r.method;
    e["name"] = r.name;
    e["claim"] = r.claim;
    e["paper"] = r.result.paper;
    e["ours"] = r.result.ours;
    e["pass"] = r.error.empty() && r.result.pass;
    e["note"] = r.result.note;
    e["seconds"] = r.seconds;
    e["figures"] = r.result.figures;
    e["details"] = r.result.details;
    if (!r.error.empty()) e["error"] = r.error;
    passed += e["pass"].get<bool>() ? 1 : 0;
    j["entries"].push_back(std::move(e));
  }
  j["passed"] = passed;
  j["total"] = rows.size();
  return j;
}

}  // namespace factorkit::cli
