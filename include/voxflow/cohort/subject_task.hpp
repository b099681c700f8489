// One subject of a cohort as its own process: `voxflow run cohort.yaml --subject-index N`, what one task of a
// Slurm job array runs (N = $SLURM_ARRAY_TASK_ID; cluster/README.md). Many such processes share the cohort's
// ledger, each merging only its own subject's row into it (update_ledger), so the ledger ends with one row
// per subject however the tasks overlap.
#ifndef VOXFLOW_COHORT_SUBJECT_TASK_HPP
#define VOXFLOW_COHORT_SUBJECT_TASK_HPP

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/run_config.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace voxflow::cohort {

// Checks that `index` (0-based, in the order the configuration lists the subjects) names one of `subjects`:
// ConfigError naming the cohort file, --subject-index and the number of subjects when it does not.
void check_subject_index(std::vector<pipeline::RunConfig> const& subjects, std::size_t index,
                         std::string const& cohort_file);

// Runs subjects[index] only, in this process: its ledger row becomes `running`, then its outcome (every other
// subject's row left as the ledger holds it, pending when new), and the outcome is printed. success, or
// partial ("completed with failures", exit 7) when the subject failed. Needs Kokkos started and a checked
// index.
ExitCode run_cohort_subject_task(std::vector<pipeline::RunConfig> const& subjects, std::size_t index,
                                 pipeline::RunOptions const& options);

}  // namespace voxflow::cohort

#endif
