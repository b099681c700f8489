#include <voxflow/pipeline/progress.hpp>

#include <unistd.h>

#include <cstdio>

namespace voxflow::pipeline {

Progress::Progress(std::string label, std::int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      quiet_(quiet),
      terminal_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(std::int64_t done) {
  if (quiet_) return;
  auto const now = std::chrono::steady_clock::now();
  int const percent = static_cast<int>(100 * done / total_);
  // A terminal is redrawn at most 5 times a second; a log gets a line per 10 % at most.
  if (terminal_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  if (!terminal_ && percent / 10 == last_percent_ / 10) return;
  last_draw_ = now;
  last_percent_ = percent;
  draw(done, false);
}

void Progress::finish() {
  if (quiet_ || (!terminal_ && last_percent_ == 100)) return;  // a log already has its 100 % line
  draw(total_, true);
}

void Progress::draw(std::int64_t done, bool final) {
  double const elapsed = elapsed_s();
  double const rate = elapsed > 0 ? done / elapsed : 0.0;
  double const eta = rate > 0 ? (total_ - done) / rate : 0.0;
  int const percent = static_cast<int>(100 * done / total_);
  if (terminal_) {
    int const width = 30, filled = width * percent / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%  %.3g voxels/s  ETA %.0f s ", label_.c_str(), filled,
                 "##############################", width - filled, "", percent, rate, eta);
    if (final) std::fprintf(stderr, "\n");
  } else {
    std::fprintf(stderr, "%s: %d%% (%lld/%lld voxels) %.3g voxels/s ETA %.0f s\n", label_.c_str(), percent,
                 static_cast<long long>(done), static_cast<long long>(total_), rate, eta);
  }
  std::fflush(stderr);
}

}  // namespace voxflow::pipeline
