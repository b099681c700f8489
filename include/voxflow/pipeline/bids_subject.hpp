// A subject's folder of a BIDS raw dataset, as every modality's BIDS discovery starts from it:
// <root>/sub-<s>[/ses-<x>], and the files of one datatype folder named for the subject.
#ifndef VOXFLOW_PIPELINE_BIDS_SUBJECT_HPP
#define VOXFLOW_PIPELINE_BIDS_SUBJECT_HPP

#include <voxflow/pipeline/run_config.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline {

struct BidsSubject {
  std::string folder;  // <root>/sub-<s>[/ses-<x>]
  std::string prefix;  // sub-<s>[_ses-<x>]: how the subject's file names start
};

// InputError (field inputs.bids) naming the folder when the dataset has no such subject (and session).
BidsSubject find_bids_subject(std::string const& root, std::string const& subject,
                              std::string const& session);

// The files of <folder>/<datatype> whose names start with the subject's prefix and end with one of
// `suffixes`, sorted; empty when the datatype folder does not exist.
std::vector<std::string> bids_files(BidsSubject const& subject, std::string const& datatype,
                                    std::vector<std::string> const& suffixes);

// The one series of a subject: <root>/sub-<s>[/ses-<x>]/<datatype>/<prefix>[_<entities>]_<suffix>.nii[.gz],
// for the subject, session, run and acquisition of `settings` (the configuration keys subject, session, run,
// acq). InputError (field inputs.bids) naming the folder when there is none, or, when several match, listing
// them and naming the keys run and acq that choose one.
std::string find_bids_series(std::string const& root, RunSettings const& settings,
                             std::string const& datatype, std::string const& suffix);

}  // namespace voxflow::pipeline

#endif
