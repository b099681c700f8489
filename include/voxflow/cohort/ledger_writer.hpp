// The one writer of a cohort's ledger (rank 0, or the sequential run): it holds every subject's outcome and
// rewrites cohort_status.tsv (cohort/ledger.hpp, whole and atomic) as they change, but not after every
// change: a rewrite costs one row per subject, so rewriting after each of n subjects would write O(n^2) bytes
// (10,000 subjects: ~10 GB). It rewrites when 1/64 of the cohort has changed since the last rewrite, or when
// a change is older than `max_staleness_seconds`, and always at the end; at most ~64 rewrites plus one per
// interval. The ledger is a report, not the resume record: --resume trusts each subject's verified outputs,
// so a ledger a kill -9 left a little behind loses nothing. The output dataset's .bidsignore entry for the
// ledger is written once per cohort, by the constructor.
#ifndef VOXFLOW_COHORT_LEDGER_WRITER_HPP
#define VOXFLOW_COHORT_LEDGER_WRITER_HPP

#include <voxflow/cohort/ledger.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace voxflow::cohort {

// Whether `changes` unwritten changes of a cohort of `subjects`, the oldest `seconds_unwritten` old, call for
// a rewrite now.
bool ledger_rewrite_due(std::size_t changes, std::size_t subjects, double seconds_unwritten,
                        double max_staleness_seconds);

class LedgerWriter {
 public:
  // Creates the ledger's folder, lists the ledger in its .bidsignore and writes `outcomes` (every subject
  // pending). OutputError when it cannot.
  LedgerWriter(std::string path, std::vector<SubjectOutcome> outcomes, double max_staleness_seconds = 10.0);
  // Writes what is still unwritten (the end of a cohort, or an exception leaving it).
  ~LedgerWriter();
  LedgerWriter(LedgerWriter const&) = delete;
  LedgerWriter& operator=(LedgerWriter const&) = delete;

  // Records subject `i`'s outcome (or its handing-out to a rank: status running) and rewrites when due.
  void record(std::size_t i, SubjectOutcome const& outcome);
  // Rewrites now if anything is unwritten.
  void flush();

  std::vector<SubjectOutcome> const& outcomes() const { return outcomes_; }
  std::size_t rewrites() const { return rewrites_; }  // including the first write
  std::string const& path() const { return path_; }

 private:
  void rewrite();

  std::string path_;
  std::vector<SubjectOutcome> outcomes_;
  double max_staleness_seconds_;
  std::size_t changes_ = 0;
  std::chrono::steady_clock::time_point first_unwritten_{};
  std::size_t rewrites_ = 0;
};

}  // namespace voxflow::cohort

#endif
