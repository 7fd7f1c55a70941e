#include "factorkit/core/progress.h"

#include <cstdio>
#include <unistd.h>

#include <atomic>

#include "factorkit/core/runtime.h"

namespace factorkit {

// The quiet flag lives here, with the progress bar, so torch-free code (the
// file readers, the exact layer and the methods built on it) can use both.
namespace {
std::atomic<bool> g_quiet{false};
}  // namespace
void set_quiet(bool q) noexcept { g_quiet = q; }
bool quiet() noexcept { return g_quiet; }

bool Progress::would_draw() noexcept { return !quiet() && ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), enabled_(would_draw()) {
  start_ = last_ = std::chrono::steady_clock::now();
  if (enabled_) draw(true);
}

Progress::~Progress() { finish(); }

void Progress::tick(int64_t n) { set(done_ + n); }

void Progress::set(int64_t done) {
  done_ = done;
  if (enabled_) draw(false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) {
    draw(true);
    std::fputc('\n', stderr);
  }
}

void Progress::draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const int width = 30;
  const double frac = total_ > 0 ? double(done_) / double(total_) : 0.0;
  int filled = int(frac * width + 0.5);
  if (filled > width) filled = width;
  std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld %.1fs%s%s\x1b[K", label_.c_str(), filled,
               "##############################", width - filled, "", (long long)done_, (long long)total_, secs,
               note_.empty() ? "" : "  ", note_.c_str());
  std::fflush(stderr);
}

}  // namespace factorkit
