// The compute stage of an IVIM subject on one execution space (private to src/pipeline/ivim): every voxel
// fitted through for_each_chunk, so data move between host and device only per chunk. The Bayesian method
// with one noise SD for the subject takes two passes: the residual SD of every voxel's full fit first (over
// all chunks), its median, then the fits; the estimate never depends on how voxels fall into chunks.
#ifndef VOXFLOW_SRC_PIPELINE_IVIM_IVIM_STAGES_HPP
#define VOXFLOW_SRC_PIPELINE_IVIM_IVIM_STAGES_HPP

#include "ivim_inputs.hpp"

#include <voxflow/ivim/fit_ivim.hpp>
#include <voxflow/pipeline/chunk_driver.hpp>
#include <voxflow/pipeline/subject_split.hpp>

#include <limits>

namespace voxflow::pipeline::ivim_run {

// The subject's noise SD relative to the b = 0 signal for the Bayesian method: NaN (each voxel's own) unless
// the noise is global.
template <class Space>
double subject_noise_sd(Space const& space, IvimSettings const& s, IvimData const& d,
                        ivim::IvimProtocol<typename Space::memory_space> const& protocol, VoxelRange range,
                        std::int64_t chunk_voxels, SubjectSplit const* split) {
  using Mem = typename Space::memory_space;
  if (s.fit.method != ivim::IvimMethod::bayesian || s.fit.noise != ivim::IvimNoise::global)
    return std::numeric_limits<double>::quiet_NaN();
  auto const n = static_cast<std::int64_t>(d.voxels.size());
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> noise("voxflow::pipeline::ivim::noise", n,
                                                                       1);
  for_each_chunk(space, d.series, range, chunk_voxels, {map_columns(noise, 0, 1), {}},
                 [&](Chunk<Mem> const& chunk) {
                   ivim::estimate_ivim_noise(space, chunk.data, protocol, s.fit, chunk.values);
                 });
  // A split subject's parts each estimate their own voxels; the median needs all of them.
  if (split != nullptr) split->share_rows(noise.data(), n, 1);
  return ivim::median_noise_sd(std::vector<double>(noise.data(), noise.data() + n));
}

// Fits the voxels of `range` into out.values (the ivim::IvimColumn layout) and out.status; returns the
// noise SD used for the whole subject (NaN unless Bayesian with global noise).
template <class Space>
double fit_subject(Space const& space, IvimSettings const& s, IvimData const& d, VoxelRange range,
                   std::int64_t chunk_voxels, SubjectSplit const* split, ChunkOutputs const& out,
                   Progress* progress) {
  using Mem = typename Space::memory_space;
  auto const protocol = ivim::make_ivim_protocol<Mem>(space, d.shells.b, s.fit, s.inputs.bvals);
  double const sigma = subject_noise_sd(space, s, d, protocol, range, chunk_voxels, split);
  for_each_chunk(
      space, d.series, range, chunk_voxels, out,
      [&](Chunk<Mem> const& chunk) {
        ivim::fit_ivim(space, chunk.data, protocol, s.fit, sigma, chunk.values, chunk.status);
      },
      progress);
  return sigma;
}

}  // namespace voxflow::pipeline::ivim_run

#endif
