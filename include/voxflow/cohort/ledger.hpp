// The cohort ledger, <output.dir>/cohort_status.tsv: one row per subject, in the cohort file's order, with
// what became of it (subject, status, rank, host, seconds, voxels, message). It is rewritten whole and
// atomically (io/atomic_file.hpp) after every subject, so a reader never sees half a file. Within one job one
// process writes it (rank 0, or the sequential run); separate processes on the same cohort (Slurm array
// tasks, `--subject-index`) merge their own rows into it under an exclusive flock on <ledger>.lock, so that
// any number of them finishing at once leave one row per subject. A row's text is also how an MPI worker
// reports a subject to rank 0 (cohort_mpi.cpp).
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
  // Ranks rank..rank+ranks-1 computed it together (a split subject, written by `rank`); the rank column
  // then reads "0-3".
  int ranks = 1;
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
// Replaces `path` atomically with ledger_text(outcomes), holding the ledger lock; OutputError when it cannot.
void write_ledger(std::string const& path, std::vector<SubjectOutcome> const& outcomes);

// Lists the ledger and its lock in the output dataset's .bidsignore (neither has a BIDS name), so that the
// validator stays clean; once per cohort run is enough.
void list_ledger_in_bidsignore(std::string const& path);

// The rows of the ledger at `path` in file order: none when there is no ledger yet. A line that is not a row
// (another program's edit) is left out, so its subject reads as not yet recorded. OutputError when the file
// exists but cannot be read.
std::vector<SubjectOutcome> read_ledger(std::string const& path);

// One row per subject of `cohort` (ledger names, in the cohort's order): this process's own outcome from
// `mine` when it has one, else the row `recorded` already holds for that subject, else pending. Rows of
// subjects no longer in the cohort are dropped, as a full rewrite by write_ledger would.
std::vector<SubjectOutcome> merge_ledger(std::vector<std::string> const& cohort,
                                         std::vector<SubjectOutcome> const& recorded,
                                         std::vector<SubjectOutcome> const& mine);

// Merges `mine` into the ledger at `path` across processes: waits for the exclusive lock on <path>.lock,
// re-reads the ledger, merges (merge_ledger), writes it to a temporary name and renames it into place, lists
// it in the .bidsignore, then releases the lock. The lock file stays (removing it would let two processes
// hold locks on different files of the same name); the kernel releases a lock whose holder dies. OutputError
// when the lock or the write fails, e.g. on a file system without flock.
void update_ledger(std::string const& path, std::vector<std::string> const& cohort,
                   std::vector<SubjectOutcome> const& mine);

}  // namespace voxflow::cohort

#endif
