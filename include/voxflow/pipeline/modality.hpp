// The modality interface (DESIGN.md §9): what a modality (DCE, and DSC, IVIM, ASL as they land) supplies to
// the one subject pipeline, on the host and once per subject. run_subject (run_subject.hpp) alone knows the
// order of the stages, output naming, locking, atomic commit, resume and the run record; a modality knows its
// keys, its inputs and its kernels. No virtual call reaches a kernel: `compute` dispatches to templated
// kernels on the execution space it is given.
#ifndef VOXFLOW_PIPELINE_MODALITY_HPP
#define VOXFLOW_PIPELINE_MODALITY_HPP

#include <voxflow/core/backend.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/config_schema.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/pipeline/run_config.hpp>
#include <voxflow/pipeline/stage_timer.hpp>
#include <voxflow/pipeline/subject_split.hpp>

#include <Kokkos_Core.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace voxflow::pipeline {

// One output map: a column of SubjectMaps::values, written as
// sub-<s>[_ses-<x>]/<datatype>/sub-<s>[_ses-<x>]_desc-<desc>_<suffix>.nii[.gz] with a JSON sidecar.
struct MapSpec {
  MapSpec() = default;
  MapSpec(std::string suffix_, std::string desc_, std::string units_, std::string description_,
          bool codes_ = false, std::string datatype_ = "")
      : suffix(std::move(suffix_)),
        desc(std::move(desc_)),
        units(std::move(units_)),
        description(std::move(description_)),
        codes(codes_),
        datatype(std::move(datatype_)) {}

  std::string suffix;       // BIDS suffix: "Ktrans", "T1map", "dseg"
  std::string desc;         // BIDS desc label: "extendedtofts", "t1fitstatus"
  std::string units;        // written into the sidecar ("" for dimensionless)
  std::string description;  // what the map is, for the sidecar
  bool codes = false;       // FitStatus codes: uint8, a BIDS discrete segmentation with its .tsv
  // The BIDS datatype folder; empty: the modality's. Maps BIDS names only elsewhere go there ("anat" for
  // T1map, M0map and dseg), so that every file with a BIDS name validates (bids_names.hpp).
  std::string datatype;
};

// What every modality computes for a subject: one row per selected voxel.
struct SubjectMaps {
  std::vector<MapSpec> specs;                                             // one per column of `values`
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> values;  // (voxel, map)
  // FitStatus per voxel, written as the <method>fitstatus segmentation.
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> status;

  std::int64_t voxels() const { return static_cast<std::int64_t>(status.extent(0)); }

  // Maps of `voxels` rows and one column per spec, not initialised: for a compute that writes every value and
  // every status. `label` names the Views ("voxflow::pipeline::dce").
  static SubjectMaps uninitialized(std::vector<MapSpec> specs, std::int64_t voxels,
                                   std::string const& label) {
    SubjectMaps maps;
    maps.values = decltype(values)(Kokkos::view_alloc(Kokkos::WithoutInitializing, label + "::maps"), voxels,
                                   specs.size());
    maps.status =
        decltype(status)(Kokkos::view_alloc(Kokkos::WithoutInitializing, label + "::status"), voxels);
    maps.specs = std::move(specs);
    return maps;
  }
};

// Maps of `voxels` rows with one column per spec, not zeroed (for a compute that writes every column and
// status); `label` names the allocations ("voxflow::pipeline::dsc").
inline SubjectMaps allocate_subject_maps(std::vector<MapSpec> specs, std::int64_t voxels,
                                         std::string const& label) {
  SubjectMaps maps;
  maps.values = decltype(maps.values)(Kokkos::view_alloc(Kokkos::WithoutInitializing, label + "::maps"),
                                      voxels, specs.size());
  maps.status =
      decltype(maps.status)(Kokkos::view_alloc(Kokkos::WithoutInitializing, label + "::status"), voxels);
  maps.specs = std::move(specs);
  return maps;
}

// The voxel grid every output is written on, known from the input headers alone.
struct InputGrid {
  std::array<int64_t, 3> dims{};
  io::NiftiGeometry geometry;
  std::string source;  // the file or folder the grid comes from
};

