// One subject from its configuration to complete outputs, for any modality (DESIGN.md §3, §9). This is the
// only place that knows the order of the stages (configure → check the input headers → plan the outputs →
// lock → read → compute → write → run record), how outputs are named and committed, and how a finished
// subject is recognised: its run record, written last, lists every output with its size and CRC-32, and
// `--resume` trusts a subject only when every listed file still matches.
#ifndef VOXFLOW_PIPELINE_RUN_SUBJECT_HPP
#define VOXFLOW_PIPELINE_RUN_SUBJECT_HPP

#include <voxflow/pipeline/modality.hpp>
#include <voxflow/pipeline/run_config.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace voxflow::pipeline {

struct RunOptions {
  bool resume = false;                  // skip a subject whose outputs are complete (verified)
  bool quiet = false;                   // no progress output
  std::int64_t chunk_voxels = 1 << 18;  // voxels per upload/compute/download round trip
  // A subject split across processes (subject_split.hpp): every part calls run_subject with its own split;
  // part 0 alone touches the output folder. nullptr: this process computes the whole subject.
  SubjectSplit const* split = nullptr;
};

struct SubjectReport {
  std::string subject;   // "sub-01" (with "_ses-x" when there is a session)
  bool skipped = false;  // resumed: outputs were already complete
  std::int64_t voxels = 0, fitted = 0, usable = 0;
  std::vector<std::pair<std::string, double>> stage_seconds;  // in run order
  double total_seconds = 0.0;
  std::string folder;              // where the outputs are
  std::vector<std::string> files;  // every file written, in writing order
  std::string backend;             // the execution space that computed the maps
  int host_threads = 0;
  // Not empty when the subject gave no usable result (e.g. no voxel with a usable fit): its maps are written
  // for diagnosis, but no run record, so the subject is not complete and the run does not succeed.
  std::string failure;
};

// Runs one subject. Errors: ConfigError, InputError (before anything is written), OutputError (a finished
// subject without --resume or --overwrite, an output folder that cannot be written or lacks the space, a
// folder another run is writing), BackendError.
SubjectReport run_subject(Modality const& modality, RunConfig const& config, RunOptions const& options);

// Reads `config_file` and runs it with its modality (modality_registry.hpp).
SubjectReport run_subject(std::string const& config_file, Overrides const& overrides,
                          RunOptions const& options);

// Checks a configuration and the headers of every input it names, without computing; returns a one-line
// description ("dce, extended_tofts"). The errors of run_subject's first steps.
std::string validate_subject(std::string const& config_file);
// The same for a configuration already read (e.g. one subject of a cohort, run_config.hpp).
std::string validate_subject(RunConfig const& config);

}  // namespace voxflow::pipeline

#endif
