// The IVIM bi-exponential model (SPEC §7.1) S(b) = S0 (f e^(-b D*) + (1 - f) e^(-b D)), b in s/mm², D and D*
// in mm²/s, f a fraction, and the fittable models the three fitting methods use (fit/model.hpp): all four
// parameters, f and D* with D held fixed (the second step of the segmented method), and the posterior of the
// Bayesian method (the data rows plus one prior row per parameter). The equations exist once, in ivim_signal.
#ifndef VOXFLOW_IVIM_IVIM_MODEL_HPP
#define VOXFLOW_IVIM_IVIM_MODEL_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>

namespace voxflow::ivim {

// A voxel's signal is held in registers per b-value: protocols with more distinct b-values (after repeated
// b-values and directions are averaged) are refused on the host.
inline constexpr int max_b_values = 64;

// Parameter order of every 4-parameter array, map column and bound.
enum IvimParameter : int { s0 = 0, d = 1, dstar = 2, f = 3 };
inline constexpr int ivim_parameter_count = 4;

// Bounds in fitting units: S0 relative to the b = 0 signal (the data are normalised by it), D and D* in
// mm²/s, f a fraction. The defaults are the OSIPI TF2.4 test bounds (reference README §7) with S0 widened for
// noisy b = 0 images.
struct IvimBounds {
  double lower[ivim_parameter_count] = {0.5, 0.0, 0.005, 0.0};
  double upper[ivim_parameter_count] = {1.5, 0.005, 0.2, 1.0};
};

// The model at one b-value and its gradient with respect to (S0, D, D*, f), from the two compartments'
// decays tissue = e^(-b D) and perfusion = e^(-b D*) (callers that hold D fixed compute the first once).
KOKKOS_FORCEINLINE_FUNCTION double ivim_signal(double b, double const (&p)[ivim_parameter_count],
                                               double tissue, double perfusion,
                                               double (&grad)[ivim_parameter_count]) {
  double const shape = p[f] * perfusion + (1.0 - p[f]) * tissue;
  grad[s0] = shape;
  grad[d] = -p[s0] * (1.0 - p[f]) * b * tissue;
  grad[dstar] = -p[s0] * p[f] * b * perfusion;
  grad[f] = p[s0] * (perfusion - tissue);
  return p[s0] * shape;
}

// The model at one b-value and its gradient.
KOKKOS_FORCEINLINE_FUNCTION double ivim_signal(double b, double const (&p)[ivim_parameter_count],
                                               double (&grad)[ivim_parameter_count]) {
  return ivim_signal(b, p, kmath::exp(-b * p[d]), kmath::exp(-b * p[dstar]), grad);
}

// One voxel's curve divided by its b = 0 signal: y(j) = data(voxel, j) * scale.
template <class DataView>
struct NormalisedCurve {
  DataView data;
  int voxel;
  double scale;
  KOKKOS_FORCEINLINE_FUNCTION double operator()(int j) const { return data(voxel, j) * scale; }
};

// All four parameters (S0, D, D*, f).
template <class MemorySpace>
struct IvimBiexponential {
  static constexpr int n_params = ivim_parameter_count;
  Kokkos::View<double const*, MemorySpace> b;
  IvimBounds bounds;

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(b.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return bounds.lower[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return bounds.upper[i]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    for (int j = 0; j < n_samples(); ++j) {
      double grad[n_params];
      double const s = ivim_signal(b(j), p, grad);
      sink(j, s, grad);
    }
    return true;
  }
};

// (S0, D*, f) with D fixed: the second step of the segmented method. `tissue` holds e^(-b_j D) for the fixed
// D (computed once per voxel, in registers or the thread's stack), which halves the exponentials per pass.
template <class MemorySpace>
struct IvimFixedDiffusion {
  static constexpr int n_params = 3;
  Kokkos::View<double const*, MemorySpace> b;
  IvimBounds bounds;
  double diffusion = 0.0;
  double const* tissue = nullptr;

  // Positions of this model's parameters among (S0, D, D*, f).
  KOKKOS_INLINE_FUNCTION static constexpr int full_index(int i) { return i == 0 ? s0 : (i == 1 ? dstar : f); }
  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(b.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return bounds.lower[full_index(i)]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return bounds.upper[full_index(i)]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    double const q[ivim_parameter_count] = {p[0], diffusion, p[1], p[2]};
    for (int j = 0; j < n_samples(); ++j) {
      double grad[ivim_parameter_count];
      double const s = ivim_signal(b(j), q, tissue[j], kmath::exp(-b(j) * p[1]), grad);
      double const g[n_params] = {grad[s0], grad[dstar], grad[f]};
      sink(j, s, g);
    }
    return true;
  }
};

// A Gaussian prior on (S0, ln D, ln D*, f): means and standard deviations. The defaults are weakly
// informative (D within a factor e of 1e-3 mm²/s, D* within a factor e^1.5 of 0.03 mm²/s, f and S0 broad), so
// the data decide wherever they can and the prior only steadies voxels whose data cannot tell the parameters
// apart.
struct IvimPrior {
  double mean[ivim_parameter_count] = {1.0, -6.9, -3.5, 0.2};  // S0 (relative), ln(1e-3), ln(0.03), f
  double sd[ivim_parameter_count] = {0.5, 1.0, 1.5, 0.5};
};

// The negative log posterior of the bi-exponential model with Gaussian noise of SD sigma, scaled by 2 sigma²
// into a least-squares cost: the data rows r_j = y_j - S(b_j) and one prior row per parameter,
// r_k = sigma (mu_k - g_k(p)) / tau_k with g = (S0, ln D, ln D*, f). Its Gauss-Newton J^T J over sigma² is
// the Laplace precision of the posterior, so sigma² (J^T J)^-1 is the posterior covariance (the σ² factor
// osipy omits, SPEC §3.5 / B-12). The curve it fits is PosteriorCurve (the data, then the prior targets).
template <class MemorySpace>
struct IvimPosterior {
  static constexpr int n_params = ivim_parameter_count;
  Kokkos::View<double const*, MemorySpace> b;
  IvimBounds bounds;  // D and D* lower bounds are raised to a positive floor: the prior is on their logs
  double weight[ivim_parameter_count] = {};  // sigma / tau_k

  KOKKOS_INLINE_FUNCTION int n_data() const { return static_cast<int>(b.extent(0)); }
  KOKKOS_INLINE_FUNCTION int n_samples() const { return n_data() + n_params; }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return bounds.lower[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return bounds.upper[i]; }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    int const n = n_data();
    for (int j = 0; j < n; ++j) {
      double grad[n_params];
      double const s = ivim_signal(b(j), p, grad);
      sink(j, s, grad);
    }
    for (int k = 0; k < n_params; ++k) {
      bool const logarithmic = k == d || k == dstar;
      double grad[n_params] = {};
      grad[k] = weight[k] * (logarithmic ? 1.0 / p[k] : 1.0);
      sink(n + k, weight[k] * (logarithmic ? kmath::log(p[k]) : p[k]), grad);
    }
    return true;
  }
};

// The curve the posterior model fits: the voxel's normalised data, then the prior rows' targets
// sigma mu_k / tau_k.
template <class Curve>
struct PosteriorCurve {
  Curve data;
  int n_data;
  double target[ivim_parameter_count];
  KOKKOS_FORCEINLINE_FUNCTION double operator()(int j) const {
    return j < n_data ? data(j) : target[j - n_data];
  }
};

}  // namespace voxflow::ivim

#endif
