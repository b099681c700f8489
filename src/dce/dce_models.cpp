#include <voxflow/dce/fit_dce.hpp>

#include <cmath>

namespace voxflow::dce {

namespace {

DceMapInfo parameter(std::string const& name) {
  if (name == "Ktrans") return {name, "1/min", "volume transfer constant (CAPLEX Q.PH1.008)"};
  if (name == "ve") return {name, "mL/mL", "extravascular extracellular volume fraction (Q.PH1.001)"};
  if (name == "vp") return {name, "mL/mL", "plasma volume fraction (Q.PH1.001)"};
  if (name == "Fp") return {name, "1/min", "plasma flow per unit tissue volume (Q.PH1.002), mL/min/mL"};
  if (name == "PS") return {name, "1/min", "permeability-surface area product per unit volume (Q.PH1.004)"};
  return {"delay", "s", "arterial delay of the tissue curve after the AIF"};
}

bool tofts_family(DceModel model) {
  return model == DceModel::tofts || model == DceModel::extended_tofts;
}

bool two_compartment(DceModel model) {
  return model == DceModel::two_compartment_exchange || model == DceModel::two_compartment_uptake;
}

}  // namespace

std::vector<DceMapInfo> dce_parameter_info(DceModel model, bool fit_delay) {
  std::vector<char const*> names;
  switch (model) {
    case DceModel::tofts:
      names = {"Ktrans", "ve"};
      break;
    case DceModel::extended_tofts:
      names = {"Ktrans", "ve", "vp"};
      break;
    case DceModel::patlak:
      names = {"Ktrans", "vp"};
      break;
    case DceModel::two_compartment_exchange:
      names = {"Fp", "PS", "ve", "vp"};
      break;
    case DceModel::two_compartment_uptake:
      names = {"Fp", "PS", "vp"};
      break;
  }
  if (fit_delay) names.push_back("delay");
  std::vector<DceMapInfo> info;
  for (auto const* name : names) info.push_back(parameter(name));
  return info;
}

std::vector<std::string> dce_parameter_names(DceModel model, bool fit_delay) {
  std::vector<std::string> names;
  for (auto const& p : dce_parameter_info(model, fit_delay)) names.push_back(p.name);
  return names;
}

std::vector<std::string> dce_parameter_units(DceModel model, bool fit_delay) {
  std::vector<std::string> units;
  for (auto const& p : dce_parameter_info(model, fit_delay)) units.push_back(p.units);
  return units;
}

std::vector<DceMapInfo> dce_derived_info(DceModel model) {
  if (tofts_family(model)) return {{"kep", "1/min", "efflux rate constant Ktrans/ve (Q.PH1.009)"}};
  if (two_compartment(model))
    return {{"E", "", "extraction fraction PS/(Fp+PS)"},
            {"Ktrans", "1/min", "volume transfer constant E*Fp"}};
  return {};
}

void dce_derived_values(DceModel model, double const* params, double* derived) {
  if (tofts_family(model)) {
    double const ktrans = params[0], ve = params[1];
    derived[0] = ve > 0 ? ktrans / ve : 0.0;
  } else if (two_compartment(model)) {
    double const fp = params[0], ps = params[1];
    derived[0] = fp + ps > 0 ? ps / (fp + ps) : 0.0;
    derived[1] = derived[0] * fp;
  }
}

double uniform_aligned_step(std::vector<double> const& t_s, std::vector<double> const& ta_s) {
  if (t_s.size() < 2 || t_s != ta_s) return 0.0;
  double const step = t_s[1] - t_s[0];
  for (std::size_t i = 1; i < t_s.size(); ++i)
    if (std::fabs((t_s[i] - t_s[i - 1]) - step) > 1e-9 * step) return 0.0;
  return step;
}

void validate_dce_inputs(std::vector<double> const& t_s, std::vector<double> const& ta_s,
                         std::vector<double> const& ca, std::string const& source) {
  require_input(t_s.size() >= 3, source, "time",
                "at least 3 time points, found " + std::to_string(t_s.size()));
  require_input(ta_s.size() == ca.size(), source, "aif",
                "one AIF value per AIF time point, found " + std::to_string(ca.size()) + " values for " +
                    std::to_string(ta_s.size()) + " times");
  require_input(ta_s.size() >= 2, source, "aif", "at least 2 AIF samples");
  auto check_times = [&](std::vector<double> const& t, char const* field) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      require_input(std::isfinite(t[i]), source, field,
                    "finite times, found a non-finite value at index " + std::to_string(i));
      if (i > 0)
        require_input(t[i] > t[i - 1], source, field,
                      "strictly increasing times, but t[" + std::to_string(i) +
                          "] = " + std::to_string(t[i]) + " s does not exceed t[" + std::to_string(i - 1) +
                          "] = " + std::to_string(t[i - 1]) + " s");
    }
  };
  check_times(t_s, "time");
  check_times(ta_s, "aif time");
  for (std::size_t i = 0; i < ca.size(); ++i)
    require_input(std::isfinite(ca[i]), source, "aif",
                  "finite AIF concentrations, found a non-finite value at index " + std::to_string(i));
}

}  // namespace voxflow::dce
