// Population arterial input functions (SPEC §3.7), as kernel-callable evaluators: no std:: math, no
// exceptions, no allocation. Every evaluator takes time in seconds since bolus arrival and returns mM; a
// published form written in minutes is evaluated in minutes inside. Before arrival (t < 0) every curve is
// exactly 0.
//
// Each curve is evaluated in its *native* quantity (see native_quantity): the whole-blood curves Parker,
// Georgiou, McGrath and preclinical model B, and the plasma curves Weinmann and Fritz-Hansen (Tofts & Kermode
// published their biexponential as a plasma concentration). aif_curve.hpp converts to what the caller asks
// for.
#ifndef VOXFLOW_AIF_POPULATION_AIF_HPP
#define VOXFLOW_AIF_POPULATION_AIF_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/kokkos_compat.hpp>
#include <voxflow/core/units.hpp>

#include <string>

namespace voxflow::aif {

enum class PopulationAif { parker, weinmann, fritz_hansen, georgiou, mcgrath, preclinical };

// Whole blood (Cb) or plasma (Cp = Cb / (1 - Hct)).
enum class AifQuantity { blood, plasma };

// Parses "parker", "weinmann", "fritz_hansen" (also "fritz-hansen"), "georgiou", "mcgrath", "preclinical"
// (case-insensitive); throws InputError(source, field, <the list of known names>) for anything else.
PopulationAif parse_population_aif(std::string const& name, std::string const& source = "population AIF",
                                   std::string const& field = "aif");
std::string population_aif_name(PopulationAif kind);

inline constexpr EnumTable<PopulationAif, 7> population_aif_names{
    {{PopulationAif::parker, "parker"},
     {PopulationAif::weinmann, "weinmann"},
     {PopulationAif::fritz_hansen, "fritz_hansen"},
     {PopulationAif::fritz_hansen, "fritz-hansen"},
     {PopulationAif::georgiou, "georgiou"},
     {PopulationAif::mcgrath, "mcgrath"},
     {PopulationAif::preclinical, "preclinical"}}};

KOKKOS_INLINE_FUNCTION constexpr AifQuantity native_quantity(PopulationAif kind) {
  return (kind == PopulationAif::weinmann || kind == PopulationAif::fritz_hansen) ? AifQuantity::plasma
                                                                                  : AifQuantity::blood;
}

// Parker et al. MRM 2006;56:993, Table 1 (time in min): two Gaussians for the first and second pass plus
// an exponential washout switched on by a sigmoid. Whole blood. Cb(0) = 0.0804 mM (not 0); the peak is
// 6.07 mM at 10.3 s.
namespace parker {
inline constexpr double A1 = 0.809, A2 = 0.330;           // mM·min
inline constexpr double T1 = 0.17046, T2 = 0.365;         // min
inline constexpr double sigma1 = 0.0563, sigma2 = 0.132;  // min
inline constexpr double alpha = 1.050;                    // mM
inline constexpr double beta = 0.1685;                    // 1/min
inline constexpr double s = 38.078;                       // 1/min
inline constexpr double tau = 0.483;                      // min
}  // namespace parker

KOKKOS_INLINE_FUNCTION double parker_blood(double t_s) {
  if (!(t_s >= 0.0)) return 0.0;
  double const t = t_s / units::seconds_per_minute;
  double const inv_sqrt_2pi = 0.39894228040143267794;
  double const z1 = (t - parker::T1) / parker::sigma1, z2 = (t - parker::T2) / parker::sigma2;
  double const gaussians = parker::A1 * inv_sqrt_2pi / parker::sigma1 * kmath::exp(-0.5 * z1 * z1) +
                           parker::A2 * inv_sqrt_2pi / parker::sigma2 * kmath::exp(-0.5 * z2 * z2);
  // t >= 0, so the sigmoid's exponent is at most s·tau ≈ 18.4: no overflow.
  return gaussians +
         parker::alpha * kmath::exp(-parker::beta * t) / (1.0 + kmath::exp(-parker::s * (t - parker::tau)));
}

// Tofts & Kermode MRM 1991;17:357 (after Weinmann et al. 1984): Cp(t) = D (a1 e^{-m1 t} + a2 e^{-m2 t}), t in
// min, D = 0.1 mmol/kg. Plasma. Cp(0) = 0.877 mM.
namespace weinmann {
inline constexpr double a1 = 3.99, a2 = 4.78;     // kg/L
inline constexpr double m1 = 0.144, m2 = 0.0111;  // 1/min
inline constexpr double dose = 0.1;               // mmol/kg
}  // namespace weinmann

KOKKOS_INLINE_FUNCTION double weinmann_plasma(double t_s) {
  if (!(t_s >= 0.0)) return 0.0;
  double const t = t_s / units::seconds_per_minute;
  return weinmann::dose *
         (weinmann::a1 * kmath::exp(-weinmann::m1 * t) + weinmann::a2 * kmath::exp(-weinmann::m2 * t));
}

// "Fritz-Hansen" as osipy defines it (SPEC §3.7, defect B-15): a1 e^{-m1 t} + a2 e^{-m2 t} with exactly the
// Weinmann constants and no dose factor, i.e. 10 × Weinmann (8.77 mM at t = 0). The biexponential fitted by
// Fritz-Hansen et al. (MRM 1996;36:225) has its own constants, which we could not confirm from the paper, so
// this curve is kept only for compatibility with osipy configurations; it is labelled plasma like the
// Weinmann curve it copies.
KOKKOS_INLINE_FUNCTION double fritz_hansen_plasma(double t_s) {
  if (!(t_s >= 0.0)) return 0.0;
  double const t = t_s / units::seconds_per_minute;
  return weinmann::a1 * kmath::exp(-weinmann::m1 * t) + weinmann::a2 * kmath::exp(-weinmann::m2 * t);
}

// Georgiou et al. MRM 2019;81:1955 ("A functional form for a representative individual arterial input
// function measured from a population using high temporal resolution DCE MRI"), t in min. Whole blood:
//
//   Cb(t) = [A1 e^{-m1 t} + A2 e^{-m2 t} + A3 e^{-m3 t}] · sum_i g_{(i+1)alpha + i, beta}(t - i tau),
//   the sum over the passes i = 0, 1, ... that have started (t > i tau), with the unit-area gamma variate
//   g_{a,b}(x) = x^a e^{-x/b} / (b^{a+1} Gamma(a+1)).
//
// The sum is Horsfield et al.'s (Phys Med Biol 2009;54:2933) recirculation model: pass i is the first-pass
// gamma variate convolved with itself i times (shape (i+1)alpha + i, same scale) and delayed by i
// recirculation times tau; the three exponentials model extravasation and excretion. Constants: a
// least-squares fit of this form to the paper's supplementary curve (Figure S2 data, 3001 samples at 0.1 s;
// the OSIPI file GeorgiouAIF_ref.csv), which it reproduces within 2.6e-5 mM everywhere. Rounded to two or
// three figures they agree with the values we recall from the paper's table (alpha 5.26, beta 0.032 min, tau
// 0.129 min, A 0.37/0.33/10.06 mM, m 0.11/1.17/16.02 1/min), but those rounded values miss the published
// curve by up to 0.08 mM in the tail, hence the fitted digits. This is not osipy's "Georgiou" curve
// (Parker-style Gaussians with its own constants, SPEC B-15).
namespace georgiou {
inline constexpr double alpha = 5.266989022;                 // shape of the first pass
inline constexpr double beta = 0.0320788335;                 // min, gamma-variate scale
inline constexpr double tau = 0.128556001;                   // min, recirculation time
inline constexpr double A1 = 0.374321713, m1 = 0.112700668;  // mM, 1/min: slow washout
inline constexpr double A2 = 0.331184405, m2 = 1.17464623;   // intermediate
inline constexpr double A3 = 10.0612258, m3 = 16.0199620;    // fast first-pass extraction
// Passes beyond this many contribute nothing before t = max_passes·tau ≈ 66 min; later times keep the
// truncated sum.
inline constexpr int max_passes = 512;
}  // namespace georgiou

KOKKOS_INLINE_FUNCTION double georgiou_blood(double t_s) {
  if (!(t_s > 0.0)) return 0.0;
  double const t = t_s / units::seconds_per_minute;
  double const log_beta = kmath::log(georgiou::beta);
  double passes = 0.0;
  for (int i = 0; i < georgiou::max_passes; ++i) {
    double const x = t - i * georgiou::tau;
    if (!(x > 0.0)) break;
    double const a = (i + 1) * georgiou::alpha + i;
    // In logarithms: a^a-type factors overflow for the late passes long before the product does.
    double const log_g =
        a * kmath::log(x) - x / georgiou::beta - (a + 1.0) * log_beta - kmath::lgamma(a + 1.0);
    if (log_g > -700.0) passes += kmath::exp(log_g);
  }
  double const modulation = georgiou::A1 * kmath::exp(-georgiou::m1 * t) +
                            georgiou::A2 * kmath::exp(-georgiou::m2 * t) +
                            georgiou::A3 * kmath::exp(-georgiou::m3 * t);
  return modulation * passes;
}

// McGrath as osipy codes it (SPEC §3.7, preclinical): A (t/tc)^alpha e^{-(t - tc)/tc} + B e^{-beta t}, t in
// min, 0 for t <= 0. Whole blood. The gamma term peaks at alpha·tc = 0.3 min.
namespace mcgrath {
inline constexpr double A = 4.0;  // mM
inline constexpr double alpha = 2.0;
inline constexpr double tc = 0.15;   // min
inline constexpr double B = 0.5;     // mM
inline constexpr double beta = 0.1;  // 1/min
}  // namespace mcgrath

KOKKOS_INLINE_FUNCTION double mcgrath_blood(double t_s) {
  if (!(t_s > 0.0)) return 0.0;
  double const t = t_s / units::seconds_per_minute;
  double const value = mcgrath::A * kmath::pow(t / mcgrath::tc, mcgrath::alpha) *
                           kmath::exp(-(t - mcgrath::tc) / mcgrath::tc) +
                       mcgrath::B * kmath::exp(-mcgrath::beta * t);
  return max_of(value, 0.0);
}

// Preclinical model B of the OSIPI reference (McGrath et al. MRM 2009;61:1173), t in s: a linear rise to A1 +
// A2 at t0, then a biexponential washout. Whole blood.
namespace preclinical {
inline constexpr double A1 = 3.4, K1 = 0.045;    // mM, 1/s
inline constexpr double A2 = 1.81, K2 = 0.0015;  // mM, 1/s
inline constexpr double t0 = 7.0;                // s
}  // namespace preclinical

KOKKOS_INLINE_FUNCTION double preclinical_blood(double t_s) {
  if (!(t_s >= 0.0)) return 0.0;
  if (t_s <= preclinical::t0) return (preclinical::A1 + preclinical::A2) * t_s / preclinical::t0;
  double const since_peak = t_s - preclinical::t0;
  return preclinical::A1 * kmath::exp(-preclinical::K1 * since_peak) +
         preclinical::A2 * kmath::exp(-preclinical::K2 * since_peak);
}

// The curve of `kind` in its native quantity at t_s seconds after bolus arrival (0 before).
KOKKOS_INLINE_FUNCTION double population_native(PopulationAif kind, double t_s) {
  switch (kind) {
    case PopulationAif::parker:
      return parker_blood(t_s);
    case PopulationAif::weinmann:
      return weinmann_plasma(t_s);
    case PopulationAif::fritz_hansen:
      return fritz_hansen_plasma(t_s);
    case PopulationAif::georgiou:
      return georgiou_blood(t_s);
    case PopulationAif::mcgrath:
      return mcgrath_blood(t_s);
    case PopulationAif::preclinical:
      return preclinical_blood(t_s);
  }
  return 0.0;
}

// Factor that turns the native curve of `kind` into `wanted`, for hematocrit hct in [0, 1): Cp = Cb / (1 -
// Hct).
KOKKOS_INLINE_FUNCTION double quantity_factor(PopulationAif kind, AifQuantity wanted, double hct) {
  AifQuantity const native = native_quantity(kind);
  if (native == wanted) return 1.0;
  return wanted == AifQuantity::plasma ? 1.0 / (1.0 - hct) : 1.0 - hct;
}

// The population AIF at time t_s with a bolus arriving at delay_s: curve(t - delay) for t >= delay, exactly 0
// before (so curves with a non-zero value at arrival, like Parker, jump there). For finite t and delay, t -
// delay >= 0 holds exactly when t >= delay: IEEE subtraction keeps the sign.
KOKKOS_INLINE_FUNCTION double population_value(PopulationAif kind, double t_s, double delay_s,
                                               AifQuantity wanted, double hct) {
  double const since_arrival = t_s - delay_s;
  if (!(since_arrival >= 0.0)) return 0.0;
  return population_native(kind, since_arrival) * quantity_factor(kind, wanted, hct);
}

}  // namespace voxflow::aif

#endif
