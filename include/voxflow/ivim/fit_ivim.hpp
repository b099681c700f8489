// IVIM fitting of many voxels (SPEC §7, §11): one thread per voxel, every step in registers, on any execution
// space.
//   segmented: D and the tissue S0 from the b-values >= b_threshold (weighted log-linear least squares), then
//              S0, f and D* with D held fixed (bounded LM, started from the best point of a D* grid);
//   full:      all four parameters by bounded LM, started from the segmented estimate;
//   bayesian:  the maximum a posteriori estimate under Gaussian noise of SD sigma and a weakly informative
//   prior
//              (IvimPrior), started from the full fit, with posterior standard deviations of D, D* and f from
//              the Laplace covariance sigma² (J^T J)^-1. sigma is the residual SD of the voxel's full fit
//              (noise `voxel`) or one value for the whole subject (noise `global`: the median of those,
//              gathered by estimate_ivim_noise over every voxel first), never a per-chunk estimate.
// Each voxel's curve is normalised by its b = 0 signal before fitting; S0 is returned in signal units.
#ifndef VOXFLOW_IVIM_FIT_IVIM_HPP
#define VOXFLOW_IVIM_FIT_IVIM_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>
#include <voxflow/ivim/ivim_model.hpp>
#include <voxflow/ivim/ivim_starts.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace voxflow::ivim {

enum class IvimMethod { segmented, full, bayesian };
inline constexpr EnumTable<IvimMethod, 3> ivim_method_names{
    {{IvimMethod::segmented, "segmented"}, {IvimMethod::full, "full"}, {IvimMethod::bayesian, "bayesian"}}};
inline std::string ivim_method_name(IvimMethod m) {
  return enum_name(ivim_method_names, m);
}

enum class IvimNoise { global, voxel };
inline constexpr EnumTable<IvimNoise, 2> ivim_noise_names{
    {{IvimNoise::global, "global"}, {IvimNoise::voxel, "voxel"}}};

// The LM core's schedule with a looser relative cost tolerance: a step that lowers the cost by less than 1e-6
// of it moves the parameters by about 1e-3 of their noise SD, and stopping there saves about one pass of
// five per fit. Noise-free curves still converge to rounding level through the cost floor.
struct IvimLMOptions : fit::LMOptions {
  KOKKOS_INLINE_FUNCTION IvimLMOptions() { cost_tolerance = 1e-6; }
};

struct IvimFitOptions {
  IvimMethod method = IvimMethod::segmented;
  double b_threshold = 200.0;  // s/mm²: the segmented method's tissue step uses b >= b_threshold
  IvimBounds bounds;
  IvimPrior prior;
  double prior_scale = 1.0;  // multiplies every prior SD
  IvimNoise noise = IvimNoise::global;
  IvimLMOptions lm;
};

// Columns of the per-voxel results, in this order; the Bayesian method adds the last four.
enum IvimColumn : int {
  column_s0 = 0,        // signal units (the fitted S0 relative to b = 0 times the b = 0 signal)
  column_d = 1,         // mm²/s
  column_dstar = 2,     // mm²/s
  column_f = 3,         // fraction
  column_r2 = 4,        // R² of the fit over the normalised signal
  column_d_sd = 5,      // posterior SD of D, mm²/s
  column_dstar_sd = 6,  // posterior SD of D*, mm²/s
  column_f_sd = 7,      // posterior SD of f
  column_noise = 8,     // noise SD used, relative to the b = 0 signal
};
inline int ivim_column_count(IvimMethod m) {
  return m == IvimMethod::bayesian ? 9 : 5;
}

// The protocol on the device: distinct b-values (s/mm²), the column of b = 0, the D* start grid and its
// table e^(-b_j D*_g).
template <class MemorySpace>
struct IvimProtocol {
  Kokkos::View<double const*, MemorySpace> b;
  int b0_column = 0;
  Kokkos::View<double const*, MemorySpace> dstar_grid;
  Kokkos::View<double const**, MemorySpace> dstar_table;
};

