// The per-subject files beside the maps: one HDF5 file with every map, the status codes, the modality's
// vectors (the AIF and its time grid, ...) and the provenance, and a QC image (a map montage and the
// modality's curve panels) for a quick look.
#ifndef VOXFLOW_PIPELINE_SUBJECT_REPORTS_HPP
#define VOXFLOW_PIPELINE_SUBJECT_REPORTS_HPP

#include <voxflow/pipeline/modality.hpp>

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
  // Voxel (i, j, k) to RAS+ millimetres, the maps' NIfTI affine (sform, else qform), row by row.
  std::array<std::array<double, 4>, 4> affine{};
  std::string status_codes;  // the FitStatus look-up table (index, name) of every status map
  std::vector<NamedVolume> maps;
  std::vector<RecordVector> vectors;
  std::vector<std::pair<std::string, std::string>> attributes;  // provenance written as string attributes
};

// <path>.h5 with /maps/<name> (status maps with their "status_codes" table), each vector at its path
// (groups created as needed), the root attribute "affine" (16 numbers, row by row) and the others.
void write_subject_hdf5(std::string const& path, SubjectRecord const& record);

// qc.png: slices of the first map and up to two curve panels.
void write_subject_qc(std::string const& path, std::string const& title, SubjectRecord const& record,
                      std::vector<QcPanel> const& panels);

}  // namespace voxflow::pipeline

#endif
