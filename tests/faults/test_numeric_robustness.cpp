// The numeric robustness sweep: every modality (DCE from concentration, DCE from signal with a VFA T1 map,
// DSC, IVIM, ASL) on hostile voxel data (NaN, Inf, negative, constant, all zero), a zero AIF, 3 and 2000
// frames, and a single voxel. A run either finishes or stops with a voxflow error (a clear message and its
// exit code), never anything else; in its maps a value is non-finite only where a status map says the voxel
// has no usable result, and a voxel whose data hold NaN or Inf never has one.
#include "pipeline/asl/asl_simulation.hpp"
#include "pipeline/dce/dce_simulation.hpp"
#include "pipeline/dsc/dsc_simulation.hpp"
#include "pipeline/ivim/ivim_simulation.hpp"
#include "pipeline_test.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/fit_status.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/nifti_image.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cfenv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace run = voxflow::pipeline;

namespace {

using voxflow::testing::read_file;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// A modality's small simulated subject: its configuration and the series the cases edit.
struct Subject {
  std::string config, series;
};

// What a case asks of the simulation.
struct Shape {
  std::array<int, 3> matrix{4, 3, 2};
  int frames = 0;  // 0: the simulator's own
};

struct Modality {
  std::string name;
  std::function<Subject(std::string const& dir, Shape const&)> simulate;
  bool dynamic;  // frames are time points (DCE, DSC), which the 3- and 2000-frame cases change
};

// A subject of a simulator of which only the grid is chosen (the modalities without time frames).
template <class Simulation, class Simulate>
Subject subject_on_grid(std::string const& dir, Shape const& shape, Simulate const& simulate,
                        std::string const& series) {
  Simulation sim;
  sim.out_dir = dir;
  sim.matrix = shape.matrix;
  return Subject{simulate(sim), dir + "/" + series};
}

// A DCE subject of `sim` on the case's grid and frames; its series is the concentration or the signal.
Subject dce_subject(std::string const& dir, Shape const& shape, run::dce_run::DceSimulation sim) {
  sim.out_dir = dir;
  sim.matrix = shape.matrix;
  if (shape.frames) sim.frames = shape.frames;
  std::string const config = run::dce_run::simulate_dce(sim);
  return Subject{config, dir + (sim.input == "concentration" ? "/conc.nii.gz" : "/signal.nii.gz")};
}

std::vector<Modality> modalities() {
  return {
      {"dce", [](std::string const& dir, Shape const& shape) { return dce_subject(dir, shape, {}); }, true},
      {"dce_vfa_t1",
       [](std::string const& dir, Shape const& shape) {
         auto sim = voxflow::testing::clean_signal_simulation();
         sim.input = "vfa";
         sim.bolus_delay_s = 8.0;
         return dce_subject(dir, shape, sim);
       },
       true},
      {"dsc",
       [](std::string const& dir, Shape const& shape) {
         run::dsc_run::DscSimulation sim;
         sim.out_dir = dir;
         bool const one_voxel = shape.matrix == std::array<int, 3>{1, 1, 1};
         sim.matrix = one_voxel ? std::array<int, 3>{2, 2, 1} : shape.matrix;  // its smallest grid
         if (shape.frames) sim.frames = shape.frames;
         Subject const subject{run::dsc_run::simulate_dsc(sim), dir + "/dsc.nii.gz"};
         if (one_voxel) {  // one voxel analysed: the first arterial one, its own AIF
           auto aif = voxflow::io::read_nifti(dir + "/aif_mask.nii.gz");
           auto const first = std::find_if(aif.data.begin(), aif.data.end(), [](double x) { return x > 0; });
           std::fill(first + 1, aif.data.end(), 0.0);
           std::array<int64_t, 3> const dims{aif.dims[0], aif.dims[1], aif.dims[2]};
           voxflow::io::write_nifti(dir + "/aif_mask.nii.gz", aif.geometry, dims, aif.data);
           voxflow::io::write_nifti(dir + "/mask.nii.gz", aif.geometry, dims, aif.data);
         }
         return subject;
       },
       true},
      {"ivim",
       [](std::string const& dir, Shape const& shape) {
         return subject_on_grid<run::ivim_run::IvimSimulation>(dir, shape, run::ivim_run::simulate_ivim,
                                                               "dwi.nii.gz");
       },
       false},
      {"asl",
       [](std::string const& dir, Shape const& shape) {
         return subject_on_grid<run::asl_run::AslSimulation>(dir, shape, run::asl_run::simulate_asl,
                                                             "asl.nii.gz");
       },
       false},
  };
}

// A hostile case: the shape it simulates, and what it does to the subject (given the first voxel inside the
// mask); `poisoned` when that voxel's data then hold NaN or Inf.
struct Case {
  std::string name;
  Shape shape;
  std::function<void(voxflow::io::NiftiImage& series, std::size_t voxel)> edit;
  bool poisoned = false;
  bool dynamic_only = false;
  int64_t keep_frames = 0;  // > 0: the series (and its timing file) cut to its first frames
};

// The series cut to its first `frames` frames, and time.txt beside it to as many lines.
void keep_first_frames(std::string const& series_path, int64_t frames) {
  auto series = voxflow::io::read_nifti(series_path);
  series.dims[3] = frames;
  series.data.resize(static_cast<std::size_t>(series.voxels_per_volume() * frames));
  voxflow::io::write_nifti_4d(series_path, series.geometry, series.dims, series.data);
  fs::path const timing = fs::path(series_path).parent_path() / "time.txt";
  std::ifstream in(timing);
  std::string kept, line;
  for (int64_t t = 0; t < frames && std::getline(in, line); ++t) kept += line + "\n";
  voxflow::io::write_text_atomically(timing.string(), kept);
}

void for_each_frame(voxflow::io::NiftiImage& image, std::size_t voxel,
                    std::function<void(double&)> const& f) {
  for (int64_t t = 0; t < image.dims[3]; ++t)
    f(image.data[voxel + static_cast<std::size_t>(t * image.voxels_per_volume())]);
}

std::vector<Case> cases() {
  return {
      {"nan_voxel",
       {},
       [](auto& s, std::size_t v) { for_each_frame(s, v, [](double& x) { x = nan; }); },
       true},
      {"one_nan_frame", {}, [](auto& s, std::size_t v) { s.data[v] = nan; }, true},
      {"inf_voxel",
       {},
       [](auto& s, std::size_t v) { for_each_frame(s, v, [](double& x) { x = inf; }); },
       true},
      {"minus_inf_frame", {}, [](auto& s, std::size_t v) { s.data[v] = -inf; }, true},
      {"negative_voxel",
       {},
       [](auto& s, std::size_t v) { for_each_frame(s, v, [](double& x) { x = -std::fabs(x) - 1; }); }},
      {"constant_voxel",
       {},
       [](auto& s, std::size_t v) {
         double const first = s.data[v];
         for_each_frame(s, v, [&](double& x) { x = first; });
       }},
      {"all_zero", {}, [](auto& s, std::size_t) { std::fill(s.data.begin(), s.data.end(), 0.0); }},
      {"zero_aif", {}, nullptr, false, true},
      {"three_frames", {}, nullptr, false, true, 3},
      {"two_thousand_frames", {{4, 3, 2}, 2000}, nullptr, false, true},
      {"one_voxel", {{1, 1, 1}, 0}, nullptr},
  };
}

struct SweepPoint {
  Modality modality;
  Case hostile;
};

std::vector<SweepPoint> sweep() {
  std::vector<SweepPoint> points;
  for (auto const& m : modalities())
    for (auto const& c : cases())
      if (m.dynamic || !c.dynamic_only) points.push_back({m, c});
  return points;
}

void PrintTo(Modality const& modality, std::ostream* out) {
  *out << modality.name;
}

// How gtest and ctest name a point: "dsc/zero_aif", not its bytes.
void PrintTo(SweepPoint const& point, std::ostream* out) {
  *out << point.modality.name << "/" << point.hostile.name;
}

std::string point_name(::testing::TestParamInfo<SweepPoint> const& point) {
  return point.param.modality.name + "_" + point.param.hostile.name;
}

class NumericRobustness : public voxflow::testing::PipelineTest,
                          public ::testing::WithParamInterface<SweepPoint> {
 protected:
  // The first voxel inside the subject's mask.
  std::size_t first_masked_voxel() const {
    auto const mask = voxflow::io::read_nifti((dir_ / "mask.nii.gz").string());
    for (std::size_t i = 0; i < mask.data.size(); ++i)
      if (mask.data[i] > 0) return i;
    return 0;
  }
  // A zero AIF: DSC's measured AIF voxels without a bolus; DCE's AIF measured in one voxel of zero
  // concentration (the modalities without an AIF have no such case).
  void make_zero_aif(Subject const& subject, std::size_t voxel) const {
    auto series = voxflow::io::read_nifti(subject.series);
    std::string config = read_file(subject.config);
    if (GetParam().modality.name == "dsc") {
      auto const aif = voxflow::io::read_nifti((dir_ / "aif_mask.nii.gz").string());
      for (std::size_t i = 0; i < aif.data.size(); ++i)
        if (aif.data[i] > 0) {
          double const first = series.data[i];
          for_each_frame(series, i, [&](double& x) { x = first; });
        }
    } else {
      for_each_frame(series, voxel, [](double& x) { x = 0.0; });
      auto mask = voxflow::io::read_nifti((dir_ / "mask.nii.gz").string());
      std::fill(mask.data.begin(), mask.data.end(), 0.0);
      mask.data[voxel] = 1.0;
      voxflow::io::write_nifti((dir_ / "aif.nii.gz").string(), mask.geometry,
                               {mask.dims[0], mask.dims[1], mask.dims[2]}, mask.data);
      auto const at = config.find("source: population\n  model: parker");
      ASSERT_NE(at, std::string::npos);
      config.replace(at, 34, "source: measured\n  mask: aif.nii.gz");
      voxflow::io::write_text_atomically(subject.config, config);
    }
    voxflow::io::write_nifti_4d(subject.series, series.geometry, series.dims, series.data);
  }

  // Every map below out/: a non-finite value only where some status map says "not usable" or "flat signal"
  // (DSC documents NaN maps for a flat voxel, under a code the core counts as usable); the voxel `poisoned`
  // (when set) not usable in at least one (a T1 map fitted from clean VFA data stays usable).
  void expect_consistent_maps(std::optional<std::size_t> poisoned) const {
    std::vector<voxflow::io::NiftiImage> status, maps;
    for (auto const& e : fs::recursive_directory_iterator(dir_ / "out")) {
      std::string const path = e.path().string();
      if (!voxflow::io::ends_with(path, ".nii.gz")) continue;
      (path.find("fitstatus_dseg") != std::string::npos ? status : maps)
          .push_back(voxflow::io::read_nifti(path));
    }
    ASSERT_FALSE(status.empty());
    auto usable_everywhere = [&](std::size_t v, bool flat_counts) {
      for (auto const& s : status) {
        auto const code = static_cast<voxflow::FitStatus>(s.data[v]);
        if (!voxflow::fit_status_usable(code) || (!flat_counts && code == voxflow::FitStatus::flat_signal))
          return false;
      }
      return true;
    };
    for (auto const& m : maps)
      for (std::size_t v = 0; v < m.data.size(); ++v)
        if (!std::isfinite(m.data[v])) {
          EXPECT_FALSE(usable_everywhere(v, false)) << m.path << " voxel " << v;
        }
    if (poisoned) {
      EXPECT_FALSE(usable_everywhere(*poisoned, true)) << "a voxel with NaN or Inf data has usable results";
    }
  }
};

TEST_P(NumericRobustness, EndsWithMapsOrAVoxflowErrorNeverACrash) {
  auto const& [modality, hostile] = GetParam();
  Subject const subject = modality.simulate(dir_.string(), hostile.shape);
  std::size_t const voxel = first_masked_voxel();
  if (hostile.edit) {
    auto series = voxflow::io::read_nifti(subject.series);
    hostile.edit(series, voxel);
    voxflow::io::write_nifti_4d(subject.series, series.geometry, series.dims, series.data);
  }
  if (hostile.name == "zero_aif") make_zero_aif(subject, voxel);
  if (hostile.keep_frames) keep_first_frames(subject.series, hostile.keep_frames);
  try {
    auto const report = run(subject.config);
    std::printf("%s/%s: %lld of %lld voxels usable%s\n", modality.name.c_str(), hostile.name.c_str(),
                static_cast<long long>(report.usable), static_cast<long long>(report.fitted),
                report.failure.empty() ? "" : (": " + report.failure).c_str());
    expect_consistent_maps(hostile.poisoned ? std::optional<std::size_t>(voxel) : std::nullopt);
  } catch (voxflow::Error const& e) {
    // Refused with a clear message: the inputs (4) or the configuration they need (3), never an internal
    // failure.
    std::printf("%s/%s: refused (exit %d): %s\n", modality.name.c_str(), hostile.name.c_str(),
                static_cast<int>(e.code()), e.what());
    EXPECT_TRUE(e.code() == voxflow::ExitCode::input || e.code() == voxflow::ExitCode::config) << e.what();
  }
}

// Clean data of every modality raise no invalid operation and no division by zero on the host: there an FP
// exception signals a bug (voxels with hostile data may raise them by design: their results are NaN with a
// status). The traps are this thread's; one host thread (the faults label runs with OMP_NUM_THREADS=1) keeps
// every kernel on it.
class FloatingPointTraps : public voxflow::testing::PipelineTest,
                           public ::testing::WithParamInterface<Modality> {};

TEST_P(FloatingPointTraps, CleanDataRaiseNoInvalidOperationOrDivisionByZero) {
  Subject const subject = GetParam().simulate(dir_.string(), Shape{});
  voxflow::pipeline::Overrides overrides;
  overrides.threads = 1;
  std::feclearexcept(FE_ALL_EXCEPT);
  ::feenableexcept(FE_INVALID | FE_DIVBYZERO);
  ASSERT_EQ(::fegetexcept() & (FE_INVALID | FE_DIVBYZERO), FE_INVALID | FE_DIVBYZERO);  // SIGFPE if raised
  auto const report = run(subject.config, overrides);
  ::fedisableexcept(FE_ALL_EXCEPT);
  EXPECT_GT(report.usable, 0);
}

INSTANTIATE_TEST_SUITE_P(EveryModality, FloatingPointTraps, ::testing::ValuesIn(modalities()),
                         [](::testing::TestParamInfo<Modality> const& m) { return m.param.name; });

INSTANTIATE_TEST_SUITE_P(EveryModality, NumericRobustness, ::testing::ValuesIn(sweep()), point_name);

}  // namespace
