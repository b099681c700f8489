#include <voxflow/cohort/ledger.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
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

std::string lock_path_of(std::string const& ledger) {
  return ledger + ".lock";
}

// An exclusive flock on <ledger>.lock for as long as it lives; waits for another holder to finish (a ledger
// rewrite takes milliseconds). Unlike io::OutputLock it never removes the file, so every process always locks
// the same inode and there is no unlink race to guard against.
class LedgerLock {
 public:
  explicit LedgerLock(std::string const& ledger) : path_(lock_path_of(ledger)) {
    // O_NOFOLLOW: a link planted under the lock's name must not have voxflow create files where it points.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0)
      throw OutputError(path_, std::string("cannot open the ledger lock: ") + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int const error = errno;
      ::close(fd_);
      throw OutputError(
          path_,
          std::string("cannot lock the ledger: ") + std::strerror(error) +
              (error == ENOLCK || error == EOPNOTSUPP ? " (this file system may not support flock)" : ""));
    }
  }
  ~LedgerLock() { ::close(fd_); }  // closing releases the flock
  LedgerLock(LedgerLock const&) = delete;
  LedgerLock& operator=(LedgerLock const&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// "1", or "0-3" for a subject split across ranks 0 to 3.
std::string rank_field(SubjectOutcome const& o) {
  if (o.ranks <= 1) return std::to_string(o.rank);
  return std::to_string(o.rank) + "-" + std::to_string(o.rank + o.ranks - 1);
}

void parse_rank_field(std::string const& field, SubjectOutcome& o) {
  std::size_t used = 0;
  o.rank = std::stoi(field, &used);
  o.ranks = 1;
  if (used == field.size()) return;
  if (field[used] != '-' || o.rank < 0) throw std::invalid_argument("not a rank: '" + field + "'");
  std::size_t tail = 0;
  int const last = std::stoi(field.substr(used + 1), &tail);
  if (used + 1 + tail != field.size() || last < o.rank)
    throw std::invalid_argument("not a rank range: '" + field + "'");
  o.ranks = last - o.rank + 1;
}

}  // namespace

std::string ledger_row(SubjectOutcome const& o) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.3f", o.seconds);
  return one_field(o.subject) + "\t" + enum_name(subject_status_names, o.status) + "\t" + rank_field(o) +
         "\t" + one_field(o.host) + "\t" + seconds + "\t" + std::to_string(o.voxels) + "\t" +
         one_field(o.message);
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
  parse_rank_field(fields[2], o);
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
  LedgerLock const lock(path);
  io::write_text_atomically(path, ledger_text(outcomes));
}

void list_ledger_in_bidsignore(std::string const& path) {
  pipeline::write_dataset_files(std::filesystem::path(path).parent_path().string(),
                                {path, lock_path_of(path)});
}

std::vector<SubjectOutcome> read_ledger(std::string const& path) {
  std::vector<SubjectOutcome> rows;
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return rows;
    throw OutputError(path, std::string("cannot read the cohort ledger: ") + std::strerror(errno));
  }
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    try {
      rows.push_back(parse_ledger_row(line));
    } catch (std::exception const&) {
      // Not a row voxflow wrote: its subject counts as not yet recorded.
    }
  }
  return rows;
}

std::vector<SubjectOutcome> merge_ledger(std::vector<std::string> const& cohort,
                                         std::vector<SubjectOutcome> const& recorded,
                                         std::vector<SubjectOutcome> const& mine) {
  std::map<std::string, SubjectOutcome const*> by_subject;
  for (auto const& o : recorded) by_subject[o.subject] = &o;
  for (auto const& o : mine) by_subject[o.subject] = &o;  // this process's word wins
  std::vector<SubjectOutcome> merged(cohort.size());
  for (std::size_t i = 0; i < cohort.size(); ++i) {
    auto const found = by_subject.find(cohort[i]);
    if (found != by_subject.end()) merged[i] = *found->second;
    merged[i].subject = cohort[i];
  }
  return merged;
}

void update_ledger(std::string const& path, std::vector<std::string> const& cohort,
                   std::vector<SubjectOutcome> const& mine) {
  LedgerLock const lock(path);
  io::write_text_atomically(path, ledger_text(merge_ledger(cohort, read_ledger(path), mine)));
  list_ledger_in_bidsignore(path);
}

}  // namespace voxflow::cohort