// What run_subject hands to `compute`.
struct ComputeContext {
  Backend backend = Backend::host;  // resolved: never automatic
  std::int64_t chunk_voxels = 1 << 18;
  bool quiet = false;
  StageTimer* timer = nullptr;  // a modality names its stages ("t1", "aif", "fit")
  // Set when the subject is split across processes (subject_split.hpp): the per-voxel stages compute only
  // fit_range's rows; whole-subject stages run in full, or share the rows they need.
  SubjectSplit const* split = nullptr;

  // The rows of a subject of `voxels` voxels that the per-voxel stages compute: all, or this part's.
  VoxelRange fit_range(std::int64_t voxels) const {
    return split != nullptr ? split->range(voxels) : VoxelRange{0, voxels};
  }
};

// A text file beside the maps: sub-<s>[_ses-<x>]_desc-<method>_<suffix><extension>.
struct TextOutput {
  std::string suffix, extension, text;
};

// A vector stored in the subject's HDF5 file, e.g. "/aif/plasma_mM".
struct RecordVector {
  std::string path, units;
  std::vector<double> values;
};

// One panel of curves in the QC image.
struct QcCurve {
  std::vector<double> x, y;
  bool points = false;  // data as points, models as lines
  std::string label;
  int color = 0;  // index into the QC palette
};
struct QcPanel {
  std::string title, x_label, y_label;
  std::vector<QcCurve> curves;
};

// One subject configured for one run. Methods are called in this order: check_inputs, read, compute, then the
// output methods.
class SubjectAnalysis {
 public:
  virtual ~SubjectAnalysis() = default;

  virtual std::string method_label() const = 0;  // BIDS desc of the main maps: "extendedtofts"
  virtual std::string method_name() const = 0;   // as the configuration names it: "extended_tofts"
  // The value maps in column order, known before any voxel data is read (sizes the outputs in advance).
  virtual std::vector<MapSpec> map_specs() const = 0;
  // Merged into every sidecar: model, method, inputs, AIF, ...
  virtual nlohmann::json provenance() const = 0;

  // Header-level checks of every input (a DICOM series is decoded here, once per run, and kept for read):
  // InputError naming the file, field and expectation, before any voxel data is read.
  virtual InputGrid check_inputs() = 0;
  // Reads the voxel data; returns the voxels the maps are computed for.
  virtual VoxelSelection read() = 0;
  // Every map of every selected voxel, on the execution space of context.backend; of a split subject, the
  // rows of context.fit_range (the others are gathered from the other parts).
  virtual SubjectMaps compute(ComputeContext const& context) = 0;
  // Whole-subject stages over the finished maps of every voxel (normalisation to a reference region), after
  // compute and, for a split subject, on the writing part once every row is gathered.
  virtual void finish(SubjectMaps& /*maps*/) {}

  // Files beside the maps (the AIF used, ...), vectors for the HDF5 file and its attributes.
  virtual std::vector<TextOutput> extra_outputs() const = 0;
  virtual std::vector<RecordVector> record_vectors() const = 0;
  virtual std::vector<std::pair<std::string, std::string>> record_attributes() const = 0;
  // QC panels for a few voxels (rows of the maps), showing what the computation saw and produced.
  virtual std::vector<QcPanel> qc_panels(SubjectMaps const& maps,
                                         std::vector<std::int64_t> const& rows) const = 0;
};

// A knob of `voxflow simulate <modality>`: --<name> VALUE.
struct SimulationOption {
  std::string name, help, default_value;
};
struct SimulationResult {
  std::string config_path;  // runs with `voxflow run <config_path>`
  std::string summary;      // one line for the terminal
};

class Modality {
 public:
  virtual ~Modality() = default;
  virtual std::string name() const = 0;            // "dce": the `modality` key and the registry name
  virtual std::string bids_datatype() const = 0;   // "perf", "dwi": the folder outputs go to
  virtual ConfigSchema const& schema() const = 0;  // every key with its default (the shared ones included)
  // The typed configuration of one subject; ConfigError for inconsistent keys. Touches no input file except
  // small text files the configuration names (BIDS sidecars, flip-angle lists).
  virtual std::unique_ptr<SubjectAnalysis> configure(RunConfig const& config) const = 0;

  virtual std::vector<SimulationOption> simulation_options() const = 0;
  // Writes a synthetic subject with known truth into out_dir; Error(ExitCode::usage) for a bad option value.
  virtual SimulationResult simulate(std::string const& out_dir,
                                    std::map<std::string, std::string> const& options) const = 0;
};

}  // namespace voxflow::pipeline

#endif
