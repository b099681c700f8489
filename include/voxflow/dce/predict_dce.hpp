// Forward DCE model curves for given parameters (simulation, forward-model checks): the same evaluate() the
// fits use, streamed into a CurveSink.
#ifndef VOXFLOW_DCE_PREDICT_DCE_HPP
#define VOXFLOW_DCE_PREDICT_DCE_HPP

#include <voxflow/dce/fit_dce.hpp>

namespace voxflow::dce {

namespace detail {
template <class Model, class Params, class Out>
struct PredictFunctor {
  Model model;
  Params params;  // (voxel, parameter)
  Out out;        // (voxel, time)
  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    double p[Model::n_params];
    for (int i = 0; i < Model::n_params; ++i) p[i] = params(v, i);
    auto row = Kokkos::subview(out, v, Kokkos::ALL);
    fit::CurveSink<Model::n_params, decltype(row)> sink{row};
    if (!model.evaluate(p, sink))
      for (int j = 0; j < model.n_samples(); ++j) row(j) = kmath::nan("");
  }
};

template <class ExecutionSpace, class MemorySpace, class Model>
void predict_with(ExecutionSpace const& space, Model const& model, Maps<MemorySpace> const& params,
                  Series<MemorySpace> const& out) {
  Kokkos::parallel_for("voxflow::dce::predict",
                       Kokkos::RangePolicy<ExecutionSpace>(space, 0, int(params.extent(0))),
                       PredictFunctor<Model, Maps<MemorySpace>, Series<MemorySpace>>{model, params, out});
}

template <class ExecutionSpace, class MemorySpace, bool Delay>
void predict_model(ExecutionSpace const& space, DceInputs<MemorySpace> const& in, DceFitOptions const& o,
                   Maps<MemorySpace> const& params, Series<MemorySpace> const& out) {
  switch (o.model) {
    case DceModel::tofts: {
      ToftsModel<MemorySpace, Delay> m(in, o.delay);
      m.convolution = o.convolution;
      return predict_with(space, m, params, out);
    }
    case DceModel::extended_tofts: {
      ExtendedToftsModel<MemorySpace, Delay> m(in, o.delay);
      m.convolution = o.convolution;
      return predict_with(space, m, params, out);
    }
    case DceModel::patlak:
      return predict_with(space, PatlakModel<MemorySpace, Delay>(in, o.delay), params, out);
    case DceModel::two_compartment_exchange:
      return predict_with(space, TwoCompartmentExchangeModel<MemorySpace, Delay>(in, o.delay), params, out);
    case DceModel::two_compartment_uptake:
      return predict_with(space, TwoCompartmentUptakeModel<MemorySpace, Delay>(in, o.delay), params, out);
  }
}
}  // namespace detail

// Writes the model curve of every parameter row (voxel, parameter in dce_parameter_names order) into out
// (voxel, time). Parameters outside a model's domain give NaN curves.
template <class ExecutionSpace, class MemorySpace>
void predict_dce(ExecutionSpace const& space, DceInputs<MemorySpace> const& inputs,
                 DceFitOptions const& options, Maps<MemorySpace> const& params,
                 Series<MemorySpace> const& out) {
  if (options.fit_delay)
    detail::predict_model<ExecutionSpace, MemorySpace, true>(space, inputs, options, params, out);
  else
    detail::predict_model<ExecutionSpace, MemorySpace, false>(space, inputs, options, params, out);
}

}  // namespace voxflow::dce

#endif
