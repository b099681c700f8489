#include "asl_simulation.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>

namespace voxflow::pipeline::asl_run {

namespace fs = std::filesystem;

std::string simulate_asl(AslSimulation const& sim) {
  if (sim.matrix[0] < 1 || sim.matrix[1] < 1 || sim.matrix[2] < 1 || sim.repeats < 1 || sim.plds_s.empty() ||
      static_cast<int>(sim.plds_s.size()) > asl::max_plds || sim.noise < 0.0)
    throw Error(ExitCode::usage, "simulate: need a non-empty matrix, at least one pair per delay, 1 to " +
                                     std::to_string(asl::max_plds) + " delays and noise >= 0");
  std::error_code ec;
  fs::create_directories(sim.out_dir, ec);
  if (ec) throw OutputError(sim.out_dir, "cannot create the folder: " + ec.message());
  auto const [nx, ny, nz] = sim.matrix;
  std::int64_t const n = static_cast<std::int64_t>(nx) * ny * nz;
  asl::AslConstants c;  // the contract's constants: PCASL, T1b 1.65 s, α 0.85, λ 0.9
  c.labeling_duration_s = sim.labeling_duration_s;

  // Truth: an ellipse of tissue in every slice with smooth gradients, grey-matter-like flow and short transit
  // on one side, white-matter-like on the other; no tissue (M0 = 0) outside.
  std::vector<double> mask(static_cast<std::size_t>(n)), cbf(mask.size()), att(mask.size()), m0(mask.size());
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y)
      for (int x = 0; x < nx; ++x) {
        auto const i = static_cast<std::size_t>(x + static_cast<std::int64_t>(nx) *
                                                        (y + static_cast<std::int64_t>(ny) * z));
        double const u = nx > 1 ? x / double(nx - 1) : 0.5, w = ny > 1 ? y / double(ny - 1) : 0.5;
        double const s = nz > 1 ? z / double(nz - 1) : 0.5;
        double const ex = 2 * u - 1, ey = 2 * w - 1;
        bool const inside = ex * ex + ey * ey <= 1.0;
        mask[i] = inside ? 1.0 : 0.0;
        cbf[i] = inside ? 20.0 + 60.0 * u : 0.0;
        att[i] = inside ? 0.6 + 1.3 * w : 0.0;
        m0[i] = inside ? 800.0 + 200.0 * (1.0 - s) : 0.0;
      }
  // Volumes: per delay, `repeats` (label, control) pairs; control 0.9 M0, label = control − ΔM.
  std::vector<double> delta(static_cast<std::size_t>(n) * sim.plds_s.size());
  double peak = 0.0;
  for (std::size_t g = 0; g < sim.plds_s.size(); ++g)
    for (std::int64_t i = 0; i < n; ++i) {
      auto const k = static_cast<std::size_t>(i);
      double const dm = m0[k] * cbf[k] * asl::kinetic_term(c, sim.plds_s[g], att[k]).per_cbf;
      delta[k + static_cast<std::size_t>(n) * g] = dm;
      peak = std::max(peak, dm);
    }
  std::mt19937_64 rng(sim.seed);
  std::normal_distribution<double> gauss(0.0, sim.noise * peak);
  std::size_t const volumes = 2 * sim.plds_s.size() * static_cast<std::size_t>(sim.repeats);
  std::vector<double> series(static_cast<std::size_t>(n) * volumes);
  std::vector<double> plds;
  std::ostringstream context;
  context << "volume_type\n";
  std::size_t volume = 0;
  for (std::size_t g = 0; g < sim.plds_s.size(); ++g)
    for (int r = 0; r < sim.repeats; ++r)
      for (bool label : {true, false}) {
        for (std::int64_t i = 0; i < n; ++i) {
          auto const k = static_cast<std::size_t>(i);
          double const control = 0.9 * m0[k];
          double const value = label ? control - delta[k + static_cast<std::size_t>(n) * g] : control;
          series[k + static_cast<std::size_t>(n) * volume] = value + (sim.noise > 0.0 ? gauss(rng) : 0.0);
        }
        context << (label ? "label\n" : "control\n");
        plds.push_back(sim.plds_s[g]);
        ++volume;
      }

  fs::path const dir(sim.out_dir);
  auto const geometry = io::make_geometry({3.0, 3.0, 5.0}, 4.0);
  std::array<int64_t, 3> const dims3{nx, ny, nz};
  io::write_nifti_4d((dir / "asl.nii.gz").string(), geometry, {nx, ny, nz, static_cast<int64_t>(volumes)},
                     series);
  io::write_nifti((dir / "m0.nii.gz").string(), geometry, dims3, m0);
  io::NiftiWriteOptions mask_options;
  mask_options.datatype = io::NiftiDatatype::uint8;
  io::write_nifti((dir / "mask.nii.gz").string(), geometry, dims3, mask, mask_options);
  io::write_nifti((dir / "truth_cbf.nii.gz").string(), geometry, dims3, cbf);
  io::write_nifti((dir / "truth_att.nii.gz").string(), geometry, dims3, att);
  io::write_nifti((dir / "truth_m0.nii.gz").string(), geometry, dims3, m0);
  io::write_text_atomically((dir / "aslcontext.tsv").string(), context.str());
  io::write_number_list((dir / "plds.txt").string(), plds);

  std::ostringstream config;
  config << "# Synthetic PCASL subject written by voxflow simulate asl (truth in truth_*.nii.gz).\n"
         << "modality: asl\nsubject: sub-01\ninputs:\n"
         << "  asl: asl.nii.gz\n  aslcontext: aslcontext.tsv\n  m0scan: m0.nii.gz\n  mask: mask.nii.gz\n"
         << "acquisition:\n  labeling_type: PCASL\n  labeling_duration_s: " << sim.labeling_duration_s << "\n"
         << "  post_labeling_delay_s: plds.txt\n  m0_tr_correction: false\n  background_suppression: false\n"
         << "fit:\n  method: " << enum_name(asl::asl_method_names, sim.method) << "\n"
         << "backend: auto\noutput:\n  dir: out\n";
  std::string const config_path = (dir / "config.yaml").string();
  io::write_text_atomically(config_path, config.str());
  return config_path;
}

}  // namespace voxflow::pipeline::asl_run
