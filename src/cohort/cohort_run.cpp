#include <voxflow/cohort/cohort_run.hpp>
#include <voxflow/cohort/ledger_writer.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/modality_registry.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>

namespace voxflow::cohort {

namespace {

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

bool is_nifti(std::string const& path) {
  return io::ends_with(path, ".nii") || io::ends_with(path, ".nii.gz");
}

}  // namespace

std::string subject_label(pipeline::RunConfig const& config) {
  auto const& s = config.settings();
  return "sub-" + s.subject + (s.session.empty() ? "" : "_ses-" + s.session);
}

std::string ledger_path(std::vector<pipeline::RunConfig> const& subjects) {
  return (std::filesystem::path(subjects.at(0).settings().output.dir) / "cohort_status.tsv").string();
}

std::vector<SubjectOutcome> pending_outcomes(std::vector<pipeline::RunConfig> const& subjects) {
  std::vector<SubjectOutcome> outcomes(subjects.size());
  for (std::size_t i = 0; i < subjects.size(); ++i) outcomes[i].subject = subject_label(subjects[i]);
  return outcomes;
}

std::int64_t header_voxels(pipeline::RunConfig const& config) {
  std::int64_t largest = 0;
  for (auto const& spec : config.schema().keys()) {
    if (spec.key.rfind("inputs.", 0) != 0) continue;
    std::vector<std::string> files;
    if (spec.type == pipeline::KeyType::path) {
      if (auto const p = config.text(spec.key)) files.push_back(*p);
    } else if (spec.type == pipeline::KeyType::paths) {
      files = config.paths(spec.key).value_or(std::vector<std::string>{});
    }
    for (auto const& file : files) {
      if (!is_nifti(file)) continue;
      try {
        auto const header = io::read_nifti_header(file);
        largest = std::max(largest, header.dims[0] * header.dims[1] * header.dims[2]);
      } catch (std::exception const&) {
        // An unreadable input: the subject's own run reports it.
      }
    }
  }
  return largest;
}

std::vector<std::size_t> queue_order(std::vector<pipeline::RunConfig> const& subjects) {
  std::vector<std::int64_t> voxels(subjects.size());
  for (std::size_t i = 0; i < subjects.size(); ++i) voxels[i] = header_voxels(subjects[i]);
  return queue_order(subjects, voxels);
}

std::vector<std::size_t> queue_order(std::vector<pipeline::RunConfig> const& subjects,
                                     std::vector<std::int64_t> const& voxels) {
  std::vector<std::size_t> order(subjects.size());
  for (std::size_t i = 0; i < subjects.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return voxels[a] > voxels[b]; });
  return order;
}

bool split_subject(pipeline::RunConfig const& config, std::int64_t voxels) {
  if (config.flag("split")) return true;
  long long const threshold = config.integer("cohort.split_voxels").value_or(0);
  if (threshold <= 0) return false;
  return (voxels >= 0 ? voxels : header_voxels(config)) >= threshold;
}

SubjectOutcome run_cohort_subject(pipeline::Modality const& modality, pipeline::RunConfig const& config,
                                  pipeline::RunOptions const& options, int rank) {
  SubjectOutcome outcome;
  outcome.subject = subject_label(config);
  outcome.rank = rank;
  if (options.split != nullptr) outcome.ranks = options.split->parts();
  outcome.host = host_name();
  auto const start = std::chrono::steady_clock::now();
  try {
    auto const report = pipeline::run_subject(modality, config, options);
    outcome.voxels = report.voxels;
    if (!report.failure.empty()) {
      outcome.status = SubjectStatus::failed;
      outcome.message = report.failure;
    } else {
      outcome.status = report.skipped ? SubjectStatus::skipped : SubjectStatus::done;
      outcome.message = (report.skipped ? "outputs already complete in " : "") + report.folder;
    }
  } catch (std::exception const& e) {
    // Any error of this subject, voxflow's own (configuration, input, output, backend) or not: the
    // cohort goes on.
    outcome.status = SubjectStatus::failed;
    outcome.message = e.what();
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

std::string outcome_line(SubjectOutcome const& o) {
  char numbers[128];
  if (o.ranks > 1)
    std::snprintf(numbers, sizeof(numbers), "%lld voxels, %.3f s (split, ranks %d-%d)",
                  static_cast<long long>(o.voxels), o.seconds, o.rank, o.rank + o.ranks - 1);
  else
    std::snprintf(numbers, sizeof(numbers), "%lld voxels, %.3f s (rank %d)", static_cast<long long>(o.voxels),
                  o.seconds, o.rank);
  return o.subject + ": " + enum_name(subject_status_names, o.status) + ", " + numbers +
         (o.status == SubjectStatus::failed ? ": " : " -> ") + o.message;
}

void print_outcome(SubjectOutcome const& o) {
  std::FILE* stream = o.status == SubjectStatus::failed ? stderr : stdout;
  std::fprintf(stream, "%s\n", outcome_line(o).c_str());
  std::fflush(stream);
}

ExitCode cohort_exit_code(std::vector<SubjectOutcome> const& outcomes) {
  bool const any_failed = std::any_of(outcomes.begin(), outcomes.end(), [](SubjectOutcome const& o) {
    return o.status == SubjectStatus::failed;
  });
  return any_failed ? ExitCode::partial : ExitCode::success;
}

ExitCode run_cohort_in_sequence(std::vector<pipeline::RunConfig> const& subjects,
                                pipeline::RunOptions const& options) {
  auto const& modality = pipeline::find_modality(subjects.at(0).modality(), subjects.at(0).file());
  LedgerWriter ledger(ledger_path(subjects), pending_outcomes(subjects));
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    auto const outcome = run_cohort_subject(modality, subjects[i], options, 0);
    ledger.record(i, outcome);
    print_outcome(outcome);
  }
  ledger.flush();
  return cohort_exit_code(ledger.outcomes());
}

}  // namespace voxflow::cohort
