// Private to src/io/dicom: the text of DICOM attribute values (multi-valued numbers, DA dates, TM times)
// turned into numbers, and numbers turned back into text for error messages.
#ifndef VOXFLOW_SRC_IO_DICOM_ATTRIBUTE_VALUES_HPP
#define VOXFLOW_SRC_IO_DICOM_ATTRIBUTE_VALUES_HPP

#include <optional>
#include <string>
#include <vector>

namespace voxflow::io::detail {

// `s` without leading and trailing blanks (spaces, NULs, tabs, line ends: DICOM pads values to even length).
std::string trim(std::string s);

// The numbers of a multi-valued DS/IS/FD/US attribute; InputError naming the tag when one is not a number.
std::vector<double> parse_numbers(std::string const& text, std::string const& file, std::string const& label);

// DICOM DA "YYYYMMDD" (or the old "YYYY.MM.DD") in seconds since 1970; nullopt when malformed.
std::optional<double> parse_date_s(std::string text);

// DICOM TM "HHMMSS.FFFFFF" (trailing parts optional; the old "HH:MM:SS.frac" accepted) in seconds.
std::optional<double> parse_time_s(std::string text);

// `v` with up to 10 significant digits, for error messages.
std::string number_text(double v);

}  // namespace voxflow::io::detail

#endif
