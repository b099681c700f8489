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

Svd circulant_singular_value_decomposition(std::vector<double> const& column, int n) {
  // The circulant matrix C[i, j] = column[(i − j) mod n] has the eigenvectors f_k(j) = e^{2πi·jk/n}/√n with
  // the eigenvalues λ_k = Σ_j column[j]·e^{−2πi·jk/n}, and λ_{n−k} = conj(λ_k). Writing λ_k = σ_k·e^{iφ_k}
  // and a, b for the real and imaginary parts of f_k, the pair k, n − k contributes σ_k·(u1·v1ᵀ + u2·v2ᵀ)
  // with v1 = √2·a, v2 = √2·b, u1 = cos φ·v1 − sin φ·v2, u2 = cos φ·v2 + sin φ·v1; k = 0 and k = n/2 are
  // real: σ = |λ|, v = a, u = sign(λ)·v. Both members of a pair get the same σ, so a threshold keeps or drops
  // them together.
  std::size_t const m = static_cast<std::size_t>(n);
  std::vector<double> cos_t(m), sin_t(m);
  double const pi = std::acos(-1.0), two_pi = 2.0 * pi;
  for (std::size_t r = 0; r < m; ++r) {
    cos_t[r] = std::cos(two_pi * static_cast<double>(r) / n);
    sin_t[r] = std::sin(two_pi * static_cast<double>(r) / n);
  }
  std::size_t last = m;  // the column's nonzero prefix (the AIF before its zero padding)
  while (last > 0 && column[last - 1] == 0.0) --last;
  struct Component {
    double sigma, phase;
    std::size_t k;
    int part;  // 0: the cosine vector (or a real singleton), 1: the sine vector
  };
  std::vector<Component> components;
  components.reserve(m);
  for (std::size_t k = 0; k <= m / 2; ++k) {
    double re = 0.0, im = 0.0;
    for (std::size_t j = 0; j < last; ++j) {
      std::size_t const r = (j * k) % m;
      re += column[j] * cos_t[r];
      im -= column[j] * sin_t[r];
    }
    bool const singleton = k == 0 || 2 * k == m;
    if (singleton) {
      components.push_back({std::fabs(re), re < 0.0 ? pi : 0.0, k, 0});
    } else {
      double const sigma = std::hypot(re, im), phase = std::atan2(im, re);
      components.push_back({sigma, phase, k, 0});
      components.push_back({sigma, phase, k, 1});
    }
  }
  std::stable_sort(components.begin(), components.end(),
                   [](Component const& x, Component const& y) { return x.sigma > y.sigma; });
  Svd svd;
  svd.n = n;
  svd.s.resize(m);
  svd.u.assign(m * m, 0.0);
  svd.vt.assign(m * m, 0.0);
  for (std::size_t c = 0; c < m; ++c) {
    Component const& p = components[c];
    svd.s[c] = p.sigma;
    bool const singleton = p.k == 0 || 2 * p.k == m;
    double const scale = (singleton ? 1.0 : std::sqrt(2.0)) / std::sqrt(static_cast<double>(n));
    double const cos_phi = std::cos(p.phase), sin_phi = std::sin(p.phase);
    for (std::size_t j = 0; j < m; ++j) {
      std::size_t const r = (j * p.k) % m;
      double const a = scale * cos_t[r], b = singleton ? 0.0 : scale * sin_t[r];
      double const v = p.part == 0 ? a : b;
      double const u = p.part == 0 ? cos_phi * a - sin_phi * b : cos_phi * b + sin_phi * a;
      svd.vt[c + j * m] = v;
      svd.u[j + c * m] = u;
    }
  }
  return svd;
}

namespace {

// Column-major N × N causal (lower-triangular Toeplitz) AIF matrix.
std::vector<double> causal_aif_matrix(std::vector<double> const& aif, double dt_s) {
  std::size_t const n = aif.size();
  std::vector<double> a(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = j; i < n; ++i) a[i + j * n] = dt_s * aif[i - j];
  return a;
}

// The first column of the block-circulant matrix of the AIF zero-padded to 2N (Wu et al. 2003).
std::vector<double> circulant_aif_column(std::vector<double> const& aif, double dt_s) {
  std::vector<double> column(2 * aif.size(), 0.0);
  for (std::size_t j = 0; j < aif.size(); ++j) column[j] = dt_s * aif[j];
  return column;
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
  // The circulant matrix's SVD from its DFT in O(N²); a dense dgesvd of it would be O(N³) (minutes at 2000
  // frames).
  Svd const svd = circulant
                      ? circulant_singular_value_decomposition(circulant_aif_column(aif, dt_s), op.length)
                      : singular_value_decomposition(causal_aif_matrix(aif, dt_s), op.length);
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
