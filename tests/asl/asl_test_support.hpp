// What the ASL tests share: the Buxton model as the issue writes it (an independent transcription, not the
// kernel's reformulation), label/control series built from it, and a run of quantify_asl on any execution
// space with its maps back on the host.
#ifndef VOXFLOW_TESTS_ASL_ASL_TEST_SUPPORT_HPP
#define VOXFLOW_TESTS_ASL_ASL_TEST_SUPPORT_HPP

#include <voxflow/asl/quantify_asl.hpp>
#include <voxflow/conformance/asl_conformance.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace voxflow::testing {

// The Buxton model (PCASL/CASL and PASL), transcribed independently of the kernel's tabulated form.
inline double buxton(asl::AslConstants const& c, double pld, double cbf, double att) {
  return conformance::reference_delta_m(c, pld, cbf, att);
}

// Voxels of label/control pairs: `repeats` pairs per delay, control first; control = 0.9 M0 (any static
// tissue signal cancels), label = control − M0 ΔM/M0, Gaussian noise of SD `noise_sd` (signal units) on every
// volume.
struct AslSeries {
  std::vector<double> plds;  // one per distinct delay
  int repeats = 1;
  std::vector<std::vector<double>> volumes;  // [voxel][volume]
  std::vector<double> m0;
  asl::DifferencePlan plan;
};

inline AslSeries make_series(asl::AslConstants const& c, std::vector<double> const& plds,
                             std::vector<double> const& cbf, std::vector<double> const& att,
                             std::vector<double> const& m0, int repeats = 1, double noise_sd = 0.0,
                             unsigned seed = 7) {
  AslSeries s;
  s.plds = plds;
  s.repeats = repeats;
  s.m0 = m0;
  s.plan.group_pld_s = plds;
  for (std::size_t g = 0; g < plds.size(); ++g)
    for (int r = 0; r < repeats; ++r) {
      int const first = static_cast<int>(2 * (g * repeats + r));
      s.plan.control.push_back(first);
      s.plan.label.push_back(first + 1);
      s.plan.group.push_back(static_cast<int>(g));
    }
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  for (std::size_t v = 0; v < cbf.size(); ++v) {
    std::vector<double> volumes;
    for (double pld : plds) {
      double const dm = m0[v] * buxton(c, pld, cbf[v], att[v]);
      for (int r = 0; r < repeats; ++r) {
        double const control = 0.9 * m0[v];
        volumes.push_back(control + noise_sd * gauss(rng));
        volumes.push_back(control - dm + noise_sd * gauss(rng));
      }
    }
    s.volumes.push_back(volumes);
  }
  return s;
}

struct AslMaps {
  std::vector<double> cbf, att, m0, r2;
  std::vector<FitStatus> status;
};

template <class ExecutionSpace>
AslMaps quantify(AslSeries const& s, asl::AslConstants const& c, asl::AslMethod method,
                 double const (&cbf_bounds)[2] = {0.0, 250.0}, double const (&att_bounds)[2] = {0.0, 4.0}) {
  using Mem = typename ExecutionSpace::memory_space;
  ExecutionSpace const space;
  std::size_t const n = s.volumes.size(), volumes = s.volumes.front().size();
  Series<Mem> series("series", n, volumes);
  Kokkos::View<double*, Mem> m0("m0", n);
  auto hs = Kokkos::create_mirror_view(series);
  auto hm = Kokkos::create_mirror_view(m0);
  for (std::size_t v = 0; v < n; ++v) {
    hm(v) = s.m0[v];
    for (std::size_t j = 0; j < volumes; ++j) hs(v, j) = s.volumes[v][j];
  }
  Kokkos::deep_copy(series, hs);
  Kokkos::deep_copy(m0, hm);
  auto const plan =
      asl::make_asl_plan<Mem>(space, s.plan, c, method, cbf_bounds, att_bounds, fit::LMOptions{}, "test");
  auto const columns = asl::asl_columns(method);
  Maps<Mem> values("values", n, columns.count);
  StatusMap<Mem> status("status", n);
  asl::quantify_asl(space, series, Kokkos::View<double const*, Mem>(m0), plan, values, status);
  auto const hv = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), values);
  auto const hst = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  AslMaps out;
  for (std::size_t v = 0; v < n; ++v) {
    out.cbf.push_back(hv(v, columns.cbf));
    out.m0.push_back(hv(v, columns.m0));
    if (columns.att >= 0) out.att.push_back(hv(v, columns.att));
    if (columns.r2 >= 0) out.r2.push_back(hv(v, columns.r2));
    out.status.push_back(static_cast<FitStatus>(hst(v)));
  }
  return out;
}

// How a noisy round trip went. A voxel fails when its fit did not converge or ended at a higher cost than the
// true parameters have on the same data: the optimizer missed the minimum (what a start with a zero
// Jacobian does, SPEC.md §6.6). Noise alone moves the minimum away from the truth but never fails a voxel.
struct RoundTrip {
  int voxels = 0, failed = 0, not_converged = 0;
  double median_cbf_error = 0.0;  // relative
  double median_att_error = 0.0;  // s
};

inline RoundTrip round_trip(AslSeries const& s, asl::AslConstants const& c, AslMaps const& maps,
                            std::vector<double> const& cbf, std::vector<double> const& att) {
  RoundTrip r;
  r.voxels = static_cast<int>(cbf.size());
  std::vector<double> cbf_error, att_error;
  for (std::size_t v = 0; v < cbf.size(); ++v) {
    // Mean ΔM/M0 per delay, then the cost of the fit and of the truth.
    double sse_fit = 0.0, sse_truth = 0.0, scale = 0.0;
    for (std::size_t g = 0; g < s.plds.size(); ++g) {
      double mean = 0.0;
      for (int k = 0; k < s.repeats; ++k) {
        std::size_t const first = 2 * (g * s.repeats + k);
        mean += (s.volumes[v][first] - s.volumes[v][first + 1]) / s.repeats;
      }
      mean /= s.m0[v];
      double const fit = buxton(c, s.plds[g], maps.cbf[v], maps.att[v]);
      double const truth = buxton(c, s.plds[g], cbf[v], att[v]);
      sse_fit += (mean - fit) * (mean - fit);
      sse_truth += (mean - truth) * (mean - truth);
      scale += mean * mean;
    }
    bool const converged =
        maps.status[v] == FitStatus::converged || maps.status[v] == FitStatus::converged_at_bound;
    bool const missed = !(sse_fit <= sse_truth * (1.0 + 1e-6) + 1e-12 * scale);
    r.not_converged += converged ? 0 : 1;
    r.failed += (!converged || missed) ? 1 : 0;
    cbf_error.push_back(std::fabs(maps.cbf[v] - cbf[v]) / cbf[v]);
    att_error.push_back(std::fabs(maps.att[v] - att[v]));
  }
  auto median = [](std::vector<double> x) {
    std::nth_element(x.begin(), x.begin() + x.size() / 2, x.end());
    return x[x.size() / 2];
  };
  r.median_cbf_error = median(cbf_error);
  r.median_att_error = median(att_error);
  return r;
}

}  // namespace voxflow::testing

#endif
