#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/aif/measured_aif.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/runtime.hpp>
#include <voxflow/core/version.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/predict_dce.hpp>
#include <voxflow/dce/signal_to_concentration.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/hdf5_subject_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/dce_pipeline.hpp>
#include <voxflow/pipeline/input_image.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/pipeline/progress.hpp>
#include <voxflow/pipeline/subject_outputs.hpp>
#include <voxflow/pipeline/subject_reports.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

namespace voxflow::pipeline {

namespace fs = std::filesystem;

std::string dce_desc_label(dce::DceModel model) {
  std::string name = dce::dce_model_name(model);
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());  // BIDS labels are alphanumeric
  return name;
}

namespace {

using Clock = std::chrono::steady_clock;

class StageTimer {
 public:
  explicit StageTimer(SubjectReport& report) : report_(report), start_(Clock::now()) {}
  void stage(std::string const& name) {
    auto const now = Clock::now();
    report_.stage_seconds.emplace_back(name, std::chrono::duration<double>(now - start_).count());
    start_ = now;
  }

 private:
  SubjectReport& report_;
  Clock::time_point start_;
};

// The dynamic series the run starts from.
std::string const& dynamic_input(DceRunConfig const& c) {
  return c.inputs.concentration.empty() ? c.inputs.signal : c.inputs.concentration;
}

void require_same_grid(io::NiftiHeaderInfo const& reference, io::NiftiHeaderInfo const& other,
                       char const* field) {
  require_input(io::same_grid(reference.geometry, reference.dims, other.geometry, other.dims), other.path,
                field,
                "the voxel grid of " + reference.path + " (" + std::to_string(reference.dims[0]) + "x" +
                    std::to_string(reference.dims[1]) + "x" + std::to_string(reference.dims[2]) +
                    " voxels with the same voxel size and orientation)");
}

io::NiftiHeaderInfo require_3d(std::string const& path, char const* field) {
  auto h = io::read_nifti_header(path);
  require_input(h.dims[3] == 1, path, field, "a 3-D image, found " + std::to_string(h.dims[3]) + " volumes");
  return h;
}

// Per-voxel parameter names and derived maps of a model, with units and descriptions for the sidecars.
struct MapSpec {
  MapSpec(std::string suffix_, std::string units_, std::string description_, std::string desc_extra_ = "")
      : suffix(std::move(suffix_)),
        units(std::move(units_)),
        description(std::move(description_)),
        desc_extra(std::move(desc_extra_)) {}
  std::string suffix, units, description;
  std::string desc_extra;  // status segmentations: "fitstatus" (desc-<model>fitstatus_dseg)
};

MapSpec describe_parameter(std::string const& name) {
  if (name == "Ktrans") return {"Ktrans", "1/min", "volume transfer constant (CAPLEX Q.PH1.008)"};
  if (name == "ve") return {"ve", "mL/mL", "extravascular extracellular volume fraction (Q.PH1.001)"};
  if (name == "vp") return {"vp", "mL/mL", "plasma volume fraction (Q.PH1.001)"};
  if (name == "Fp") return {"Fp", "1/min", "plasma flow per unit tissue volume (Q.PH1.002), mL/min/mL"};
  if (name == "PS") return {"PS", "1/min", "permeability-surface area product per unit volume (Q.PH1.004)"};
  if (name == "delay") return {"delay", "s", "arterial delay of the tissue curve after the AIF"};
  return {name, "", name};
}

}  // namespace

namespace {

// Frame times (s): the timing file, else the DICOM series' own; acquisition parameters: the configuration's,
// else the DICOM series'.
std::vector<double> frame_times(DceRunConfig const& c, std::optional<io::DicomAcquisition> const& dicom) {
  if (!c.inputs.timing.empty()) return io::read_frame_times(c.inputs.timing);
  if (!c.inputs.frame_times_s.empty()) return c.inputs.frame_times_s;
  if (dicom) return dicom->require_frame_times_s();
  throw ConfigError(c.config_file, "inputs.timing",
                    "a text file with one time (s) per frame for a NIfTI input");
}

dce::SpgrConversion spgr_conversion(DceRunConfig const& c, std::optional<io::DicomAcquisition> const& dicom) {
  dce::SpgrConversion conversion;
  conversion.flip_angle_deg = c.acquisition.flip_angle_deg ? *c.acquisition.flip_angle_deg
                              : dicom                      ? dicom->require_flip_angle_deg()
                                                           : 0.0;
  conversion.tr_s = c.acquisition.repetition_time_s ? *c.acquisition.repetition_time_s
                    : dicom                         ? dicom->require_repetition_time_s()
                                                    : 0.0;
  if (!c.acquisition.flip_angle_deg && !dicom)
    throw ConfigError(c.config_file, "acquisition.flip_angle_deg",
                      "the flip angle of the signal series, degrees");
  if (!c.acquisition.repetition_time_s && !dicom)
    throw ConfigError(c.config_file, "acquisition.repetition_time_s", "the TR of the signal series, seconds");
  conversion.relaxivity = c.acquisition.relaxivity;
  conversion.baseline_begin = c.acquisition.baseline_begin;
  conversion.baseline_end = c.acquisition.baseline_end;
  conversion.assumed_t1_s = c.acquisition.t1_assumed_s.value_or(0.0);
  return conversion;
}

}  // namespace

