// The osipy ASL DRO (reference README §8: ground-truth CBF, ATT and M0 maps only, no signals) as the truth of
// a round trip on every execution space: multi-PLD PCASL signals synthesised from the maps with the issue's
// Buxton model (osipy's defaults: T1b 1.65 s, λ 0.9, α 0.85, τ 1.8 s, the DRO's six delays), quantified, and
// compared with the maps inside the brain mask. Tolerances are ours (none exists): 1e-4 relative noise-free;
// at a realistic SNR fewer than 5 % of the brain voxels fail (round_trip in asl_test_support.hpp).
#include "asl_test_support.hpp"
#include "backend_of.hpp"
#include "execution_spaces.hpp"
#include "reference_data.hpp"

#include <voxflow/io/csv_table.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <vector>

namespace {

using voxflow::FitStatus;
using voxflow::asl::AslConstants;
using voxflow::asl::AslMethod;

constexpr std::size_t dro_voxels = 64 * 64 * 6;

template <class T>
std::vector<double> read_raw(std::string const& name) {
  std::string const path = voxflow::testing::reference_file("asl/osipy_dro/" + name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::vector<T> raw(dro_voxels);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size() * sizeof(T)));
  EXPECT_EQ(in.gcount(), static_cast<std::streamsize>(raw.size() * sizeof(T))) << path;
  return std::vector<double>(raw.begin(), raw.end());
}

// The brain voxels of the visible slices: CBF, ATT, M0 of each, and the DRO's delays.
struct Dro {
  std::vector<double> cbf, att, m0, plds;
};

Dro brain_voxels() {
  auto const cbf = read_raw<double>("cbf_k0-5.f64"), att = read_raw<double>("att_k0-5.f64"),
             m0 = read_raw<double>("m0_k0-5.f64");
  auto const mask = read_raw<unsigned char>("mask_k0-5.u8");
  Dro d;
  for (std::size_t i = 0; i < dro_voxels; ++i)
    if (mask[i] > 0) {
      d.cbf.push_back(cbf[i]);
      d.att.push_back(att[i]);
      d.m0.push_back(m0[i]);
    }
  auto const table = voxflow::io::CsvTable::read(voxflow::testing::reference_file("asl/osipy_dro/plds.csv"));
  for (std::size_t r = 0; r < table.rows(); ++r) d.plds.push_back(table.number(r, "pld_s"));
  return d;
}

template <class ExecutionSpace>
class AslDro : public ::testing::Test {};
TYPED_TEST_SUITE(AslDro, voxflow::testing::ExecutionSpaces, voxflow::testing::ExecutionSpaceNames);

TYPED_TEST(AslDro, TheMapsAreTheShapeTheReadmeDescribes) {
  auto const d = brain_voxels();
  // i, j in 16..47 and k in 2..5 of the visible slices 0..5.
  EXPECT_EQ(d.cbf.size(), 32u * 32u * 4u);
  EXPECT_EQ(d.plds, (std::vector<double>{0.25, 0.5, 0.75, 1.0, 1.5, 2.0}));
  for (std::size_t v = 0; v < d.cbf.size(); ++v) {
    EXPECT_TRUE((d.cbf[v] >= 57 && d.cbf[v] <= 63) || (d.cbf[v] >= 22 && d.cbf[v] <= 28)) << d.cbf[v];
    EXPECT_TRUE(d.att[v] >= 1.1 - 1e-6 && d.att[v] <= 1.9 + 1e-6) << d.att[v];
  }
}

// The conformance runner's round trip (voxflow conformance): every brain voxel within 1e-4 relative.
TYPED_TEST(AslDro, NoiseFreeRoundTripRecoversTheMapsTo1e4) {
  voxflow::conformance::RunContext ctx;
  ctx.path = voxflow::testing::reference_file("asl/osipy_dro/plds.csv");
  ctx.relative_path = "asl/osipy_dro/plds.csv";
  ctx.backend = voxflow::testing::backend_of<TypeParam>();
  auto const report = voxflow::conformance::run_asl_dro_file(ctx);
  EXPECT_EQ(report.cases.size(), 32u * 32u * 4u);
  EXPECT_EQ(report.passed(), static_cast<int>(report.cases.size()));
  for (auto const& c : report.cases)
    if (!c.pass()) {
      ADD_FAILURE() << c.label << ": CBF " << c.checks[0].measured << " vs " << c.checks[0].reference
                    << ", ATT " << c.checks[1].measured << " vs " << c.checks[1].reference;
      break;
    }
}

// Noise SD of the per-delay mean ΔM at 1/10 of the grey-matter peak (white matter: SNR about 3 per delay).
TYPED_TEST(AslDro, FewerThanFivePercentOfBrainVoxelsFailAtRealisticSnr) {
  auto const d = brain_voxels();
  AslConstants const c;
  double peak = 0.0;
  for (double pld : d.plds) peak = std::max(peak, 1000.0 * voxflow::testing::buxton(c, pld, 60.0, 1.2));
  int const repeats = 4;
  auto const s = voxflow::testing::make_series(c, d.plds, d.cbf, d.att, d.m0, repeats,
                                               peak / 10.0 * std::sqrt(repeats / 2.0), 11);
  auto const maps = voxflow::testing::quantify<TypeParam>(s, c, AslMethod::multi_pld);
  auto const r = voxflow::testing::round_trip(s, c, maps, d.cbf, d.att);
  EXPECT_LT(r.failed, 0.05 * r.voxels) << r.failed << " of " << r.voxels;
  EXPECT_LT(r.median_cbf_error, 0.15);
  EXPECT_LT(r.median_att_error, 0.15);
  std::printf(
      "osipy DRO at realistic SNR: %d of %d brain voxels failed (%d not converged), median |CBF error| "
      "%.3f, |ATT error| %.3f s\n",
      r.failed, r.voxels, r.not_converged, r.median_cbf_error, r.median_att_error);
}

}  // namespace
