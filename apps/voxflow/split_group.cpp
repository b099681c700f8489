#include "split_group.hpp"

#include <mpi.h>

#include <climits>
#include <vector>

namespace voxflow::app {

namespace {

// MPI's counts and offsets are ints: a subject whose maps need more elements per rank cannot be split by
// this MPI interface. Every rank finds the same, so every rank fails the subject alike.
std::vector<int> as_int(std::vector<std::int64_t> const& values, char const* what) {
  std::vector<int> out;
  for (auto v : values) {
    if (v > INT_MAX)
      throw Error(ExitCode::failure, std::string("voxflow: a split subject's ") + what +
                                         " exceed MPI's int counts; split it across more ranks");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

}  // namespace

WorldSplit::WorldSplit() {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

pipeline::SubjectSplit::Verdict WorldSplit::meet(Stand mine, std::string const& message) const {
  // The lowest rank that does not proceed speaks for all.
  int const candidate = mine == Stand::proceed ? size_ : rank_;
  int speaker = size_;
  MPI_Allreduce(&candidate, &speaker, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  Verdict verdict;
  if (speaker == size_) return verdict;
  int stand = static_cast<int>(mine);
  std::string text = message;
  int length = static_cast<int>(text.size());
  MPI_Bcast(&stand, 1, MPI_INT, speaker, MPI_COMM_WORLD);
  MPI_Bcast(&length, 1, MPI_INT, speaker, MPI_COMM_WORLD);
  text.resize(static_cast<std::size_t>(length));
  MPI_Bcast(text.data(), length, MPI_CHAR, speaker, MPI_COMM_WORLD);
  verdict.stand = static_cast<Stand>(stand);
  verdict.message = rank_ == speaker ? text : text + " (rank " + std::to_string(speaker) + ")";
  return verdict;
}

void WorldSplit::all_gather(double* rows, std::int64_t voxels, std::int64_t columns) const {
  std::vector<std::int64_t> counts, offsets;
  pipeline::split_counts(voxels, size_, columns, counts, offsets);
  auto const c = as_int(counts, "rows"), o = as_int(offsets, "rows");
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, rows, c.data(), o.data(), MPI_DOUBLE, MPI_COMM_WORLD);
}

void WorldSplit::gather(double* values, std::uint8_t* status, std::int64_t voxels,
                        std::int64_t columns) const {
  std::vector<std::int64_t> counts, offsets, rows, firsts;
  pipeline::split_counts(voxels, size_, columns, counts, offsets);
  pipeline::split_counts(voxels, size_, 1, rows, firsts);
  auto const c = as_int(counts, "maps"), o = as_int(offsets, "maps");
  auto const rc = as_int(rows, "maps"), ro = as_int(firsts, "maps");
  auto const me = static_cast<std::size_t>(rank_);
  if (rank_ == 0) {
    MPI_Gatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, values, c.data(), o.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Gatherv(MPI_IN_PLACE, 0, MPI_UINT8_T, status, rc.data(), ro.data(), MPI_UINT8_T, 0, MPI_COMM_WORLD);
  } else {
    MPI_Gatherv(values + offsets[me], c[me], MPI_DOUBLE, nullptr, nullptr, nullptr, MPI_DOUBLE, 0,
                MPI_COMM_WORLD);
    MPI_Gatherv(status + firsts[me], rc[me], MPI_UINT8_T, nullptr, nullptr, nullptr, MPI_UINT8_T, 0,
                MPI_COMM_WORLD);
  }
}

}  // namespace voxflow::app
