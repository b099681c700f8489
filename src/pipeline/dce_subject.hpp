// The stages of one DCE subject between the files and the outputs (private to src/pipeline): what is read
// from disk, and the compute stages (T1 mapping, AIF, fitting) on one execution space, which move data
// between host and device only per chunk.
#ifndef VOXFLOW_SRC_PIPELINE_DCE_SUBJECT_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_SUBJECT_HPP

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/aif/measured_aif.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/signal_to_concentration.hpp>
#include <voxflow/pipeline/dce_config.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/pipeline/progress.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace voxflow::pipeline::detail {

// The dynamic series the run starts from.
std::string const& dynamic_input(DceRunConfig const& c);

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

// Reads everything the run needs (after check_dce_inputs).
SubjectData read_subject(DceRunConfig const& c);

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

}  // namespace voxflow::pipeline::detail

#endif
