#include <voxflow/core/errors.hpp>
#include <voxflow/core/excerpt.hpp>
#include <voxflow/io/csv_table.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace voxflow::io {

namespace {

std::string trim(std::string const& s) {
  auto const first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  auto const last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// Splits one CSV record; a quoted cell may contain commas and doubled quotes.
std::vector<std::string> split_record(std::string const& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char const c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

}  // namespace

std::vector<double> parse_numbers(std::string const& text, std::string const& where) {
  std::vector<double> values;
  char const* p = text.c_str();
  while (*p != '\0') {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') ++p;
    if (*p == '\0') break;
    char* end = nullptr;
    errno = 0;
    double const v = std::strtod(p, &end);
    if (end == p)
      throw InputError(
          where, "",
          "numbers separated by spaces, found '" + excerpt(text.substr(p - text.c_str(), 20)) + "'");
    values.push_back(v);
    p = end;
  }
  return values;
}

CsvTable CsvTable::read(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", std::string("a readable CSV file (") + std::strerror(errno) + ")");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

CsvTable CsvTable::parse(std::string const& raw, std::string const& path) {
  CsvTable table;
  table.path_ = path;
  std::string text = raw;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte-order mark
  std::istringstream lines(text);
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    auto cells = split_record(line);
    if (table.columns_.empty()) {
      table.columns_ = std::move(cells);
      for (std::size_t i = 0; i < table.columns_.size(); ++i) table.column_of_.emplace(table.columns_[i], i);
      continue;
    }
    if (cells.size() != table.columns_.size())
      throw InputError(path, "line " + std::to_string(line_number),
                       std::to_string(table.columns_.size()) +
                           " comma-separated cells like the header, found " + std::to_string(cells.size()));
    table.cells_.push_back(std::move(cells));
  }
  if (table.columns_.empty())
    throw InputError(path, "", "a header row followed by data rows; the file is empty");
  return table;
}

bool CsvTable::has_column(std::string const& name) const {
  return column_of_.count(trim(name)) > 0;
}

std::size_t CsvTable::column_index(std::string const& name) const {
  std::string const wanted = trim(name);
  if (auto const found = column_of_.find(wanted); found != column_of_.end()) return found->second;
  throw InputError(path_, wanted, "a column named '" + wanted + "' in the header");
}

std::string const& CsvTable::text(std::size_t row, std::string const& column) const {
  return cells_.at(row)[column_index(column)];
}

double CsvTable::number(std::size_t row, std::string const& column) const {
  auto const values = numbers(row, column);
  if (values.size() != 1)
    throw InputError(path_, column + " (row " + std::to_string(row + 1) + ")",
                     "one number, found " + std::to_string(values.size()));
  return values.front();
}

std::vector<double> CsvTable::numbers(std::size_t row, std::string const& column) const {
  return parse_numbers(text(row, column),
                       path_ + ": column '" + column + "', row " + std::to_string(row + 1));
}

}  // namespace voxflow::io
