// The OSIPI CSV reader (io/csv_table.hpp) on arbitrary text: parsed, then cells read as text, as a list of
// numbers and, where that succeeded, as one number. Failures must be InputErrors. Cells past the first 64 run
// the same code on other text; reading them all made the unwinding of their errors 90 % of the time.
#include "harness.hpp"

#include <voxflow/io/csv_table.hpp>

#include <cstdint>
#include <string>

namespace {
constexpr std::size_t max_cells_read = 64;
}

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, std::size_t size) {
  using voxflow::fuzz::accept_voxflow_errors;
  std::string const text(reinterpret_cast<char const*>(data), size);
  accept_voxflow_errors([&] {
    auto const table = voxflow::io::CsvTable::parse(text, "fuzz.csv");
    std::size_t cells = 0;
    for (std::size_t row = 0; row < table.rows(); ++row)
      for (auto const& column : table.columns()) {
        if (cells++ == max_cells_read) return;
        (void)table.text(row, column);
        bool numbers_read = false;
        accept_voxflow_errors([&] {
          (void)table.numbers(row, column);
          numbers_read = true;
        });
        // number() is numbers() and a count check: after numbers() threw it would throw the same error.
        if (numbers_read) accept_voxflow_errors([&] { (void)table.number(row, column); });
      }
  });
  return 0;
}
