#include "dce_simulation.hpp"

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/dce/predict_dce.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace voxflow::pipeline::dce_run {

namespace fs = std::filesystem;

namespace {

// Truth of a voxel at relative position (u, w, s) in [0, 1]^3: smooth gradients across the volume so that
// every map shows structure, within typical tissue ranges (internal units).
std::vector<double> truth_at(dce::DceModel model, double u, double w, double s) {
  switch (model) {
    case dce::DceModel::tofts:
      return {0.05 + 0.45 * u, 0.1 + 0.4 * w};
    case dce::DceModel::extended_tofts:
      return {0.05 + 0.45 * u, 0.1 + 0.4 * w, 0.01 + 0.08 * s};
    case dce::DceModel::patlak:
      return {0.01 + 0.1 * u, 0.02 + 0.08 * w};
    case dce::DceModel::two_compartment_exchange:
      return {0.1 + 0.5 * u, 0.05 + 0.15 * w, 0.1 + 0.3 * s, 0.02 + 0.08 * (1 - u)};
    case dce::DceModel::two_compartment_uptake:
      return {0.1 + 0.5 * u, 0.01 + 0.09 * w, 0.02 + 0.08 * s};
  }
  return {};
}

}  // namespace

std::string simulate_dce(DceSimulation const& sim) {
  if (sim.frames < 3 || sim.frame_s <= 0 || sim.matrix[0] < 1 || sim.matrix[1] < 1 || sim.matrix[2] < 1)
    throw Error(ExitCode::usage,
                "simulate: need at least 3 frames, a positive frame time and a non-empty matrix");
  if (sim.input != "concentration" && sim.input != "signal" && sim.input != "vfa")
    throw Error(ExitCode::usage,
                "simulate: --input must be concentration, signal or vfa, found '" + sim.input + "'");
  bool const signal_input = sim.input != "concentration";
  std::error_code ec;
  fs::create_directories(sim.out_dir, ec);
  if (ec) throw OutputError(sim.out_dir, "cannot create the folder: " + ec.message());
  auto const [nx, ny, nz] = sim.matrix;
  std::int64_t const n = static_cast<std::int64_t>(nx) * ny * nz;
  int const frames = sim.frames;

  std::vector<double> times(frames);
  for (int j = 0; j < frames; ++j) times[j] = j * sim.frame_s;
  Kokkos::View<double*, Kokkos::HostSpace> t_view("voxflow::simulate::t", frames),
      aif_view("voxflow::simulate::aif", frames);
  for (int j = 0; j < frames; ++j) t_view(j) = times[j];
  aif::AifOptions aif_options;
  aif_options.delay_s = sim.bolus_delay_s;
  aif::population_aif(Kokkos::DefaultHostExecutionSpace(), aif::PopulationAif::parker,
                      Kokkos::View<double const*, Kokkos::HostSpace>(t_view), aif_options, aif_view);
  Kokkos::fence();
  std::vector<double> const aif(aif_view.data(), aif_view.data() + frames);

  // Mask: an ellipse in every slice; truth everywhere inside.
  dce::DceFitOptions forward;
  forward.model = sim.model;
  forward.fit_delay = sim.tissue_delay_s != 0.0;
  auto const names = dce::dce_parameter_names(forward.model, forward.fit_delay);
  std::vector<double> mask(static_cast<std::size_t>(n), 0.0);
  Maps<Kokkos::HostSpace> truth("voxflow::simulate::truth", n, names.size());
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        std::int64_t const i = x + static_cast<std::int64_t>(nx) * (y + static_cast<std::int64_t>(ny) * z);
        double const u = nx > 1 ? x / double(nx - 1) : 0.5, w = ny > 1 ? y / double(ny - 1) : 0.5;
        double const s = nz > 1 ? z / double(nz - 1) : 0.5;
        double const ex = 2 * u - 1, ey = 2 * w - 1;
        mask[static_cast<std::size_t>(i)] = (ex * ex + ey * ey <= 1.0) ? 1.0 : 0.0;
        auto const p = truth_at(sim.model, u, w, s);
        for (std::size_t k = 0; k < p.size(); ++k) truth(i, k) = p[k];
        if (forward.fit_delay) truth(i, names.size() - 1) = sim.tissue_delay_s;
      }
  auto const inputs = dce::make_dce_inputs<Kokkos::HostSpace>(times, times, aif, "simulate");
  Series<Kokkos::HostSpace> conc("voxflow::simulate::conc", n, frames);
  dce::predict_dce(Kokkos::DefaultHostExecutionSpace(), inputs, forward, truth, conc);
  Kokkos::fence();

  std::mt19937_64 rng(sim.seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> t1_spread(0.7, 1.3);
  auto geometry = io::make_geometry({2.0, 2.0, 3.0}, sim.frame_s);
  std::array<int64_t, 4> const dims4{nx, ny, nz, frames};
  std::array<int64_t, 3> const dims3{nx, ny, nz};
  std::vector<double> series(static_cast<std::size_t>(n) * frames);
  std::vector<double> t1(static_cast<std::size_t>(n));
  double const alpha = sim.flip_angle_deg * M_PI / 180.0;
  for (std::int64_t i = 0; i < n; ++i) {
    double peak = 0.0;
    for (int j = 0; j < frames; ++j) peak = std::max(peak, std::fabs(conc(i, j)));
    t1[static_cast<std::size_t>(i)] = sim.t1_s * t1_spread(rng);
    for (int j = 0; j < frames; ++j) {
      double value = conc(i, j);
      if (signal_input) {
        // SPGR signal of S0 = 1000 with R1 = 1/T1 + r1 C; noise relative to the baseline signal.
        double const e =
            std::exp(-sim.tr_s * (1.0 / t1[static_cast<std::size_t>(i)] + sim.relaxivity * value));
        double const s0 = 1000.0 * std::sin(alpha) *
                          (1 - std::exp(-sim.tr_s / t1[static_cast<std::size_t>(i)])) /
                          (1 - std::cos(alpha) * std::exp(-sim.tr_s / t1[static_cast<std::size_t>(i)]));
        value = 1000.0 * std::sin(alpha) * (1 - e) / (1 - std::cos(alpha) * e) +
                sim.noise * 0.1 * s0 * gauss(rng);
      } else {
        value += sim.noise * peak * gauss(rng);
      }
      series[static_cast<std::size_t>(i + n * j)] = value;
    }
  }
  fs::path const dir(sim.out_dir);
  std::string const series_name = signal_input ? "signal.nii.gz" : "conc.nii.gz";
  io::write_nifti_4d((dir / series_name).string(), geometry, dims4, series);
  io::NiftiWriteOptions mask_options;
  mask_options.datatype = io::NiftiDatatype::uint8;
  io::write_nifti((dir / "mask.nii.gz").string(), geometry, dims3, mask, mask_options);
  if (signal_input)
    io::write_nifti((dir / (sim.input == "signal" ? "t1.nii.gz" : "truth_T1.nii.gz")).string(), geometry,
                    dims3, t1);
  std::vector<double> const vfa_angles{2.0, 5.0, 10.0, 15.0, 20.0};
  if (sim.input == "vfa") {
    // The pre-contrast variable-flip-angle series the run maps T1 from (same S0, TR and relative noise).
    std::vector<double> vfa(static_cast<std::size_t>(n) * vfa_angles.size());
    for (std::size_t a = 0; a < vfa_angles.size(); ++a) {
      double const fa = vfa_angles[a] * M_PI / 180.0;
      for (std::int64_t i = 0; i < n; ++i) {
        double const e = std::exp(-sim.tr_s / t1[static_cast<std::size_t>(i)]);
        double const s_fa = 1000.0 * std::sin(fa) * (1 - e) / (1 - std::cos(fa) * e);
        vfa[static_cast<std::size_t>(i + n * static_cast<std::int64_t>(a))] =
            s_fa * (1.0 + sim.noise * 0.1 * gauss(rng));
      }
    }
    io::write_nifti_4d((dir / "vfa.nii.gz").string(), geometry,
                       {nx, ny, nz, static_cast<int64_t>(vfa_angles.size())}, vfa);
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::vector<double> map(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) map[static_cast<std::size_t>(i)] = truth(i, k);
    io::write_nifti((dir / ("truth_" + names[k] + ".nii.gz")).string(), geometry, dims3, map);
  }
  io::write_number_list((dir / "time.txt").string(), times);

  // Pre-contrast frames: those before the bolus arrives (the Parker curve is not 0 at its own t = 0).
  int const baseline_end =
      std::max(1, std::min(frames - 1, static_cast<int>(std::ceil(sim.bolus_delay_s / sim.frame_s))));
  std::ostringstream config;
  config << "# Synthetic DCE subject written by voxflow simulate (truth in truth_*.nii.gz).\n"
         << "modality: dce\nsubject: sub-sim\ninputs:\n"
         << (sim.input == "signal" ? "  signal: signal.nii.gz\n  t1_map: t1.nii.gz\n"
             : sim.input == "vfa"  ? "  signal: signal.nii.gz\n  vfa: vfa.nii.gz\n"
                                   : "  concentration: conc.nii.gz\n")
         << "  timing: time.txt\n  mask: mask.nii.gz\n";
  if (signal_input)
    config << "acquisition:\n  flip_angle_deg: " << sim.flip_angle_deg
           << "\n  repetition_time_s: " << sim.tr_s << "\n  relaxivity: " << sim.relaxivity
           << "\n  baseline_frames: [0, " << baseline_end << "]\n";
  if (sim.input == "vfa")
    config << "  vfa_flip_angles_deg: [2, 5, 10, 15, 20]\n  vfa_repetition_time_s: " << sim.tr_s << "\n";
  config << "aif:\n  source: population\n  model: parker\n  delay_s: " << sim.bolus_delay_s << "\n"
         << "fit:\n  model: " << dce::dce_model_name(sim.model) << "\n"
         << (forward.fit_delay ? "  fit_delay: true\n" : "") << "backend: auto\noutput:\n  dir: out\n";
  std::string const config_path = (dir / "config.yaml").string();
  io::write_text_atomically(config_path, config.str());
  return config_path;
}

}  // namespace voxflow::pipeline::dce_run
