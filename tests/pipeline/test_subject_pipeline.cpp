// The subject pipeline's guarantees, whatever the modality, shown with DCE: a configuration value takes
// effect, the saved configuration reruns to byte-identical maps, a finished subject is trusted only when its
// files verify, leftovers of killed runs go, a run that gives nothing usable fails, outputs are planned
// (writable, room, NIfTI-2) before any voxel is read, a DICOM input is decoded once, and the chunked AIF
// detection finds what the one-piece detector finds.
#include "pipeline_test.hpp"

#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/core/errors.hpp>
#include <voxflow/io/dicom_series.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/output_lock.hpp>
#include <voxflow/pipeline/run_record.hpp>
#include <voxflow/pipeline/run_subject.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

namespace fs = std::filesystem;
using namespace voxflow;
using pipeline::dce_run::DceSimulation;

namespace {

using voxflow::testing::read_file;

nlohmann::json read_json(fs::path const& path) {
  return nlohmann::json::parse(read_file(path));
}

class SubjectPipeline : public voxflow::testing::PipelineTest {
 protected:
  // Appends `yaml` (whole sections) to the simulated configuration under a new name.
  std::string variant(std::string const& config, std::string const& name,
                      std::string const& replace_from = "", std::string const& replace_to = "") {
    std::string text = read_file(config);
    if (!replace_from.empty()) {
      auto const at = text.find(replace_from);
      EXPECT_NE(at, std::string::npos) << replace_from;
      text.replace(at, replace_from.size(), replace_to);
    }
    auto const path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // Overrides that send the outputs to <dir>/<folder>.
  pipeline::Overrides into(std::string const& folder) const {
    pipeline::Overrides o;
    o.output_dir = (dir_ / folder).string();
    return o;
  }
  fs::path perf(std::string const& out = "out") const { return dir_ / out / "sub-sim" / "perf"; }
  // Maps BIDS names only in anat/ go there: T1map, M0map and the status segmentations.
  fs::path anat(std::string const& out = "out") const { return dir_ / out / "sub-sim" / "anat"; }
  std::set<std::string> names_in(fs::path const& folder) const {
    std::set<std::string> names;
    for (auto const& e : fs::directory_iterator(folder)) names.insert(e.path().filename().string());
    return names;
  }
};

TEST_F(SubjectPipeline, TheSavedConfigurationRerunsToByteIdenticalMaps) {
  // Relative paths everywhere, a VFA series mapped in the run and flip angles from a text file: everything
  // the saved copy must resolve on its own.
  DceSimulation sim;
  sim.input = "vfa";
  sim.bolus_delay_s = 20.0;
  auto const config = simulate(sim);
  std::ofstream(dir_ / "angles.txt") << "2\n5\n10\n15\n20\n";
  auto const relative = variant(config, "relative.yaml", "[2, 5, 10, 15, 20]", "angles.txt");
  run(relative);
  auto const saved = perf() / "sub-sim_desc-extendedtofts_run.yaml";
  fs::create_directories(dir_ / "elsewhere");
  fs::copy_file(saved, dir_ / "elsewhere" / "rerun.yaml");
  pipeline::Overrides elsewhere;
  elsewhere.output_dir = (dir_ / "again").string();
  run((dir_ / "elsewhere" / "rerun.yaml").string(), elsewhere);
  int compared = 0;
  for (auto const& folder : {perf(), anat()})
    for (auto const& name : names_in(folder)) {
      if (name.find(".nii") == std::string::npos) continue;
      EXPECT_EQ(read_file(folder / name), read_file(dir_ / "again" / "sub-sim" / folder.filename() / name)) << name;
      ++compared;
    }
  EXPECT_EQ(compared, 9);  // Ktrans ve vp rsquared kep T1map M0map + two status segmentations
}

TEST_F(SubjectPipeline, ConfigurationValuesTakeEffect) {
  auto const config = simulate();
  // output flags: plain NIfTI, no HDF5, no QC image.
  auto const bare =
      variant(config, "bare.yaml", "backend: auto\noutput:\n  dir: out\n",
              "backend: serial\noutput:\n  dir: bare\n  compress: false\n  hdf5: false\n  qc: false\n");
  auto const report = run(bare);
  EXPECT_EQ(report.backend, "serial");
  auto const names = names_in(perf("bare"));
  EXPECT_TRUE(names.count("sub-sim_desc-extendedtofts_Ktrans.nii"));
  EXPECT_FALSE(names.count("sub-sim_desc-extendedtofts_Ktrans.nii.gz"));
  EXPECT_FALSE(names.count("sub-sim_desc-extendedtofts_voxflow.h5"));
  EXPECT_FALSE(names.count("sub-sim_desc-extendedtofts_qc.png"));
  EXPECT_EQ(read_json(perf("bare") / "sub-sim_desc-extendedtofts_run.json")["Backend"], "serial");
  // aif.model and aif.source reach the AIF; fit.convolution reaches the maps.
  auto const weinmann = variant(config, "weinmann.yaml", "model: parker", "model: weinmann");
  run(weinmann, into("weinmann"));
  EXPECT_EQ(read_json(dir_ / "weinmann/sub-sim/perf/sub-sim_desc-extendedtofts_aif.json")["Model"],
            "weinmann");
  auto const measured =
      variant(config, "measured.yaml", "source: population", "source: measured\n  mask: mask.nii.gz");
  run(measured, into("measured"));
  EXPECT_EQ(read_json(dir_ / "measured/sub-sim/perf/sub-sim_desc-extendedtofts_aif.json")["Source"],
            "measured");
  auto const osipy = variant(config, "osipy.yaml", "model: extended_tofts",
                             "model: extended_tofts\n  convolution: osipy_compatible");
  run(osipy, into("osipy"));
  run(config);
  EXPECT_NE(read_file(dir_ / "osipy/sub-sim/perf/sub-sim_desc-extendedtofts_Ktrans.nii.gz"),
            read_file(perf() / "sub-sim_desc-extendedtofts_Ktrans.nii.gz"));
  EXPECT_NE(read_json(dir_ / "osipy/sub-sim/perf/sub-sim_desc-extendedtofts_Ktrans.json")["Method"]
                .get<std::string>()
                .find("osipy"),
            std::string::npos);
  // fit.max_iterations: one iteration leaves voxels at the limit.
  auto const short_fit =
      variant(config, "short.yaml", "model: extended_tofts", "model: extended_tofts\n  max_iterations: 1");
  run(short_fit, into("short"));
  auto const status =
      io::read_nifti((anat("short") / "sub-sim_desc-extendedtoftsfitstatus_dseg.nii.gz").string());
  EXPECT_NE(
      std::count(status.data.begin(), status.data.end(), static_cast<double>(FitStatus::max_iterations)), 0);
}

TEST_F(SubjectPipeline, ResumeTrustsAFinishedSubjectOnlyWhenItsFilesVerify) {
  auto const config = simulate();
  run(config);
  auto const record = perf() / "sub-sim_desc-extendedtofts_run.json";
  auto const state = pipeline::check_run_record(record.string(), (dir_ / "out").string());
  EXPECT_TRUE(state.complete) << state.problem;
  EXPECT_GE(state.files.size(), 10u);
  EXPECT_TRUE(run(config, {}, true).skipped);
  // A map cut short since: the subject is redone, then trusted again.
  auto const ve = perf() / "sub-sim_desc-extendedtofts_ve.nii.gz";
  fs::resize_file(ve, fs::file_size(ve) / 2);
  EXPECT_FALSE(pipeline::check_run_record(record.string(), (dir_ / "out").string()).complete);
  EXPECT_FALSE(run(config, {}, true).skipped);
  EXPECT_TRUE(run(config, {}, true).skipped);
  // An empty run record is no proof either.
  std::ofstream(record, std::ios::trunc).close();
  EXPECT_FALSE(run(config, {}, true).skipped);
  EXPECT_TRUE(pipeline::check_run_record(record.string(), (dir_ / "out").string()).complete);
}

TEST_F(SubjectPipeline, LeftoversOfAKilledRunGoAndFilesOfAnEarlierRunDoNotMix) {
  DceSimulation sim;
  sim.input = "vfa";
  sim.bolus_delay_s = 20.0;
  auto const config = simulate(sim);
  run(config);
  ASSERT_TRUE(fs::exists(anat() / "sub-sim_desc-extendedtofts_T1map.nii.gz"));
  // A killed writer's temporary, and the T1 maps of the earlier run that the next one (T1 from an assumed
  // value) does not write.
  std::ofstream(perf() / "sub-sim_desc-extendedtofts_Ktrans.partial-4194301-0.nii.gz") << "half";
  auto const assumed = variant(config, "assumed.yaml", "  vfa: vfa.nii.gz\n", "");
  std::string text = read_file(assumed);
  text.replace(text.find("  vfa_flip_angles_deg"), 0, "  t1_assumed_s: 1.2\n");
  std::ofstream(assumed) << text;
  pipeline::Overrides overwrite;
  overwrite.overwrite = true;
  run(assumed, overwrite);
  auto const names = names_in(perf());
  for (auto const& name : names) EXPECT_EQ(name.find(".partial-"), std::string::npos) << name;
  EXPECT_FALSE(fs::exists(anat() / "sub-sim_desc-extendedtofts_T1map.nii.gz"));
  EXPECT_TRUE(pipeline::check_run_record((perf() / "sub-sim_desc-extendedtofts_run.json").string(),
                                         (dir_ / "out").string())
                  .complete);
}

TEST_F(SubjectPipeline, ASecondWriterOfTheSameSubjectIsRefusedWhileTheFirstHoldsTheFolder) {
  auto const config = simulate();
  fs::create_directories(perf());
  io::OutputLock const holder((perf() / ".sub-sim.lock").string());
  try {
    run(config);
    FAIL() << "expected OutputError";
  } catch (OutputError const& e) {
    EXPECT_NE(std::string(e.what()).find("another voxflow run"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(perf() / "sub-sim_desc-extendedtofts_run.json"));
}

TEST_F(SubjectPipeline, ARunWithoutAUsableVoxelFailsAndLeavesTheSubjectIncomplete) {
  auto const config = simulate();
  auto conc = io::read_nifti((dir_ / "conc.nii.gz").string());
  std::vector<double> nan(conc.data.size(), std::numeric_limits<double>::quiet_NaN());
  io::write_nifti_4d((dir_ / "conc.nii.gz").string(), conc.geometry, conc.dims, nan);
  auto const report = run(config);
  EXPECT_EQ(report.usable, 0);
  EXPECT_NE(report.failure.find("usable"), std::string::npos) << report.failure;
  EXPECT_TRUE(fs::exists(anat() / "sub-sim_desc-extendedtoftsfitstatus_dseg.nii.gz"));  // kept for diagnosis
  EXPECT_FALSE(fs::exists(perf() / "sub-sim_desc-extendedtofts_run.json"));
}

TEST_F(SubjectPipeline, AnAifThatIsZeroOverTheWholeAcquisitionFailsBeforeAnyOutput) {
  auto const config = simulate();
  auto const late = variant(config, "late.yaml", "delay_s: 0", "delay_s: 100000");
  try {
    run(late);
    FAIL() << "expected InputError";
  } catch (InputError const& e) {
    EXPECT_NE(std::string(e.what()).find("not zero"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("delay_s"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(SubjectPipeline, OutputsThatCannotBeWrittenStopTheRunBeforeAnyVoxelIsRead) {
  auto const config = simulate();
  std::ofstream(dir_ / "not-a-folder") << "a file where the output folder should be";
  pipeline::Overrides blocked;
  blocked.output_dir = (dir_ / "not-a-folder" / "out").string();
  try {
    run(config, blocked);
    FAIL() << "expected OutputError";
  } catch (OutputError const& e) {
    EXPECT_NE(std::string(e.what()).find("not-a-folder"), std::string::npos) << e.what();
  }
}

TEST_F(SubjectPipeline, AGridBeyondNiftiOneLimitsIsWrittenAsNiftiTwo) {
  DceSimulation sim;
  sim.noise = 0.0;
  sim.frames = 20;
  auto const config = simulate(sim);
  // 40000 voxels along x: more than NIfTI-1's 16-bit dimensions hold. Every voxel repeats one simulated
  // curve.
  auto const small = io::read_nifti((dir_ / "conc.nii.gz").string());
  std::int64_t const nx = 40000;
  std::vector<double> wide(static_cast<std::size_t>(nx * small.dims[3]));
  std::size_t const inside = small.index(5, 4, 0);
  for (std::int64_t t = 0; t < small.dims[3]; ++t)
    for (std::int64_t x = 0; x < nx; ++x)
      wide[static_cast<std::size_t>(x + nx * t)] =
          small.data[inside + static_cast<std::size_t>(small.voxels_per_volume() * t)];
  io::NiftiWriteOptions nifti2;
  nifti2.nifti_version = 2;
  io::write_nifti_4d((dir_ / "wide.nii.gz").string(), small.geometry, {nx, 1, 1, small.dims[3]}, wide,
                     nifti2);
  auto const wide_config =
      variant(config, "wide.yaml", "concentration: conc.nii.gz\n  timing: time.txt\n  mask: mask.nii.gz",
              "concentration: wide.nii.gz\n  timing: time.txt");
  auto const report = run(wide_config);
  EXPECT_EQ(report.usable, nx);
  auto const ktrans = io::read_nifti_header((perf() / "sub-sim_desc-extendedtofts_Ktrans.nii.gz").string());
  EXPECT_EQ(ktrans.nifti_version, 2);
  EXPECT_EQ(ktrans.dims[0], nx);
}

TEST_F(SubjectPipeline, ADicomInputIsDecodedOncePerRun) {
  auto sim = voxflow::testing::clean_signal_simulation();
  sim.matrix = {4, 3, 2};
  sim.frames = 30;
  simulate(sim);
  io::write_synthetic_dicom_series((dir_ / "dicom").string(), voxflow::testing::simulator_grid_dicom(sim));
  std::ofstream(dir_ / "dicom.yaml")
      << "modality: dce\nsubject: sub-sim\ninputs:\n  signal: dicom\n"
         "acquisition:\n  t1_assumed_s: 1.2\nfit:\n  model: tofts\noutput:\n  dir: out\n";
  auto const before = io::dicom_series_read_count();
  run((dir_ / "dicom.yaml").string());
  EXPECT_EQ(io::dicom_series_read_count() - before, 1u);
}

// The AIF detection of a run scores the voxels chunk by chunk: any chunk size finds the one-piece detector's
// voxels and curve.
TEST_F(SubjectPipeline, ChunkedAifDetectionFindsWhatTheOnePieceDetectorFinds) {
  DceSimulation sim;
  sim.matrix = {20, 16, 4};
  auto const config = simulate(sim);
  auto const detect = variant(config, "detect.yaml", "source: population", "source: detect");
  auto const one_piece = run(detect, into("whole"));
  pipeline::RunOptions small_chunks;
  small_chunks.quiet = true;
  small_chunks.chunk_voxels = 7;
  pipeline::run_subject(detect, into("chunks"), small_chunks);
  auto const whole = read_json(dir_ / "whole/sub-sim/perf/sub-sim_desc-extendedtofts_aif.json");
  auto const chunks = read_json(dir_ / "chunks/sub-sim/perf/sub-sim_desc-extendedtofts_aif.json");
  EXPECT_EQ(whole["Voxels"], chunks["Voxels"]);
  EXPECT_EQ(read_file(dir_ / "whole/sub-sim/perf/sub-sim_desc-extendedtofts_aif.tsv"),
            read_file(dir_ / "chunks/sub-sim/perf/sub-sim_desc-extendedtofts_aif.tsv"));
  EXPECT_EQ(read_file(dir_ / "whole/sub-sim/perf/sub-sim_desc-extendedtofts_Ktrans.nii.gz"),
            read_file(dir_ / "chunks/sub-sim/perf/sub-sim_desc-extendedtofts_Ktrans.nii.gz"));
  // And the library's one-piece detector agrees on the same concentration.
  auto const conc = io::read_nifti((dir_ / "conc.nii.gz").string());
  auto const mask = io::read_nifti((dir_ / "mask.nii.gz").string());
  std::vector<std::int64_t> rows;
  for (std::size_t i = 0; i < mask.data.size(); ++i)
    if (mask.data[i] > 0) rows.push_back(static_cast<std::int64_t>(i));
  Series<Kokkos::HostSpace> data("data", rows.size(), conc.dims[3]);
  Kokkos::View<double*, Kokkos::HostSpace> times("times", conc.dims[3]), out("out", conc.dims[3]);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::int64_t t = 0; t < conc.dims[3]; ++t)
      data(r, t) = conc.data[static_cast<std::size_t>(rows[r] + conc.voxels_per_volume() * t)];
  for (std::int64_t t = 0; t < conc.dims[3]; ++t) times(t) = t * sim.frame_s;
  aif::AifDetectionParams params;
  auto const result = aif::detect_aif(Kokkos::DefaultHostExecutionSpace(), data,
                                      Kokkos::View<double const*, Kokkos::HostSpace>(times),
                                      Kokkos::View<std::uint8_t const*, Kokkos::HostSpace>(), params, out);
  std::vector<std::int64_t> expected;
  for (auto v : result.voxels) expected.push_back(rows[v]);
  EXPECT_EQ(whole["Voxels"].get<std::vector<std::int64_t>>(), expected);
  EXPECT_GT(one_piece.usable, 0);
}

}  // namespace
