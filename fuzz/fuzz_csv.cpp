// The OSIPI CSV reader (io/csv_table.hpp) on arbitrary text: parsed, then every cell read as text, as a
// number and as a list of numbers. Failures must be InputErrors.
#include "harness.hpp"

#include <voxflow/io/csv_table.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  using voxflow::fuzz::accept_voxflow_errors;
  std::string const text(reinterpret_cast<char const*>(data), size);
  accept_voxflow_errors([&] {
    auto const table = voxflow::io::CsvTable::parse(text, "fuzz.csv");
    for (std::size_t row = 0; row < table.rows(); ++row)
      for (auto const& column : table.columns()) {
        (void)table.text(row, column);
        accept_voxflow_errors([&] { (void)table.number(row, column); });
        accept_voxflow_errors([&] { (void)table.numbers(row, column); });
      }
  });
  return 0;
}
