// A subject split across every rank of an MPI job (pipeline/subject_split.hpp): the meetings and row
// exchanges of pipeline::SubjectSplit over MPI_COMM_WORLD, part = rank. Built with VOXFLOW_WITH_MPI only.
// Only one thread of a rank calls MPI while a split subject runs (the queue's serving thread has not
// started yet: cohort_mpi.cpp runs split subjects first).
#ifndef VOXFLOW_APPS_SPLIT_GROUP_HPP
#define VOXFLOW_APPS_SPLIT_GROUP_HPP

#include <voxflow/pipeline/subject_split.hpp>

namespace voxflow::app {

class WorldSplit final : public pipeline::SubjectSplit {
 public:
  WorldSplit();  // the rank and size of MPI_COMM_WORLD
  int part() const override { return rank_; }
  int parts() const override { return size_; }
  Verdict meet(Stand mine, std::string const& message) const override;

 protected:
  void all_gather(double* rows, std::int64_t voxels, std::int64_t columns) const override;
  void gather(double* values, std::uint8_t* status, std::int64_t voxels, std::int64_t columns) const override;

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace voxflow::app

#endif
