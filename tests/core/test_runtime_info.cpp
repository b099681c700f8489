// What `voxflow info` says about the device code: the compute capability it was built for, and a warning only
// when the device's capability differs (the device side itself needs a GPU: docs/gpu-runbook.md).
#include <voxflow/core/runtime.hpp>

#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <string>

TEST(RuntimeInfo, NamesTheBuiltComputeCapabilityAndItsSmName) {
  EXPECT_EQ(voxflow::built_capability_line(90), "device code: built for compute capability 9.0 (sm_90)");
  EXPECT_EQ(voxflow::built_capability_line(86), "device code: built for compute capability 8.6 (sm_86)");
  EXPECT_EQ(voxflow::built_capability_line(0), "device code: none (built without a device backend)");
  EXPECT_NE(voxflow::built_capability_line(-1).find("does not name"), std::string::npos);
}

TEST(RuntimeInfo, WarnsOnlyWhenTheDeviceDiffersFromTheBuild) {
  EXPECT_EQ(voxflow::capability_mismatch_warning(90, 9, 0), "");
  EXPECT_EQ(voxflow::capability_mismatch_warning(0, 9, 0), "") << "no device code, nothing to mismatch";
  auto const older_build = voxflow::capability_mismatch_warning(80, 9, 0);
  EXPECT_NE(older_build.find("built for compute capability 8.0, but the device has 9.0"), std::string::npos)
      << older_build;
  EXPECT_NE(older_build.find("cannot run"), std::string::npos) << older_build;
  auto const same_major = voxflow::capability_mismatch_warning(80, 8, 6);
  EXPECT_NE(same_major.find("it runs"), std::string::npos) << same_major;
  auto const newer_build = voxflow::capability_mismatch_warning(90, 8, 0);
  EXPECT_NE(newer_build.find("cannot run"), std::string::npos) << newer_build;
}

TEST(RuntimeInfo, InfoReportsTheBuiltCapabilityOfThisBuild) {
  std::ostringstream os;
  voxflow::print_info(os);
  EXPECT_NE(os.str().find(voxflow::built_capability_line(voxflow::built_compute_capability())),
            std::string::npos)
      << os.str();
#if !defined(KOKKOS_ENABLE_CUDA)
  EXPECT_EQ(voxflow::built_compute_capability(), 0);
#else
  EXPECT_GT(voxflow::built_compute_capability(), 0)
      << "a CUDA build for an architecture runtime.cpp does not know";
#endif
}
