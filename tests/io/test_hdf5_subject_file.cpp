// The subject file is read back with the HDF5 C API itself, independently of the writer. The test binary sees
// neither VOXFLOW_WITH_HDF5 nor HDF5's include folder (both are private to the voxflow target), so the header
// is found by __has_include and every HDF5 call sits in a template instantiated only when the build has HDF5.
#include "io_test_support.hpp"
#include "small_tmpfs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/core/version.hpp>
#include <voxflow/io/hdf5_subject_file.hpp>

#include <gtest/gtest.h>

#include <string_view>

#if __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#define VOXFLOW_TEST_HDF5_HEADER 1
#elif __has_include(<hdf5.h>)
#include <hdf5.h>
#define VOXFLOW_TEST_HDF5_HEADER 1
#else
#define VOXFLOW_TEST_HDF5_HEADER 0
#endif

using voxflow::OutputError;
using voxflow::io::Hdf5SubjectFile;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::incompressible_bytes;
using voxflow::testing::SmallTmpfs;
using voxflow::testing::TempDir;

namespace {

constexpr bool kHdf5Readable = VOXFLOW_TEST_HDF5_HEADER && std::string_view(VOXFLOW_HAVE_HDF5_BUILD) == "ON";

#if VOXFLOW_TEST_HDF5_HEADER
// Minimal reader over the C API; every call is checked so a broken file fails the test rather than crashing
// it.
template <bool Enabled>
struct Reader {
  hid_t file = -1;
  explicit Reader(std::string const& path) {
    if constexpr (Enabled) file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  }
  ~Reader() {
    if constexpr (Enabled)
      if (file >= 0) H5Fclose(file);
  }
  bool exists(std::string const& name) const {
    if constexpr (Enabled) return H5Lexists(file, name.c_str(), H5P_DEFAULT) > 0;
    return false;
  }
  std::vector<hsize_t> shape(std::string const& name) const {
    std::vector<hsize_t> dims;
    if constexpr (Enabled) {
      hid_t const set = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
      hid_t const space = H5Dget_space(set);
      dims.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
      H5Sget_simple_extent_dims(space, dims.data(), nullptr);
      H5Sclose(space);
      H5Dclose(set);
    }
    return dims;
  }
  // The dataset converted to T, with the class of its stored type (H5T_FLOAT / H5T_INTEGER) and size in
  // bytes.
  template <class T>
  std::vector<T> values(std::string const& name, hid_t memory_type, int* type_class = nullptr,
                        std::size_t* type_size = nullptr) const {
    std::vector<T> out;
    if constexpr (Enabled) {
      hsize_t n = 1;
      for (auto d : shape(name)) n *= d;
      out.resize(n);
      hid_t const set = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
      hid_t const type = H5Dget_type(set);
      if (type_class) *type_class = H5Tget_class(type);
      if (type_size) *type_size = H5Tget_size(type);
      EXPECT_GE(H5Dread(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << name;
      H5Tclose(type);
      H5Dclose(set);
    }
    return out;
  }
  std::string string_attribute(std::string const& object, std::string const& name) const {
    std::string out;
    if constexpr (Enabled) {
      hid_t const attribute = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      hid_t const type = H5Aget_type(attribute);
      EXPECT_TRUE(H5Tis_variable_str(type) > 0);
      EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8);
      char* text = nullptr;
      EXPECT_GE(H5Aread(attribute, type, &text), 0);
      if (text) out = text;
      H5free_memory(text);
      H5Tclose(type);
      H5Aclose(attribute);
    }
    return out;
  }
  template <class T>
  std::vector<T> numeric_attribute(std::string const& object, std::string const& name,
                                   hid_t memory_type) const {
    std::vector<T> out;
    if constexpr (Enabled) {
      hid_t const attribute = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
      hid_t const space = H5Aget_space(attribute);
      out.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
      EXPECT_GE(H5Aread(attribute, memory_type, out.data()), 0);
      H5Sclose(space);
      H5Aclose(attribute);
    }
    return out;
  }
};

template <bool Enabled>
void check_written_file(std::string const& path) {
  if constexpr (Enabled) {
    Reader<true> r(path);
    ASSERT_GE(r.file, 0) << "HDF5 cannot open " << path;
    EXPECT_TRUE(r.exists("/maps"));
    EXPECT_TRUE(r.exists("/qc"));
    EXPECT_TRUE(r.exists("/provenance/inputs"));
    EXPECT_EQ(r.shape("/maps/ktrans"), (std::vector<hsize_t>{2, 3, 4}));  // (nz, ny, nx)
    int type_class = -1;
    std::size_t type_size = 0;
    auto const ktrans = r.template values<float>("/maps/ktrans", H5T_NATIVE_FLOAT, &type_class, &type_size);
    EXPECT_EQ(type_class, H5T_FLOAT);
    EXPECT_EQ(type_size, 4u);
    ASSERT_EQ(ktrans.size(), 24u);
    for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(ktrans[i], 0.01f * static_cast<float>(i)) << i;
    auto const ve = r.template values<double>("/maps/ve", H5T_NATIVE_DOUBLE, &type_class, &type_size);
    EXPECT_EQ(type_size, 8u);
    EXPECT_EQ(ve[7], 7.0 / 24.0);
    auto const status =
        r.template values<uint8_t>("/qc/fit_status", H5T_NATIVE_UINT8, &type_class, &type_size);
    EXPECT_EQ(type_class, H5T_INTEGER);
    EXPECT_EQ(type_size, 1u);
    EXPECT_EQ(status[23], 23 % 5);
    EXPECT_EQ(r.shape("/aif/time_s"), (std::vector<hsize_t>{5}));
    EXPECT_EQ(r.template values<double>("/aif/time_s", H5T_NATIVE_DOUBLE),
              (std::vector<double>{0.0, 1.5, 3.0, 4.5, 6.0}));
    EXPECT_EQ(r.template numeric_attribute<int64_t>("/maps/ktrans", "nifti_dims", H5T_NATIVE_INT64),
              (std::vector<int64_t>{4, 3, 2}));
    EXPECT_EQ(r.string_attribute("/", "software"), "voxflow");
    EXPECT_EQ(r.string_attribute("/maps/ktrans", "units"), "min⁻¹");
    EXPECT_EQ(r.string_attribute("/", "subject"), "sub-02");  // replaced, not duplicated
    EXPECT_EQ(r.template numeric_attribute<double>("/", "hematocrit", H5T_NATIVE_DOUBLE),
              (std::vector<double>{0.42}));
    EXPECT_EQ(r.template numeric_attribute<int64_t>("/qc", "failed_voxels", H5T_NATIVE_INT64),
              (std::vector<int64_t>{-3}));
    EXPECT_EQ(r.template numeric_attribute<double>("/aif/time_s", "window", H5T_NATIVE_DOUBLE),
              (std::vector<double>{0.5, 2.5}));
  }
}
#else
template <bool Enabled>
void check_written_file(std::string const&) {}
#endif

}  // namespace

#define VOXFLOW_REQUIRE_HDF5()                                                            \
  do {                                                                                    \
    if (!voxflow::io::hdf5_support_built()) GTEST_SKIP() << "built without HDF5 support"; \
  } while (0)

TEST(Hdf5SubjectFile, WritesGroupsDatasetsAndAttributesThatTheCApiReadsBack) {
  VOXFLOW_REQUIRE_HDF5();
  TempDir dir;
  std::string const path = dir.file("sub-01_maps.h5");
  {
    Hdf5SubjectFile out(path);
    EXPECT_EQ(out.path(), path);
    out.create_group("/maps");
    out.create_group("/maps");  // existing groups are fine
    out.create_group("/provenance/inputs");
    std::vector<float> ktrans(24);
    std::vector<double> ve(24);
    std::vector<uint8_t> status(24);
    for (std::size_t i = 0; i < 24; ++i) {
      ktrans[i] = 0.01f * static_cast<float>(i);
      ve[i] = static_cast<double>(i) / 24.0;
      status[i] = static_cast<uint8_t>(i % 5);
    }
    out.write_volume("/maps/ktrans", {4, 3, 2}, ktrans);
    out.write_volume("/maps/ve", {4, 3, 2}, ve);
    out.write_volume("/qc/fit_status", {4, 3, 2}, status);  // parent group created on the way
    out.write_vector("/aif/time_s", {0.0, 1.5, 3.0, 4.5, 6.0});
    out.set_string_attribute("/", "software", "voxflow");
    out.set_string_attribute("/", "subject", "sub-01");
    out.set_string_attribute("/", "subject", "sub-02");
    out.set_string_attribute("/maps/ktrans", "units", "min⁻¹");
    out.set_number_attribute("/", "hematocrit", 0.42);
    out.set_integer_attribute("/qc", "failed_voxels", -3);
    out.set_vector_attribute("/aif/time_s", "window", {0.5, 2.5});
    EXPECT_FALSE(std::filesystem::exists(path)) << "visible before commit";
    out.commit();
    EXPECT_THROW(out.write_vector("/late", {1.0}), OutputError);
  }
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"sub-01_maps.h5"}));
  if (!kHdf5Readable) GTEST_SKIP() << "no HDF5 header for the test to read the file back";
  check_written_file<kHdf5Readable>(path);
}