void check_dce_inputs(DceRunConfig const& c) {
  // A NIfTI input is checked from its header alone; a DICOM series has to be read for its geometry and
  // metadata.
  std::optional<io::DicomAcquisition> dicom;
  io::NiftiHeaderInfo dynamic;
  if (is_dicom_input(dynamic_input(c))) {
    auto loaded = load_input_image(dynamic_input(c));
    dynamic.path = loaded.image.path;
    dynamic.dims = loaded.image.dims;
    dynamic.geometry = loaded.image.geometry;
    dicom = std::move(loaded.dicom);
  } else {
    dynamic = io::read_nifti_header(dynamic_input(c));
  }
  require_input(dynamic.dims[3] >= 3, dynamic.path, "dim[4]",
                "a 4-D series with at least 3 frames, found " + std::to_string(dynamic.dims[3]));
  auto const times = frame_times(c, dicom);
  std::string const timing_source = c.inputs.timing.empty() ? dynamic.path : c.inputs.timing;
  require_input(static_cast<std::int64_t>(times.size()) == dynamic.dims[3], timing_source, "timing",
                std::to_string(dynamic.dims[3]) + " frame times to match " + dynamic.path + ", found " +
                    std::to_string(times.size()));
  if (!c.inputs.mask.empty()) require_same_grid(dynamic, require_3d(c.inputs.mask, "mask"), "mask");
  if (!c.inputs.t1_map.empty()) require_same_grid(dynamic, require_3d(c.inputs.t1_map, "t1_map"), "t1_map");
  if (!c.aif.mask.empty()) require_same_grid(dynamic, require_3d(c.aif.mask, "aif.mask"), "aif.mask");
  if (!c.inputs.b1_map.empty()) require_same_grid(dynamic, require_3d(c.inputs.b1_map, "b1_map"), "b1_map");
  for (auto const& file : c.inputs.vfa) {
    auto const header = load_input_header(file);
    require_same_grid(dynamic, header, "vfa");
    std::size_t const volumes =
        c.inputs.vfa.size() == 1 ? static_cast<std::size_t>(header.dims[3]) : c.inputs.vfa.size();
    require_input(volumes == c.acquisition.vfa_flip_angles_deg.size(), file, "vfa",
                  std::to_string(c.acquisition.vfa_flip_angles_deg.size()) +
                      " flip-angle volumes to match acquisition.vfa_flip_angles_deg, found " +
                      std::to_string(volumes));
  }
  if (!c.inputs.signal.empty())
    dce::validate_spgr_conversion(spgr_conversion(c, dicom), static_cast<int>(dynamic.dims[3]),
                                  !c.inputs.t1_map.empty() || !c.inputs.vfa.empty(), c.config_file);
  if (c.aif.source == AifSource::population)
    aif::parse_population_aif(c.aif.model, c.config_file, "aif.model");
}

