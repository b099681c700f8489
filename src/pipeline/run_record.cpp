#include <voxflow/core/errors.hpp>
#include <voxflow/io/file_digest.hpp>
#include <voxflow/pipeline/run_record.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>

#include <filesystem>
#include <fstream>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

RunRecordState check_run_record(std::string const& record_path, std::string const& output_dir,
                                bool verify_files) {
  RunRecordState state;
  std::error_code ec;
  state.exists = fs::exists(record_path, ec);
  if (!state.exists) return state;
  nlohmann::json record;
  {
    std::ifstream in(record_path);
    record = nlohmann::json::parse(in, nullptr, false);
  }
  if (record.is_discarded() || !record.is_object() || !record.contains("Files") ||
      !record["Files"].is_array()) {
    state.problem = "the run record is not a voxflow run record with a file list";
    return state;
  }
  for (auto const& entry : record["Files"]) {
    if (!entry.is_object() || !entry.contains("Path") || !entry["Path"].is_string() ||
        !entry.contains("Bytes") || !entry["Bytes"].is_number_unsigned() || !entry.contains("CRC32") ||
        !entry["CRC32"].is_string()) {
      state.problem = "the run record lists a file without its path, size and CRC-32";
      return state;
    }
    // A listed file is replaced or removed by the next run: one outside the output folder (an edited or
    // planted record) would let a run delete files anywhere.
    fs::path const relative = fs::path(entry["Path"].get<std::string>()).lexically_normal();
    if (relative.empty() || relative.is_absolute() || *relative.begin() == "..") {
      state.problem = "the run record lists a file outside the output folder: " + relative.string();
      state.files.clear();
      return state;
    }
    state.files.push_back((fs::path(output_dir) / entry["Path"].get<std::string>()).string());
  }
  if (!verify_files) return state;
  std::size_t i = 0;
  for (auto const& entry : record["Files"]) {
    std::string const& file = state.files[i++];
    if (!fs::is_regular_file(file, ec)) {
      state.problem = file + " is missing";
      return state;
    }
    try {
      auto const digest = io::file_digest(file);
      if (digest.size != entry["Bytes"].get<std::uintmax_t>() ||
          digest.crc32_hex != entry["CRC32"].get<std::string>()) {
        state.problem = file + " has changed since the run that wrote it";
        return state;
      }
    } catch (InputError const&) {
      state.problem = file + " cannot be read";
      return state;
    }
  }
  state.complete = true;
  return state;
}

void write_run_record(std::string const& record_path, std::string const& output_dir, nlohmann::json summary,
                      std::vector<std::string> const& files) {
  nlohmann::json list = nlohmann::json::array();
  for (auto const& file : files) {
    auto const digest = io::file_digest(file);
    list.push_back({{"Path", fs::path(file).lexically_relative(output_dir).string()},
                    {"Bytes", digest.size},
                    {"CRC32", digest.crc32_hex}});
  }
  summary["Files"] = list;
  write_json(record_path, summary);
}

}  // namespace voxflow::pipeline
