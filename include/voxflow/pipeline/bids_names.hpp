// Which of voxflow's outputs have a name in BIDS derivatives (the BIDS schema as the official validator
// applies it): a quantitative T1 or M0 map and a discrete segmentation with its look-up table in anat/.
// Perfusion and diffusion parameter maps, the AIF table, the HDF5 file, the QC image and the run's
// configuration and record have none: the dataset's .bidsignore lists exactly those, so that the validator
// checks every other file.
#ifndef VOXFLOW_PIPELINE_BIDS_NAMES_HPP
#define VOXFLOW_PIPELINE_BIDS_NAMES_HPP

#include <string>

namespace voxflow::pipeline {

// `path` is an output file in a datatype folder (".../anat/sub-01_desc-vfa_T1map.nii.gz").
bool has_bids_name(std::string const& path);

// The .bidsignore pattern that matches `path` and every subject's file of its kind: "*_<suffix><extension>".
std::string bidsignore_pattern(std::string const& path);

}  // namespace voxflow::pipeline

#endif
