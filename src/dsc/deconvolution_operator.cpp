#include <voxflow/core/errors.hpp>
#include <voxflow/dsc/deconvolution_operator.hpp>
#include <voxflow/dsc/host_blas.hpp>
#include <voxflow/dsc/lcurve.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

// LAPACK (OpenBLAS, linked through KokkosKernels' TPL targets).
extern "C" void dgesvd_(char const* jobu, char const* jobvt, int const* m, int const* n, double* a,
                        int const* lda, double* s, double* u, int const* ldu, double* vt, int const* ldvt,
                        double* work, int const* lwork, int* info);

namespace voxflow::dsc {

Svd singular_value_decomposition(std::vector<double> a, int n) {
  Svd svd;
  svd.n = n;
  svd.u.resize(static_cast<std::size_t>(n) * n);
  svd.vt.resize(static_cast<std::size_t>(n) * n);
  svd.s.resize(static_cast<std::size_t>(n));
  char const job = 'A';
  int info = 0, lwork = -1;
  double query = 0.0;
  // A 2N × 2N decomposition is too small to gain from BLAS threads, and threads woken here would go on
  // spinning against the execution space's threads of the products that follow.
  SingleThreadedHostBlas const single_threaded;
  dgesvd_(&job, &job, &n, &n, a.data(), &n, svd.s.data(), svd.u.data(), &n, svd.vt.data(), &n, &query, &lwork,
          &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgesvd_(&job, &job, &n, &n, a.data(), &n, svd.s.data(), svd.u.data(), &n, svd.vt.data(), &n, work.data(),
          &lwork, &info);
  if (info != 0)
    throw Error(ExitCode::failure, "voxflow::dsc: LAPACK dgesvd failed (info " + std::to_string(info) + ")");
  return svd;
}

namespace {

// Column-major M × M AIF matrix: causal Toeplitz (M = N) or block-circulant of the AIF padded to M = 2N.
std::vector<double> aif_matrix(std::vector<double> const& aif, double dt_s, bool circulant) {
  int const n = static_cast<int>(aif.size());
  int const m = circulant ? 2 * n : n;
  std::vector<double> a(static_cast<std::size_t>(m) * m, 0.0);
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < m; ++i) {
      int const lag = circulant ? ((i - j) % m + m) % m : i - j;
      if (lag >= 0 && lag < n)
        a[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * m] = dt_s * aif[lag];
    }
  return a;
}

// Appends V · diag(filter) · Uᵀ restricted to the first `frames` columns (row-major length × frames).
void append_pinv(Svd const& svd, std::vector<double> const& filter, int frames, std::vector<double>& out) {
  int const m = svd.n;
  std::size_t const base = out.size();
  out.resize(base + static_cast<std::size_t>(m) * frames, 0.0);
  for (int k = 0; k < m; ++k) {
    double const f = filter[static_cast<std::size_t>(k)];
    if (f == 0.0) continue;
    for (int i = 0; i < m; ++i) {
      double const v_ik = svd.vt[static_cast<std::size_t>(k) + static_cast<std::size_t>(i) * m] * f;
      double* row = &out[base + static_cast<std::size_t>(i) * frames];
      for (int j = 0; j < frames; ++j)
        row[j] += v_ik * svd.u[static_cast<std::size_t>(j) + static_cast<std::size_t>(k) * m];
    }
  }
}

// The first k components of the SVD as the operator's factors `left` = U[:frames, c] / s_c and `right` = V[:,
// c].
void keep_factors(Svd const& svd, int k, DeconvolutionOperator& op) {
  int const m = op.length;
  op.components = k;
  op.left.assign(static_cast<std::size_t>(op.frames) * k, 0.0);
  op.right.assign(static_cast<std::size_t>(k) * m, 0.0);
  for (int c = 0; c < k; ++c) {
    double const inv_s = 1.0 / svd.s[static_cast<std::size_t>(c)];
    for (int j = 0; j < op.frames; ++j)
      op.left[static_cast<std::size_t>(j) * k + c] =
          svd.u[static_cast<std::size_t>(j) + static_cast<std::size_t>(c) * m] * inv_s;
    for (int i = 0; i < m; ++i)
      op.right[static_cast<std::size_t>(c) * m + i] =
          svd.vt[static_cast<std::size_t>(c) + static_cast<std::size_t>(i) * m];
  }
}

}  // namespace

DeconvolutionOperator build_deconvolution_operator(std::vector<double> const& aif, double dt_s,
                                                   DeconvolutionOptions const& options,
                                                   std::string const& source) {
  require_input(aif.size() >= 3, source, "aif", "an AIF of at least 3 frames");
  require_input(std::all_of(aif.begin(), aif.end(), [](double c) { return std::isfinite(c); }), source, "aif",
                "a finite AIF curve");
  require_input(std::any_of(aif.begin(), aif.end(), [](double c) { return c != 0.0; }), source, "aif",
                "an AIF that is not zero at every frame");
  require_input(dt_s > 0.0 && std::isfinite(dt_s), source, "timing", "a positive frame spacing");
  DeconvolutionOperator op;
  op.method = options.method;
  op.frames = static_cast<int>(aif.size());
  bool const circulant = is_circulant(options.method);
  op.length = circulant ? 2 * op.frames : op.frames;
  op.dt_s = dt_s;
  op.oscillation_bound = options.oscillation_bound;
  Svd const svd = singular_value_decomposition(aif_matrix(aif, dt_s, circulant), op.length);
  op.singular_values = svd.s;
  double const s_max = svd.s.front();
  switch (options.method) {
    case DeconvolutionMethod::ssvd:
    case DeconvolutionMethod::csvd:
      op.thresholds = {options.threshold};
      break;
    case DeconvolutionMethod::osvd:
      op.thresholds = options.osvd_thresholds;
      std::sort(op.thresholds.begin(), op.thresholds.end());
      break;
    case DeconvolutionMethod::tikhonov:
      op.lcurve = options.lambda_selection == LambdaSelection::lcurve;
      op.thresholds = op.lcurve ? lcurve_lambdas() : std::vector<double>{options.tikhonov_lambda};
      break;
  }
  op.candidates = static_cast<int>(op.thresholds.size());
  if (options.method == DeconvolutionMethod::osvd) {
    for (double t : op.thresholds)
      op.kept.push_back(static_cast<int>(
          std::count_if(svd.s.begin(), svd.s.end(), [&](double s) { return s > t * s_max; })));
    keep_factors(svd, op.kept.front(), op);
    return op;
  }
  if (op.lcurve) {
    // Components of a singular value 0 (an AIF that is 0 at the first frame) would divide by 0; their
    // filter factor is below 10⁻¹⁸ for every λ of the grid.
    keep_factors(svd,
                 static_cast<int>(
                     std::count_if(svd.s.begin(), svd.s.end(), [&](double s) { return s > 1e-12 * s_max; })),
                 op);
    op.kept = {op.components};
    return op;
  }
  if (options.method != DeconvolutionMethod::tikhonov) {
    // The truncated pseudo-inverse also factored: cheaper than `pinv` on the host when its rank is low.
    double const t = op.thresholds.front();
    op.kept = {
        static_cast<int>(std::count_if(svd.s.begin(), svd.s.end(), [&](double s) { return s > t * s_max; }))};
    keep_factors(svd, op.kept.front(), op);
  }
  op.pinv.reserve(static_cast<std::size_t>(op.length) * op.frames);
  std::vector<double> filter(static_cast<std::size_t>(op.length));
  double const t = op.thresholds.front();
  for (int k = 0; k < op.length; ++k) {
    double const s = svd.s[static_cast<std::size_t>(k)];
    if (options.method == DeconvolutionMethod::tikhonov) {
      double const lambda = t * s_max;
      filter[static_cast<std::size_t>(k)] = s / (s * s + lambda * lambda);
    } else {
      filter[static_cast<std::size_t>(k)] = s > t * s_max ? 1.0 / s : 0.0;
    }
  }
  append_pinv(svd, filter, op.frames, op.pinv);
  return op;
}

}  // namespace voxflow::dsc
