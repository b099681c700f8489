// ASL quantification models (SPEC.md §6, corrected as §11 decides): the consensus single-PLD equations of the
// ASL white paper (Alsop et al. 2015, MRM 73:102) for PCASL/CASL and PASL (QUIPSS II), and the Buxton general
// kinetic model (Buxton et al. 1998, MRM 40:383) with one T1 (blood) for several delays, written so that it
// reduces exactly to the single-PLD equation once every delay is past the arterial transit time.
//
// Units: CBF in mL/100 g/min (the fitted parameter and every map), f = CBF / 6000 in mL/g/s inside the
// equations, times in s, the signal as ΔM/M0 (control − label over the calibration M0).
#ifndef VOXFLOW_ASL_ASL_MODEL_HPP
#define VOXFLOW_ASL_ASL_MODEL_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/kokkos_compat.hpp>
#include <voxflow/fit/model.hpp>

#include <cmath>

namespace voxflow::asl {

// BIDS ArterialSpinLabelingType.
enum class Labeling { pcasl, casl, pasl };
inline constexpr EnumTable<Labeling, 3> labeling_names{
    {{Labeling::pcasl, "PCASL"}, {Labeling::casl, "CASL"}, {Labeling::pasl, "PASL"}}};

// mL/100 g/min per mL/g/s.
inline constexpr double cbf_scale = 6000.0;

// White-paper labeling efficiencies (Alsop 2015, Table 2 and text): PCASL 0.85, CASL 0.68, PASL 0.98.
constexpr double default_labeling_efficiency(Labeling labeling) {
  return labeling == Labeling::pasl ? 0.98 : labeling == Labeling::casl ? 0.68 : 0.85;
}

// The constants of one quantification; every one of them is written into the sidecars.
struct AslConstants {
  Labeling labeling = Labeling::pcasl;
  double t1_blood_s = 1.65;            // T1 of arterial blood at 3 T
  double labeling_efficiency = 0.85;   // α, before background suppression
  double partition_coefficient = 0.9;  // λ, mL/g
  double labeling_duration_s = 1.8;    // τ of PCASL/CASL
  double bolus_duration_s = 0.7;       // TI1 of PASL (QUIPSS II BolusCutOffDelayTime)
  double background_efficiency = 1.0;  // α_BS: labeling efficiency left after background suppression
  double m0_scale = 1.0;  // M0 used = M0 × m0_scale (TR correction 1/(1 − e^(−TR/T1 tissue)))

  // α·α_BS: the efficiency the equations use.
  KOKKOS_INLINE_FUNCTION double alpha() const { return labeling_efficiency * background_efficiency; }
  // The bolus length: τ for (P)CASL, TI1 for PASL.
  KOKKOS_INLINE_FUNCTION double bolus_s() const {
    return labeling == Labeling::pasl ? bolus_duration_s : labeling_duration_s;
  }
};

// White-paper single-PLD CBF (mL/100 g/min) from ΔM/M0 at post-labeling delay `pld_s` (PASL: the inversion
// time TI):
//   (P)CASL  CBF = 6000 λ (ΔM/M0) e^(PLD/T1b) / (2 α T1b (1 − e^(−τ/T1b)))
//   PASL     CBF = 6000 λ (ΔM/M0) e^(TI/T1b)  / (2 α TI1)
KOKKOS_INLINE_FUNCTION double single_pld_cbf(AslConstants const& c, double pld_s, double dm_over_m0) {
  double const t1b = c.t1_blood_s;
  double const denominator = c.labeling == Labeling::pasl
                                 ? 2.0 * c.alpha() * c.bolus_duration_s
                                 : 2.0 * c.alpha() * t1b * (1.0 - kmath::exp(-c.labeling_duration_s / t1b));
  return cbf_scale * c.partition_coefficient * dm_over_m0 * kmath::exp(pld_s / t1b) / denominator;
}

// The Buxton kinetic model per unit CBF (mL/100 g/min) and its derivative with respect to ATT, at one delay.
// (P)CASL, t = τ + PLD (time since the start of labeling), k = 2 α T1b / (6000 λ):
//   t < ATT            0
//   ATT ≤ t < ATT + τ  k e^(−ATT/T1b) (1 − e^(−(t−ATT)/T1b))  = k (e^(−ATT/T1b) − e^(−t/T1b))
//   t ≥ ATT + τ        k e^(−ATT/T1b) e^(−(t−τ−ATT)/T1b) (1 − e^(−τ/T1b)) = k e^(−PLD/T1b) (1 − e^(−τ/T1b))
// PASL, t = TI, k = 2 α / (6000 λ): 0; k (t − ATT) e^(−t/T1b); k TI1 e^(−t/T1b).
// The last branch is the single-PLD equation and does not depend on ATT.
struct KineticTerm {
  double per_cbf = 0.0;        // ΔM/M0 for CBF = 1 mL/100 g/min
  double d_att_per_cbf = 0.0;  // its derivative with respect to ATT (1/s)
};

KOKKOS_INLINE_FUNCTION KineticTerm kinetic_term(AslConstants const& c, double pld_s, double att_s) {
  KineticTerm term;
  double const t1b = c.t1_blood_s;
  double const bolus = c.bolus_s();
  if (c.labeling == Labeling::pasl) {
    double const k = 2.0 * c.alpha() / (cbf_scale * c.partition_coefficient) * kmath::exp(-pld_s / t1b);
    if (pld_s < att_s) return term;
    if (pld_s < att_s + bolus) {
      term.per_cbf = k * (pld_s - att_s);
      term.d_att_per_cbf = -k;
    } else {
      term.per_cbf = k * bolus;
    }
    return term;
  }
  double const k = 2.0 * c.alpha() * t1b / (cbf_scale * c.partition_coefficient);
  double const t = bolus + pld_s;
  if (t < att_s) return term;
  if (t < att_s + bolus) {
    double const e_att = kmath::exp(-att_s / t1b);
    term.per_cbf = k * (e_att - kmath::exp(-t / t1b));
    term.d_att_per_cbf = -k * e_att / t1b;
  } else {
    term.per_cbf = k * kmath::exp(-pld_s / t1b) * (1.0 - kmath::exp(-bolus / t1b));
  }
  return term;
}

// Upper limit of distinct delays per voxel: the voxel's mean ΔM/M0 per delay lives in registers.
inline constexpr int max_plds = 32;

// ΔM/M0 at each distinct delay of one voxel, in registers.
struct PldCurve {
  double y[max_plds];
  KOKKOS_FORCEINLINE_FUNCTION double operator()(int j) const { return y[j]; }
};

// The Buxton model as a fittable model (fit/model.hpp) over one voxel's distinct delays: parameters (CBF in
// mL/100 g/min, ATT in s). The starting point is the best of a coarse ATT grid, each grid ATT with its
// least-squares CBF (the model is linear in CBF), so the fit never starts where every delay lies before the
// bolus arrives (zero Jacobian: the Python reference's failure, SPEC.md §6.6).
//
// kinetic_term's equations, with everything that does not depend on the voxel tabulated once on the host
// (prepare()): one exponential per evaluation for (P)CASL, none for PASL, none on the ATT grid.
struct BuxtonModel {
  static constexpr int n_params = 2;
  static constexpr int att_grid_points = 41;
  AslConstants constants;
  double pld[max_plds] = {};
  int n = 0;
  double lo[n_params] = {0.0, 0.0};
  double hi[n_params] = {250.0, 4.0};
  // Filled by prepare(): (P)CASL e^(−(τ+PLD)/T1b), PASL k e^(−TI/T1b); the plateau (last branch) per delay;
  // k; e^(−ATT/T1b) at each grid ATT.
  double decay[max_plds] = {};
  double plateau[max_plds] = {};
  double k = 0.0;
  double grid_decay[att_grid_points] = {};

