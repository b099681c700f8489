#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/config_schema.hpp>

#include <algorithm>

namespace voxflow::pipeline {

namespace {

// Every key a DCE run understands. Units are in the names or the comments; relative paths are relative to the
// configuration file.
constexpr char const* dce_defaults = R"(# voxflow run configuration for DCE-MRI: every key with its default.
modality: dce
subject: sub-01                # BIDS subject label, with or without the "sub-" prefix
session: null                  # optional BIDS session label
inputs:
  bids: null                   # BIDS-like raw dataset: sub-<s>[/ses-<x>]/perf/*_dce.nii.gz (+ JSON sidecar, anat/*_T1map)
  concentration: null          # 4-D NIfTI of concentration, mM (give this, or signal)
  signal: null                 # 4-D NIfTI (or DICOM folder) of SPGR signal, converted with a T1 map, a VFA series
                               # or an assumed T1
  t1_map: null                 # 3-D NIfTI of pre-contrast T1, s
  vfa: null                    # variable-flip-angle series: one 4-D NIfTI, or a list of 3-D NIfTI files
  b1_map: null                 # 3-D NIfTI of relative flip angle (1 = nominal) for the VFA T1 fit
  timing: null                 # text file with one frame time per line (or whitespace-separated), seconds
  mask: null                   # 3-D NIfTI; voxels > 0 are fitted (default: every voxel)
acquisition:
  flip_angle_deg: null         # flip angle of the dynamic series
  repetition_time_s: null      # TR of the dynamic series, s
  relaxivity: 4.5              # r1, 1/(mM s)
  baseline_frames: [0, 5]      # pre-contrast frames [first, end) used for S0
  t1_assumed_s: null           # T1 used for every voxel when there is no T1 map or VFA series
  vfa_flip_angles_deg: null    # flip angles of the VFA series, degrees: a list, or a text file of angles
  vfa_repetition_time_s: null  # TR of the VFA series, s
t1_mapping:
  method: nonlinear            # nonlinear | linear | two_point
aif:
  source: population           # population | measured | detect
  model: parker                # parker | weinmann | fritz_hansen | georgiou | mcgrath | preclinical
  delay_s: 0.0                 # bolus arrival of a population AIF after the first frame, s
  hematocrit: 0.42             # population and measured AIFs are whole blood: plasma = blood / (1 - hematocrit)
  mask: null                   # source measured: 3-D NIfTI of arterial voxels
fit:
  model: extended_tofts        # tofts | extended_tofts | patlak | 2cxm | 2cum
  fit_delay: false             # fit an arterial delay per voxel
  delay_bounds_s: [-10.0, 20.0]
  convolution: exact           # exact | osipy_compatible (Tofts models; osipy's rectangle rule, for comparisons)
  max_iterations: 100
backend: auto                  # auto | host | device | serial
threads: 0                     # host threads; 0 = OMP_NUM_THREADS or all cores
output:
  dir: out                     # BIDS-derivatives folder
  compress: true               # .nii.gz (true) or .nii (false)
  hdf5: true                   # one HDF5 file per subject
  qc: true                     # a QC image per subject
  overwrite: false             # replace the outputs of a subject that already has them
)";

std::size_t edit_distance(std::string const& a, std::string const& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<std::string> schema_modalities() {
  return {"dce"};
}

std::string defaults_yaml(std::string const& modality) {
  if (modality == "dce") return dce_defaults;
  std::string known;
  for (auto const& m : schema_modalities()) known += (known.empty() ? "" : ", ") + m;
  throw ConfigError("", "modality", "one of " + known + ", found '" + modality + "'");
}

std::string did_you_mean(std::string const& word, std::vector<std::string> const& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (auto const& c : candidates) {
    std::size_t const d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace voxflow::pipeline
