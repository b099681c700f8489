#include <voxflow/cohort/ledger.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace voxflow::cohort {

namespace {

constexpr char const* header = "subject\tstatus\trank\thost\tseconds\tvoxels\tmessage";

std::string one_field(std::string text) {
  for (char& c : text)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

std::string ledger_row(SubjectOutcome const& o) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.3f", o.seconds);
  return one_field(o.subject) + "\t" + enum_name(subject_status_names, o.status) + "\t" +
         std::to_string(o.rank) + "\t" + one_field(o.host) + "\t" + seconds + "\t" +
         std::to_string(o.voxels) + "\t" + one_field(o.message);
}

SubjectOutcome parse_ledger_row(std::string const& row) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t tab; (tab = row.find('\t', start)) != std::string::npos; start = tab + 1)
    fields.push_back(row.substr(start, tab - start));
  fields.push_back(row.substr(start));
  if (fields.size() != 7) throw std::invalid_argument("not a cohort ledger row: '" + row + "'");
  SubjectOutcome o;
  o.subject = fields[0];
  auto const status = parse_enum(subject_status_names, fields[1]);
  if (!status) throw std::invalid_argument("not a cohort status: '" + fields[1] + "'");
  o.status = *status;
  o.rank = std::stoi(fields[2]);
  o.host = fields[3];
  o.seconds = std::stod(fields[4]);
  o.voxels = std::stoll(fields[5]);
  o.message = fields[6];
  return o;
}

std::string ledger_text(std::vector<SubjectOutcome> const& outcomes) {
  std::string text = std::string(header) + "\n";
  for (auto const& o : outcomes) text += ledger_row(o) + "\n";
  return text;
}

void write_ledger(std::string const& path, std::vector<SubjectOutcome> const& outcomes) {
  io::write_text_atomically(path, ledger_text(outcomes));
  // The ledger has no BIDS name: the output dataset's .bidsignore lists it, so the validator stays clean.
  pipeline::write_dataset_files(std::filesystem::path(path).parent_path().string(), {path});
}

}  // namespace voxflow::cohort
