// Host entry point of DCE pharmacokinetic fitting: picks the model functor for a run-time model choice and
// fits every voxel with the batched LM core (fit_voxels.hpp).
#ifndef VOXFLOW_DCE_FIT_DCE_HPP
#define VOXFLOW_DCE_FIT_DCE_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/dce/tofts_models.hpp>
#include <voxflow/dce/two_compartment_models.hpp>
#include <voxflow/fit/fit_voxels.hpp>

#include <string>
#include <vector>

namespace voxflow::dce {

enum class DceModel { tofts, extended_tofts, patlak, two_compartment_exchange, two_compartment_uptake };

inline constexpr EnumTable<DceModel, 5> dce_model_names{{{DceModel::tofts, "tofts"},
                                                         {DceModel::extended_tofts, "extended_tofts"},
                                                         {DceModel::patlak, "patlak"},
                                                         {DceModel::two_compartment_exchange, "2cxm"},
                                                         {DceModel::two_compartment_uptake, "2cum"}}};

// "tofts", "extended_tofts", "patlak", "2cxm", "2cum"; false for anything else.
inline bool parse_dce_model(std::string const& name, DceModel& out) {
  return parse_enum(dce_model_names, name, out);
}
inline std::string dce_model_name(DceModel model) {
  return enum_name(dce_model_names, model);
}

struct DceFitOptions {
  DceModel model = DceModel::extended_tofts;
  bool fit_delay = false;
  DelaySearch delay;
  ToftsConvolution convolution = ToftsConvolution::exact;
  fit::LMOptions lm;
};

// What a parameter or derived map of the DCE models is, for outputs: one table beside the models.
struct DceMapInfo {
  std::string name, units, description;
};

// The fitted parameters in output order, e.g. Ktrans, ve, vp, delay. Internal units: 1/min for Ktrans, Fp,
// PS; fractions (mL/mL) for ve, vp; s for delay.
std::vector<DceMapInfo> dce_parameter_info(DceModel model, bool fit_delay);
std::vector<std::string> dce_parameter_names(DceModel model, bool fit_delay);
std::vector<std::string> dce_parameter_units(DceModel model, bool fit_delay);

// Maps derived from the fitted parameters: kep = Ktrans / ve for the Tofts models; the extraction fraction
// E = PS / (Fp + PS) and Ktrans = E Fp for the two-compartment models; none for Patlak.
std::vector<DceMapInfo> dce_derived_info(DceModel model);
// The derived values of one voxel (dce_derived_info order) from its parameters (dce_parameter_names order).
void dce_derived_values(DceModel model, double const* params, double* derived);

// Checks tissue times, AIF times and AIF values (seconds, mM) before any fitting: finite, strictly increasing
// times, matching lengths, finite AIF. `source` names where they came from in the error.
void validate_dce_inputs(std::vector<double> const& t_s, std::vector<double> const& ta_s,
                         std::vector<double> const& ca, std::string const& source);

// The frame spacing (s) when the AIF is sampled on the tissue grid and that grid is uniform to 1e-9, else 0.
double uniform_aligned_step(std::vector<double> const& t_s, std::vector<double> const& ta_s);

// Uploads validated inputs to MemorySpace, converting seconds to minutes.
template <class MemorySpace>
DceInputs<MemorySpace> make_dce_inputs(std::vector<double> const& t_s, std::vector<double> const& ta_s,
                                       std::vector<double> const& ca, std::string const& source) {
  validate_dce_inputs(t_s, ta_s, ca, source);
  auto upload = [](std::vector<double> const& values, double scale, char const* label) {
    Kokkos::View<double*, MemorySpace> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)),
                                         values.size());
    auto h = Kokkos::create_mirror_view(v);
    for (std::size_t i = 0; i < values.size(); ++i) h(i) = values[i] * scale;
    Kokkos::deep_copy(v, h);
    return Kokkos::View<double const*, MemorySpace>(v);
  };
  double const to_min = 1.0 / seconds_per_minute;
  DceInputs<MemorySpace> in{upload(t_s, to_min, "voxflow::dce::t"), upload(ta_s, to_min, "voxflow::dce::ta"),
                            upload(ca, 1.0, "voxflow::dce::ca")};
  in.uniform_step = uniform_aligned_step(t_s, ta_s) * to_min;
  return in;
}

