// The deconvolution of DSC-MRI (SPEC §5.3, §11): tissue ΔR2*(t) = (F·R ⊗ Ca)(t), discretised with the
// rectangle rule A[i, j] = Δt · Ca[i − j]. The AIF matrix is decomposed once per subject on the host (the
// causal one by LAPACK dgesvd, the block-circulant one exactly from its DFT) and turned into one or more
// pseudo-inverses; the kernels in deconvolve.hpp then apply
// them to every voxel as one batched product. Methods:
//   - ssvd: the causal (lower-triangular Toeplitz) matrix, singular values below threshold · s_max dropped;
//   - csvd: Wu et al. 2003 block-circulant matrix of the AIF zero-padded to 2N (the tissue curve padded
//     the same way), which makes the estimate insensitive to a delay of the tissue relative to the AIF;
//   - osvd: csvd with a threshold chosen per voxel: the smallest candidate threshold whose residue has an
//     oscillation index (Wu 2003) below the bound; the largest candidate when none does;
//   - tikhonov: the causal matrix with the filter s / (s² + (λ · s_max)²), λ fixed or chosen per voxel by
//     the L-curve (lcurve.hpp; the operator then keeps the factors and the λ grid as its candidates).
#ifndef VOXFLOW_DSC_DECONVOLUTION_OPERATOR_HPP
#define VOXFLOW_DSC_DECONVOLUTION_OPERATOR_HPP

#include <voxflow/core/enum_names.hpp>

#include <string>
#include <vector>

namespace voxflow::dsc {

enum class DeconvolutionMethod { ssvd, csvd, osvd, tikhonov };
inline constexpr EnumTable<DeconvolutionMethod, 4> deconvolution_method_names{
    {{DeconvolutionMethod::ssvd, "ssvd"},
     {DeconvolutionMethod::csvd, "csvd"},
     {DeconvolutionMethod::osvd, "osvd"},
     {DeconvolutionMethod::tikhonov, "tikhonov"}}};

inline char const* deconvolution_method_name(DeconvolutionMethod m) {
  return enum_name(deconvolution_method_names, m);
}

// How Tikhonov's λ is chosen: fixed (tikhonov_lambda) or per voxel at the corner of the L-curve (lcurve.hpp).
enum class LambdaSelection { fixed, lcurve };
inline constexpr EnumTable<LambdaSelection, 2> lambda_selection_names{
    {{LambdaSelection::fixed, "fixed"}, {LambdaSelection::lcurve, "lcurve"}}};

// Whether a method solves the block-circulant (2N) system.
inline bool is_circulant(DeconvolutionMethod m) {
  return m == DeconvolutionMethod::csvd || m == DeconvolutionMethod::osvd;
}

// The default oSVD candidates (a function, not a braced member initialiser: GCC 12 warns of a dangling
// pointer in the latter).
inline std::vector<double> default_osvd_thresholds() {
  return {0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3};
}

struct DeconvolutionOptions {
  DeconvolutionMethod method = DeconvolutionMethod::osvd;
  double threshold = 0.2;  // ssvd, csvd: singular values <= threshold · s_max are dropped
  // osvd: candidate thresholds (relative to s_max), tried from the smallest up.
  std::vector<double> osvd_thresholds = default_osvd_thresholds();
  double oscillation_bound = 0.035;                           // osvd: the largest oscillation index accepted
  double tikhonov_lambda = 0.1;                               // tikhonov: λ relative to s_max
  LambdaSelection lambda_selection = LambdaSelection::fixed;  // tikhonov
};

// Defaults of the threshold per method when a configuration does not give one (Wu 2003: 0.2 for the causal
// matrix, 0.1 for the block-circulant one).
inline double default_threshold(DeconvolutionMethod m) {
  return m == DeconvolutionMethod::csvd ? 0.1 : 0.2;
}

// The pseudo-inverses of one AIF, on the host. `length` is the residue length: frames (causal) or 2 · frames
// (circulant; only the first `frames` columns of a pseudo-inverse are kept, because the padded half of a
// tissue curve is zero).
//   - one threshold (ssvd, csvd, fixed tikhonov): `pinv`, length × frames, row-major (ssvd and csvd keep
//     the factors of it too, `kept` = {components});
//   - L-curve tikhonov: the factors of every component with s_c > 10⁻¹² s_max, unfiltered;
//   - osvd: the candidates' pseudo-inverses share the SVD basis and are nested (a larger threshold keeps a
//     prefix of the components), so they are kept factored: `left` (frames × components, row-major) =
//     U[:frames, c] / s_c and `right` (components × length, row-major) = V[:, c]. The residue of candidate k
//     is Σ_{c < kept[k]} right[c] · (curve · left[:, c]): one product gives every component of every voxel,
//     and each candidate's residue is a prefix sum of them.
struct DeconvolutionOperator {
  DeconvolutionMethod method = DeconvolutionMethod::osvd;
  int frames = 0, length = 0, candidates = 0;
  double dt_s = 0.0;
  std::vector<double> thresholds;  // one per candidate, ascending (tikhonov: λ relative to s_max)
  std::vector<double> pinv;
  int components = 0;  // osvd: components kept by the smallest threshold
  std::vector<double> left, right;
  std::vector<int> kept;                // osvd: components kept by each candidate (descending)
  std::vector<double> singular_values;  // of the AIF matrix, descending
  double oscillation_bound = 0.0;
  bool lcurve = false;  // tikhonov: λ per voxel from `thresholds` (the L-curve grid), factors kept
};

// Builds the operator for `aif` (ΔR2* on a uniform grid of spacing dt_s). InputError naming `source` when
// the AIF is not finite or is zero everywhere; ConfigError-like Error(ExitCode::config) for options out of
// range is the caller's job (the settings check them).
DeconvolutionOperator build_deconvolution_operator(std::vector<double> const& aif, double dt_s,
                                                   DeconvolutionOptions const& options,
                                                   std::string const& source);

// The singular value decomposition of a square column-major matrix (LAPACK dgesvd): a = U · diag(s) · Vᵀ.
struct Svd {
  int n = 0;
  std::vector<double> u, s, vt;  // column-major n × n, n, column-major n × n
};
Svd singular_value_decomposition(std::vector<double> a, int n);
// The same decomposition of the n × n circulant matrix C[i, j] = column[(i − j) mod n], in O(n²) from its
// discrete Fourier transform (a real basis of each conjugate pair of eigenvectors); singular values
// descending, the two of a conjugate pair equal.
Svd circulant_singular_value_decomposition(std::vector<double> const& column, int n);

}  // namespace voxflow::dsc

#endif