// Checks the distinct b-values of a protocol against the method (InputError naming `source`, field
// "b-values"): finite, >= 0, no repeats, exactly one b = 0, at most max_b_values, at least four, and for the
// segmented steps at least two at or above the threshold and one below it.
inline void validate_ivim_protocol(std::vector<double> const& b_values, IvimFitOptions const& options,
                                   std::string const& source) {
  std::string const field = "b-values";
  require_input(b_values.size() <= static_cast<std::size_t>(max_b_values), source, field,
                "at most " + std::to_string(max_b_values) + " distinct b-values, found " +
                    std::to_string(b_values.size()));
  require_input(b_values.size() >= 4, source, field,
                "at least 4 distinct b-values for the 4-parameter IVIM model, found " +
                    std::to_string(b_values.size()));
  int zeros = 0, high = 0;
  for (std::size_t i = 0; i < b_values.size(); ++i) {
    double const b = b_values[i];
    require_input(std::isfinite(b) && b >= 0.0, source, field, "finite b-values >= 0 s/mm²");
    for (std::size_t k = 0; k < i; ++k)
      require_input(b_values[k] != b, source, field, "distinct b-values (repeats are averaged first)");
    zeros += b == 0.0 ? 1 : 0;
    high += b >= options.b_threshold ? 1 : 0;
  }
  require_input(zeros == 1, source, field, "a b = 0 volume, to normalise the signal by");
  require_input(high >= 2, source, field,
                "at least two b-values >= b_threshold (" + std::to_string(options.b_threshold) +
                    " s/mm²) for the tissue step, found " + std::to_string(high));
}

// Uploads a validated protocol (validate_ivim_protocol) with its D* start grid, log-spaced over the bounds.
template <class MemorySpace, class ExecutionSpace>
IvimProtocol<MemorySpace> make_ivim_protocol(ExecutionSpace const& space, std::vector<double> const& b_values,
                                             IvimFitOptions const& options, std::string const& source) {
  validate_ivim_protocol(b_values, options, source);
  IvimProtocol<MemorySpace> protocol;
  protocol.b = to_device<MemorySpace>(space, b_values, "voxflow::ivim::b_values");
  protocol.b0_column = static_cast<int>(std::find(b_values.begin(), b_values.end(), 0.0) - b_values.begin());
  double const lo = std::max(options.bounds.lower[dstar], 1e-6),
               hi = std::max(options.bounds.upper[dstar], lo);
  std::vector<double> grid(dstar_grid_size);
  for (int g = 0; g < dstar_grid_size; ++g)
    grid[g] = lo * std::pow(hi / lo, static_cast<double>(g) / (dstar_grid_size - 1));
  protocol.dstar_grid = to_device<MemorySpace>(space, grid, "voxflow::ivim::dstar_grid");
  Kokkos::View<double**, MemorySpace> table(
      Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "voxflow::ivim::dstar_table"), dstar_grid_size,
      b_values.size());
  auto host = Kokkos::create_mirror_view(table);
  for (int g = 0; g < dstar_grid_size; ++g)
    for (std::size_t j = 0; j < b_values.size(); ++j) host(g, j) = std::exp(-b_values[j] * grid[g]);
  Kokkos::deep_copy(space, table, host);
  fence(space, "voxflow::ivim::make_ivim_protocol");
  protocol.dstar_table = table;
  return protocol;
}

