// The delayed-AIF terms of the arterial-delay search, computed once per subject instead of once per voxel and
// candidate delay. For candidate delay d_s and tissue sample j: the running integral of the delayed AIF
// I_s(t_j) = F_0(t_j - d_s) and the delayed AIF Cp(t_j - d_s), exactly as convolve_samples gives them at that
// shift; the subject-wide sums of their products; and the weights that turn the sums with the tissue
// integral into dot products with the curve. With J_j = sum_{1<=i<=j} h_i (y_i + y_{i-1}), h_i = (t_i -
// t_{i-1}) / 2, the trapezoid integral of the tissue curve y of the Murase linearisation (tofts_models.hpp),
//   sum_j a_j J_j = sum_k y_k (h_k A_k + h_{k+1} A_{k+1}),   A_k = sum_{j>=k} a_j,
// so sum_j I_j J_j = u.y and sum_j Cp_j J_j = w.y with u, w tabulated here. A voxel then scores a candidate
// with four dot products over its curve and a 3x3 solve, no convolution.
#ifndef VOXFLOW_DCE_DELAY_START_TABLE_HPP
#define VOXFLOW_DCE_DELAY_START_TABLE_HPP

#include <voxflow/dce/dce_inputs.hpp>

#include <string>

namespace voxflow::dce {

template <class MemorySpace>
struct DelayStartTable {
  // A voxel scores the candidates a block at a time, one vector of multiply-adds per term and sample (each
  // candidate's dot products summed in sample order, as one at a time would): the terms are stored (sample,
  // term, candidate) with the candidates padded with zeros to whole blocks.
  static constexpr int candidate_block = 8;
  // (sample, term, padded candidate): I, Cp, u, w.
  Kokkos::View<double const***, Kokkos::LayoutRight, MemorySpace> terms;
  // (candidate, product): I.I, I.Cp, Cp.Cp.
  Kokkos::View<double const* [3], Kokkos::LayoutRight, MemorySpace> sums;

  KOKKOS_INLINE_FUNCTION int candidates() const { return static_cast<int>(sums.extent(0)); }
};

template <class ExecutionSpace, class MemorySpace>
DelayStartTable<MemorySpace> make_delay_start_table(ExecutionSpace const& space,
                                                    DceInputs<MemorySpace> const& in,
                                                    DelaySearch const& search, std::string const& label) {
  int const candidates = search.candidates();
  constexpr int block = DelayStartTable<MemorySpace>::candidate_block;
  int const padded = (candidates + block - 1) / block * block;
  int const n = in.n_samples();
  auto const terms = allocate<Kokkos::View<double***, Kokkos::LayoutRight, MemorySpace>>(
      space, label + "::delay_terms", n, 4, padded);
  auto const sums = allocate<Kokkos::View<double* [3], Kokkos::LayoutRight, MemorySpace>>(
      space, label + "::delay_sums", candidates);
  Kokkos::parallel_for(
      label + "::delay_table", Kokkos::RangePolicy<ExecutionSpace>(space, 0, padded), KOKKOS_LAMBDA(int s) {
        if (s >= candidates) {  // padding: scored as nothing, never chosen
          for (int j = 0; j < n; ++j)
            for (int term = 0; term < 4; ++term) terms(j, term, s) = 0.0;
          return;
        }
        double const rates[1] = {0.0};  // F_0 = running integral of the AIF
        double ii = 0.0, ic = 0.0, cc = 0.0;
        in.template convolve_samples<1, false>(rates, search.candidate(s) / seconds_per_minute,
                                               [&](int j, ConvolvedSample<1> const& c) {
                                                 terms(j, 0, s) = c.f[0];
                                                 terms(j, 1, s) = c.c;
                                                 ii += c.f[0] * c.f[0];
                                                 ic += c.f[0] * c.c;
                                                 cc += c.c * c.c;
                                               });
        sums(s, 0) = ii;
        sums(s, 1) = ic;
        sums(s, 2) = cc;
        // Backwards: the suffix sums A_{k+1} and the step h_{k+1} of the sample after k.
        double after_i = 0.0, after_c = 0.0, h_after = 0.0;
        for (int k = n - 1; k >= 0; --k) {
          double const h = k > 0 ? 0.5 * (in.t(k) - in.t(k - 1)) : 0.0;
          double const a_i = terms(k, 0, s) + after_i;
          double const a_c = terms(k, 1, s) + after_c;
          terms(k, 2, s) = h * a_i + h_after * after_i;
          terms(k, 3, s) = h * a_c + h_after * after_c;
          after_i = a_i;
          after_c = a_c;
          h_after = h;
        }
      });
  return {terms, sums};
}

}  // namespace voxflow::dce

#endif
