// Writes the seed corpus of every fuzz target into <folder>/<target>/ (scripts/fuzz.sh calls it): valid
// inputs made by voxflow's own writers (NIfTI) and the tests' synthetic DICOM series, and small texts of the
// forms each reader accepts, so that the fuzzer starts from the accepted grammar instead of random bytes.
// Nothing binary is kept in the repository.
#include "../tests/support/synthetic_dicom.hpp"

#include <voxflow/io/nifti_image.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

void write_text(fs::path const& folder, std::string const& name, std::string const& text) {
  fs::create_directories(folder);
  std::ofstream(folder / name, std::ios::binary) << text;
}

void nifti_seeds(fs::path const& folder) {
  fs::create_directories(folder);
  auto geometry = voxflow::io::make_geometry({1.5, 1.5, 3.0}, 2.0);
  std::vector<double> series(3 * 2 * 2 * 3);
  for (std::size_t i = 0; i < series.size(); ++i) series[i] = 0.25 * static_cast<double>(i);
  voxflow::io::write_nifti_4d((folder / "series.nii").string(), geometry, {3, 2, 2, 3}, series);
  voxflow::io::write_nifti_4d((folder / "series.nii.gz").string(), geometry, {3, 2, 2, 3}, series);
  voxflow::io::NiftiWriteOptions v2;
  v2.nifti_version = 2;
  v2.datatype = voxflow::io::NiftiDatatype::float64;
  voxflow::io::write_nifti_4d((folder / "series-v2.nii").string(), geometry, {3, 2, 2, 3}, series, v2);
  voxflow::io::NiftiWriteOptions scaled;
  scaled.datatype = voxflow::io::NiftiDatatype::int16;
  scaled.scl_slope = 0.25;
  std::vector<double> const map(series.begin(), series.begin() + 12);
  voxflow::io::write_nifti((folder / "map-int16.nii").string(), voxflow::io::make_geometry({2.0, 2.0, 2.0}),
                           {3, 2, 2}, map, scaled);
}

void dicom_seeds(fs::path const& folder) {
  fs::create_directories(folder);
  fs::path const scratch = folder / "series";
  int n = 0;
  for (auto timing : {voxflow::io::DicomTimingStyle::siemens, voxflow::io::DicomTimingStyle::philips}) {
    voxflow::io::SyntheticDicomSpec spec;
    spec.columns = 4, spec.rows = 3, spec.slices = 1, spec.time_points = 1;
    spec.timing = timing;
    spec.b_values = {800.0};
    spec.inversion_time_ms = 900.0;
    for (bool jpeg : {false, true}) {
      spec.jpeg_lossless = jpeg;
      auto const files = voxflow::io::write_synthetic_dicom_series(scratch.string(), spec);
      fs::rename(files.front(), folder / ("slice" + std::to_string(++n) + ".dcm"));
      fs::remove_all(scratch);
    }
  }
}

void text_seeds(fs::path const& root) {
  write_text(
      root / "config", "single.yaml",
      "modality: fuzz\nsubject: sub-01\ninputs:\n  image: data/image.nii.gz\n  images: [a.nii, b.nii]\n"
      "label: \"first run\"\nfit:\n  tolerance: 1e-5\n  max_iterations: 50\n  robust: true\n"
      "  start: [0.5, 1.5]\n  shape: Square\nacquisition:\n  times: times.txt\n  delay: 1.8\n"
      "backend: serial\nthreads: 2\noutput:\n  dir: out\n  compress: false\n");
  write_text(
      root / "config", "cohort.yaml",
      "modality: fuzz\nfit: {tolerance: 0.001}\nsubjects:\n  - id: sub-01\n    inputs: {image: a.nii}\n"
      "  - id: sub-02\n    session: ses-1\n    inputs: {image: b.nii}\n    fit: {robust: false}\n");
  write_text(root / "config", "anchors.yaml",
             "modality: fuzz\nx: &a [1, 2]\nacquisition: {times: *a, delay: [0.5, 1]}\n");
  write_text(root / "csv", "cases.csv",
             "\xEF\xBB\xBFlabel, ve , t, C\r\ncase_1,0.2,\"0 1 2\",0.1 0.2 0.3\r\ncase_2,nan,1e-3 2,-4\r\n");
  write_text(root / "number_list", "times.txt", "# frame times (s)\n0\n2.5\n5.0\n7.5\n");
  write_text(root / "number_list", "dwi.bval", "0 50 100 200 800 1000\n");
  write_text(root / "number_list", "angles.txt", "2, 5; 10\t15\r\n");
  write_text(root / "aslcontext", "aslcontext.tsv", "volume_type\nm0scan\ncontrol\nlabel\ncontrol\nlabel\n");
  write_text(root / "aslcontext", "deltam.tsv", "\xEF\xBB\xBFvolume_type\textra\r\ndeltam\tx\r\ncbf\ty\r\n");
  write_text(
      root / "bids_sidecar", "asl.json",
      "{\"ArterialSpinLabelingType\": \"PCASL\", \"PostLabelingDelay\": [1.8, 2.0],\n"
      " \"RepetitionTimePreparation\": 4.5, \"BackgroundSuppression\": false, \"M0Type\": \"Separate\",\n"
      " \"FlipAngle\": 90, \"VolumeTiming\": [0, 4.5, 9.0]}\n");
  write_text(root / "bids_sidecar", "empty.json", "{}");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FOLDER\n", argv[0]);
    return 2;
  }
  fs::path const root = argv[1];
  nifti_seeds(root / "nifti");
  dicom_seeds(root / "dicom");
  text_seeds(root);
  return 0;
}