namespace {

// Everything read from disk for one subject, on the host.
struct SubjectData {
  std::vector<double> times;
  io::NiftiGeometry geometry;
  std::array<int64_t, 3> dims{};
  VoxelSelection voxels;
  Kokkos::View<double**, Kokkos::HostSpace> series;  // (voxel, time): concentration, or signal
  std::vector<double> t1;                         // per voxel, s (signal input with a T1 map or VFA series)
  Kokkos::View<double**, Kokkos::HostSpace> vfa;  // (voxel, flip angle) when T1 is mapped in the run
  std::vector<double> b1;                         // per voxel relative flip angle, or empty
  dce::SpgrConversion conversion;      // signal input: flip angle, TR, ... (configuration or DICOM)
  std::vector<std::int64_t> aif_rows;  // rows of `series` in the AIF mask (measured AIF)
};

// Per-voxel results and the AIF that produced them, on the host.
struct SubjectResults {
  std::vector<double> aif;  // plasma, mM, on the frame grid
  nlohmann::json aif_info;
  std::vector<std::vector<double>> params;  // [parameter][voxel]
  std::vector<double> r2, status, iterations;
};

// The VFA series of the selected voxels: one 4-D file (a volume per flip angle) or one 3-D file per flip
// angle.
Kokkos::View<double**, Kokkos::HostSpace> read_vfa_series(DceRunConfig const& c,
                                                          VoxelSelection const& voxels) {
  auto const& files = c.inputs.vfa;
  std::size_t const angles = c.acquisition.vfa_flip_angles_deg.size();
  if (files.size() == 1) {
    auto const image = io::read_nifti(files[0]);
    require_input(static_cast<std::size_t>(image.dims[3]) == angles, files[0], "dim[4]",
                  std::to_string(angles) + " volumes, one per acquisition.vfa_flip_angles_deg entry");
    return gather_series(image, voxels);
  }
  require_input(files.size() == angles, c.config_file, "inputs.vfa",
                "one file per acquisition.vfa_flip_angles_deg entry (" + std::to_string(angles) +
                    "), found " + std::to_string(files.size()));
  Kokkos::View<double**, Kokkos::HostSpace> series("voxflow::pipeline::vfa", voxels.size(), angles);
  for (std::size_t a = 0; a < angles; ++a) {
    auto const values = gather_values(io::read_nifti(files[a]), voxels);
    for (std::size_t v = 0; v < voxels.size(); ++v) series(v, a) = values[v];
  }
  return series;
}

SubjectData read_subject(DceRunConfig const& c) {
  SubjectData d;
  auto loaded = load_input_image(dynamic_input(c));
  d.times = frame_times(c, loaded.dicom);
  if (!c.inputs.signal.empty()) d.conversion = spgr_conversion(c, loaded.dicom);
  auto const& dynamic = loaded.image;
  d.geometry = dynamic.geometry;
  d.dims = {dynamic.dims[0], dynamic.dims[1], dynamic.dims[2]};
  std::unique_ptr<io::NiftiImage> mask;
  if (!c.inputs.mask.empty()) mask = std::make_unique<io::NiftiImage>(io::read_nifti(c.inputs.mask));
  d.voxels = select_voxels(mask.get(), dynamic.voxels_per_volume());
  require_input(d.voxels.size() > 0, c.inputs.mask, "mask", "at least one voxel > 0");
  d.series = gather_series(dynamic, d.voxels);
  if (!c.inputs.signal.empty() && !c.inputs.t1_map.empty())
    d.t1 = gather_values(io::read_nifti(c.inputs.t1_map), d.voxels);
  if (!c.inputs.signal.empty() && c.inputs.t1_map.empty() && !c.inputs.vfa.empty()) {
    d.vfa = read_vfa_series(c, d.voxels);
    if (!c.inputs.b1_map.empty()) d.b1 = gather_values(io::read_nifti(c.inputs.b1_map), d.voxels);
  }
  if (c.aif.source == AifSource::measured) {
    auto const aif_mask = io::read_nifti(c.aif.mask);
    for (std::size_t v = 0; v < d.voxels.size(); ++v)
      if (aif_mask.data[static_cast<std::size_t>(d.voxels.index[v])] > 0.0)
        d.aif_rows.push_back(static_cast<std::int64_t>(v));
    require_input(!d.aif_rows.empty(), c.aif.mask, "aif.mask",
                  "at least one arterial voxel inside inputs.mask");
  }
  return d;
}

// Measured and detected AIFs are whole blood: plasma = blood / (1 - Hct). A free function, because CUDA
// forbids extended lambdas in private member functions.
template <class Space, class Mem>
void blood_to_plasma(Space const& space, Kokkos::View<double*, Mem> const& curve, double hematocrit) {
  double const scale = 1.0 / (1.0 - hematocrit);
  Kokkos::parallel_for(
      "voxflow::pipeline::blood_to_plasma", Kokkos::RangePolicy<Space>(space, 0, curve.extent(0)),
      KOKKOS_LAMBDA(std::size_t j) { curve(j) *= scale; });
}

// The compute stages on one execution space: data move host <-> device only per chunk.
template <class Space>
class DceCompute {
 public:
  using Mem = typename Space::memory_space;
  DceCompute(Space const& space, DceRunConfig const& c, SubjectData const& d, std::int64_t chunk)
      : space_(space), c_(c), d_(d), chunk_(chunk) {}

