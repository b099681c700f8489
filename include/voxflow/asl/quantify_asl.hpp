// ASL quantification of every voxel in one kernel (SPEC.md §6): control − label subtraction of the pairs
// aslcontext defines, averaging per post-labeling delay, M0 calibration, then single-PLD CBF or the
// multi-PLD Buxton fit of CBF and ATT with the Levenberg–Marquardt core. A voxel's mean ΔM/M0 per delay
// lives in registers (at most max_plds delays, checked on the host by make_asl_plan).
#ifndef VOXFLOW_ASL_QUANTIFY_ASL_HPP
#define VOXFLOW_ASL_QUANTIFY_ASL_HPP

#include <voxflow/asl/asl_model.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>

#include <string>
#include <vector>

namespace voxflow::asl {

enum class AslMethod { single_pld, multi_pld };
inline constexpr EnumTable<AslMethod, 2> asl_method_names{
    {{AslMethod::single_pld, "single_pld"}, {AslMethod::multi_pld, "multi_pld"}}};

// How the volumes of a series become ΔM per delay, on the host: difference k is volume control[k] minus
// volume label[k] (label[k] = -1: volume control[k] is already a ΔM volume), averaged into delay group[k].
struct DifferencePlan {
  std::vector<int> control, label, group;
  std::vector<double> group_pld_s;  // one per group, increasing
};

// The per-voxel map columns of each method. single_pld has an ATT column too, so that both methods write the
// same maps, but it holds NaN: the white-paper equation assumes every ATT below the delay and measures none.
struct AslColumns {
  int cbf = 0, att = 1, m0 = 2, r2 = -1;
  int count = 3;
};
inline AslColumns asl_columns(AslMethod method) {
  if (method == AslMethod::single_pld) return {};
  return {0, 1, 2, 3, 4};
}

// Everything the kernel needs besides the voxel data, in MemorySpace.
template <class MemorySpace>
struct AslPlan {
  Kokkos::View<int const*, MemorySpace> control, label, group;
  BuxtonModel model;  // constants, the delays of the groups, the parameter bounds
  double inv_count[max_plds] = {};
  AslMethod method = AslMethod::multi_pld;
  int single_group = 0;  // single_pld: the group (longest delay) CBF is computed from
  fit::LMOptions lm;
};

// Host check of a plan against the kernel's limits: InputError naming `source` for
// more than max_plds delays, fewer than 2 for multi_pld, or a delay without differences.
inline void check_difference_plan(DifferencePlan const& d, AslMethod method, std::string const& source) {
  int const groups = static_cast<int>(d.group_pld_s.size());
  require_input(groups >= 1 && groups <= max_plds, source, "PostLabelingDelay",
                "between 1 and " + std::to_string(max_plds) + " distinct post-labeling delays, found " +
                    std::to_string(groups));
  require_input(method == AslMethod::single_pld || groups >= 2, source, "PostLabelingDelay",
                "at least 2 distinct post-labeling delays for fit.method multi_pld (one delay: "
                "fit.method single_pld)");
  std::vector<int> count(static_cast<std::size_t>(groups), 0);
  for (int g : d.group) ++count[static_cast<std::size_t>(g)];
  for (int g = 0; g < groups; ++g)
    require_input(count[static_cast<std::size_t>(g)] > 0, source, "volume_type",
                  "a control/label pair or a deltam volume at every post-labeling delay");
}

// The plan in the memory of `space` (checked by check_difference_plan).
template <class MemorySpace, class ExecutionSpace>
AslPlan<MemorySpace> make_asl_plan(ExecutionSpace const& space, DifferencePlan const& d,
                                   AslConstants const& constants, AslMethod method,
                                   double const (&cbf_bounds)[2], double const (&att_bounds_s)[2],
                                   fit::LMOptions const& lm, std::string const& source) {
  check_difference_plan(d, method, source);
  int const groups = static_cast<int>(d.group_pld_s.size());
  AslPlan<MemorySpace> plan;
  auto upload = [&](std::vector<int> const& values, char const* label) {
    auto const view = allocate<Kokkos::View<int*, MemorySpace>>(space, label, values.size());
    auto const host = Kokkos::create_mirror_view(view);
    for (std::size_t k = 0; k < values.size(); ++k) host(k) = values[k];
    Kokkos::deep_copy(view, host);
    return Kokkos::View<int const*, MemorySpace>(view);
  };
  plan.control = upload(d.control, "voxflow::asl::plan::control");
  plan.label = upload(d.label, "voxflow::asl::plan::label");
  plan.group = upload(d.group, "voxflow::asl::plan::group");
  std::vector<int> count(static_cast<std::size_t>(groups), 0);
  for (int g : d.group) ++count[static_cast<std::size_t>(g)];
  for (int g = 0; g < groups; ++g) {
    plan.inv_count[g] = 1.0 / count[static_cast<std::size_t>(g)];
    plan.model.pld[g] = d.group_pld_s[static_cast<std::size_t>(g)];
  }
  plan.model.n = groups;
  plan.model.constants = constants;
  plan.model.lo[0] = cbf_bounds[0];
  plan.model.hi[0] = cbf_bounds[1];
  plan.model.lo[1] = att_bounds_s[0];
  plan.model.hi[1] = att_bounds_s[1];
  plan.model.prepare();
  plan.method = method;
  plan.single_group = groups - 1;
  plan.lm = lm;
  return plan;
}

namespace detail {

template <class MemorySpace, class SeriesView, class M0View>
struct QuantifyAslFunctor {
  AslPlan<MemorySpace> plan;
  SeriesView series;  // (voxel, volume)
  M0View m0;          // M0 of each voxel before m0_scale
  Maps<MemorySpace> values;
  StatusMap<MemorySpace> status;
  AslColumns columns;

