// The host driver that fits W voxels per work item, one per lane of a LanePack (issue 13). Every lane runs
// the scalar LM state machine (levenberg_marquardt.hpp) on its own voxel, with its own damping and stopping;
// only the streamed passes over time, where the work is, run on whole packs. The pack's pending mask says
// which lanes wait for a pass; a pass evaluates every lane (idle lanes repeat a pending lane's point) and
// only the pending lanes take their result. Each lane therefore sees the values of the scalar path, rounding
// aside: the same iterations, the same status.
//
// A model opts in with
//   static constexpr bool lane_evaluation = true;
//   KOKKOS_FUNCTION bool lanes_supported() const;      // whether this instance's inputs have a lane pass
//   template <int W> KOKKOS_FUNCTION void evaluate_lanes(double const (&p)[W][P], double const* tile,
//                                                        LaneNormalEquations<P, W>& ne, LaneMask<W>& valid)
//                                                        const;
//       one pass for W parameter sets against the curves in tile[j * W + lane]; valid.on[l] is false where
//       the scalar evaluate() would have returned false.
//   template <int W> KOKKOS_FUNCTION void initial_guess_lanes(double const* tile, LaneMask<W> const& lanes,
//                                                            double (&p)[W][P]) const;
//       initial_guess() of the lanes that are on, from the same tile.
// A model with an exact linear solution (fit/model.hpp) may add
//   static constexpr bool lane_linear_solution = true;
//   template <int W> KOKKOS_FUNCTION void linear_solution_lanes(double const* tile, LaneMask<W> const& lanes,
//                                                              double (&p)[W][P], LMResult (&result)[W],
//                                                              LaneMask<W>& solved) const;
//       linear_solution() of the lanes that are on; solved.on[l] where lane l needs no LM.
// The voxel functor may give each pack its own model (has_pack_model below): then the lane methods, bounds
// and sample count are that model's, and the functor's model only says whether lanes are supported.
#ifndef VOXFLOW_FIT_FIT_LANE_PACKS_HPP
#define VOXFLOW_FIT_FIT_LANE_PACKS_HPP

#include <voxflow/fit/lane_pack.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>

#include <type_traits>
#include <utility>

namespace voxflow::fit {

// J^T J, J^T r and cost of W voxels, one per lane.
template <int P, int W>
struct LaneNormalEquations {
  LanePack<W> jtj[packed_size<P>];
  LanePack<W> jtr[P];
  LanePack<W> cost;

  // Adds sample j of every lane: data y, model f, gradient df.
  KOKKOS_FORCEINLINE_FUNCTION void add(LanePack<W> y, LanePack<W> f, LanePack<W> const (&df)[P]) {
    add_normal_equations<P>(y - f, df, jtj, jtr, cost);
  }

  // Lane l's sums into a scalar sink; returns whether they are finite (detail::accumulate's test).
  template <class Curve>
  KOKKOS_INLINE_FUNCTION bool extract(int l, NormalEquationsSink<P, Curve>& s) const {
    bool finite = is_finite(cost[l]);
    s.cost = cost[l];
    for (int a = 0; a < P; ++a) {
      s.jtr[a] = jtr[a][l];
      finite = finite && is_finite(s.jtr[a]);
    }
    for (int k = 0; k < packed_size<P>; ++k) s.jtj[k] = jtj[k][l];
    return finite;
  }
};

// The longest curve a pack fits from its on-stack tile (W x samples doubles); longer curves take the scalar
// path.
inline constexpr int max_lane_samples = 1024;

// One lane's curve in a pack's tile (time, lane), for the per-lane parts of a lane pass.
template <int W>
struct TileColumn {
  double const* tile;
  int lane;
  KOKKOS_FORCEINLINE_FUNCTION double operator()(int j) const { return tile[j * W + lane]; }
};

namespace detail {

template <class Model, class = void>
struct has_lane_evaluation : std::false_type {};
template <class Model>
struct has_lane_evaluation<Model, std::enable_if_t<Model::lane_evaluation>> : std::true_type {};

// Models whose prepare() has an exact linear solution declare `lane_linear_solution` and
// `linear_solution_lanes<W>(tile, lanes, p, result, solved)` to solve a whole pack at once.
template <class Model, class = void>
struct has_lane_linear_solution : std::false_type {};
template <class Model>
struct has_lane_linear_solution<Model, std::enable_if_t<Model::lane_linear_solution>> : std::true_type {};

// A voxel functor may give each pack a model of its own, pack_model<W>(v0) for the voxels [v0, v0 + W) (the
// VFA fit: every lane's B1), with the lane pass above and the scalar model's bounds and sample count; else
// the pack uses the functor's model.
template <class VoxelFunctor, int W, class = void>
struct has_pack_model : std::false_type {};
template <class VoxelFunctor, int W>
struct has_pack_model<VoxelFunctor, W,
                      std::void_t<decltype(std::declval<VoxelFunctor const&>().template pack_model<W>(0))>>
    : std::true_type {};

// Fits the voxels [q W, q W + W) of the per-voxel functor `voxel` (FitVoxelsFunctor): the same begin() and
// finish() around LM, with LM's passes shared by the lanes.
template <class VoxelFunctor, int W>
struct FitLanePacksFunctor {
  VoxelFunctor voxel;