  // Concentration (mM) of the given rows of the subject's series, on the device.
  Series<Mem> concentration(std::vector<std::int64_t> const& rows) const {
    Kokkos::View<double**, Kokkos::HostSpace> host("voxflow::pipeline::rows", rows.size(), d_.times.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t j = 0; j < d_.times.size(); ++j) host(r, j) = d_.series(rows[r], j);
    std::vector<double> t1;
    if (!d_.t1.empty())
      for (auto row : rows) t1.push_back(d_.t1[static_cast<std::size_t>(row)]);
    return to_concentration(host, t1);
  }
  Series<Mem> concentration(std::int64_t begin, std::int64_t end) const {
    auto const rows = Kokkos::subview(d_.series, std::make_pair(begin, end), Kokkos::ALL);
    std::vector<double> t1;
    if (!d_.t1.empty()) t1.assign(d_.t1.begin() + begin, d_.t1.begin() + end);
    return to_concentration(rows, t1);
  }

  std::vector<double> aif(nlohmann::json& info) const {
    int const frames = static_cast<int>(d_.times.size());
    Kokkos::View<double*, Mem> out("voxflow::pipeline::aif", frames);
    Kokkos::View<double*, Mem> times("voxflow::pipeline::times", frames);
    auto th = Kokkos::create_mirror_view(times);
    for (int j = 0; j < frames; ++j) th(j) = d_.times[j] - d_.times[0];  // the first frame is t = 0
    Kokkos::deep_copy(times, th);
    if (c_.aif.source == AifSource::population) {
      aif::AifOptions options;
      options.delay_s = c_.aif.delay_s;
      options.hematocrit = c_.aif.hematocrit;
      options.quantity = aif::AifQuantity::plasma;
      options.source = c_.config_file;
      auto const kind = aif::parse_population_aif(c_.aif.model, c_.config_file, "aif.model");
      aif::population_aif(space_, kind, Kokkos::View<double const*, Mem>(times), options, out);
      info = {{"Source", "population"},
              {"Model", aif::population_aif_name(kind)},
              {"DelaySeconds", c_.aif.delay_s},
              {"Hematocrit", c_.aif.hematocrit},
              {"Quantity", "plasma"}};
    } else if (c_.aif.source == AifSource::measured) {
      auto const conc = concentration(d_.aif_rows);
      Kokkos::View<std::uint8_t*, Mem> all("voxflow::pipeline::aif_mask", d_.aif_rows.size());
      Kokkos::deep_copy(all, std::uint8_t(1));
      auto const r =
          aif::measured_aif(space_, conc, Kokkos::View<std::uint8_t const*, Mem>(all), out, c_.aif.mask);
      to_plasma(out);
      info = {{"Source", "measured"},
              {"Mask", c_.aif.mask},
              {"VoxelsAveraged", r.voxels_used},
              {"VoxelsExcludedNonFinite", r.non_finite_excluded},
              {"Hematocrit", c_.aif.hematocrit},
              {"Quantity", "plasma"}};
    } else {
      auto const conc = concentration(0, static_cast<std::int64_t>(d_.voxels.size()));
      aif::AifDetectionParams params;
      params.source = c_.config_file + ": aif.source detect";
      auto const r = aif::detect_aif(space_, conc, Kokkos::View<double const*, Mem>(times),
                                     Kokkos::View<std::uint8_t const*, Mem>(), params, out);
      to_plasma(out);
      std::vector<std::int64_t> chosen;
      for (auto v : r.voxels) chosen.push_back(d_.voxels.index[v]);
      info = {{"Source", "detect"},
              {"Voxels", chosen},
              {"Quality", r.quality},
              {"Hematocrit", c_.aif.hematocrit},
              {"Quantity", "plasma"}};
    }
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    return std::vector<double>(h.data(), h.data() + frames);
  }

