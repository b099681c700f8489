#include <voxflow/core/errors.hpp>
#include <voxflow/core/excerpt.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/timing_file.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace voxflow::io {

std::vector<double> read_number_list(std::string const& path, std::string const& what) {
  std::ifstream in(path);
  if (!in)
    throw InputError(path, what,
                     std::string("a readable text file of numbers (") + std::strerror(errno) + ")");
  std::vector<double> values;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line)
      if (c == ',' || c == ';' || c == '\t' || c == '\r') c = ' ';
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      char* end = nullptr;
      double const v = std::strtod(word.c_str(), &end);
      if (end == word.c_str() || *end != '\0')
        throw InputError(path, what + " (line " + std::to_string(line_number) + ")",
                         "numbers, found '" + excerpt(word) + "'");
      values.push_back(v);
    }
  }
  if (values.empty()) throw InputError(path, what, "at least one number; the file has none");
  return values;
}

void check_frame_times_s(std::vector<double> const& t, std::string const& source, std::string const& field) {
  constexpr double largest_step_s = 100.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::string const frame = field + " (frame " + std::to_string(i) + ")";
    require_input(std::isfinite(t[i]), source, frame, "a finite time in seconds");
    if (i == 0) continue;
    require_input(t[i] > t[i - 1], source, frame,
                  "strictly increasing times in seconds, but " + std::to_string(t[i]) + " follows " +
                      std::to_string(t[i - 1]));
    require_input(t[i] - t[i - 1] <= largest_step_s, source, frame,
                  "times in seconds, but it comes " + std::to_string(t[i] - t[i - 1]) +
                      " after the frame before (more than 100 s between frames: milliseconds?)");
  }
}

std::vector<double> read_frame_times(std::string const& path) {
  auto const t = read_number_list(path, "timing");
  check_frame_times_s(t, path, "timing");
  return t;
}

void write_number_list(std::string const& path, std::vector<double> const& values) {
  std::ostringstream out;
  out << std::setprecision(17);
  for (double v : values) out << v << "\n";
  write_text_atomically(path, out.str());
}

}  // namespace voxflow::io