namespace detail {

// What one voxel's fit produced, in fitting units (S0 relative to b = 0).
struct VoxelFit {
  double p[ivim_parameter_count];
  fit::LMResult lm;
  double sd[3];     // posterior SD of D, D*, f
  double noise_sd;  // sigma used (Bayesian) or the residual SD of the fit
};

KOKKOS_INLINE_FUNCTION double nan_value() {
  return kmath::nan("");
}

template <class Mem, class Curve>
KOKKOS_INLINE_FUNCTION void fit_segmented(IvimProtocol<Mem> const& protocol, IvimFitOptions const& options,
                                          Curve const& y, VoxelFit& out) {
  int const n = static_cast<int>(protocol.b.extent(0));
  IvimBounds const& bounds = options.bounds;
  double diffusion = 1e-3, tissue = 1.0;
  tissue_compartment(protocol.b, y, n, options.b_threshold, diffusion, tissue);
  bool const d_on_bound = !(diffusion > bounds.lower[d] && diffusion < bounds.upper[d]);
  diffusion = clamp_to(diffusion, bounds.lower[d], bounds.upper[d]);
  double tissue_decay[max_b_values];
  for (int j = 0; j < n; ++j) tissue_decay[j] = kmath::exp(-protocol.b(j) * diffusion);
  double p[ivim_parameter_count];
  if (!dstar_grid_start(protocol.dstar_table, protocol.dstar_grid, y, n, diffusion, tissue_decay, bounds,
                        p)) {
    // No positive amplitude anywhere (a signal at or below zero): start from the tissue step alone.
    p[s0] = clamp_to(1.0, bounds.lower[s0], bounds.upper[s0]);
    p[d] = diffusion;
    p[dstar] = clamp_to(10.0 * diffusion, bounds.lower[dstar], bounds.upper[dstar]);
    p[f] = clamp_to(1.0 - tissue, bounds.lower[f], bounds.upper[f]);
  }
  IvimFixedDiffusion<Mem> const model{protocol.b, bounds, diffusion, tissue_decay};
  double q[3] = {p[s0], p[dstar], p[f]};
  out.lm = fit::levenberg_marquardt(model, y, q, options.lm);
  out.p[s0] = q[0];
  out.p[d] = diffusion;
  out.p[dstar] = q[1];
  out.p[f] = q[2];
  // D is a parameter of the method too: a tissue step clamped to a D bound is a fit at a bound.
  if (d_on_bound && out.lm.status == FitStatus::converged) out.lm.status = FitStatus::converged_at_bound;
}

template <class Mem, class Curve>
KOKKOS_INLINE_FUNCTION void fit_full(IvimProtocol<Mem> const& protocol, IvimFitOptions const& options,
                                     Curve const& y, VoxelFit& out) {
  fit_segmented(protocol, options, y, out);
  if (!fit_status_usable(out.lm.status)) return;
  IvimBounds const& bounds = options.bounds;
  IvimBiexponential<Mem> const model{protocol.b, bounds};
  double p[ivim_parameter_count] = {out.p[0], out.p[1], out.p[2], out.p[3]};
  fit::LMResult const r = fit::levenberg_marquardt(model, y, p, options.lm);
  // The LM only accepts steps that lower the cost, so the full fit is at least as good as its start.
  if (fit_status_usable(r.status)) {
    out.lm = r;
    for (int i = 0; i < ivim_parameter_count; ++i) out.p[i] = p[i];
  }
  // A fit that ends with D* on a bound or without converging may sit in a local minimum (the compartments
  // merged, or the perfusion one vanished): refit from D* at one and two thirds of the log range, keeping
  // the lowest cost.
  bool const doubtful = out.lm.status != FitStatus::converged || out.p[dstar] <= bounds.lower[dstar] ||
                        out.p[dstar] >= bounds.upper[dstar];
  if (!doubtful) return;
  double const lo = max_of(bounds.lower[dstar], 1e-6), ratio = max_of(bounds.upper[dstar], lo) / lo;
  for (int k = 1; k <= 2; ++k) {
    double q[ivim_parameter_count] = {out.p[s0], out.p[d], lo * kmath::pow(ratio, k / 3.0),
                                      clamp_to(out.p[f], 0.05, 0.95)};
    fit::LMResult const rq = fit::levenberg_marquardt(model, y, q, options.lm);
    if (fit_status_usable(rq.status) && rq.sse < out.lm.sse) {
      out.lm = rq;
      for (int i = 0; i < ivim_parameter_count; ++i) out.p[i] = q[i];
    }
  }
}

// Residual SD of a fit with 4 parameters over n samples (NaN without degrees of freedom).
KOKKOS_INLINE_FUNCTION double residual_sd(double sse, int n) {
  return n > ivim_parameter_count ? kmath::sqrt(sse / (n - ivim_parameter_count)) : nan_value();
}

template <class Mem, class Curve>
KOKKOS_INLINE_FUNCTION void fit_bayesian(IvimProtocol<Mem> const& protocol, IvimFitOptions const& options,
                                         Curve const& y, double global_sigma, VoxelFit& out) {
  fit_full(protocol, options, y, out);
  if (!fit_status_usable(out.lm.status)) return;
  int const n = static_cast<int>(protocol.b.extent(0));
  double sigma = is_finite(global_sigma) ? global_sigma : residual_sd(out.lm.sse, n);
  // A noise-free curve has no noise to weigh the prior against: a tiny floor keeps the weights finite.
  sigma = max_of(is_finite(sigma) ? sigma : 0.0, 1e-12);
  IvimPosterior<Mem> model{protocol.b, options.bounds, {}};
  PosteriorCurve<Curve> curve{y, n, {}};
  for (int k = 0; k < ivim_parameter_count; ++k) {
    double const tau = options.prior.sd[k] * options.prior_scale;
    model.weight[k] = sigma / tau;
    curve.target[k] = model.weight[k] * options.prior.mean[k];
  }
  model.bounds.lower[d] = max_of(model.bounds.lower[d], 1e-7);
  model.bounds.lower[dstar] = max_of(model.bounds.lower[dstar], 1e-7);
  double p[ivim_parameter_count] = {out.p[0], out.p[1], out.p[2], out.p[3]};
  fit::LMResult r = fit::levenberg_marquardt(model, curve, p, options.lm);
  if (!fit_status_usable(r.status)) return;
  // The Laplace covariance at the MAP: sigma² times the inverse of the augmented J^T J.
  fit::NormalEquationsSink<ivim_parameter_count, PosteriorCurve<Curve>> ne(curve);
  model.evaluate(p, ne);
  double prior_cost = 0.0;
  for (int k = 0; k < ivim_parameter_count; ++k) {
    bool const logarithmic = k == d || k == dstar;
    double const rk = curve.target[k] - model.weight[k] * (logarithmic ? kmath::log(p[k]) : p[k]);
    prior_cost += rk * rk;
  }
  int const sd_index[3] = {d, dstar, f};
  for (int i = 0; i < 3; ++i) {
    double e[ivim_parameter_count] = {}, x[ivim_parameter_count] = {};
    int const k = sd_index[i];
    e[k] = 1.0;
    out.sd[i] = fit::cholesky_solve<ivim_parameter_count>(ne.jtj, e, x) && x[k] >= 0.0
                    ? sigma * kmath::sqrt(x[k])
                    : nan_value();
  }
  r.sse = max_of(ne.cost - prior_cost, 0.0);  // the likelihood part alone
  out.lm = r;
  for (int i = 0; i < ivim_parameter_count; ++i) out.p[i] = p[i];
  out.noise_sd = sigma;
}

// Voxels whose b = 0 signal or any sample is not finite and positive get no fit.
template <class DataView>
KOKKOS_INLINE_FUNCTION bool usable_curve(DataView const& data, int v, int n, int b0_column) {
  if (!(data(v, b0_column) > 0.0) || !is_finite(data(v, b0_column))) return false;
  for (int j = 0; j < n; ++j)
    if (!is_finite(data(v, j))) return false;
  return true;
}

template <class Mem, class DataView, class ValuesView, class StatusView>
struct FitIvimFunctor {
  IvimProtocol<Mem> protocol;
  IvimFitOptions options;
  DataView data;
  ValuesView values;
  StatusView status;
  double global_sigma;  // NaN: per voxel
  bool noise_only;      // estimate_ivim_noise: only the residual SD of the full fit, into values(v, 0)

  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    int const n = static_cast<int>(protocol.b.extent(0));
    VoxelFit r;
    for (int i = 0; i < 3; ++i) r.sd[i] = nan_value();
    r.noise_sd = nan_value();
    bool const finite = usable_curve(data, v, n, protocol.b0_column);
    double const b0_signal = finite ? data(v, protocol.b0_column) : nan_value();
    if (finite) {
      NormalisedCurve<DataView> const y{data, v, 1.0 / b0_signal};
      if (noise_only || options.method == IvimMethod::full)
        fit_full(protocol, options, y, r);
      else if (options.method == IvimMethod::segmented)
        fit_segmented(protocol, options, y, r);
      else
        fit_bayesian(protocol, options, y, global_sigma, r);
      if (noise_only) {
        values(v, 0) = fit_status_usable(r.lm.status) ? residual_sd(r.lm.sse, n) : nan_value();
        return;
      }
    } else {
      r.lm.status = FitStatus::non_finite_input;
      if (noise_only) {
        values(v, 0) = nan_value();
        return;
      }
    }
    bool const ok = finite && fit_status_usable(r.lm.status);
    if (ok && r.p[d] > r.p[dstar]) {  // bounds that overlap: the faster compartment is the perfusion one
      double const t = r.p[d];
      r.p[d] = r.p[dstar];
      r.p[dstar] = t;
      r.p[f] = 1.0 - r.p[f];
    }
    values(v, column_s0) = ok ? r.p[s0] * b0_signal : nan_value();
    values(v, column_d) = ok ? r.p[d] : nan_value();
    values(v, column_dstar) = ok ? r.p[dstar] : nan_value();
    values(v, column_f) = ok ? r.p[f] : nan_value();
    // R² over the normalised data; the LM's own R² of the posterior would count the prior rows.
    double sst = 0.0, mean = 0.0;
    if (ok) {
      NormalisedCurve<DataView> const y{data, v, 1.0 / b0_signal};
      for (int j = 0; j < n; ++j) mean += y(j);
      mean /= n;
      for (int j = 0; j < n; ++j) sst += (y(j) - mean) * (y(j) - mean);
    }
    values(v, column_r2) = ok ? (sst > 0.0 ? 1.0 - r.lm.sse / sst : 0.0) : nan_value();
    if (options.method == IvimMethod::bayesian) {
      values(v, column_d_sd) = ok ? r.sd[0] : nan_value();
      values(v, column_dstar_sd) = ok ? r.sd[1] : nan_value();
      values(v, column_f_sd) = ok ? r.sd[2] : nan_value();
      values(v, column_noise) = ok ? r.noise_sd : nan_value();
    }
    status(v) = static_cast<std::uint8_t>(r.lm.status);
  }
};

}  // namespace detail