  // T1 (s), M0 and status of every voxel from the VFA series, in chunks.
  void map_t1(std::vector<double>& t1, std::vector<double>& m0, std::vector<double>& status) const {
    auto const n = static_cast<std::int64_t>(d_.voxels.size());
    t1.assign(static_cast<std::size_t>(n), 0.0);
    m0 = status = t1;
    auto const& angles = c_.acquisition.vfa_flip_angles_deg;
    Kokkos::View<double*, Mem> angles_dev("voxflow::pipeline::vfa_angles", angles.size());
    auto ah = Kokkos::create_mirror_view(angles_dev);
    for (std::size_t a = 0; a < angles.size(); ++a) ah(a) = angles[a];
    Kokkos::deep_copy(angles_dev, ah);
    t1::T1Method method = t1::T1Method::nonlinear;
    t1::parse_t1_method(c_.t1_method, method);  // validated when the configuration was read
    for (std::int64_t begin = 0; begin < n; begin += chunk_) {
      std::int64_t const end = std::min(n, begin + chunk_);
      auto const rows = Kokkos::subview(d_.vfa, std::make_pair(begin, end), Kokkos::ALL);
      auto const signal = upload_series<Mem>(rows, "voxflow::pipeline::vfa_chunk");
      Kokkos::View<double*, Mem> b1("voxflow::pipeline::b1", d_.b1.empty() ? 0 : end - begin);
      if (!d_.b1.empty()) {
        auto h = Kokkos::create_mirror_view(b1);
        for (std::int64_t v = begin; v < end; ++v) h(v - begin) = d_.b1[static_cast<std::size_t>(v)];
        Kokkos::deep_copy(b1, h);
      }
      t1::T1Outputs<Mem> out(space_, "voxflow::pipeline::t1", static_cast<int>(end - begin));
      t1::map_t1_vfa(space_, signal, Kokkos::View<double const*, Mem>(angles_dev),
                     *c_.acquisition.vfa_repetition_time_s, Kokkos::View<double const*, Mem>(b1),
                     Kokkos::View<std::uint8_t const*, Mem>(), method, out);
      auto const th = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.t1);
      auto const mh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.m0);
      auto const sh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
      for (std::int64_t v = begin; v < end; ++v) {
        t1[static_cast<std::size_t>(v)] = th(v - begin);
        m0[static_cast<std::size_t>(v)] = mh(v - begin);
        status[static_cast<std::size_t>(v)] = sh(v - begin);
      }
    }
  }

  // Fits every voxel in chunks; progress per chunk.
  void fit(std::vector<double> const& aif_plasma, SubjectResults& r, bool quiet) const {
    std::int64_t const chunk = chunk_;
    auto const inputs = dce::make_dce_inputs<Mem>(d_.times, d_.times, aif_plasma, c_.config_file);
    auto const n = static_cast<std::int64_t>(d_.voxels.size());
    int const n_params = static_cast<int>(dce::dce_parameter_names(c_.fit.model, c_.fit.fit_delay).size());
    r.params.assign(n_params, std::vector<double>(static_cast<std::size_t>(n)));
    r.r2.assign(static_cast<std::size_t>(n), 0.0);
    r.status = r.iterations = r.r2;
    Progress progress("sub-" + c_.subject + " fit", n, quiet);
    for (std::int64_t begin = 0; begin < n; begin += chunk) {
      std::int64_t const end = std::min(n, begin + chunk);
      auto const conc = concentration(begin, end);
      fit::FitOutputs<Mem> out(space_, "voxflow::pipeline::fit", static_cast<int>(end - begin), n_params);
      dce::fit_dce(space_, conc, inputs, Kokkos::View<std::uint8_t const*, Mem>(), c_.fit, out);
      auto const p = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.params);
      auto const s = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
      auto const q = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.r2);
      auto const it = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.iterations);
      for (std::int64_t v = begin; v < end; ++v) {
        auto const i = static_cast<std::size_t>(v);
        for (int k = 0; k < n_params; ++k) r.params[k][i] = p(v - begin, k);
        r.status[i] = s(v - begin);
        r.r2[i] = q(v - begin);
        r.iterations[i] = it(v - begin);
      }
      progress.update(end);
    }
    progress.finish();
  }

 private:
  template <class HostRows>
  Series<Mem> to_concentration(HostRows const& rows, std::vector<double> const& t1) const {
    auto data = upload_series<Mem>(rows, "voxflow::pipeline::chunk");
    if (c_.inputs.signal.empty()) return data;
    Kokkos::View<double*, Mem> t1_dev("voxflow::pipeline::t1", t1.size());
    auto h = Kokkos::create_mirror_view(t1_dev);
    for (std::size_t v = 0; v < t1.size(); ++v) h(v) = t1[v];
    Kokkos::deep_copy(t1_dev, h);
    Series<Mem> conc("voxflow::pipeline::concentration", data.extent(0), data.extent(1));
    dce::signal_to_concentration(space_, data, Kokkos::View<double const*, Mem>(t1_dev), d_.conversion, conc);
    return conc;
  }

  void to_plasma(Kokkos::View<double*, Mem> const& curve) const {
    blood_to_plasma(space_, curve, c_.aif.hematocrit);
  }

  Space space_;
  DceRunConfig const& c_;
  SubjectData const& d_;
  std::int64_t chunk_;
};

