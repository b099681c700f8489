// The compute stages of a DCE subject on one execution space (private to src/pipeline/dce): T1 from a VFA
// series, the AIF, and the model fit. Every stage that touches all voxels runs through for_each_chunk, so
// data move between host and device only per chunk. Free function templates, because CUDA forbids extended
// lambdas in private member functions.
#ifndef VOXFLOW_SRC_PIPELINE_DCE_DCE_STAGES_HPP
#define VOXFLOW_SRC_PIPELINE_DCE_DCE_STAGES_HPP

#include "dce_settings.hpp"

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/aif/measured_aif.hpp>
#include <voxflow/dce/fit_dce.hpp>
#include <voxflow/dce/signal_to_concentration.hpp>
#include <voxflow/pipeline/chunk_driver.hpp>
#include <voxflow/pipeline/masked_volume.hpp>
#include <voxflow/t1/vfa_mapping.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace voxflow::pipeline::dce_run {

// Everything read from disk for one subject, on the host.
struct DceData {
  std::vector<double> times;  // s, one per frame
  VoxelSelection voxels;
  SubjectSeries series;                           // (voxel, time): concentration, or signal
  std::vector<double> t1;                         // per voxel, s: from a T1 map, or mapped from `vfa`
  Kokkos::View<double**, Kokkos::HostSpace> vfa;  // (voxel, flip angle) when T1 is mapped in the run
  std::vector<double> b1;                         // per voxel relative flip angle, or empty
  dce::SpgrConversion conversion;      // signal input: flip angle, TR, ... (configuration or DICOM)
  std::vector<std::int64_t> aif_rows;  // rows of `series` in the AIF mask (measured AIF)
};

// The AIF the fit uses, with what the sidecars say about it.
struct DceAif {
  std::vector<double> plasma;  // mM on the frame grid
  nlohmann::json info;
};

// The concentration (mM) of a chunk of `series` rows; `t1` holds one T1 per row of that series (or is empty
// for an assumed T1). A concentration input is passed through.
template <class Space>
Series<typename Space::memory_space> chunk_concentration(Space const& space, DceSettings const& s,
                                                         DceData const& d, std::vector<double> const& t1,
                                                         Chunk<typename Space::memory_space> const& chunk) {
  using Mem = typename Space::memory_space;
  if (!s.signal_input()) return chunk.data;
  auto const t1_chunk = chunk.voxel_values(t1, "voxflow::pipeline::dce::t1");
  Series<Mem> conc(Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::dce::concentration"),
                   chunk.size(), chunk.data.extent(1));
  dce::signal_to_concentration(space, chunk.data, t1_chunk, d.conversion, conc);
  return conc;
}

// values(v, first_column + k) = source(v, k) for the chunk's voxels: a (voxel, k) result into the chunk's
// columns. Named functions, not lambdas inside the stages: CUDA allows no extended lambda inside a lambda.
template <class Space, class Source>
void copy_columns(Space const& space, Source const& source, Maps<typename Space::memory_space> const& values,
                  int first_column, int count) {
  Kokkos::parallel_for(
      "voxflow::pipeline::dce::copy_columns", Kokkos::RangePolicy<Space>(space, 0, values.extent(0)),
      KOKKOS_LAMBDA(long v) {
        for (int k = 0; k < count; ++k) values(v, first_column + k) = source(v, k);
      });
}

// values(v, column) = source(v): a per-voxel result (any value type) into one of the chunk's columns.
template <class Space, class Source>
void copy_column(Space const& space, Source const& source, Maps<typename Space::memory_space> const& values,
                 int column) {
  Kokkos::parallel_for(
      "voxflow::pipeline::dce::copy_column", Kokkos::RangePolicy<Space>(space, 0, values.extent(0)),
      KOKKOS_LAMBDA(long v) { values(v, column) = source(v); });
}

