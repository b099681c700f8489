#include "asl_context.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/excerpt.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace voxflow::pipeline::asl_run {

namespace {

std::string trimmed_lowercase(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  s.erase(0, start);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split_tabs(std::string const& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t')) cells.push_back(trimmed_lowercase(cell));
  return cells;
}

}  // namespace

std::vector<VolumeType> read_aslcontext(std::string const& path) {
  std::ifstream in(path);
  if (!in)
    throw InputError(path, "aslcontext",
                     std::string("a readable BIDS aslcontext.tsv (") + std::strerror(errno) + ")");
  std::string line;
  int line_number = 0;
  int column = -1;
  std::vector<VolumeType> types;
  while (std::getline(in, line)) {
    ++line_number;
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    if (trimmed_lowercase(line).empty()) continue;
    auto const cells = split_tabs(line);
    if (column < 0) {
      auto const it = std::find(cells.begin(), cells.end(), "volume_type");
      require_input(it != cells.end(), path, "volume_type",
                    "a header line naming the column 'volume_type' (BIDS aslcontext)");
      column = static_cast<int>(it - cells.begin());
      continue;
    }
    std::string const where = "volume_type (line " + std::to_string(line_number) + ")";
    require_input(static_cast<int>(cells.size()) > column, path, where, "a volume type on every line");
    std::string const& word = cells[static_cast<std::size_t>(column)];
    if (word == "label")
      types.push_back(VolumeType::label);
    else if (word == "control")
      types.push_back(VolumeType::control);
    else if (word == "deltam")
      types.push_back(VolumeType::deltam);
    else if (word == "cbf")
      types.push_back(VolumeType::cbf);
    else if (word == "m0scan")
      types.push_back(VolumeType::m0scan);
    else if (word == "norf")
      types.push_back(VolumeType::norf);
    else
      throw InputError(path, where,
                       "label, control, deltam, cbf, m0scan or noRF, found '" + excerpt(word) + "'");
  }
  require_input(column >= 0, path, "volume_type", "a header line 'volume_type' and one line per volume");
  require_input(!types.empty(), path, "volume_type",
                "one line per volume of the ASL series; the file has none");
  return types;
}

asl::DifferencePlan difference_plan(std::vector<VolumeType> const& types, std::vector<double> const& pld_s,
                                    std::string const& context_path) {
  std::vector<int> controls, labels, deltams;
  for (std::size_t v = 0; v < types.size(); ++v) {
    if (types[v] == VolumeType::control) controls.push_back(static_cast<int>(v));
    if (types[v] == VolumeType::label) labels.push_back(static_cast<int>(v));
    if (types[v] == VolumeType::deltam) deltams.push_back(static_cast<int>(v));
  }
  if (!labels.empty() || !controls.empty()) {
    require_input(!controls.empty(), context_path, "volume_type",
                  "at least one control volume to subtract the " + std::to_string(labels.size()) +
                      " label volumes from (control - label), found none");
    require_input(!labels.empty(), context_path, "volume_type",
                  "at least one label volume to subtract from the " + std::to_string(controls.size()) +
                      " control volumes, found none");
    require_input(controls.size() == labels.size(), context_path, "volume_type",
                  "as many control as label volumes for pairwise subtraction, found " +
                      std::to_string(controls.size()) + " control and " + std::to_string(labels.size()) +
                      " label volumes");
  }
  require_input(!controls.empty() || !deltams.empty(), context_path, "volume_type",
                "label/control pairs or deltam volumes to quantify; the series has neither");
  // Distinct delays, to a microsecond.
  auto key = [](double pld) { return std::llround(pld * 1e6); };
  std::vector<long long> distinct;
  auto add_delay = [&](int volume) { distinct.push_back(key(pld_s[static_cast<std::size_t>(volume)])); };
  for (int v : controls) add_delay(v);
  for (int v : deltams) add_delay(v);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  asl::DifferencePlan plan;
  for (long long d : distinct) plan.group_pld_s.push_back(static_cast<double>(d) * 1e-6);
  auto group_of = [&](int volume) {
    return static_cast<int>(std::lower_bound(distinct.begin(), distinct.end(), key(pld_s[volume])) -
                            distinct.begin());
  };
  for (std::size_t k = 0; k < controls.size(); ++k) {
    int const c = controls[k], l = labels[k];
    require_input(key(pld_s[static_cast<std::size_t>(c)]) == key(pld_s[static_cast<std::size_t>(l)]),
                  context_path, "volume_type",
                  "control and label volumes of a pair at the same post-labeling delay, but control volume " +
                      std::to_string(c) + " and label volume " + std::to_string(l) +
                      " have different delays");
    plan.control.push_back(c);
    plan.label.push_back(l);
    plan.group.push_back(group_of(c));
  }
  for (int d : deltams) {
    plan.control.push_back(d);
    plan.label.push_back(-1);
    plan.group.push_back(group_of(d));
  }
  return plan;
}

std::vector<int> m0scan_volumes(std::vector<VolumeType> const& types) {
  std::vector<int> volumes;
  for (std::size_t v = 0; v < types.size(); ++v)
    if (types[v] == VolumeType::m0scan) volumes.push_back(static_cast<int>(v));
  return volumes;
}

}  // namespace voxflow::pipeline::asl_run