// Derived maps: kep = Ktrans / ve for the Tofts models; the extraction fraction E = PS / (Fp + PS) and
// Ktrans = E Fp for the two-compartment models.
std::vector<std::pair<MapSpec, std::vector<double>>> derived_maps(DceRunConfig const& c,
                                                                  SubjectResults const& r) {
  auto const names = dce::dce_parameter_names(c.fit.model, c.fit.fit_delay);
  auto column = [&](char const* name) -> std::vector<double> const& {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return r.params[i];
    throw Error(ExitCode::failure, std::string("no parameter ") + name);
  };
  std::vector<std::pair<MapSpec, std::vector<double>>> maps;
  std::size_t const n = r.r2.size();
  if (c.fit.model == dce::DceModel::tofts || c.fit.model == dce::DceModel::extended_tofts) {
    std::vector<double> kep(n);
    for (std::size_t v = 0; v < n; ++v)
      kep[v] = column("ve")[v] > 0 ? column("Ktrans")[v] / column("ve")[v] : 0.0;
    maps.push_back({{"kep", "1/min", "efflux rate constant Ktrans/ve (Q.PH1.009)"}, kep});
  }
  if (c.fit.model == dce::DceModel::two_compartment_exchange ||
      c.fit.model == dce::DceModel::two_compartment_uptake) {
    std::vector<double> e(n), ktrans(n);
    for (std::size_t v = 0; v < n; ++v) {
      double const fp = column("Fp")[v], ps = column("PS")[v];
      e[v] = fp + ps > 0 ? ps / (fp + ps) : 0.0;
      ktrans[v] = e[v] * fp;
    }
    maps.push_back({{"E", "", "extraction fraction PS/(Fp+PS)"}, e});
    maps.push_back({{"Ktrans", "1/min", "volume transfer constant E*Fp"}, ktrans});
  }
  return maps;
}

// Three voxels at the 25th, 50th and 75th percentile of the first parameter, shown in the QC image.
std::vector<std::int64_t> qc_voxels(SubjectResults const& r) {
  std::vector<std::int64_t> usable;
  for (std::size_t v = 0; v < r.status.size(); ++v)
    if (fit_status_usable(static_cast<FitStatus>(static_cast<int>(r.status[v]))))
      usable.push_back(static_cast<std::int64_t>(v));
  if (usable.empty()) return {};
  std::sort(usable.begin(), usable.end(), [&](auto a, auto b) { return r.params[0][a] < r.params[0][b]; });
  return {usable[usable.size() / 4], usable[usable.size() / 2], usable[3 * usable.size() / 4]};
}

// Their concentration curves (what the fit saw) and model curves.
QcCurves qc_curves(DceRunConfig const& c, SubjectData const& d, SubjectResults const& r,
                   std::vector<std::int64_t> const& rows, std::vector<std::vector<double>> const& data) {
  QcCurves q;
  if (rows.empty()) return q;
  auto const names = dce::dce_parameter_names(c.fit.model, c.fit.fit_delay);
  Maps<Kokkos::HostSpace> params("voxflow::pipeline::qc_params", rows.size(), names.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t k = 0; k < names.size(); ++k)
      params(i, k) = r.params[k][static_cast<std::size_t>(rows[i])];
  auto const inputs = dce::make_dce_inputs<Kokkos::HostSpace>(d.times, d.times, r.aif, c.config_file);
  Series<Kokkos::HostSpace> fitted("voxflow::pipeline::qc_fitted", rows.size(), d.times.size());
  dce::predict_dce(Kokkos::DefaultHostExecutionSpace(), inputs, c.fit, params, fitted);
  Kokkos::fence();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<double> fit(d.times.size());
    for (std::size_t j = 0; j < d.times.size(); ++j) fit[j] = fitted(i, j);
    q.data.push_back(data[i]);
    q.fitted.push_back(fit);
    q.labels.push_back(names[0] + "=" + io::format_number(r.params[0][static_cast<std::size_t>(rows[i])]));
  }
  return q;
}

// Runs job(0..n-1) on up to host_threads() threads; the first exception is rethrown after all threads stop.
template <class Job>
void run_parallel(std::size_t n, Job const& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&]() {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::size_t const workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, host_threads())));
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

