// `voxflow-bench dsc`: times DSC deconvolution as a subject run does it: the pseudo-inverses of one AIF
// (host SVD, once), then every voxel's ΔR2* curve through the batched product and the map kernel, in chunks
// of 16384 voxels. Frames 1.5 s apart, a gamma-variate AIF, CBF 10-80 mL/100 mL/min, CBV 1-6 mL/100 mL,
// exponential residues, Gaussian noise of a fraction of each curve's maximum. --model ssvd, csvd, osvd,
// tikhonov or all (default; each method in turn). Defaults: 300000 voxels, 60 frames.
#ifndef VOXFLOW_APPS_DSC_BENCH_HPP
#define VOXFLOW_APPS_DSC_BENCH_HPP

#include "bench_options.hpp"

namespace voxflow::bench {

int run_dsc_bench(BenchOptions const& options);

}  // namespace voxflow::bench

#endif
