#include <voxflow/cohort/cohort_run.hpp>
#include <voxflow/cohort/subject_task.hpp>
#include <voxflow/pipeline/modality_registry.hpp>

#include <filesystem>

namespace voxflow::cohort {

void check_subject_index(std::vector<pipeline::RunConfig> const& subjects, std::size_t index,
                         std::string const& cohort_file) {
  if (index < subjects.size()) return;
  std::size_t const n = subjects.size();
  throw ConfigError(cohort_file, "--subject-index",
                    "an index from 0 to " + std::to_string(n == 0 ? 0 : n - 1) + " (the cohort lists " +
                        std::to_string(n) + " subject" + (n == 1 ? "" : "s") + "), not " +
                        std::to_string(index));
}

ExitCode run_cohort_subject_task(std::vector<pipeline::RunConfig> const& subjects, std::size_t index,
                                 pipeline::RunOptions const& options) {
  auto const& config = subjects.at(index);
  auto const& modality = pipeline::find_modality(config.modality(), config.file());
  std::string const ledger = ledger_path(subjects);
  std::filesystem::create_directories(std::filesystem::path(ledger).parent_path());
  std::vector<std::string> cohort;
  for (auto const& o : pending_outcomes(subjects)) cohort.push_back(o.subject);

  SubjectOutcome running;
  running.subject = cohort[index];
  running.status = SubjectStatus::running;
  running.rank = 0;
  update_ledger(ledger, cohort, {running});
  auto const outcome = run_cohort_subject(modality, config, options, 0);
  update_ledger(ledger, cohort, {outcome});
  print_outcome(outcome);
  return cohort_exit_code({outcome});
}

}  // namespace voxflow::cohort
