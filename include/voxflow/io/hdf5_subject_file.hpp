// One subject's results in one HDF5 file (DESIGN.md §4): maps, status, the AIF and time grid used,
// provenance. Built in memory and written on commit() into a temporary file beside the target, which is then
// renamed, so a subject's file is either complete or absent (restart semantics, §3). Every HDF5 call is
// checked: a failure throws OutputError naming the file and the HDF5 object. Built only with
// VOXFLOW_WITH_HDF5; otherwise every operation throws OutputError saying so.
//
// Array layout: a 3-D volume with dims {nx, ny, nz} in NIfTI order (x fastest) is stored as an HDF5 dataset
// of shape (nz, ny, nx), i.e. the same bytes; h5py/numpy show it as vol[z, y, x], and vol.transpose() gives
// the nibabel orientation [x, y, z]. Every volume dataset carries the attribute "nifti_dims" = [nx, ny, nz]
// to say so.
#ifndef VOXFLOW_IO_HDF5_SUBJECT_FILE_HPP
#define VOXFLOW_IO_HDF5_SUBJECT_FILE_HPP

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace voxflow::io {

// Whether this build of voxflow can write HDF5 files.
bool hdf5_support_built();

class Hdf5SubjectFile {
 public:
  // Creates the temporary file for `path` (which must end with ".h5"). Throws OutputError.
  explicit Hdf5SubjectFile(std::string const& path);
  // Without a successful commit() the temporary file is removed: nothing appears under `path`.
  ~Hdf5SubjectFile();
  Hdf5SubjectFile(Hdf5SubjectFile&&) noexcept;
  Hdf5SubjectFile& operator=(Hdf5SubjectFile&&) noexcept;
  Hdf5SubjectFile(Hdf5SubjectFile const&) = delete;
  Hdf5SubjectFile& operator=(Hdf5SubjectFile const&) = delete;

  std::string const& path() const;

  // Creates a group such as "/maps" (missing parents too); an existing group is fine.
  void create_group(std::string const& name);

  // Volumes (see the layout note above); missing parent groups are created. A dataset name may be written
  // once.
  void write_volume(std::string const& name, std::array<int64_t, 3> dims, std::vector<float> const& values);
  void write_volume(std::string const& name, std::array<int64_t, 3> dims, std::vector<double> const& values);
  void write_volume(std::string const& name, std::array<int64_t, 3> dims, std::vector<uint8_t> const& values);
  // A 1-D dataset (time grid, AIF, b-values).
  void write_vector(std::string const& name, std::vector<double> const& values);

  // Attributes on an existing object: "/" is the file itself, otherwise a group or dataset name. An attribute
  // of the same name is replaced. Strings are variable-length UTF-8 (h5py reads them as str).
  void set_string_attribute(std::string const& object, std::string const& name, std::string const& value);
  void set_number_attribute(std::string const& object, std::string const& name, double value);
  void set_integer_attribute(std::string const& object, std::string const& name, int64_t value);
  void set_vector_attribute(std::string const& object, std::string const& name,
                            std::vector<double> const& values);

  // Closes the file and renames it to path(). Afterwards no other call is allowed. Throws OutputError.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace voxflow::io

#endif
