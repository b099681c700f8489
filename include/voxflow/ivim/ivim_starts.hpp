// Starting values of the IVIM fits, per voxel, in registers: the tissue compartment from the high b-values by
// a weighted log-linear least-squares fit (the first step of the segmented method, SPEC §7.2/§11), and a grid
// over D* with D fixed on which the two amplitudes are solved exactly (variable projection), so that the
// second step starts near the global minimum whatever the protocol or the perfusion fraction.
#ifndef VOXFLOW_IVIM_IVIM_STARTS_HPP
#define VOXFLOW_IVIM_IVIM_STARTS_HPP

#include <voxflow/fit/small_solve.hpp>
#include <voxflow/ivim/ivim_model.hpp>

namespace voxflow::ivim {

// Number of D* values of the start grid (log-spaced over the D* bounds; the table is built on the host).
inline constexpr int dstar_grid_size = 16;

// D and S0 of the tissue compartment: ln y = ln S0_t - b D over the samples with b >= threshold and y > 0,
// weighted by y² (the variance of ln y is sigma² / y²). Returns false, leaving the outputs alone, when fewer
// than two samples qualify or the regression has no finite solution.
template <class BView, class Curve>
KOKKOS_INLINE_FUNCTION bool tissue_compartment(BView const& b, Curve const& y, int n, double threshold,
                                               double& diffusion, double& amplitude) {
  fit::LinearRegression<2> reg;
  int used = 0;
  for (int j = 0; j < n; ++j) {
    double const v = y(j);
    if (b(j) < threshold || !(v > 0.0)) continue;
    double const x[2] = {1.0, -b(j)};
    reg.add(x, kmath::log(v), v * v);
    ++used;
  }
  double beta[2];
  if (used < 2 || !reg.solve(beta) || !is_finite(beta[0]) || !is_finite(beta[1])) return false;
  diffusion = beta[1];
  amplitude = kmath::exp(clamp_to(beta[0], -30.0, 30.0));
  return true;
}

// The lowest-cost non-negative amplitude pair seen so far on the D* grid.
struct BestAmplitudes {
  bool found = false;
  double sse = 0.0, a = 0.0, c = 0.0, dstar = 0.0;
  KOKKOS_INLINE_FUNCTION void consider(double a_, double c_, double sse_, double dstar_) {
    if (a_ < 0.0 || c_ < 0.0 || !(a_ + c_ > 0.0) || !is_finite(sse_)) return;
    if (found && !(sse_ < sse)) return;
    found = true;
    sse = sse_;
    a = a_;
    c = c_;
    dstar = dstar_;
  }
};

// Best (S0, D*, f) on the D* grid with D fixed: for each grid value the model y ~ a e^(-b D) + c e^(-b D*) is
// linear in the amplitudes, solved with a, c >= 0 in closed form from sums gathered in one pass over the
// b-values. `tissue[j]` = e^(-b_j D), `table(g, j)` = e^(-b_j D*_g). p receives S0 = a + c, D* and f = c / (a
// + c), clamped to the bounds; returns false when no grid point gives a positive amplitude.
template <class TableView, class Curve>
KOKKOS_INLINE_FUNCTION bool dstar_grid_start(
    TableView const& table, Kokkos::View<double const*, typename TableView::memory_space> const& grid,
    Curve const& y, int n, double diffusion, double const* tissue, IvimBounds const& bounds,
    double (&p)[ivim_parameter_count]) {
  int const points = static_cast<int>(grid.extent(0));
  double s_tt = 0.0, s_yt = 0.0, s_yy = 0.0;
  double s_te[dstar_grid_size] = {}, s_ee[dstar_grid_size] = {}, s_ye[dstar_grid_size] = {};
  for (int j = 0; j < n; ++j) {
    double const t = tissue[j];
    double const v = y(j);
    s_tt += t * t;
    s_yt += v * t;
    s_yy += v * v;
    for (int g = 0; g < points; ++g) {
      double const e = table(g, j);
      s_te[g] += t * e;
      s_ee[g] += e * e;
      s_ye[g] += v * e;
    }
  }
  BestAmplitudes best;
  for (int g = 0; g < points; ++g) {
    double const det = s_tt * s_ee[g] - s_te[g] * s_te[g];
    if (det > 1e-14 * s_tt * s_ee[g]) {
      double const a = (s_yt * s_ee[g] - s_ye[g] * s_te[g]) / det;
      double const c = (s_ye[g] * s_tt - s_yt * s_te[g]) / det;
      if (a >= 0.0 && c >= 0.0) {
        best.consider(a, c, s_yy - a * s_yt - c * s_ye[g], grid(g));
        continue;
      }
    }
    // The unconstrained optimum has a negative amplitude: the best non-negative one has a single compartment.
    if (s_tt > 0.0) best.consider(s_yt / s_tt, 0.0, s_yy - s_yt * s_yt / s_tt, grid(g));
    if (s_ee[g] > 0.0) best.consider(0.0, s_ye[g] / s_ee[g], s_yy - s_ye[g] * s_ye[g] / s_ee[g], grid(g));
  }
  if (!best.found) return false;
  p[s0] = best.a + best.c;
  p[d] = diffusion;
  p[dstar] = best.dstar;
  p[f] = best.c / (best.a + best.c);
  for (int i = 0; i < ivim_parameter_count; ++i) p[i] = clamp_to(p[i], bounds.lower[i], bounds.upper[i]);
  return true;
}

}  // namespace voxflow::ivim

#endif
