#include <voxflow/cohort/subject_source.hpp>
#include <voxflow/core/errors.hpp>

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace voxflow::cohort {

namespace {

std::string strip_prefix(std::string const& value, std::string const& prefix) {
  return value.rfind(prefix, 0) == 0 ? value.substr(prefix.size()) : value;
}

fs::path against(std::string const& path, std::string const& base_dir) {
  fs::path const p(path);
  return p.is_absolute() ? p : fs::path(base_dir) / p;
}

// "sub-01, sub-02, ... (12 in all)": what a filter could have named.
std::string some_of(std::set<std::string> const& labels, std::string const& prefix) {
  std::string text;
  std::size_t shown = 0;
  for (auto const& label : labels) {
    if (shown == 8) {
      text += ", ... (" + std::to_string(labels.size()) + " in all)";
      break;
    }
    text += (shown++ ? ", " : "") + prefix + label;
  }
  return text.empty() ? "none" : text;
}

std::vector<std::string> sub_folders(fs::path const& folder, std::string const& prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator(folder, ec)) {
    std::string const name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size() && e.is_directory(ec))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The participant_id column of <root>/participants.tsv; nothing when the file is absent.
std::vector<std::string> listed_participants(fs::path const& tsv) {
  std::vector<std::string> ids;
  std::ifstream in(tsv);
  if (!in) return ids;
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::istringstream columns(line);
  for (std::string c; std::getline(columns, c, '\t');) header.push_back(c);
  auto const column = std::find(header.begin(), header.end(), "participant_id");
  if (column == header.end())
    throw ConfigError(tsv.string(), "participant_id", "a tab-separated header with a participant_id column");
  auto const index = static_cast<std::size_t>(column - header.begin());
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string field;
    for (std::size_t i = 0; i <= index && std::getline(fields, field, '\t'); ++i) {
    }
    ids.push_back(field.rfind("sub-", 0) == 0 ? field : "sub-" + field);
  }
  return ids;
}

}  // namespace

std::vector<FoundSubject> glob_subjects(std::string const& pattern, std::string const& base_dir,
                                        std::string const& file) {
  bool const relative = !fs::path(pattern).is_absolute();
  std::string const full = against(pattern, base_dir).string();
  glob_t matches{};
  int const status = ::glob(full.c_str(), 0, nullptr, &matches);
  std::vector<std::string> paths;
  for (std::size_t i = 0; status == 0 && i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
  ::globfree(&matches);
  if (paths.empty())
    throw ConfigError(file, "subjects.glob",
                      "a pattern matching at least one subject folder or file, but '" + pattern +
                          "' matches nothing in " + (relative ? base_dir : std::string("/")));
  std::vector<FoundSubject> found;
  for (auto const& path : paths) {
    FoundSubject s;
    s.match = relative ? fs::path(path).lexically_relative(base_dir).string() : path;
    std::vector<std::string> parts;
    for (auto const& part : fs::path(s.match)) parts.push_back(part.string());
    for (std::size_t i = parts.size(); i-- > 0 && s.id.empty();) {
      if (parts[i].rfind("sub-", 0) != 0) continue;
      s.id = parts[i].substr(0, parts[i].find('_'));  // a file name "sub-01_dce.nii.gz" names sub-01 too
      if (i + 1 < parts.size() && parts[i + 1].rfind("ses-", 0) == 0) s.session = parts[i + 1].substr(4);
    }
    if (s.id.empty()) s.id = "sub-" + fs::path(s.match).filename().string();
    found.push_back(s);
  }
  return found;
}

std::vector<FoundSubject> bids_subjects(std::string const& root, std::string const& base_dir,
                                        std::string const& file) {
  fs::path const folder = against(root, base_dir);
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw ConfigError(file, "subjects.bids",
                      "the folder of a BIDS raw dataset, found no folder " + folder.string());
  auto ids = listed_participants(folder / "participants.tsv");
  if (ids.empty()) {
    ids = sub_folders(folder, "sub-");
  } else {
    for (auto const& id : ids)
      if (!fs::is_directory(folder / id, ec))
        throw ConfigError((folder / "participants.tsv").string(), "participant_id",
                          "participants with a folder in the dataset, but " + id + " has none");
  }
  if (ids.empty())
    throw ConfigError(file, "subjects.bids",
                      "a BIDS raw dataset with sub-<label> folders (or a participants.tsv), found none in " +
                          folder.string());
  std::vector<FoundSubject> found;
  for (auto const& id : ids) {
    auto const sessions = sub_folders(folder / id, "ses-");
    if (sessions.empty()) found.push_back({id, "", root});
    for (auto const& session : sessions) found.push_back({id, session.substr(4), root});
  }
  return found;
}

std::vector<std::size_t> filter_subjects(std::vector<FoundSubject> const& found, SubjectFilter const& filter,
                                         std::string const& file) {
  std::set<std::string> participants, sessions, known_participants, known_sessions;
  for (auto const& p : filter.participants) participants.insert(strip_prefix(p, "sub-"));
  for (auto const& s : filter.sessions) sessions.insert(strip_prefix(s, "ses-"));
  for (auto const& f : found) {
    known_participants.insert(strip_prefix(f.id, "sub-"));
    if (!f.session.empty()) known_sessions.insert(f.session);
  }
  for (auto const& p : participants)
    if (!known_participants.count(p))
      throw ConfigError(file, filter.participants_field,
                        "participant labels of this cohort (" + some_of(known_participants, "sub-") +
                            "), found unknown label '" + p + "'");
  for (auto const& s : sessions)
    if (!known_sessions.count(s))
      throw ConfigError(file, filter.sessions_field,
                        "session labels of this cohort (" + some_of(known_sessions, "ses-") +
                            "), found unknown label '" + s + "'");
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < found.size(); ++i) {
    bool const participant = participants.empty() || participants.count(strip_prefix(found[i].id, "sub-"));
    bool const session = sessions.empty() || sessions.count(found[i].session);
    if (participant && session) kept.push_back(i);
  }
  if (kept.empty())
    throw ConfigError(file, filter.sessions_field,
                      "a participant and session filter that leaves at least one subject, found none left");
  return kept;
}

std::string fill_placeholders(std::string text, FoundSubject const& subject) {
  for (auto const& [name, value] : {std::pair<std::string, std::string>{"{id}", subject.id},
                                    {"{session}", subject.session},
                                    {"{match}", subject.match}})
    for (std::size_t at; (at = text.find(name)) != std::string::npos;) text.replace(at, name.size(), value);
  return text;
}

}  // namespace voxflow::cohort