// The concentration curves of the given rows of the subject's series, on the host (a few voxels: AIF masks,
// detection candidates, QC curves).
template <class Space>
Kokkos::View<double**, Kokkos::HostSpace> concentration_of_rows(Space const& space, DceSettings const& s,
                                                                DceData const& d,
                                                                std::vector<std::int64_t> const& rows,
                                                                std::int64_t chunk_voxels) {
  using Mem = typename Space::memory_space;
  std::size_t const frames = d.times.size();
  Kokkos::View<double**, Kokkos::HostSpace> picked("voxflow::pipeline::dce::rows", rows.size(), frames);
  std::vector<double> t1;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t j = 0; j < frames; ++j) picked(r, j) = d.series(rows[r], j);
    if (!d.t1.empty()) t1.push_back(d.t1[static_cast<std::size_t>(rows[r])]);
  }
  Kokkos::View<double**, Kokkos::HostSpace> curves("voxflow::pipeline::dce::curves", rows.size(), frames);
  for_each_chunk(space, picked, {0, static_cast<std::int64_t>(rows.size())}, chunk_voxels,
                 {map_columns(curves, 0, frames), {}}, [&](Chunk<Mem> const& chunk) {
                   auto const conc = chunk_concentration(space, s, d, t1, chunk);
                   copy_columns(space, conc, chunk.values, 0, static_cast<int>(frames));
                 });
  return curves;
}

// T1 (s), M0 and the T1 fit status of the voxels of `range` from the VFA series, into out.values columns 0,
// 1, 2.
template <class Space>
void map_t1(Space const& space, DceSettings const& s, DceData const& d, VoxelRange range,
            std::int64_t chunk_voxels, ChunkOutputs const& out) {
  using Mem = typename Space::memory_space;
  auto const angles =
      to_device<Mem>(space, s.acquisition.vfa_flip_angles_deg, "voxflow::pipeline::dce::vfa_angles");
  double const tr_s = *s.acquisition.vfa_repetition_time_s;
  for_each_chunk(space, d.vfa, range, chunk_voxels, out, [&](Chunk<Mem> const& chunk) {
    auto const b1 = chunk.voxel_values(d.b1, "voxflow::pipeline::dce::b1");
    t1::T1Outputs<Mem> t1(space, "voxflow::pipeline::dce::t1", static_cast<int>(chunk.size()));
    t1::map_t1_vfa(space, chunk.data, angles, tr_s, b1, Kokkos::View<std::uint8_t const*, Mem>(), s.t1_method,
                   t1);
    copy_column(space, t1.t1, chunk.values, 0);
    copy_column(space, t1.m0, chunk.values, 1);
    copy_column(space, t1.status, chunk.values, 2);
  });
}

// Measured and detected AIFs are whole blood: plasma = blood / (1 - Hct).
inline void blood_to_plasma(std::vector<double>& curve, double hematocrit) {
  double const scale = 1.0 / (1.0 - hematocrit);
  for (double& c : curve) c *= scale;
}

