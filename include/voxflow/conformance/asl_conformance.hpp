// Runner of the osipy ASL DRO (reference README §8: ground-truth CBF, ATT and M0 maps only, no signals) for
// `voxflow conformance` and the tests: a round trip. Multi-PLD PCASL label/control pairs are synthesised from
// the maps with the Buxton model as the ASL issue writes it (reference_delta_m: an independent transcription,
// not the kernel's tabulated form), with osipy's defaults (T1b 1.65 s, λ 0.9, α 0.85, τ 1.8 s) and the DRO's
// delays (plds.csv), quantified with quantify_asl (multi_pld) on the context's backend, and each brain voxel
// is one case with checks "CBF" and "ATT". No external tolerance exists; ours is 1e-4 relative (noise-free),
// unless tolerances.json lists one.
#ifndef VOXFLOW_CONFORMANCE_ASL_CONFORMANCE_HPP
#define VOXFLOW_CONFORMANCE_ASL_CONFORMANCE_HPP

#include <voxflow/asl/asl_model.hpp>
#include <voxflow/conformance/report.hpp>

#include <cmath>

namespace voxflow::conformance {

// ΔM/M0 at post-labeling delay `pld` (PASL: inversion time) for CBF (mL/100 g/min) and ATT (s), as written in
// the issue. (P)CASL, t = τ + PLD, f = CBF/6000: 0 for t < ATT; 2 α f T1b e^(−ATT/T1b) (1 − e^(−(t−ATT)/T1b))
// / λ for ATT ≤ t < ATT + τ; 2 α f T1b e^(−ATT/T1b) e^(−(t−τ−ATT)/T1b) (1 − e^(−τ/T1b)) / λ after. PASL
// (QUIPSS II, Buxton 1998): 0 for TI < ATT; 2 α f (TI − ATT) e^(−TI/T1b) / λ up to ATT + TI1; 2 α f TI1
// e^(−TI/T1b) / λ after. α includes the background-suppression efficiency.
inline double reference_delta_m(asl::AslConstants const& c, double pld, double cbf, double att) {
  double const f = cbf / 6000.0, a = c.labeling_efficiency * c.background_efficiency;
  double const t1b = c.t1_blood_s, lambda = c.partition_coefficient;
  if (c.labeling == asl::Labeling::pasl) {
    double const ti = pld, ti1 = c.bolus_duration_s;
    if (ti < att) return 0.0;
    double const bolus = ti < att + ti1 ? ti - att : ti1;
    return 2 * a * f * bolus * std::exp(-ti / t1b) / lambda;
  }
  double const tau = c.labeling_duration_s, t = tau + pld;
  if (t < att) return 0.0;
  if (t < att + tau)
    return 2 * a * f * t1b * std::exp(-att / t1b) * (1 - std::exp(-(t - att) / t1b)) / lambda;
  return 2 * a * f * t1b * std::exp(-att / t1b) * std::exp(-(t - tau - att) / t1b) *
         (1 - std::exp(-tau / t1b)) / lambda;
}

// asl/osipy_dro/plds.csv (the maps beside it are read from its folder). Throws InputError when a file of the
// DRO cannot be read.
FileReport run_asl_dro_file(RunContext const& ctx);

}  // namespace voxflow::conformance

#endif
