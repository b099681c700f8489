// `voxflow-bench asl`: times ASL quantification (subtraction, averaging, calibration and single-PLD CBF or
// the multi-PLD Buxton fit) on label/control series at the osipy DRO's six delays, two pairs per delay,
// CBF and ATT drawn over grey- and white-matter ranges, with Gaussian noise whose SD on each delay's mean ΔM
// is --noise times the grey-matter peak. Reports voxels/s, the failure fraction (not converged, or a cost
// above the true parameters' cost: the optimizer missed the minimum) and the fraction the noise puts far
// from the truth (CBF off by more than half, or ATT by more than 0.5 s).
#ifndef VOXFLOW_APPS_ASL_BENCH_HPP
#define VOXFLOW_APPS_ASL_BENCH_HPP

#include "bench_options.hpp"

namespace voxflow::bench {

int run_asl_bench(BenchOptions const& options);

}  // namespace voxflow::bench

#endif
