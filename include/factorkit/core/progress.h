// factorkit/core/progress.h — a progress bar on stderr.
//
// It draws only when stderr is a terminal and the run is not --quiet, so logs,
// pipes and CI output stay clean. Redraws are rate-limited (10 per second).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace factorkit {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void tick(int64_t n = 1);
  void set(int64_t done);
  // A short text drawn after the counts (e.g. "loss 0.123"); set it before
  // tick/set. Computing it is the caller's cost: check enabled() first.
  void set_note(std::string note) { note_ = std::move(note); }
  void finish();
  bool enabled() const noexcept { return enabled_; }

  // True when progress bars would be drawn (stderr is a TTY and not quiet).
  static bool would_draw() noexcept;

 private:
  void draw(bool force);
  std::string label_, note_;
  int64_t total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace factorkit
