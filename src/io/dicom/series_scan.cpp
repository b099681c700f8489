// Scanning the inputs (see series_scan.hpp): finding the files, reading each header and sorting the files
// into image series, skipped files and counts.
#include "series_scan.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmTrace.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

namespace voxflow::io::detail {

namespace {

namespace fs = std::filesystem;

// Every file under the inputs (folders recursively), in path order within each input.
std::vector<std::string> collect_files(std::vector<std::string> const& inputs) {
  std::vector<std::string> files;
  for (auto const& input : inputs) {
    std::error_code ec;
    auto const status = fs::status(input, ec);
    if (ec || !fs::exists(status)) throw InputError(input, "path", "an existing DICOM file or folder");
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(input, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) throw InputError(input, "path", "a readable folder (" + ec.message() + ")");
      for (; it != end; it.increment(ec)) {
        if (ec) throw InputError(input, "path", "a readable folder (" + ec.message() + ")");
        std::error_code file_ec;
        if (it->is_regular_file(file_ec)) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

}  // namespace

Scan scan(std::vector<std::string> const& inputs) {
  // GDCM reports parse problems on std::cerr; voxflow turns them into InputErrors or counts instead.
  gdcm::Trace::SetDebug(false);
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
  Scan result;
  for (auto const& path : collect_files(inputs)) {
    ++result.counts.files_examined;
    auto header = read_file_header(path);
    if (!header) {
      ++result.counts.non_dicom_skipped;
      result.counts.skipped_files.push_back(path);
    } else if (!header->is_image) {
      ++result.counts.non_image_skipped;
      result.counts.skipped_files.push_back(path);
    } else {
      result.series[header->series_uid].push_back(std::move(*header));
    }
  }
  return result;
}

}  // namespace voxflow::io::detail