nlohmann::json status_code_table() {
  nlohmann::json table;
  for (int code = 0; code < fit_status_count; ++code)
    table[std::to_string(code)] = fit_status_name(static_cast<FitStatus>(code));
  return table;
}

}  // namespace

SubjectReport run_dce_subject(DceRunConfig const& c, RunOptions const& ro) {
  auto const run_start = Clock::now();
  SubjectReport report;
  report.subject = "sub-" + c.subject;
  SubjectOutputs outputs(c.output.dir, c.subject, c.session, dce_desc_label(c.fit.model), c.output.compress);
  report.folder = outputs.folder();
  std::string const record_path = outputs.path("run", ".json");
  if (fs::exists(record_path)) {
    if (ro.resume) {
      report.skipped = true;
      return report;
    }
    if (!c.output.overwrite)
      throw OutputError(record_path,
                        "the outputs of " + report.subject +
                            " already exist; pass --overwrite to replace them or --resume to skip "
                            "finished subjects");
    fs::remove(record_path);  // an interrupted overwrite must not look complete
  }
  StageTimer timer(report);
  check_dce_inputs(c);  // before any voxel data is read
  timer.stage("validate");
  SubjectData data = read_subject(c);
  report.voxels = static_cast<std::int64_t>(data.voxels.size());
  timer.stage("read");

  SubjectResults results;
  std::vector<double> t1_m0, t1_status;
  std::vector<std::int64_t> qc_rows;
  std::vector<std::vector<double>> qc_data;
  dispatch(resolve_backend(c.backend), [&](auto space) {
    DceCompute<decltype(space)> compute(space, c, data, ro.chunk_voxels);
    if (data.vfa.extent(0) > 0) {
      compute.map_t1(data.t1, t1_m0, t1_status);  // T1 mapped in the same run feeds the conversion below
      timer.stage("t1");
    }
    results.aif = compute.aif(results.aif_info);
    timer.stage("aif");
    compute.fit(results.aif, results, ro.quiet);
    timer.stage("fit");
    if (c.output.qc) {
      qc_rows = qc_voxels(results);
      auto const conc =
          Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), compute.concentration(qc_rows));
      for (std::size_t i = 0; i < qc_rows.size(); ++i) {
        qc_data.emplace_back(data.times.size());
        for (std::size_t j = 0; j < data.times.size(); ++j) qc_data.back()[j] = conc(i, j);
      }
    }
  });
  for (double s : results.status) {
    report.fitted += static_cast<FitStatus>(static_cast<int>(s)) != FitStatus::masked_out ? 1 : 0;
    report.usable += fit_status_usable(static_cast<FitStatus>(static_cast<int>(s))) ? 1 : 0;
  }

  // Outputs: maps with sidecars, the AIF used, the resolved configuration, then the run record last.
  outputs.create_folder();
  write_dataset_description(c.output.dir);
  outputs.provenance = {{"SoftwareName", "voxflow"},
                        {"SoftwareVersion", VOXFLOW_VERSION_STRING},
                        {"SoftwareCommit", VOXFLOW_GIT_COMMIT},
                        {"Model", dce::dce_model_name(c.fit.model)},
                        {"Method", "bounded Levenberg-Marquardt, exact piecewise-linear convolution"},
                        {"ConfigurationHash", text_hash(c.resolved_yaml)},
                        {"Sources", nlohmann::json::array({dynamic_input(c)})},
                        {"AIF", results.aif_info}};
  auto const names = dce::dce_parameter_names(c.fit.model, c.fit.fit_delay);
  SubjectRecord record;
  record.dims = data.dims;
  record.times_s = data.times;
  record.aif_plasma = results.aif;
  std::vector<nlohmann::json> sidecars;
  std::vector<std::string> desc_extras, suffixes;
  auto write = [&](MapSpec const& spec, std::vector<double> const& values, double background,
                   bool codes = false) {
    nlohmann::json sidecar = {{"Description", spec.description}};
    if (codes) sidecar["StatusCodes"] = status_code_table();
    sidecars.push_back(sidecar);
    report.files.push_back(outputs.map_path(spec.suffix, spec.desc_extra));
    record.maps.push_back({spec.desc_extra.empty() ? spec.suffix : spec.desc_extra, spec.units,
                           scatter(values, data.voxels, background), codes});
    desc_extras.push_back(spec.desc_extra);
    suffixes.push_back(spec.suffix);
    if (codes) {  // the lookup table of a BIDS discrete segmentation
      std::string const tsv = outputs.path(spec.suffix, ".tsv", spec.desc_extra);
      io::AtomicFile file(tsv, ".tsv");
      {
        std::ofstream out(file.temp_path());
        out << "index\tname\n";
        for (int code = 0; code < fit_status_count; ++code)
          out << code << "\t" << fit_status_name(static_cast<FitStatus>(code)) << "\n";
        if (!out) throw OutputError(tsv, "could not be written completely");
      }
      file.commit();
      report.files.push_back(tsv);
    }
  };
  for (std::size_t i = 0; i < names.size(); ++i) write(describe_parameter(names[i]), results.params[i], 0.0);
  for (auto const& [spec, values] : derived_maps(c, results)) write(spec, values, 0.0);
  write({"rsquared", "", "coefficient of determination R^2 of the fit"}, results.r2, 0.0);
  if (!t1_status.empty()) {
    write({"T1", "s", "pre-contrast T1 from the variable-flip-angle series (" + c.t1_method + ")"}, data.t1,
          0.0);
    write({"M0", "", "equilibrium signal of the variable-flip-angle fit"}, t1_m0, 0.0);
    write({"dseg", "", "T1 fit status code per voxel (see StatusCodes and the .tsv)", "t1fitstatus"},
          t1_status, static_cast<double>(FitStatus::masked_out), true);
  }
  write({"dseg", "", "fit status code per voxel (see StatusCodes and the .tsv)", "fitstatus"}, results.status,
        static_cast<double>(FitStatus::masked_out), true);
  // Compressing the maps dominates writing: one map per host thread at a time.
  run_parallel(record.maps.size(), [&](std::size_t i) {
    auto const& m = record.maps[i];
    outputs.write_map(suffixes[i], data.geometry, data.dims, m.values, m.units, sidecars[i], m.codes,
                      desc_extras[i]);
  });
  {
    // The AIF actually used, as a two-column table.
    std::string const aif_path = outputs.path("aif", ".tsv");
    io::AtomicFile file(aif_path, ".tsv");
    {
      std::ofstream out(file.temp_path());
      out << "time_s\tplasma_mM\n";
      out.precision(10);
      for (std::size_t j = 0; j < data.times.size(); ++j)
        out << data.times[j] << "\t" << results.aif[j] << "\n";
      if (!out) throw OutputError(aif_path, "could not be written completely");
    }
    file.commit();
    report.files.push_back(aif_path);
    write_json(outputs.path("aif", ".json"), results.aif_info);
  }
  {
    std::string const config_path = outputs.path("config", ".yaml");
    io::AtomicFile file(config_path, ".yaml");
    {
      std::ofstream out(file.temp_path());
      out << "# resolved by voxflow " << VOXFLOW_VERSION_STRING << " from " << c.config_file << "\n"
          << c.resolved_yaml;
      if (!out) throw OutputError(config_path, "could not be written completely");
    }
    file.commit();
    report.files.push_back(config_path);
  }
  record.attributes = {
      {"software", std::string("voxflow ") + VOXFLOW_VERSION_STRING + " (" + VOXFLOW_GIT_COMMIT + ")"},
      {"model", dce::dce_model_name(c.fit.model)},
      {"configuration_hash", text_hash(c.resolved_yaml)},
      {"configuration", c.resolved_yaml},
      {"aif", results.aif_info.dump()}};
  if (c.output.hdf5 && io::hdf5_support_built()) {
    write_subject_hdf5(outputs.path("voxflow", ".h5"), record);
    report.files.push_back(outputs.path("voxflow", ".h5"));
  }
  if (c.output.qc) {
    write_subject_qc(outputs.path("qc", ".png"), report.subject + "  " + dce::dce_model_name(c.fit.model),
                     record, qc_curves(c, data, results, qc_rows, qc_data));
    report.files.push_back(outputs.path("qc", ".png"));
  }
  timer.stage("write");
  report.total_seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  nlohmann::json run_record = {{"Subject", report.subject},
                               {"Voxels", report.voxels},
                               {"Fitted", report.fitted},
                               {"Usable", report.usable},
                               {"TotalSeconds", report.total_seconds},
                               {"Files", report.files}};
  for (auto const& [stage, seconds] : report.stage_seconds) run_record["StageSeconds"][stage] = seconds;
  write_json(record_path, run_record);  // last: its presence means the subject is complete
  return report;
}

}  // namespace voxflow::pipeline
