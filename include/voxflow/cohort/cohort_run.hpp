// Running a cohort: many subjects of one modality, each through pipeline::run_subject, one failure never
// stopping the others. This file holds what every way of running a cohort shares (in sequence here; across
// MPI ranks in apps/voxflow/cohort_mpi.cpp): running one subject into a ledger outcome, the order subjects
// are handed out in, and the exit code of the whole.
#ifndef VOXFLOW_COHORT_COHORT_RUN_HPP
#define VOXFLOW_COHORT_COHORT_RUN_HPP

#include <voxflow/cohort/ledger.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/run_config.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::cohort {

// "sub-01", or "sub-01_ses-1": the ledger's name of a subject.
std::string subject_label(pipeline::RunConfig const& config);

// <output.dir>/cohort_status.tsv of the cohort (every subject shares output.dir).
std::string ledger_path(std::vector<pipeline::RunConfig> const& subjects);

// Every subject pending, in the cohort's order: the ledger before anything ran.
std::vector<SubjectOutcome> pending_outcomes(std::vector<pipeline::RunConfig> const& subjects);

// The grid size of a subject's largest NIfTI input, read from the headers only; 0 when none can be read
// (the run itself then reports why).
std::int64_t header_voxels(pipeline::RunConfig const& config);

// The order to hand subjects out in: largest first by header_voxels, ties in the cohort's order, so that
// the longest subjects do not start last and leave the other ranks idle at the end.
std::vector<std::size_t> queue_order(std::vector<pipeline::RunConfig> const& subjects);
// The same with every subject's header_voxels already read.
std::vector<std::size_t> queue_order(std::vector<pipeline::RunConfig> const& subjects,
                                     std::vector<std::int64_t> const& voxels);

// Whether a cohort under MPI splits this subject's voxels across all its ranks (pipeline/subject_split.hpp):
// its entry says `split: true`, or the cohort's `cohort.split_voxels` is above 0 and the subject's grid
// (header_voxels) has at least that many voxels. `voxels`: its header_voxels when known, else read here.
bool split_subject(pipeline::RunConfig const& config, std::int64_t voxels = -1);

// Runs one subject and says what became of it. A subject's own failure (its configuration, inputs, outputs,
// a run without a usable result) is an outcome `failed` with the error's message, never an exception.
SubjectOutcome run_cohort_subject(pipeline::Modality const& modality, pipeline::RunConfig const& config,
                                  pipeline::RunOptions const& options, int rank);

// One line for the console: "sub-01: done, 1234 voxels, 1.234 s (rank 0) -> /out/sub-01/perf".
std::string outcome_line(SubjectOutcome const& outcome);

// outcome_line on stdout, or on stderr for a failed subject.
void print_outcome(SubjectOutcome const& outcome);

// success when no subject failed, else partial ("completed with failures").
ExitCode cohort_exit_code(std::vector<SubjectOutcome> const& outcomes);

// Runs every subject in the cohort's order in this process, printing each outcome and keeping the ledger
// (ledger_writer.hpp). Needs Kokkos started.
ExitCode run_cohort_in_sequence(std::vector<pipeline::RunConfig> const& subjects,
                                pipeline::RunOptions const& options);

}  // namespace voxflow::cohort

#endif
