// The run record `<prefix>_desc-<method>_run.json` (DESIGN.md §3, restart): written last, it is what makes a
// subject complete. It lists every output with its size and CRC-32, so `--resume` can tell a finished subject
// from one whose files were lost, cut short or replaced since, instead of trusting the record's presence.
#ifndef VOXFLOW_PIPELINE_RUN_RECORD_HPP
#define VOXFLOW_PIPELINE_RUN_RECORD_HPP

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline {

struct RunRecordState {
  bool exists = false;
  bool complete = false;           // exists, and every listed file matches its size and CRC-32
  std::string problem;             // why an existing record is not complete
  std::vector<std::string> files;  // the listed files (absolute), whatever their state
};

// Reads a run record and, with `verify_files`, checks every listed file's size and CRC-32 (otherwise
// `complete` stays false); `output_dir` is the folder the listed paths are relative to.
RunRecordState check_run_record(std::string const& record_path, std::string const& output_dir,
                                bool verify_files = true);

// Writes `summary` plus a "Files" list of {Path (relative to output_dir), Bytes, CRC32} for every file.
void write_run_record(std::string const& record_path, std::string const& output_dir, nlohmann::json summary,
                      std::vector<std::string> const& files);

}  // namespace voxflow::pipeline

#endif
