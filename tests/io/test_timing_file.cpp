// Frame-time lists: what a timing file or a BIDS VolumeTiming may hold, and the errors for the rest.
#include "io_test_support.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/timing_file.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using voxflow::InputError;
using voxflow::io::check_frame_times_s;
using voxflow::io::read_frame_times;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::TempDir;

namespace {

TEST(FrameTimes, ATimingFileInSecondsIsReadWithCommentsAndSeparators) {
  TempDir dir;
  std::ofstream(dir.file("time.txt")) << "# seconds\n0, 4.5\n9\t13.5\n";
  EXPECT_EQ(read_frame_times(dir.file("time.txt")), (std::vector<double>{0.0, 4.5, 9.0, 13.5}));
}

TEST(FrameTimes, TimesInMillisecondsAreAnErrorThatSaysSo) {
  TempDir dir;
  std::ofstream(dir.file("time.txt")) << "0\n4500\n9000\n";
  expect_error_mentioning<InputError>([&] { read_frame_times(dir.file("time.txt")); },
                                      {"time.txt", "frame 1", "milliseconds"});
  // The same rule for a list from a sidecar, named by its field.
  expect_error_mentioning<InputError>(
      [] {
        check_frame_times_s({0.0, 2.0, 2500.0}, "sub-01_dce.json", "VolumeTiming");
      },
      {"sub-01_dce.json", "VolumeTiming (frame 2)", "milliseconds"});
  EXPECT_NO_THROW(check_frame_times_s({0.0, 100.0, 150.0}, "x.json", "VolumeTiming"));
}

TEST(FrameTimes, TimesThatDoNotIncreaseOrAreNotFiniteAreErrorsNamingTheFrame) {
  expect_error_mentioning<InputError>(
      [] {
        check_frame_times_s({0.0, 3.0, 3.0}, "t.txt", "timing");
      },
      {"t.txt", "frame 2", "strictly increasing"});
  expect_error_mentioning<InputError>(
      [] {
        check_frame_times_s({0.0, std::nan(""), 3.0}, "t.txt", "timing");
      },
      {"frame 1", "finite"});
}

}  // namespace
