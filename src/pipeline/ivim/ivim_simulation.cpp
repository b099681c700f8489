#include "ivim_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/simulation_options.hpp>

#include <filesystem>
#include <random>
#include <sstream>

namespace voxflow::pipeline::ivim_run {

namespace fs = std::filesystem;

std::array<double, 4> ivim_truth_at(double u, double w, double s) {
  return {1.0, 0.0006 + 0.0018 * u, 0.015 + 0.06 * w, 0.05 + 0.3 * (0.5 * (1.0 - u) + 0.5 * s)};
}

std::string simulate_ivim(IvimSimulation const& sim) {
  if (sim.matrix[0] < 1 || sim.matrix[1] < 1 || sim.matrix[2] < 1 || sim.directions < 1 || sim.noise < 0)
    throw Error(ExitCode::usage, "simulate: need a non-empty matrix, at least one direction and noise >= 0");
  std::error_code ec;
  fs::create_directories(sim.out_dir, ec);
  if (ec) throw OutputError(sim.out_dir, "cannot create the folder: " + ec.message());
  auto const [nx, ny, nz] = sim.matrix;
  std::int64_t const n = static_cast<std::int64_t>(nx) * ny * nz;

  // Volumes: b = 0 once, every other b-value once per direction (x, y, z cycling).
  std::vector<double> volume_b;
  std::vector<std::array<double, 3>> volume_dir;
  for (double b : sim.b_values) {
    int const repeats = b == 0.0 ? 1 : sim.directions;
    for (int r = 0; r < repeats; ++r) {
      volume_b.push_back(b);
      std::array<double, 3> dir{0.0, 0.0, 0.0};
      if (b != 0.0) dir[r % 3] = 1.0;
      volume_dir.push_back(dir);
    }
  }
  auto const volumes = static_cast<std::int64_t>(volume_b.size());

  std::mt19937_64 rng(sim.seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<double> series(static_cast<std::size_t>(n * volumes)), mask(static_cast<std::size_t>(n));
  std::array<std::vector<double>, 4> truth;
  for (auto& t : truth) t.resize(static_cast<std::size_t>(n));
  for (auto const& voxel : simulated_grid(sim.matrix)) {
    auto const i = static_cast<std::size_t>(voxel.index);
    mask[i] = voxel.in_mask ? 1.0 : 0.0;
    auto p = ivim_truth_at(voxel.u, voxel.w, voxel.s);
    p[ivim::s0] = sim.s0;
    for (int k = 0; k < 4; ++k) truth[k][i] = p[k];
    double const q[ivim::ivim_parameter_count] = {p[0], p[1], p[2], p[3]};
    for (std::int64_t t = 0; t < volumes; ++t) {
      double grad[ivim::ivim_parameter_count];
      double const clean = ivim::ivim_signal(volume_b[static_cast<std::size_t>(t)], q, grad);
      series[i + static_cast<std::size_t>(n * t)] = clean + sim.noise * sim.s0 * gauss(rng);
    }
  }
  fs::path const dir(sim.out_dir);
  auto const geometry = io::make_geometry({2.0, 2.0, 4.0}, 0.0);
  io::write_nifti_4d((dir / "dwi.nii.gz").string(), geometry, {nx, ny, nz, volumes}, series);
  std::array<int64_t, 3> const dims3{nx, ny, nz};
  io::NiftiWriteOptions mask_options;
  mask_options.datatype = io::NiftiDatatype::uint8;
  io::write_nifti((dir / "mask.nii.gz").string(), geometry, dims3, mask, mask_options);
  char const* names[] = {"S0", "D", "Dstar", "f"};
  for (int k = 0; k < 4; ++k)
    io::write_nifti((dir / ("truth_" + std::string(names[k]) + ".nii.gz")).string(), geometry, dims3,
                    truth[k]);
  std::ostringstream bval, bvec;
  bval.precision(10);
  for (std::int64_t t = 0; t < volumes; ++t) bval << (t ? " " : "") << volume_b[static_cast<std::size_t>(t)];
  bval << "\n";
  for (int c = 0; c < 3; ++c) {
    for (std::int64_t t = 0; t < volumes; ++t)
      bvec << (t ? " " : "") << volume_dir[static_cast<std::size_t>(t)][c];
    bvec << "\n";
  }
  io::write_text_atomically((dir / "dwi.bval").string(), bval.str());
  io::write_text_atomically((dir / "dwi.bvec").string(), bvec.str());

  std::ostringstream config;
  config << "# Synthetic IVIM subject written by voxflow simulate (truth in truth_*.nii.gz).\n"
         << "modality: ivim\nsubject: sub-01\ninputs:\n  dwi: dwi.nii.gz\n  bvals: dwi.bval\n"
         << "  bvecs: dwi.bvec\n  mask: mask.nii.gz\nfit:\n  method: " << ivim::ivim_method_name(sim.method)
         << "\n  b_threshold: 200\nbackend: auto\noutput:\n  dir: out\n";
  std::string const config_path = (dir / "config.yaml").string();
  io::write_text_atomically(config_path, config.str());
  return config_path;
}

}  // namespace voxflow::pipeline::ivim_run
