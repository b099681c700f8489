// Reader for the CSV files of the OSIPI reference cases (and any CSV of the same shape): a header row, one
// case per row, comma-separated cells, arrays inside a cell as whitespace-separated numbers. Tolerates a
// UTF-8 byte-order mark, CRLF line ends, quoted cells and header names with stray spaces (columns are matched
// by trimmed name).
#ifndef VOXFLOW_IO_CSV_TABLE_HPP
#define VOXFLOW_IO_CSV_TABLE_HPP

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace voxflow::io {

class CsvTable {
 public:
  // Reads the whole file; throws InputError naming the file when it is missing, empty or ragged.
  static CsvTable read(std::string const& path);
  // Parses text already in memory; `path` is only used in error messages.
  static CsvTable parse(std::string const& text, std::string const& path);

  std::string const& path() const { return path_; }
  std::size_t rows() const { return cells_.size(); }
  std::vector<std::string> const& columns() const { return columns_; }
  bool has_column(std::string const& name) const;

  // Cell text, trimmed. Throws InputError naming file, row and column when the column does not exist.
  std::string const& text(std::size_t row, std::string const& column) const;
  // The cell as one number / as whitespace-separated numbers; InputError on anything unparsable.
  double number(std::size_t row, std::string const& column) const;
  std::vector<double> numbers(std::size_t row, std::string const& column) const;

 private:
  std::size_t column_index(std::string const& name) const;
  std::string path_;
  std::vector<std::string> columns_;
  // Header name -> first column of that name: a lookup per cell stays constant-time however wide the file.
  std::unordered_map<std::string, std::size_t> column_of_;
  std::vector<std::vector<std::string>> cells_;
};

// Splits a cell of whitespace-separated numbers; `where` names the source in error messages.
std::vector<double> parse_numbers(std::string const& text, std::string const& where);

}  // namespace voxflow::io

#endif