  // Tabulates the voxel-independent factors; call after setting constants, pld, n and the bounds.
  void prepare() {
    double const t1b = constants.t1_blood_s, bolus = constants.bolus_s();
    bool const pasl = constants.labeling == Labeling::pasl;
    k = 2.0 * constants.alpha() * (pasl ? 1.0 : t1b) / (cbf_scale * constants.partition_coefficient);
    for (int j = 0; j < n; ++j) {
      decay[j] = pasl ? k * std::exp(-pld[j] / t1b) : std::exp(-(bolus + pld[j]) / t1b);
      plateau[j] = pasl ? decay[j] * bolus : k * std::exp(-pld[j] / t1b) * (1.0 - std::exp(-bolus / t1b));
    }
    for (int g = 0; g < att_grid_points; ++g) grid_decay[g] = std::exp(-grid_att(g) / t1b);
  }

  KOKKOS_INLINE_FUNCTION double grid_att(int g) const {
    return lo[1] + (hi[1] - lo[1]) * g / (att_grid_points - 1);
  }
  KOKKOS_INLINE_FUNCTION int n_samples() const { return n; }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }

  // kinetic_term at delay j for transit time att, with e_att = e^(−att/T1b) ((P)CASL only).
  KOKKOS_INLINE_FUNCTION KineticTerm term(int j, double att, double e_att) const {
    KineticTerm t;
    double const bolus = constants.bolus_s();
    if (constants.labeling == Labeling::pasl) {
      if (pld[j] < att) return t;
      if (pld[j] < att + bolus) {
        t.per_cbf = decay[j] * (pld[j] - att);
        t.d_att_per_cbf = -decay[j];
      } else {
        t.per_cbf = plateau[j];
      }
      return t;
    }
    if (pld[j] >= att) {  // t = τ + PLD >= ATT + τ
      t.per_cbf = plateau[j];
    } else if (bolus + pld[j] >= att) {
      t.per_cbf = k * (e_att - decay[j]);
      t.d_att_per_cbf = -k * e_att / constants.t1_blood_s;
    }
    return t;
  }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    double const e_att =
        constants.labeling == Labeling::pasl ? 0.0 : kmath::exp(-p[1] / constants.t1_blood_s);
    for (int j = 0; j < n; ++j) {
      KineticTerm const t = term(j, p[1], e_att);
      double const df[n_params] = {t.per_cbf, p[0] * t.d_att_per_cbf};
      sink(j, p[0] * t.per_cbf, df);
    }
    return true;
  }

  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    double yy = 0.0;
    for (int j = 0; j < n; ++j) yy += y(j) * y(j);
    double best_cost = 0.0;
    bool found = false;
    p[0] = 0.0;
    p[1] = lo[1];
    for (int g = 0; g < att_grid_points; ++g) {
      double const att = grid_att(g);
      double gy = 0.0, gg = 0.0;
      for (int j = 0; j < n; ++j) {
        double const model = term(j, att, grid_decay[g]).per_cbf;
        gy += model * y(j);
        gg += model * model;
      }
      if (!(gg > 0.0)) continue;
      double const cbf = clamp_to(gy / gg, lo[0], hi[0]);
      // Cost of the clamped CBF: sum (y - cbf g)^2.
      double const cost = yy - 2.0 * cbf * gy + cbf * cbf * gg;
      if (!found || cost < best_cost) {
        found = true;
        best_cost = cost;
        p[0] = cbf;
        p[1] = att;
      }
    }
    fit::clamp_to_bounds(*this, p);
  }
};

}  // namespace voxflow::asl

#endif
