// A cohort across the ranks of an MPI job (built with VOXFLOW_WITH_MPI only). Rank 0 serves a dynamic queue,
// largest subjects first (cohort::queue_order): every rank, rank 0 included, asks for a subject, runs it and
// reports its outcome (a ledger row) back; rank 0 alone writes the ledger (cohort/ledger_writer.hpp). A
// serving thread on rank 0 answers the other ranks while rank 0's own subject computes, so no rank waits for
// another to finish a subject.
#ifndef VOXFLOW_APPS_COHORT_MPI_HPP
#define VOXFLOW_APPS_COHORT_MPI_HPP

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/run_config.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <vector>

namespace voxflow::app {

// Every rank calls it with the same subjects (each rank reads the cohort file itself; only indices and
// outcomes travel). Returns, on every rank, the cohort's exit code. Needs MpiSession and Kokkos started.
ExitCode run_cohort_mpi(std::vector<pipeline::RunConfig> const& subjects,
                        pipeline::RunOptions const& options);

}  // namespace voxflow::app

#endif
