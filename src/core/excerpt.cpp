#include <voxflow/core/excerpt.hpp>

namespace voxflow {

std::string excerpt(std::string_view text, std::size_t max_chars) {
  std::string shown;
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    auto const c = static_cast<unsigned char>(text[i]);
    shown += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  if (text.size() > max_chars) shown += "... (" + std::to_string(text.size()) + " characters)";
  return shown;
}

}  // namespace voxflow
