#include <voxflow/core/backend.hpp>
#include <voxflow/core/fit_status.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

TEST(Backend, ParsesEveryDocumentedChoiceAndRejectsOthers) {
  voxflow::Backend b;
  ASSERT_TRUE(voxflow::parse_backend("auto", b));
  EXPECT_EQ(b, voxflow::Backend::automatic);
  ASSERT_TRUE(voxflow::parse_backend("host", b));
  EXPECT_EQ(b, voxflow::Backend::host);
  ASSERT_TRUE(voxflow::parse_backend("device", b));
  EXPECT_EQ(b, voxflow::Backend::device);
  ASSERT_TRUE(voxflow::parse_backend("serial", b));
  EXPECT_EQ(b, voxflow::Backend::serial);
  EXPECT_FALSE(voxflow::parse_backend("gpu", b));
  EXPECT_FALSE(voxflow::parse_backend("", b));
  EXPECT_FALSE(voxflow::parse_backend("Host", b));
}

TEST(Backend, NamesRoundTrip) {
  for (auto b : {voxflow::Backend::automatic, voxflow::Backend::host, voxflow::Backend::device,
                 voxflow::Backend::serial}) {
    voxflow::Backend parsed;
    ASSERT_TRUE(voxflow::parse_backend(voxflow::backend_name(b), parsed));
    EXPECT_EQ(parsed, b);
  }
}

TEST(Backend, HostBuildListsSerialAndOpenMP) {
  auto const spaces = voxflow::enabled_execution_spaces();
  EXPECT_NE(std::find(spaces.begin(), spaces.end(), "Serial"), spaces.end());
  EXPECT_NE(std::find(spaces.begin(), spaces.end(), "OpenMP"), spaces.end());
}

TEST(Backend, AutoResolvesToDeviceOnlyWhenOneIsUsable) {
  auto const resolved = voxflow::resolve_backend(voxflow::Backend::automatic);
  EXPECT_EQ(resolved, voxflow::device_available() ? voxflow::Backend::device : voxflow::Backend::host);
  if (!voxflow::device_available()) {
    EXPECT_THROW(voxflow::resolve_backend(voxflow::Backend::device), voxflow::BackendError);
  }
}

TEST(Backend, DispatchRunsOnTheRequestedSpace) {
  std::string ran;
  voxflow::dispatch(voxflow::Backend::serial, [&](auto space) { ran = decltype(space)::name(); });
  EXPECT_EQ(ran, "Serial");
  voxflow::dispatch(voxflow::Backend::host, [&](auto space) { ran = decltype(space)::name(); });
  EXPECT_EQ(ran, Kokkos::DefaultHostExecutionSpace::name());
}

TEST(FitStatus, NamesAreDistinctAndUsabilityIsAsDocumented) {
  std::set<std::string> names;
  for (int c = 0; c < voxflow::fit_status_count; ++c) {
    auto const s = static_cast<voxflow::FitStatus>(c);
    names.insert(voxflow::fit_status_name(s));
  }
  EXPECT_EQ(static_cast<int>(names.size()), voxflow::fit_status_count);
  EXPECT_EQ(names.count("unknown"), 0u);
  EXPECT_TRUE(voxflow::fit_status_usable(voxflow::FitStatus::converged));
  EXPECT_FALSE(voxflow::fit_status_usable(voxflow::FitStatus::non_finite_input));
  EXPECT_FALSE(voxflow::fit_status_usable(voxflow::FitStatus::masked_out));
}
