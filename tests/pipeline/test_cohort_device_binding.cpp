// The device a cohort rank binds (cohort/device_binding.hpp): a pure function of the launcher's environment,
// MPI's node-local rank and the visible device count.
#include <voxflow/cohort/device_binding.hpp>

#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace voxflow::cohort;

namespace {

// An environment of exactly these variables.
EnvLookup env_of(std::map<std::string, std::string> const& vars) {
  return [vars](char const* name) -> char const* {
    auto const it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(CohortDeviceBinding, TheLocalRankComesFromTheLauncherElseFromMpi) {
  EXPECT_EQ(local_rank(env_of({{"OMPI_COMM_WORLD_LOCAL_RANK", "3"}, {"SLURM_LOCALID", "1"}}), 5), 3);
  EXPECT_EQ(local_rank(env_of({{"MPI_LOCALRANKID", "2"}, {"SLURM_LOCALID", "1"}}), 5), 2);
  EXPECT_EQ(local_rank(env_of({{"SLURM_LOCALID", "1"}}), 5), 1);
  EXPECT_EQ(local_rank(env_of({}), 5), 5);
  EXPECT_EQ(local_rank(env_of({}), -1), -1);
  // A value that is not a non-negative integer says nothing; the next source speaks.
  EXPECT_EQ(local_rank(env_of({{"OMPI_COMM_WORLD_LOCAL_RANK", "x1"}, {"SLURM_LOCALID", "4"}}), -1), 4);
  EXPECT_EQ(local_rank(env_of({{"OMPI_COMM_WORLD_LOCAL_RANK", "-1"}, {"SLURM_LOCALID", ""}}), 0), 0);
}

TEST(CohortDeviceBinding, TheDeviceIsTheLocalRankModuloTheDeviceCount) {
  for (int rank = 0; rank < 9; ++rank)
    EXPECT_EQ(device_for_rank(env_of({{"SLURM_LOCALID", std::to_string(rank)}}), -1, 4), rank % 4) << rank;
  EXPECT_EQ(device_for_rank(env_of({}), 6, 4), 2);
  // One visible device per rank (srun --gpus-per-task, CUDA_VISIBLE_DEVICES): every rank takes it.
  EXPECT_EQ(device_for_rank(env_of({{"OMPI_COMM_WORLD_LOCAL_RANK", "7"}}), 7, 1), 0);
}

TEST(CohortDeviceBinding, WithoutADeviceOrALocalRankKokkosChoosesAsBefore) {
  EXPECT_EQ(device_for_rank(env_of({{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}}), 1, 0), -1);
  EXPECT_EQ(device_for_rank(env_of({}), -1, 4), -1);
  EXPECT_EQ(kokkos_device_argument(3), "--kokkos-device-id=3");
#if !defined(KOKKOS_ENABLE_CUDA) && !defined(KOKKOS_ENABLE_HIP)
  EXPECT_EQ(visible_device_count(), 0);  // a host build never adds a device flag
#endif
}

}  // namespace
