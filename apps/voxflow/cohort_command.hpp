// `voxflow run cohort.yaml`: a cohort configuration (pipeline::read_cohort_config) run in sequence, or across
// the ranks of an MPI job (cohort_mpi.hpp) when more than one was started.
#ifndef VOXFLOW_APPS_COHORT_COMMAND_HPP
#define VOXFLOW_APPS_COHORT_COMMAND_HPP

#include "pipeline_commands.hpp"

#include <voxflow/pipeline/run_config.hpp>

#include <vector>

namespace voxflow::app {

// Starts Kokkos with this rank's share of the host threads (the command line's or the configuration's
// `threads` when given) and runs every subject; returns 0, or ExitCode::partial when any subject failed.
int run_cohort(RunCommand const& run, CommonOptions const& common,
               std::vector<pipeline::RunConfig> const& subjects);

}  // namespace voxflow::app

#endif
