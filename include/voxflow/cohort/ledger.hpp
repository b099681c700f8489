// The cohort ledger, <output.dir>/cohort_status.tsv: one row per subject, in the cohort file's order, with
// what became of it (subject, status, rank, host, seconds, voxels, message). It is rewritten whole and
// atomically (io/atomic_file.hpp) after every subject, by one process only (rank 0), so a reader never sees
// half a file. A row's text is also how an MPI worker reports a subject to rank 0 (cohort_mpi.cpp).
#ifndef VOXFLOW_COHORT_LEDGER_HPP
#define VOXFLOW_COHORT_LEDGER_HPP

#include <voxflow/core/enum_names.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::cohort {

// pending: not started; running: handed to a rank; done: outputs complete; failed: see the message;
// skipped: outputs were already complete and verified (--resume).
enum class SubjectStatus { pending, running, done, failed, skipped };

struct SubjectOutcome {
  std::string subject;  // "sub-01", or "sub-01_ses-1"
  SubjectStatus status = SubjectStatus::pending;
  int rank = -1;  // the MPI rank that ran it (0 without MPI); -1 before it ran
  std::string host;
  double seconds = 0.0;
  std::int64_t voxels = 0;  // voxels analysed (inside the mask)
  std::string message;      // why it failed, or where its outputs are
};

inline constexpr EnumTable<SubjectStatus, 5> subject_status_names{{{SubjectStatus::pending, "pending"},
                                                                   {SubjectStatus::running, "running"},
                                                                   {SubjectStatus::done, "done"},
                                                                   {SubjectStatus::failed, "failed"},
                                                                   {SubjectStatus::skipped, "skipped"}}};

// "subject\tstatus\trank\thost\tseconds\tvoxels\tmessage" without the newline; tabs and line breaks in the
// text fields become spaces, so a row is always one line of seven fields.
std::string ledger_row(SubjectOutcome const& outcome);
// The inverse of ledger_row; std::invalid_argument for text that is not one.
SubjectOutcome parse_ledger_row(std::string const& row);

// The header and one row per outcome.
std::string ledger_text(std::vector<SubjectOutcome> const& outcomes);
// Replaces `path` atomically with ledger_text(outcomes); OutputError when it cannot.
void write_ledger(std::string const& path, std::vector<SubjectOutcome> const& outcomes);

}  // namespace voxflow::cohort

#endif
