// The compute stage of an ASL subject on one execution space (private to src/pipeline/asl): every voxel
// through quantify_asl, chunk by chunk. A free function template, because CUDA forbids extended lambdas in
// private member functions.
#ifndef VOXFLOW_SRC_PIPELINE_ASL_ASL_STAGES_HPP
#define VOXFLOW_SRC_PIPELINE_ASL_ASL_STAGES_HPP

#include "asl_inputs.hpp"
#include "asl_settings.hpp"

#include <voxflow/asl/quantify_asl.hpp>
#include <voxflow/pipeline/chunk_driver.hpp>

namespace voxflow::pipeline::asl_run {

// Maps of the voxels of `range` into out.values (asl_columns(settings.method)) and out.status.
template <class Space>
void quantify_voxels(Space const& space, AslSettings const& s, AslLayout const& layout, AslData const& d,
                     VoxelRange range, std::int64_t chunk_voxels, ChunkOutputs const& out,
                     Progress* progress) {
  using Mem = typename Space::memory_space;
  auto const plan = asl::make_asl_plan<Mem>(space, layout.plan, s.constants, s.method, s.cbf_bounds,
                                            s.att_bounds_s, s.lm, s.pld_source);
  for_each_chunk(
      space, d.series, range, chunk_voxels, out,
      [&](Chunk<Mem> const& chunk) {
        auto const m0 = chunk.voxel_values(d.m0, "voxflow::pipeline::asl::m0");
        asl::quantify_asl(space, chunk.data, m0, plan, chunk.values, chunk.status);
      },
      progress);
}

}  // namespace voxflow::pipeline::asl_run

#endif
