#include <voxflow/cohort/ledger_writer.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>

namespace voxflow::cohort {

bool ledger_rewrite_due(std::size_t changes, std::size_t subjects, double seconds_unwritten,
                        double max_staleness_seconds) {
  if (changes == 0) return false;
  std::size_t const batch = std::max<std::size_t>(1, subjects / 64);
  return changes >= batch || seconds_unwritten >= max_staleness_seconds;
}

LedgerWriter::LedgerWriter(std::string path, std::vector<SubjectOutcome> outcomes,
                           double max_staleness_seconds)
    : path_(std::move(path)), outcomes_(std::move(outcomes)), max_staleness_seconds_(max_staleness_seconds) {
  auto const folder = std::filesystem::path(path_).parent_path();
  std::filesystem::create_directories(folder);
  list_ledger_in_bidsignore(path_);
  rewrite();
}

LedgerWriter::~LedgerWriter() {
  try {
    flush();
  } catch (std::exception const&) {
    // Already failing (or at the end with an unwritable folder): the outcomes were printed as they came.
  }
}

void LedgerWriter::record(std::size_t i, SubjectOutcome const& outcome) {
  outcomes_.at(i) = outcome;
  if (changes_++ == 0) first_unwritten_ = std::chrono::steady_clock::now();
  double const unwritten =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - first_unwritten_).count();
  if (ledger_rewrite_due(changes_, outcomes_.size(), unwritten, max_staleness_seconds_)) rewrite();
}

void LedgerWriter::flush() {
  if (changes_ > 0) rewrite();
}

void LedgerWriter::rewrite() {
  write_ledger(path_, outcomes_);
  changes_ = 0;
  ++rewrites_;
}

}  // namespace voxflow::cohort