  KOKKOS_INLINE_FUNCTION void fail(int v, FitStatus code) const {
    double const nan = kmath::nan("");
    values(v, columns.cbf) = nan;
    if (columns.att >= 0) values(v, columns.att) = nan;
    if (columns.r2 >= 0) values(v, columns.r2) = nan;
    status(v) = static_cast<std::uint8_t>(code);
  }

  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    BuxtonModel const& model = plan.model;
    double const m0_used = m0(v) * model.constants.m0_scale;
    values(v, columns.m0) = m0_used;
    if (!(m0_used > 0.0) || !is_finite(m0_used)) return fail(v, FitStatus::invalid_m0);
    PldCurve curve;
    for (int g = 0; g < model.n; ++g) curve.y[g] = 0.0;
    int const terms = static_cast<int>(plan.control.extent(0));
    for (int k = 0; k < terms; ++k) {
      int const label = plan.label(k);
      double const difference = series(v, plan.control(k)) - (label >= 0 ? series(v, label) : 0.0);
      curve.y[plan.group(k)] += difference;
    }
    double const inv_m0 = 1.0 / m0_used;
    for (int g = 0; g < model.n; ++g) {
      curve.y[g] *= plan.inv_count[g] * inv_m0;
      if (!is_finite(curve.y[g])) return fail(v, FitStatus::non_finite_input);
    }
    if (plan.method == AslMethod::single_pld) {
      int const g = plan.single_group;
      values(v, columns.cbf) = single_pld_cbf(model.constants, model.pld[g], curve.y[g]);
      values(v, columns.att) = kmath::nan("");
      status(v) = static_cast<std::uint8_t>(FitStatus::converged);
      return;
    }
    double p[BuxtonModel::n_params];
    model.initial_guess(curve, p);
    fit::LMResult const r = fit::levenberg_marquardt(model, curve, p, plan.lm);
    values(v, columns.cbf) = p[0];
    values(v, columns.att) = p[1];
    values(v, columns.r2) = r.r2;
    status(v) = static_cast<std::uint8_t>(r.status);
  }
};

}  // namespace detail

// Quantifies every voxel of `series` (voxel, volume): values(v, asl_columns(plan.method)...) and status(v).
// `m0` holds one M0 per voxel (any positive scale of the ASL signal's units); a voxel whose M0 is ≤ 0 or not
// finite gets FitStatus::invalid_m0 and NaN maps.
template <class ExecutionSpace, class MemorySpace, class SeriesView, class M0View>
void quantify_asl(ExecutionSpace const& space, SeriesView const& series, M0View const& m0,
                  AslPlan<MemorySpace> const& plan, Maps<MemorySpace> const& values,
                  StatusMap<MemorySpace> const& status) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::asl::quantify_asl: the first argument must be a Kokkos execution space");
  static_assert(accessible_from<ExecutionSpace, SeriesView, M0View, Maps<MemorySpace>>::value,
                "voxflow::asl::quantify_asl: every View must be accessible from the execution space");
  ScopedRegion region("voxflow::asl::quantify_asl");
  int const n = static_cast<int>(series.extent(0));
  Kokkos::parallel_for("voxflow::asl::quantify_asl", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n),
                       detail::QuantifyAslFunctor<MemorySpace, SeriesView, M0View>{
                           plan, series, m0, values, status, asl_columns(plan.method)});
}

}  // namespace voxflow::asl

#endif
