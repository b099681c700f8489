// The SPGR models of W voxels fitted together in SIMD lanes (fit_lane_packs.hpp): the pack model the VFA T1
// driver (vfa_mapping.hpp) gives each lane pack. Lane l holds the model the scalar path would use for its
// voxel, the shared one of B1 = 1 or one with the voxel's B1 terms (SpgrModel::use_b1), and every lane's
// result equals that scalar fit's: the same start-grid sums, the same curve and gradient, the same LM.
//
// Where every lane has the shared model (no B1 map, or B1 = 1 across the pack), the angle terms and the start
// grid's curves are the lanes' common values; otherwise the angle terms are packs, and so are the grid
// curves, computed per pack from them and the shared grid's R1 terms (lanes at B1 = 1 keep the shared curves,
// as their scalar fit does).
#ifndef VOXFLOW_T1_SPGR_PACK_HPP
#define VOXFLOW_T1_SPGR_PACK_HPP

#include <voxflow/fit/fit_lane_packs.hpp>
#include <voxflow/t1/spgr_estimates.hpp>
#include <voxflow/t1/spgr_model.hpp>
#include <voxflow/t1/spgr_signal.hpp>

namespace voxflow::t1 {

template <class MemorySpace, int W>
struct SpgrPack {
  using Lanes = fit::LanePack<W>;
  static constexpr int n_params = SpgrModel<MemorySpace>::n_params;
  SpgrModel<MemorySpace> lane[W];  // each voxel's model
  bool shared = true;              // every lane has the shared model of B1 = 1
  bool lane_shared[W] = {};        // lane l has it
  int cached_angles = 0;
  BasicSpgrAngleTerms<Lanes> angle_cache[spgr_cached_angles] = {};  // the lanes' terms of angle j

  // A pack of W copies of `model` (B1 = 1) whose lanes with a scale in b1[l] other than 1 take their own B1.
  KOKKOS_INLINE_FUNCTION SpgrPack(SpgrModel<MemorySpace> const& model, double const (&b1)[W]) {
    for (int l = 0; l < W; ++l) {
      lane[l] = model;
      lane_shared[l] = b1[l] == 1.0;
      if (!lane_shared[l]) lane[l].use_b1(b1[l]);
      shared = shared && lane_shared[l];
    }
    if (shared) return;
    cached_angles = min_of(n_samples(), spgr_cached_angles);
    for (int j = 0; j < cached_angles; ++j) angle_cache[j] = gathered_angle_terms(j);
  }

  KOKKOS_INLINE_FUNCTION int n_samples() const { return lane[0].n_samples(); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lane[0].lower(i); }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return lane[0].upper(i); }
  KOKKOS_INLINE_FUNCTION double grid_r1(int k) const { return lane[0].grid_r1(k); }

  // The lanes' terms of angle j (a pack with B1 in the pack).
  KOKKOS_INLINE_FUNCTION BasicSpgrAngleTerms<Lanes> angle_terms(int j) const {
    return j < cached_angles ? angle_cache[j] : gathered_angle_terms(j);
  }

  // SpgrModel::evaluate() of W parameter sets: R1's exponentials per lane, the curve and gradient on packs.
  template <int N>  // N = W: the lane-pack protocol names the width
  KOKKOS_INLINE_FUNCTION void evaluate_lanes(double const (&p)[N][n_params], double const* tile,
                                             fit::LaneNormalEquations<n_params, N>& ne,
                                             fit::LaneMask<N>& valid) const {
    static_assert(N == W, "voxflow::t1::SpgrPack: a pack of W lanes");
    Lanes m0;
    BasicSpgrR1Terms<Lanes> r;
    for (int l = 0; l < W; ++l) {
      SpgrR1Terms const terms = spgr_r1_terms(lane[0].tr, p[l][1]);
      m0.set(l, p[l][0]);
      r.e1.set(l, terms.e1);
      r.one_minus_e1.set(l, terms.one_minus_e1);
      valid.on[l] = true;  // as evaluate(): every point inside the bounds has a finite curve
    }
    auto const emit = [&](int j, Lanes f, Lanes const(&df)[n_params]) {
      ne.add(Lanes::load(tile + j * W), f, df);
    };
    if (shared)
      spgr_curve(
          n_samples(), [&](int j) { return lane[0].angle_terms(j); }, lane[0].tr, m0, r, emit);
    else
      spgr_curve(
          n_samples(), [&](int j) { return angle_terms(j); }, lane[0].tr, m0, r, emit);
  }

  // SpgrModel::initial_guess() of the lanes that are on: the start grid of the whole pack at once, then each
  // lane's DESPOT1 comparison as spgr_start() makes it.
  template <int N>
  KOKKOS_INLINE_FUNCTION void initial_guess_lanes(double const* tile, fit::LaneMask<N> const& lanes,
                                                  double (&p)[N][n_params]) const {
    static_assert(N == W, "voxflow::t1::SpgrPack: a pack of W lanes");
    SpgrModel<MemorySpace> const& first = lane[0];
    SpgrEstimate grid_best[W];
    if (shared)
      spgr_grid_search_lanes<W>(
          *this, tile, [&](int k, int j) { return first.nominal_row(k)[j]; }, grid_best);
    else
      spgr_grid_search_lanes<W>(
          *this, tile, [&](int k, int j) { return grid_g(k, j); }, grid_best);
    for (int l = 0; l < W; ++l)
      if (lanes.on[l])
        lane[l].start_at(spgr_start_from(lane[l], fit::TileColumn<W>{tile, l}, grid_best[l]), p[l]);
  }

 private:
  KOKKOS_INLINE_FUNCTION BasicSpgrAngleTerms<Lanes> gathered_angle_terms(int j) const {
    BasicSpgrAngleTerms<Lanes> a;
    for (int l = 0; l < W; ++l) {
      SpgrAngleTerms const t = lane[l].angle_terms(j);
      a.sin_a.set(l, t.sin_a);
      a.cos_a.set(l, t.cos_a);
      a.one_minus_cos.set(l, t.one_minus_cos);
    }
    return a;
  }

  // The start grid's curve at point k, angle j of every lane: SpgrModel::grid_g on packs, the shared curve
  // where a lane has the shared model.
  KOKKOS_INLINE_FUNCTION Lanes grid_g(int k, int j) const {
    SpgrModel<MemorySpace> const& first = lane[0];
    Lanes g = spgr_shape(angle_terms(j), SpgrR1Terms{first.grid(k, 1), first.grid(k, 2)}, first.tr).g;
    for (int l = 0; l < W; ++l)
      if (lane_shared[l]) g.set(l, first.nominal_row(k)[j]);
    return g;
  }
};

}  // namespace voxflow::t1

#endif