TEST(Hdf5SubjectFile, AnUncommittedFileLeavesNothingBehind) {
  VOXFLOW_REQUIRE_HDF5();
  TempDir dir;
  {
    Hdf5SubjectFile out(dir.file("sub-01.h5"));
    out.write_vector("/aif/values", {1.0, 2.0});
  }
  EXPECT_TRUE(dir.entries().empty());
  {
    Hdf5SubjectFile first(dir.file("moved.h5"));
    Hdf5SubjectFile second = std::move(first);
    second.commit();
  }
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"moved.h5"}));
}

TEST(Hdf5SubjectFile, FailuresThrowOutputErrorNamingFileAndObjectWithoutPrinting) {
  VOXFLOW_REQUIRE_HDF5();
  TempDir dir;
  std::string const missing_folder = dir.file("missing/sub-01.h5");
  expect_error_mentioning<OutputError>([&] { Hdf5SubjectFile out(missing_folder); }, {missing_folder});
  voxflow::testing::write_bytes(dir.file("a_file"), {0});
  EXPECT_THROW(Hdf5SubjectFile(dir.file("a_file/sub.h5")), OutputError);
  EXPECT_THROW(Hdf5SubjectFile(dir.file("sub.txt")), OutputError);
  std::filesystem::create_directory(dir.file("folder.h5"));
  EXPECT_THROW(Hdf5SubjectFile(dir.file("folder.h5")), OutputError);

  std::string const path = dir.file("sub-01.h5");
  Hdf5SubjectFile out(path);
  ::testing::internal::CaptureStderr();
  out.write_vector("/aif/values", {1.0});
  expect_error_mentioning<OutputError>([&] { out.write_vector("/aif/values", {2.0}); },
                                       {path, "/aif/values"});
  expect_error_mentioning<OutputError>([&] { out.set_string_attribute("/nowhere", "units", "s"); },
                                       {path, "/nowhere"});
  expect_error_mentioning<OutputError>(
      [&] {
        out.write_volume("/maps/x", {2, 2, 2}, std::vector<float>(7));
      },
      {path, "/maps/x"});
  EXPECT_THROW(out.write_volume("/maps/y", {0, 2, 2}, std::vector<double>{}), OutputError);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "") << "HDF5 printed its error stack";
  out.commit();  // the file stays usable after a refused call
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"a_file", "folder.h5", "sub-01.h5"}));
}

