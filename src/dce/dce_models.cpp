#include <voxflow/dce/fit_dce.hpp>

#include <cmath>

namespace voxflow::dce {

std::vector<std::string> dce_parameter_names(DceModel model, bool fit_delay) {
  std::vector<std::string> names;
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
  if (fit_delay) names.emplace_back("delay");
  return names;
}

std::vector<std::string> dce_parameter_units(DceModel model, bool fit_delay) {
  std::vector<std::string> units;
  for (auto const& name : dce_parameter_names(model, fit_delay)) {
    if (name == "Ktrans" || name == "Fp" || name == "PS")
      units.emplace_back("1/min");
    else if (name == "delay")
      units.emplace_back("s");
    else
      units.emplace_back("mL/mL");
  }
  return units;
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