// The AIF of the configuration: a population curve, the mean of the AIF mask's curves, or detected among all
// voxels (scored chunk by chunk).
template <class Space>
DceAif compute_aif(Space const& space, DceSettings const& s, DceData const& d, std::int64_t chunk_voxels) {
  using Mem = typename Space::memory_space;
  std::size_t const frames = d.times.size();
  std::vector<double> times(frames);
  for (std::size_t j = 0; j < frames; ++j) times[j] = d.times[j] - d.times[0];  // the first frame is t = 0
  DceAif aif;
  aif.plasma.assign(frames, 0.0);
  if (s.aif.source == AifSource::population) {
    aif::AifOptions options;
    options.delay_s = s.aif.delay_s;
    options.hematocrit = s.aif.hematocrit;
    options.quantity = aif::AifQuantity::plasma;
    options.source = s.config_file;
    Kokkos::View<double*, Mem> out("voxflow::pipeline::dce::aif", frames);
    aif::population_aif(space, s.aif.model, to_device<Mem>(space, times, "voxflow::pipeline::dce::aif_times"),
                        options, out);
    auto const h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    aif.plasma.assign(h.data(), h.data() + frames);
    aif.info = {{"Source", "population"},
                {"Model", aif::population_aif_name(s.aif.model)},
                {"DelaySeconds", s.aif.delay_s},
                {"Hematocrit", s.aif.hematocrit},
                {"Quantity", "plasma"}};
  } else if (s.aif.source == AifSource::measured) {
    auto const curves = concentration_of_rows(space, s, d, d.aif_rows, chunk_voxels);
    Series<Kokkos::HostSpace> const data = curves;
    Kokkos::View<std::uint8_t*, Kokkos::HostSpace> all("voxflow::pipeline::dce::aif_mask", d.aif_rows.size());
    Kokkos::deep_copy(all, std::uint8_t(1));
    Kokkos::View<double*, Kokkos::HostSpace> out(aif.plasma.data(), frames);
    auto const r =
        aif::measured_aif(Kokkos::DefaultHostExecutionSpace(), data,
                          Kokkos::View<std::uint8_t const*, Kokkos::HostSpace>(all), out, s.aif.mask);
    Kokkos::fence();
    blood_to_plasma(aif.plasma, s.aif.hematocrit);
    aif.info = {{"Source", "measured"},
                {"Mask", s.aif.mask},
                {"VoxelsAveraged", r.voxels_used},
                {"VoxelsExcludedNonFinite", r.non_finite_excluded},
                {"Hematocrit", s.aif.hematocrit},
                {"Quantity", "plasma"}};
  } else {
    aif::AifDetectionParams params;
    params.source = s.config_file + ": aif.source detect";
    auto const n = static_cast<std::int64_t>(d.voxels.size());
    Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> scores("voxflow::pipeline::dce::scores", n,
                                                                          1);
    auto const times_dev = to_device<Mem>(space, times, "voxflow::pipeline::dce::aif_times");
    d.series.visit([&](auto const& series) {
      for_each_chunk(space, series, {0, n}, chunk_voxels, {map_columns(scores, 0, 1), {}},
                     [&](Chunk<Mem> const& chunk) {
                       auto const conc = chunk_concentration(space, s, d, d.t1, chunk);
                       Kokkos::View<double*, Mem> score("voxflow::pipeline::dce::score", chunk.size());
                       aif::score_arterial_voxels(space, conc, times_dev,
                                                  Kokkos::View<std::uint8_t const*, Mem>(), params, score);
                       copy_column(space, score, chunk.values, 0);
                     });
    });
    std::vector<double> const score_list(scores.data(), scores.data() + n);
    auto const r = aif::select_aif(
        score_list,
        [&](std::vector<std::size_t> const& candidates) {
          std::vector<std::int64_t> const rows(candidates.begin(), candidates.end());
          auto const curves = concentration_of_rows(space, s, d, rows, chunk_voxels);
          return std::vector<double>(curves.data(), curves.data() + curves.size());
        },
        times, params, aif.plasma);
    blood_to_plasma(aif.plasma, s.aif.hematocrit);
    std::vector<std::int64_t> chosen;
    for (auto v : r.voxels) chosen.push_back(d.voxels.index[v]);
    aif.info = {{"Source", "detect"},
                {"Voxels", chosen},
                {"Quality", r.quality},
                {"Hematocrit", s.aif.hematocrit},
                {"Quantity", "plasma"}};
  }
  return aif;
}

// Fits the voxels of `range`: parameters into out.values columns [0, P), R² into column P, the fit status
// into out.status; progress per chunk.
template <class Space>
void fit_voxels(Space const& space, DceSettings const& s, DceData const& d,
                std::vector<double> const& aif_plasma, VoxelRange range, std::int64_t chunk_voxels,
                ChunkOutputs const& out, Progress* progress) {
  using Mem = typename Space::memory_space;
  auto const inputs = dce::make_dce_inputs<Mem>(d.times, d.times, aif_plasma, s.config_file);
  int const n_params = static_cast<int>(dce::dce_parameter_names(s.fit.model, s.fit.fit_delay).size());
  d.series.visit([&](auto const& series) {
    for_each_chunk(
        space, series, range, chunk_voxels, out,
        [&](Chunk<Mem> const& chunk) {
          auto const conc = chunk_concentration(space, s, d, d.t1, chunk);
          fit::FitOutputs<Mem> fitted(space, "voxflow::pipeline::dce::fit", static_cast<int>(chunk.size()),
                                      n_params);
          dce::fit_dce(space, conc, inputs, Kokkos::View<std::uint8_t const*, Mem>(), s.fit, fitted);
          copy_columns(space, fitted.params, chunk.values, 0, n_params);
          copy_column(space, fitted.r2, chunk.values, n_params);
          Kokkos::deep_copy(space, chunk.status, fitted.status);
        },
        progress);
  });
}

}  // namespace voxflow::pipeline::dce_run

#endif
