// The variable-flip-angle T1 methods and their options, without any Kokkos: shared by the host API, the
// conformance runner and (later) the configuration reader.
#ifndef VOXFLOW_T1_T1_METHOD_HPP
#define VOXFLOW_T1_T1_METHOD_HPP

#include <voxflow/core/enum_names.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>

#include <string>

namespace voxflow::t1 {

enum class T1Method {
  linear,     // DESPOT1 line over every flip angle, closed form (Deoni 2003)
  nonlinear,  // bounded Levenberg-Marquardt on the SPGR signal, started from the best of DESPOT1 and an R1
              // grid
  two_point,  // DESPOT1 line through the first and last flip angle only, closed form
};

struct T1Options {
  // linear / two_point: false = ordinary least squares on the DESPOT1 line (the classic method, what osipy
  // and the OSIPI contributions run); true = one reweighting with the line's inverse residual variance
  // (spgr_estimates.hpp).
  bool weighted_linear = false;
  fit::LMOptions lm{};  // nonlinear only
};

inline constexpr EnumTable<T1Method, 3> t1_method_names{
    {{T1Method::linear, "linear"}, {T1Method::nonlinear, "nonlinear"}, {T1Method::two_point, "two_point"}}};

constexpr char const* t1_method_name(T1Method m) {
  return enum_name(t1_method_names, m);
}

// Parses "linear" | "nonlinear" | "two_point"; returns false for anything else.
inline bool parse_t1_method(std::string const& text, T1Method& out) {
  return parse_enum(t1_method_names, text, out);
}

}  // namespace voxflow::t1

#endif