  KOKKOS_INLINE_FUNCTION void operator()(int q) const {
    using Model = std::decay_t<decltype(voxel.model)>;
    using Curve = typename VoxelFunctor::Curve;
    constexpr int P = Model::n_params;
    int const n_voxels = static_cast<int>(voxel.data.extent(0));
    int const v0 = q * W;
    int const count = min_of(W, n_voxels - v0);

    Curve y[W];
    LaneMask<W> pending;  // first: the lanes that need starting values; then: the lanes waiting for a pass
    double p[W][P];
    for (int l = 0; l < W; ++l) y[l] = Curve{voxel.data, v0 + (l < count ? l : 0)};
    for (int l = 0; l < count; ++l) {
      if constexpr (has_lane_linear_solution<Model>::value)
        pending.on[l] = !voxel.written_as_masked_out(v0 + l);
      else
        pending.on[l] = voxel.prepare(v0 + l, y[l], p[l]);
    }
    if (!pending.any()) return;
    if constexpr (has_pack_model<VoxelFunctor, W>::value)
      fit_pack(voxel.template pack_model<W>(v0), v0, count, y, pending, p);
    else
      fit_pack(voxel.model, v0, count, y, pending, p);
  }

  // The pending lanes' fits with `model`, the voxel functor's model or the model of this pack.
  template <class PackModel, class Curve>
  KOKKOS_INLINE_FUNCTION void fit_pack(PackModel const& model, int v0, int count, Curve const (&y)[W],
                                       LaneMask<W>& pending, double (&p)[W][PackModel::n_params]) const {
    constexpr int P = PackModel::n_params;
    int const n = model.n_samples();
    LMState<P, Curve> state[W];
    // The pack's curves as (time, lane), read once for the start and all passes. Lanes past the tail repeat
    // the first voxel: they are never pending, their values only keep the arithmetic finite.
    double tile[max_lane_samples * W];
    for (int l = 0; l < W; ++l)
      for (int j = 0; j < n; ++j) tile[j * W + l] = y[l](j);
    if constexpr (has_lane_linear_solution<PackModel>::value) {  // exact linear solutions, the whole pack at
                                                                 // once
      LMResult exact[W];
      LaneMask<W> solved;
      model.template linear_solution_lanes<W>(tile, pending, p, exact, solved);
      for (int l = 0; l < count; ++l)
        if (solved.on[l]) {
          voxel.write(v0 + l, p[l], exact[l]);
          pending.on[l] = false;
        }
      if (!pending.any()) return;
    }
    model.template initial_guess_lanes<W>(tile, pending, p);
    CurveMoments<LanePack<W>> moments(LanePack<W>::load(tile));  // lm_start's curve statistics, per pack
    for (int j = 0; j < n; ++j) moments.add(LanePack<W>::load(tile + j * W));
    for (int l = 0; l < count; ++l) {
      if (!pending.on[l]) continue;
      state[l] = LMState<P, Curve>(y[l]);
      pending.on[l] = lm_start(model, moments.lane(l).stats(n), p[l], voxel.options, state[l]);
      if (!pending.on[l]) finish_lane(model, v0 + l, y[l], state[l]);
    }

    while (pending.any()) {
      int const ref = pending.first();
      double trial[W][P];
      for (int l = 0; l < W; ++l)
        for (int i = 0; i < P; ++i) trial[l][i] = pending.on[l] ? state[l].trial[i] : state[ref].trial[i];
      LaneNormalEquations<P, W> ne;
      LaneMask<W> valid;
      model.template evaluate_lanes<W>(trial, tile, ne, valid);
      for (int l = 0; l < W; ++l) {
        if (!pending.on[l]) continue;
        NormalEquationsSink<P, Curve> candidate(y[l]);
        bool const finite = ne.extract(l, candidate) && valid.on[l];
        lm_take<PackModel>(voxel.options, candidate, finite, state[l]);
        if (state[l].done || !lm_propose(model, voxel.options, state[l])) {
          pending.on[l] = false;
          finish_lane(model, v0 + l, y[l], state[l]);
        }
      }
    }
  }

  template <class PackModel, class Curve, class State>
  KOKKOS_INLINE_FUNCTION void finish_lane(PackModel const& model, int v, Curve const& y,
                                          State const& s) const {
    double p[PackModel::n_params];
    LMResult const r = lm_finish(model, s, p);
    voxel.finish(v, y, p, r);
  }
};

}  // namespace detail

// Lanes per work item fit_voxels uses for `model` on ExecutionSpace: host_lanes on host spaces for models
// with a lane pass on these inputs (unless options.lane_packs is off), else 1 (one voxel per work item, as on
// GPUs).
template <class ExecutionSpace, class Model>
int lane_pack_width(Model const& model, LMOptions const& options) {
  if constexpr (host_lanes > 1 && detail::has_lane_evaluation<Model>::value &&
                Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible) {
    if (options.lane_packs && model.lanes_supported() && model.n_samples() <= max_lane_samples)
      return host_lanes;
  }
  (void)model;
  (void)options;
  return 1;
}

}  // namespace voxflow::fit

#endif
