// File-system questions about inputs, answered with InputError (exit code 4) instead of a bare
// std::filesystem exception (an internal error) when the file system cannot answer: a symbolic-link loop, a
// folder that cannot be searched or listed, a name that is too long.
#ifndef VOXFLOW_IO_INPUT_PATHS_HPP
#define VOXFLOW_IO_INPUT_PATHS_HPP

#include <string>
#include <vector>

namespace voxflow::io {

// Whether `path` is a folder (false when it does not exist or is a file).
bool is_input_directory(std::string const& path, std::string const& field);

// The paths of the entries of `folder`, sorted; empty when it is not a folder.
std::vector<std::string> list_input_directory(std::string const& folder, std::string const& field);

// The BIDS sidecar of an image: <stem>.json for <stem>.nii[.gz] (whether or not it exists).
std::string sidecar_of(std::string const& image);

}  // namespace voxflow::io

#endif
