// What a fittable model looks like, and the sinks its evaluation streams into.
//
// A model is a small trivially-copyable functor (DESIGN.md §2) with
//   static constexpr int n_params;                       // P <= 6
//   KOKKOS_FUNCTION int n_samples() const;
//   KOKKOS_FUNCTION double lower(int i) const, upper(int i) const;   // bounds in internal units
//   template <class Sink> KOKKOS_FUNCTION bool evaluate(double const (&p)[P], Sink& sink) const;
//       one pass over time calling sink(j, f_j, df_j) with the model value and its analytic gradient at
//       sample j; returns false when the parameters give no finite curve.
//   template <class Curve> KOKKOS_FUNCTION void initial_guess(Curve const& y, double (&p)[P]) const;
//       starting values from the voxel's data (a linearised estimate where the model has one).
// Optionally, for models linear in their parameters (Patlak without delay):
//   KOKKOS_FUNCTION bool linear_solution(Curve const& y, double (&p)[P], LMResult& result) const;
//       the least-squares solution in one streamed pass; true when it is final (finite and inside the
//       bounds), else fit_voxels falls back to the bounded LM.
// Optionally, for models with several local minima:
//   static constexpr int n_alternative_starts;
//   KOKKOS_FUNCTION void alternative_start(int i, double const (&first_fit)[P], double (&p)[P]) const;
//       further starting points, tried when the first fit is doubtful (fit_voxels.hpp); first_fit lets a
//       start keep parameters the first fit determined well, such as a delay.
// The same evaluate() serves fitting (NormalEquationsSink), forward simulation (CurveSink) and Jacobian
// checks (GradientSink), so each model's equations exist exactly once.
#ifndef VOXFLOW_FIT_MODEL_HPP
#define VOXFLOW_FIT_MODEL_HPP

#include <voxflow/fit/small_solve.hpp>

namespace voxflow::fit {

// One sample's residual r and gradient df added to J^T J, J^T r and the cost, for one voxel (V = double) or a
// pack of voxels in lanes (V = LanePack<W>): the same operations in the same order either way.
template <int P, class V>
KOKKOS_FORCEINLINE_FUNCTION void add_normal_equations(V r, V const (&df)[P], V (&jtj)[packed_size<P>],
                                                      V (&jtr)[P], V& cost) {
  cost += r * r;
  for (int a = 0; a < P; ++a) {
    jtr[a] += df[a] * r;
    for (int b = 0; b <= a; ++b) jtj[packed_index(a, b)] += df[a] * df[b];
  }
}

// Accumulates J^T J, J^T r and the cost sum r^2 of r = y - f in one pass: no T x P Jacobian is ever stored.
template <int P, class Curve>
struct NormalEquationsSink {
  Curve const* y = nullptr;  // a pointer, not a reference, so that sinks can be assigned
  double jtj[packed_size<P>] = {};
  double jtr[P] = {};
  double cost = 0.0;

  NormalEquationsSink() = default;
  KOKKOS_INLINE_FUNCTION explicit NormalEquationsSink(Curve const& curve) : y(&curve) {}

  KOKKOS_FORCEINLINE_FUNCTION void operator()(int j, double f, double const (&df)[P]) {
    add_normal_equations<P>((*y)(j)-f, df, jtj, jtr, cost);
  }
};

// Writes the model curve into any indexable output (a View row, a plain array).
template <int P, class Out>
struct CurveSink {
  Out out;
  KOKKOS_FORCEINLINE_FUNCTION void operator()(int j, double f, double const (&)[P]) const { out(j) = f; }
};

// Writes the model curve and its gradient: out_f(j), out_df(j, a).
template <int P, class OutF, class OutDf>
struct GradientSink {
  OutF out_f;
  OutDf out_df;
  KOKKOS_FORCEINLINE_FUNCTION void operator()(int j, double f, double const (&df)[P]) const {
    out_f(j) = f;
    for (int a = 0; a < P; ++a) out_df(j, a) = df[a];
  }
};

// Clamps p into the model's bounds.
template <class Model>
KOKKOS_INLINE_FUNCTION void clamp_to_bounds(Model const& model, double (&p)[Model::n_params]) {
  for (int i = 0; i < Model::n_params; ++i) p[i] = clamp_to(p[i], model.lower(i), model.upper(i));
}

}  // namespace voxflow::fit

#endif
