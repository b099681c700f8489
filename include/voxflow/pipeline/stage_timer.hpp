// Wall-clock seconds of a subject's stages in run order ("validate", "read", "t1", "aif", "fit", "write"),
// for the run record and the one-line summary.
#ifndef VOXFLOW_PIPELINE_STAGE_TIMER_HPP
#define VOXFLOW_PIPELINE_STAGE_TIMER_HPP

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace voxflow::pipeline {

class StageTimer {
 public:
  StageTimer() : start_(Clock::now()), stage_start_(start_) {}
  // Ends the stage that ran since the previous call (or since construction).
  void stage(std::string const& name) {
    auto const now = Clock::now();
    stages_.emplace_back(name, std::chrono::duration<double>(now - stage_start_).count());
    stage_start_ = now;
  }
  std::vector<std::pair<std::string, double>> const& stages() const { return stages_; }
  double total_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_, stage_start_;
  std::vector<std::pair<std::string, double>> stages_;
};

}  // namespace voxflow::pipeline

#endif
