// Plain-text timing and parameter lists: one number per line or whitespace/comma separated, '#' comments
// allowed.
#ifndef VOXFLOW_IO_TIMING_FILE_HPP
#define VOXFLOW_IO_TIMING_FILE_HPP

#include <string>
#include <vector>

namespace voxflow::io {

// Reads every number of the file; InputError naming the file and line on anything else, or when it is empty.
std::vector<double> read_number_list(std::string const& path, std::string const& what);

// Frame times in seconds from any source (a timing file, a BIDS sidecar's VolumeTiming): finite, strictly
// increasing, and no two consecutive frames more than 100 s apart (a larger step is milliseconds taken for
// seconds, which would be fitted as a curve a thousand times too slow). InputError(source, field) naming
// the first offending frame.
void check_frame_times_s(std::vector<double> const& times, std::string const& source,
                         std::string const& field);

// The frame times of a text file, checked by check_frame_times_s.
std::vector<double> read_frame_times(std::string const& path);

// Writes numbers one per line, atomically (temporary file + rename).
void write_number_list(std::string const& path, std::vector<double> const& values);

}  // namespace voxflow::io

#endif