namespace detail {

template <class ExecutionSpace, class DataView, class MemorySpace>
void launch_ivim(char const* label, ExecutionSpace const& space, DataView const& data,
                 IvimProtocol<MemorySpace> const& protocol, IvimFitOptions const& options,
                 double global_sigma, Maps<MemorySpace> const& values, StatusMap<MemorySpace> const& status,
                 bool noise_only) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::ivim: the first argument must be a Kokkos execution space");
  static_assert(accessible_from<ExecutionSpace, DataView, Maps<MemorySpace>>::value,
                "voxflow::ivim: data and outputs must be accessible from the execution space");
  using Functor = FitIvimFunctor<MemorySpace, DataView, Maps<MemorySpace>, StatusMap<MemorySpace>>;
  ScopedRegion region(label);
  Kokkos::parallel_for(label, Kokkos::RangePolicy<ExecutionSpace>(space, 0, static_cast<int>(data.extent(0))),
                       Functor{protocol, options, data, values, status, global_sigma, noise_only});
}

}  // namespace detail

// Fits every voxel of `data` (voxel, b-value column of `protocol`, raw signal) on `space`: values(v, column)
// receives the IvimColumn layout (ivim_column_count(options.method) columns), status(v) the FitStatus.
// `global_sigma` is the Bayesian method's noise SD relative to the b = 0 signal (NaN: each voxel's own
// residual SD); the other methods ignore it.
template <class ExecutionSpace, class DataView, class MemorySpace>
void fit_ivim(ExecutionSpace const& space, DataView const& data, IvimProtocol<MemorySpace> const& protocol,
              IvimFitOptions const& options, double global_sigma, Maps<MemorySpace> const& values,
              StatusMap<MemorySpace> const& status) {
  detail::launch_ivim("voxflow::ivim::fit_ivim", space, data, protocol, options, global_sigma, values, status,
                      false);
}

// The first pass of the global noise estimate: the residual SD (relative to b = 0) of every voxel's full fit
// into noise(v, 0), NaN where the fit is not usable or has no degrees of freedom.
template <class ExecutionSpace, class DataView, class MemorySpace>
void estimate_ivim_noise(ExecutionSpace const& space, DataView const& data,
                         IvimProtocol<MemorySpace> const& protocol, IvimFitOptions const& options,
                         Maps<MemorySpace> const& noise) {
  detail::launch_ivim("voxflow::ivim::estimate_ivim_noise", space, data, protocol, options,
                      std::numeric_limits<double>::quiet_NaN(), noise, StatusMap<MemorySpace>(), true);
}

// One noise SD for a whole subject: the median of the finite per-voxel estimates (robust to the voxels the
// model does not describe); NaN when there are none.
inline double median_noise_sd(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  auto const mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

}  // namespace voxflow::ivim

#endif
