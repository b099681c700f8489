// The per-subject files beside the maps: one HDF5 file with every map, the status codes, the AIF and time
// grid and the provenance, and a QC image (a map montage, the AIF, a few fitted curves over their data) for a
// quick look.
#ifndef VOXFLOW_PIPELINE_SUBJECT_REPORTS_HPP
#define VOXFLOW_PIPELINE_SUBJECT_REPORTS_HPP

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::pipeline {

struct NamedVolume {
  std::string name, units;
  std::vector<double> values;  // NIfTI order
  bool codes = false;          // status codes: stored as uint8
};

struct SubjectRecord {
  std::array<int64_t, 3> dims{};
  std::vector<NamedVolume> maps;
  std::vector<double> times_s, aif_plasma;
  std::vector<std::pair<std::string, std::string>> attributes;  // provenance written as string attributes
};

// <path>.h5 with /maps/<name>, /aif/time_s, /aif/plasma_mM and root attributes.
void write_subject_hdf5(std::string const& path, SubjectRecord const& record);

struct QcCurves {
  std::vector<std::vector<double>> data, fitted;  // a few voxels' measured and fitted curves
  std::vector<std::string> labels;
};

// qc.png: slices of the first map, the AIF, and the given curves.
void write_subject_qc(std::string const& path, std::string const& title, SubjectRecord const& record,
                      QcCurves const& curves);

}  // namespace voxflow::pipeline

#endif
