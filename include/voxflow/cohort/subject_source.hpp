// Where a cohort's subjects come from besides an explicit `subjects:` list (pipeline::read_cohort_config):
// a glob over subject folders, or a BIDS raw dataset root, and the participant/session filters of BIDS Apps
// (`--participant-label`, `--session-label`). This file only finds and filters subjects on disk; turning each
// into a cohort entry (its `inputs`) is the configuration reader's. Every mistake is one ConfigError naming
// the file, the field and what was expected.
#ifndef VOXFLOW_COHORT_SUBJECT_SOURCE_HPP
#define VOXFLOW_COHORT_SUBJECT_SOURCE_HPP

#include <string>
#include <vector>

namespace voxflow::cohort {

// One subject (and session) a source found.
struct FoundSubject {
  std::string id;       // "sub-01"
  std::string session;  // "pre" (without "ses-"); empty when none
  std::string match;    // glob: the matched path as the pattern spelled it; BIDS: the root as written
};

// Every path matching `pattern` (POSIX glob, relative to `base_dir` unless absolute), in sorted order. A
// subject's id is the nearest path component starting with "sub-" (and a following "ses-<x>" component
// its session), else the match's last component. ConfigError(file, "subjects.glob") when nothing matches.
std::vector<FoundSubject> glob_subjects(std::string const& pattern, std::string const& base_dir,
                                        std::string const& file);

// The subjects of the BIDS dataset at `root` (relative to `base_dir` unless absolute): the participant_id
// column of its participants.tsv when it has one (each listed participant needs a folder), else its
// sub-<label> folders; one entry per ses-<label> folder of a subject, or one without a session.
std::vector<FoundSubject> bids_subjects(std::string const& root, std::string const& base_dir,
                                        std::string const& file);

// Participant and session labels to keep, with or without their "sub-"/"ses-" prefix; empty keeps all.
struct SubjectFilter {
  std::vector<std::string> participants, sessions;
  std::string participants_field = "--participant-label", sessions_field = "--session-label";
};

// The indices of `found` that the filter keeps, in order. ConfigError(file, <field>) naming a label that
// matches no subject (or session) of the cohort, and listing the labels there are.
std::vector<std::size_t> filter_subjects(std::vector<FoundSubject> const& found, SubjectFilter const& filter,
                                         std::string const& file);

// `text` with {id}, {session} and {match} replaced by the subject's values: the form of a glob source's
// `inputs` (e.g. "{match}/conc.nii.gz").
std::string fill_placeholders(std::string text, FoundSubject const& subject);

}  // namespace voxflow::cohort

#endif
