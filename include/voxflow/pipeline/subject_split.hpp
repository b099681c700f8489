// One subject computed by several processes together (issue 12: a cohort subject split across MPI ranks).
// Every part runs the subject's whole-subject stages (read, mask, AIF and reference curves, global noise)
// identically on the whole subject, fits only its own contiguous range of voxels in the per-voxel stages,
// and part 0 gathers the rows and writes the outputs once; the maps equal an unsplit run's bit for bit,
// because each voxel is computed by the same code on the same inputs whichever part computes it. A
// per-voxel result that a whole-subject stage needs (T1 before AIF detection, each voxel's noise before the
// median) is computed per range and shared (share_rows). The pipeline knows only this interface; the MPI
// implementation lives with the cohort command (apps/voxflow/split_group.cpp).
#ifndef VOXFLOW_PIPELINE_SUBJECT_SPLIT_HPP
#define VOXFLOW_PIPELINE_SUBJECT_SPLIT_HPP

#include <voxflow/core/errors.hpp>
#include <voxflow/pipeline/chunk_driver.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::pipeline {

// The voxels of part `part` of `parts` of a subject of `voxels` voxels: contiguous ranges in part order, made
// of whole granules of `granule` voxels (the last granule may be short), their granule counts differing by
// at most one (the first parts one larger); empty ranges when there are more parts than granules. Ranges
// that start on a granule keep the voxels a kernel processes together (a SIMD pack) the same as in an
// unsplit run.
inline VoxelRange split_range(std::int64_t voxels, int part, int parts, std::int64_t granule = 1) {
  std::int64_t const n = parts > 0 ? parts : 1;
  std::int64_t const p = part < 0 ? 0 : (part >= n ? n - 1 : part);
  std::int64_t const g = granule > 0 ? granule : 1;
  std::int64_t const granules = voxels > 0 ? (voxels + g - 1) / g : 0;
  std::int64_t const base = granules / n, extra = granules % n;
  std::int64_t const first = p * base + (p < extra ? p : extra);
  std::int64_t const count = base + (p < extra ? 1 : 0);
  auto const clamp = [&](std::int64_t granule_index) {
    return granule_index * g < voxels ? granule_index * g : (voxels > 0 ? voxels : 0);
  };
  return {clamp(first), clamp(first + count)};
}

// The granule of a split subject's ranges: a multiple of every SIMD width in use.
inline constexpr std::int64_t split_granule = 64;

// Thrown on every part when another part of the same subject failed: the subject fails with that part's
// message, and no part waits for the others any longer.
class SplitPartFailed : public Error {
 public:
  explicit SplitPartFailed(std::string const& message) : Error(ExitCode::failure, message) {}
};

class SubjectSplit {
 public:
  // What a part says at a meeting point: it goes on, the subject is already complete (part 0 on --resume),
  // or it failed.
  enum class Stand { proceed = 0, skip = 1, fail = 2 };
  struct Verdict {
    Stand stand = Stand::proceed;
    std::string message;  // the lowest part's that did not proceed
  };

  virtual ~SubjectSplit() = default;
  virtual int part() const = 0;   // 0 gathers and writes
  virtual int parts() const = 0;  // at least 1

  // Collective: every part says where it stands; all learn the stand (and message) of the lowest part that
  // does not proceed, or proceed. A part that failed takes part in exactly one meeting, its last.
  virtual Verdict meet(Stand mine, std::string const& message) const = 0;

  VoxelRange range(std::int64_t voxels) const { return split_range(voxels, part(), parts(), split_granule); }

  // Collective: `rows` is a row-major (voxel, column) host array of `voxels` rows; on return every part holds
  // every part's range of rows. SplitPartFailed when another part failed before reaching this point.
  void share_rows(double* rows, std::int64_t voxels, std::int64_t columns) const {
    proceed_or_throw();
    all_gather(rows, voxels, columns);
  }
  // Collective: every part's range of rows of `values` (row-major (voxel, column)) and `status` into part
  // 0's arrays. SplitPartFailed when another part failed.
  void gather_to_writer(double* values, std::uint8_t* status, std::int64_t voxels,
                        std::int64_t columns) const {
    proceed_or_throw();
    gather(values, status, voxels, columns);
  }
  void proceed_or_throw() const {
    auto const verdict = meet(Stand::proceed, "");
    if (verdict.stand == Stand::fail) throw SplitPartFailed(verdict.message);
  }

 protected:
  virtual void all_gather(double* rows, std::int64_t voxels, std::int64_t columns) const = 0;
  virtual void gather(double* values, std::uint8_t* status, std::int64_t voxels,
                      std::int64_t columns) const = 0;
};

// The (count, offset) in elements of every part's range of rows of `columns` elements each: what an MPI
// gatherv takes.
inline void split_counts(std::int64_t voxels, int parts, std::int64_t columns,
                         std::vector<std::int64_t>& counts, std::vector<std::int64_t>& offsets) {
  counts.assign(static_cast<std::size_t>(parts), 0);
  offsets.assign(static_cast<std::size_t>(parts), 0);
  for (int p = 0; p < parts; ++p) {
    auto const r = split_range(voxels, p, parts, split_granule);
    counts[static_cast<std::size_t>(p)] = r.size() * columns;
    offsets[static_cast<std::size_t>(p)] = r.begin * columns;
  }
}

}  // namespace voxflow::pipeline

#endif
