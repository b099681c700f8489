// Parsing the text of DICOM attribute values (see attribute_values.hpp): kept apart from GDCM so that the
// rules for numbers, dates and times are in one place.
#include "attribute_values.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/excerpt.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

namespace voxflow::io::detail {

namespace {

std::vector<std::string> split_values(std::string const& s) {
  std::vector<std::string> parts;
  std::stringstream stream(s);
  std::string part;
  while (std::getline(stream, part, '\\')) parts.push_back(trim(part));
  return parts;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t const era = (y >= 0 ? y : y - 399) / 400;
  unsigned const yoe = static_cast<unsigned>(y - era * 400);
  unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string trim(std::string s) {
  auto const blank = [](char c) { return c == ' ' || c == '\0' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && blank(s[start])) ++start;
  return s.substr(start);
}

std::vector<double> parse_numbers(std::string const& text, std::string const& file,
                                  std::string const& label) {
  std::vector<double> values;
  for (auto const& part : split_values(text)) {
    char* end = nullptr;
    double const v = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(v))
      throw InputError(file, label, "numbers separated by '\\' (found '" + excerpt(text) + "')");
    values.push_back(v);
  }
  return values;
}

std::optional<double> parse_date_s(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '.'), text.end());
  if (text.size() != 8 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int const y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(4, 2)),
            d = std::stoi(text.substr(6, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return 86400.0 *
         static_cast<double>(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

std::optional<double> parse_time_s(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ':'), text.end());
  std::string const whole = text.substr(0, text.find('.'));
  if (whole.size() < 2 || whole.size() > 6 || whole.size() % 2 != 0 ||
      !std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  double seconds = 3600.0 * std::stoi(whole.substr(0, 2));
  if (whole.size() >= 4) seconds += 60.0 * std::stoi(whole.substr(2, 2));
  if (whole.size() >= 6) seconds += std::stoi(whole.substr(4, 2));
  if (whole.size() == 6 && text.size() > 6) {
    std::string const frac = text.substr(6);  // ".FFFFFF"
    char* end = nullptr;
    double const f = std::strtod(frac.c_str(), &end);
    if (end != frac.c_str() + frac.size()) return std::nullopt;
    seconds += f;
  }
  return seconds;
}

std::string number_text(double v) {
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

}  // namespace voxflow::io::detail
