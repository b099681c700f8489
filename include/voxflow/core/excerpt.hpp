// What an error message may show of text taken from an input: at most a short excerpt, printable ASCII only,
// so that a hostile or binary file never turns into a megabyte of raw bytes on a terminal or in a log.
#ifndef VOXFLOW_CORE_EXCERPT_HPP
#define VOXFLOW_CORE_EXCERPT_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace voxflow {

// The first `max_chars` characters of `text`, each byte outside printable ASCII shown as '?', with "..." and
// the full length appended when cut: "abc?def... (1048576 characters)".
std::string excerpt(std::string_view text, std::size_t max_chars = 60);

}  // namespace voxflow

#endif