namespace detail {
template <class ExecutionSpace, class Model, class MemorySpace>
void fit_with(ExecutionSpace const& space, Model const& model, Series<MemorySpace> const& conc,
              Kokkos::View<std::uint8_t const*, MemorySpace> const& mask, DceFitOptions const& options,
              fit::FitOutputs<MemorySpace> const& out) {
  fit::fit_voxels(space, model, conc, mask, options.lm, out);
}

template <class ExecutionSpace, class MemorySpace, bool Delay>
void fit_model(ExecutionSpace const& space, Series<MemorySpace> const& conc, DceInputs<MemorySpace> const& in,
               Kokkos::View<std::uint8_t const*, MemorySpace> const& mask, DceFitOptions const& o,
               fit::FitOutputs<MemorySpace> const& out) {
  // The Tofts family searches the delay on the subject's table of delayed-AIF terms (delay_start_table.hpp)
  // and, on a uniform grid, evaluates delays in lane packs from a padded AIF (padded_aif.hpp).
  auto with_delay_table = [&](auto m) {
    if constexpr (Delay) {
      m.delay_starts = make_delay_start_table(space, in, o.delay, "voxflow::dce::fit_dce");
      if (in.uniform_step > 0.0) m.lane_aif = make_padded_aif(space, in, "voxflow::dce::fit_dce");
    }
    return m;
  };
  switch (o.model) {
    case DceModel::tofts: {
      auto m = with_delay_table(ToftsModel<MemorySpace, Delay>(in, o.delay));
      m.convolution = o.convolution;
      return fit_with(space, m, conc, mask, o, out);
    }
    case DceModel::extended_tofts: {
      auto m = with_delay_table(ExtendedToftsModel<MemorySpace, Delay>(in, o.delay));
      m.convolution = o.convolution;
      return fit_with(space, m, conc, mask, o, out);
    }
    case DceModel::patlak:
      return fit_with(space, with_delay_table(PatlakModel<MemorySpace, Delay>(in, o.delay)), conc, mask, o,
                      out);
    case DceModel::two_compartment_exchange:
      return fit_with(space, TwoCompartmentExchangeModel<MemorySpace, Delay>(in, o.delay), conc, mask, o,
                      out);
    case DceModel::two_compartment_uptake:
      return fit_with(space, TwoCompartmentUptakeModel<MemorySpace, Delay>(in, o.delay), conc, mask, o, out);
  }
}
}  // namespace detail

// Fits every voxel of `concentration` (voxel, time; mM) with the chosen model. `out` must be sized for
// dce_parameter_names(options.model, options.fit_delay).size() parameters.
template <class ExecutionSpace, class MemorySpace>
void fit_dce(ExecutionSpace const& space, Series<MemorySpace> const& concentration,
             DceInputs<MemorySpace> const& inputs, Kokkos::View<std::uint8_t const*, MemorySpace> const& mask,
             DceFitOptions const& options, fit::FitOutputs<MemorySpace> const& out) {
  auto const n_params = dce_parameter_names(options.model, options.fit_delay).size();
  if (out.params.extent(1) != n_params)
    throw Error(ExitCode::failure, "voxflow::dce::fit_dce: outputs sized for " +
                                       std::to_string(out.params.extent(1)) + " parameters, the model has " +
                                       std::to_string(n_params));
  if (static_cast<int>(concentration.extent(1)) != inputs.n_samples())
    throw InputError("concentration", "time dimension",
                     std::to_string(inputs.n_samples()) + " frames to match the timing, found " +
                         std::to_string(concentration.extent(1)));
  if (options.convolution == ToftsConvolution::osipy_compatible && options.fit_delay)
    throw ConfigError("", "fit.convolution", "'exact' when the arterial delay is fitted");
  if (options.fit_delay)
    detail::fit_model<ExecutionSpace, MemorySpace, true>(space, concentration, inputs, mask, options, out);
  else
    detail::fit_model<ExecutionSpace, MemorySpace, false>(space, concentration, inputs, mask, options, out);
}

}  // namespace voxflow::dce

#endif
