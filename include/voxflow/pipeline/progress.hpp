// Progress of a long stage on stderr: a redrawn bar on a terminal, and plain lines (percent, voxels/s, ETA)
// when the output is a file or a batch log, where carriage returns would make a mess.
#ifndef VOXFLOW_PIPELINE_PROGRESS_HPP
#define VOXFLOW_PIPELINE_PROGRESS_HPP

#include <chrono>
#include <cstdint>
#include <string>

namespace voxflow::pipeline {

class Progress {
 public:
  Progress(std::string label, std::int64_t total, bool quiet = false);
  void update(std::int64_t done);  // rate-limited: redraws at most a few times per second
  void finish();                   // the final state, always printed unless quiet
  double elapsed_s() const;

 private:
  void draw(std::int64_t done, bool final);
  std::string label_;
  std::int64_t total_;
  bool quiet_, terminal_;
  int last_percent_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace voxflow::pipeline

#endif
