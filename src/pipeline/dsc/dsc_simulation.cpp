#include "dsc_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

namespace voxflow::pipeline::dsc_run {

namespace fs = std::filesystem;

double simulated_aif(double t, double arrival_s) {
  double const alpha = 3.0, beta = 1.5, peak = 100.0;
  double const x = t - arrival_s;
  if (x <= 0.0) return 0.0;
  // Normalised so that the maximum, at x = αβ, is `peak`.
  return peak * std::pow(x / (alpha * beta), alpha) * std::exp(alpha - x / beta);
}

double simulated_residue(std::string const& shape, double t, double mtt) {
  if (shape == "boxcar") return t < mtt ? 1.0 : 0.0;
  if (shape == "gamma") {
    double const x = 3.0 * t / mtt;
    return std::exp(-x) * (1.0 + x + 0.5 * x * x);
  }
  return std::exp(-t / mtt);
}

std::vector<double> simulated_tissue(std::vector<double> const& times, double cbf, double cbv, double delay_s,
                                     double arrival_s, std::string const& residue) {
  double const mtt = 60.0 * cbv / cbf;
  double const flow = cbf / 6000.0;  // 1/s
  std::vector<double> out(times.size(), 0.0);
  for (std::size_t j = 0; j < times.size(); ++j) {
    double const t = times[j];
    if (t <= 0.0) continue;
    int const steps = std::max(50, static_cast<int>(50 * t));
    double const h = t / steps;
    // Only where the AIF is not zero: after its arrival, and for 120 s (it is below 1e-29 of its peak then),
    // so that long series cost O(frames), not O(frames²); the terms left out add nothing in double.
    double const start = arrival_s + delay_s;
    // Clamped in double before the conversion: start / h can exceed any int for a tiny frame time.
    int const first =
        static_cast<int>(std::clamp(std::floor(start / h), 0.0, static_cast<double>(steps) + 1.0));
    int const last =
        static_cast<int>(std::clamp(std::ceil((start + 120.0) / h), -1.0, static_cast<double>(steps)));
    double sum = 0.0;
    for (int k = first; k <= last; ++k) {
      double const tau = k * h;
      double const w = (k == 0 || k == steps) ? 0.5 : 1.0;
      sum += w * simulated_aif(tau - delay_s, arrival_s) * simulated_residue(residue, t - tau, mtt);
    }
    out[j] = flow * sum * h;
  }
  return out;
}

std::string simulate_dsc(DscSimulation const& sim) {
  if (sim.frames < 10 || sim.frame_s <= 0 || sim.matrix[0] < 2 || sim.matrix[1] < 2 || sim.matrix[2] < 1 ||
      sim.echo_time_s <= 0 || sim.noise < 0)
    throw Error(
        ExitCode::usage,
        "simulate: need at least 10 frames, a positive frame time and echo time, a matrix of at least "
        "2x2x1 and a non-negative noise");
  if (sim.residue != "exponential" && sim.residue != "boxcar" && sim.residue != "gamma")
    throw Error(ExitCode::usage,
                "simulate: --residue must be exponential, boxcar or gamma, found '" + sim.residue + "'");
  std::error_code ec;
  fs::create_directories(sim.out_dir, ec);
  if (ec) throw OutputError(sim.out_dir, "cannot create the folder: " + ec.message());
  auto const [nx, ny, nz] = sim.matrix;
  std::int64_t const n = static_cast<std::int64_t>(nx) * ny * nz;
  int const frames = sim.frames;
  std::vector<double> times(static_cast<std::size_t>(frames));
  for (int j = 0; j < frames; ++j) times[static_cast<std::size_t>(j)] = j * sim.frame_s;

  // Truth: CBF 20..70 mL/100 mL/min along x (10 · CBV with leakage), CBV 2..5 mL/100 mL along y; the arterial
  // voxels are the
  // 2 x 2 corner column (x, y < 2) of every slice.
  std::vector<double> cbf(static_cast<std::size_t>(n)), cbv(cbf.size()), mtt(cbf.size()), k2(cbf.size(), 0.0),
      aif_mask(cbf.size(), 0.0), mask(cbf.size(), 1.0);
  std::vector<std::vector<double>> curves(cbf.size());
  std::vector<double> aif(times.size());
  for (std::size_t j = 0; j < times.size(); ++j) aif[j] = simulated_aif(times[j], sim.bolus_arrival_s);
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        auto const i = static_cast<std::size_t>(x + static_cast<std::int64_t>(nx) *
                                                        (y + static_cast<std::int64_t>(ny) * z));
        if (x < 2 && y < 2) {
          aif_mask[i] = 1.0;
          curves[i] = aif;
          cbf[i] = cbv[i] = mtt[i] = 0.0;
          continue;
        }
        double const u = x / double(nx - 1), w = y / double(ny - 1);
        cbv[i] = 2.0 + 3.0 * w;
        // With leakage, one transit time (6 s) everywhere: the BSW model assumes the tissue curves have the
        // reference's shape, so only the leakage term (and the scale) differ between voxels.
        cbf[i] = sim.leakage_k2 != 0.0 ? 10.0 * cbv[i] : 20.0 + 50.0 * u;
        mtt[i] = 60.0 * cbv[i] / cbf[i];
        curves[i] =
            simulated_tissue(times, cbf[i], cbv[i], sim.tissue_delay_s, sim.bolus_arrival_s, sim.residue);
        if (sim.leakage_k2 != 0.0 && x >= nx - nx / 4) k2[i] = sim.leakage_k2;
      }
  if (sim.leakage_k2 != 0.0) {
    // T1 leakage lowers the apparent ΔR2* by K2 · ∫ref, ref = the mean curve of the non-leaky tissue.
    std::vector<double> ref(times.size(), 0.0), integral(times.size(), 0.0);
    std::size_t count = 0;
    for (std::size_t i = 0; i < curves.size(); ++i)
      if (aif_mask[i] == 0.0 && k2[i] == 0.0) {
        for (std::size_t j = 0; j < times.size(); ++j) ref[j] += curves[i][j];
        ++count;
      }
    for (double& r : ref) r /= static_cast<double>(count);
    for (std::size_t j = 1; j < times.size(); ++j)
      integral[j] = integral[j - 1] + 0.5 * (ref[j] + ref[j - 1]) * (times[j] - times[j - 1]);
    for (std::size_t i = 0; i < curves.size(); ++i)
      for (std::size_t j = 0; j < times.size(); ++j) curves[i][j] -= k2[i] * integral[j];
  }
  std::mt19937_64 rng(sim.seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  double const s0 = 1000.0;
  std::vector<double> series(static_cast<std::size_t>(n) * static_cast<std::size_t>(frames));
  for (std::int64_t i = 0; i < n; ++i)
    for (int j = 0; j < frames; ++j)
      series[static_cast<std::size_t>(i + n * j)] =
          s0 * std::exp(-sim.echo_time_s * curves[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]) +
          sim.noise * s0 * gauss(rng);

  fs::path const dir(sim.out_dir);
  auto const geometry = io::make_geometry({2.0, 2.0, 4.0}, sim.frame_s);
  std::array<int64_t, 3> const dims3{nx, ny, nz};
  io::write_nifti_4d((dir / "dsc.nii.gz").string(), geometry, {nx, ny, nz, frames}, series);
  io::NiftiWriteOptions mask_options;
  mask_options.datatype = io::NiftiDatatype::uint8;
  io::write_nifti((dir / "mask.nii.gz").string(), geometry, dims3, mask, mask_options);
  io::write_nifti((dir / "aif_mask.nii.gz").string(), geometry, dims3, aif_mask, mask_options);
  io::write_nifti((dir / "truth_CBF.nii.gz").string(), geometry, dims3, cbf);
  io::write_nifti((dir / "truth_CBV.nii.gz").string(), geometry, dims3, cbv);
  io::write_nifti((dir / "truth_MTT.nii.gz").string(), geometry, dims3, mtt);
  if (sim.leakage_k2 != 0.0) io::write_nifti((dir / "truth_K2.nii.gz").string(), geometry, dims3, k2);
  io::write_number_list((dir / "time.txt").string(), times);

  int const baseline_end =
      std::max(2, std::min(frames - 2, static_cast<int>(std::floor(sim.bolus_arrival_s / sim.frame_s))));
  std::ostringstream config;
  config << "# Synthetic DSC subject written by voxflow simulate (truth in truth_*.nii.gz; the AIF voxels\n"
         << "# in aif_mask.nii.gz have truth 0).\n"
         << "modality: dsc\nsubject: sub-sim\ninputs:\n  signal: dsc.nii.gz\n  timing: time.txt\n"
         << "  mask: mask.nii.gz\naif:\n  source: measured\n  mask: aif_mask.nii.gz\n"
         << "acquisition:\n  echo_time_s: " << sim.echo_time_s << "\n  baseline_frames: [0, " << baseline_end
         << "]\ndeconvolution:\n  method: " << dsc::deconvolution_method_name(sim.method) << "\n"
         << "quantification:\n  kh: 1.0\n  density_g_per_ml: 1.0\n"
         << "leakage_correction: " << (sim.leakage_k2 != 0.0 ? "true" : "false") << "\n"
         << "backend: auto\noutput:\n  dir: out\n";
  std::string const config_path = (dir / "config.yaml").string();
  io::write_text_atomically(config_path, config.str());
  return config_path;
}

}  // namespace voxflow::pipeline::dsc_run
