#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/timing_file.hpp>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace voxflow::io {

std::vector<double> read_number_list(std::string const& path, std::string const& what) {
  std::ifstream in(path);
  if (!in) throw InputError(path, what, "a readable text file of numbers");
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
                         "numbers, found '" + word + "'");
      values.push_back(v);
    }
  }
  if (values.empty()) throw InputError(path, what, "at least one number; the file has none");
  return values;
}

std::vector<double> read_frame_times(std::string const& path) {
  auto const t = read_number_list(path, "timing");
  for (std::size_t i = 0; i < t.size(); ++i) {
    require_input(std::isfinite(t[i]), path, "timing (frame " + std::to_string(i) + ")",
                  "a finite time in seconds");
    if (i > 0)
      require_input(t[i] > t[i - 1], path, "timing (frame " + std::to_string(i) + ")",
                    "strictly increasing times in seconds, but " + std::to_string(t[i]) + " follows " +
                        std::to_string(t[i - 1]));
  }
  return t;
}

void write_number_list(std::string const& path, std::vector<double> const& values) {
  std::ostringstream out;
  out << std::setprecision(17);
  for (double v : values) out << v << "\n";
  write_text_atomically(path, out.str());
}

}  // namespace voxflow::io