// The file is built in memory and written by commit(): a full disk surfaces there, in one checked write, and
// leaves HDF5 itself in a sound state (a failed close inside HDF5 used to crash its exit handler).
TEST(Hdf5SubjectFile, AFullDiskIsAnOutputErrorAndLeavesNoFile) {
  VOXFLOW_REQUIRE_HDF5();
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  std::string const path = tmpfs.file("sub-01_maps.h5");
  std::vector<float> noise;
  for (unsigned char const b : incompressible_bytes(64 * 64 * 4))
    noise.push_back(static_cast<float>(b) / 7.0f);
  expect_error_mentioning<OutputError>(
      [&] {
        Hdf5SubjectFile out(path);
        out.write_volume("/maps/ktrans", {64, 64, 4}, noise);
        out.commit();
      },
      {path, "No space left on device"});
  EXPECT_TRUE(tmpfs.entries().empty()) << "left behind: " << *tmpfs.entries().begin();

  tmpfs.fill(0);
  expect_error_mentioning<OutputError>(
      [&] {
        Hdf5SubjectFile out(path);
        out.write_vector("/aif/time_s", {0.0, 1.5, 3.0});
        out.set_string_attribute("/", "software", "voxflow");
        out.commit();
      },
      {path, "No space left on device"});
  EXPECT_EQ(tmpfs.entries(), std::set<std::string>{"filler"});
  // Where there is room, the next file is written as if nothing had happened.
  TempDir elsewhere;
  Hdf5SubjectFile out(elsewhere.file("after.h5"));
  out.write_vector("/aif/time_s", {0.0, 1.5, 3.0});
  out.commit();
  EXPECT_TRUE(std::filesystem::exists(elsewhere.file("after.h5")));
}

// Compiled only into builds without HDF5 (a skipped test would be noise in every other build).
#if !defined(VOXFLOW_WITH_HDF5)
TEST(Hdf5SubjectFile, WithoutHdf5EveryCallSaysSo) {
  ASSERT_FALSE(voxflow::io::hdf5_support_built());
  TempDir dir;
  expect_error_mentioning<OutputError>([&] { Hdf5SubjectFile out(dir.file("x.h5")); }, {"HDF5 support"});
}
#endif
