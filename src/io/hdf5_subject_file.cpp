#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/hdf5_subject_file.hpp>

#if defined(VOXFLOW_WITH_HDF5)
#include <hdf5.h>
#endif

#include <utility>

namespace voxflow::io {

namespace {

std::string const& checked_extension(std::string const& path) {
  static std::string const h5 = ".h5", hdf5 = ".hdf5";
  if (ends_with(path, h5)) return h5;
  if (ends_with(path, hdf5)) return hdf5;
  throw OutputError(path, "an HDF5 output name must end with '.h5' or '.hdf5'");
}

std::string const& empty_path() {
  static std::string const empty;
  return empty;
}

}  // namespace

#if defined(VOXFLOW_WITH_HDF5)

namespace {

// Owns one hid_t and closes it with the H5*close function of its kind.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), close_(closer) {}
  ~Handle() { close(); }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      close();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      close_ = o.close_;
    }
    return *this;
  }
  Handle(Handle const&) = delete;
  Handle& operator=(Handle const&) = delete;

  hid_t get() const { return id_; }
  // Closes now and returns the status (destructors cannot report it).
  herr_t close() {
    herr_t status = 0;
    if (id_ >= 0 && close_ != nullptr) status = close_(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// The descriptions on HDF5's error stack from the API call inwards, then the stack is cleared. A failed
// system call is described at length ("file write failed: time = ..., errno = 28, error message = 'No space
// left on device', buf = ..."); only its first words and the system's reason are kept, and a description
// repeated further in is said once.
std::string hdf5_error_text() {
  struct Collected {
    std::string text, last, system_reason;
  } collected;
  auto collect = [](unsigned n, H5E_error2_t const* e, void* data) -> herr_t {
    auto& out = *static_cast<Collected*>(data);
    if (e->desc == nullptr || e->desc[0] == '\0') return 0;
    std::string desc = e->desc;
    std::string const marker = "error message = '";
    if (auto const at = desc.find(marker); at != std::string::npos && out.system_reason.empty()) {
      auto const end = desc.find('\'', at + marker.size());
      out.system_reason =
          desc.substr(at + marker.size(), end == std::string::npos ? end : end - at - marker.size());
    }
    desc = desc.substr(0, desc.find(": time = "));
    if (n < 4 && desc != out.last) out.text += (out.text.empty() ? "" : "; ") + desc;
    out.last = desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &collected);
  H5Eclear2(H5E_DEFAULT);
  if (collected.text.empty()) collected.text = "HDF5 gave no reason";
  return collected.system_reason.empty() ? collected.text : collected.text + ": " + collected.system_reason;
}

}  // namespace

struct Hdf5SubjectFile::Impl {
  AtomicFile target;  // declared before `file`: the file is closed before the temporary is removed
  Handle file;
  bool committed = false;

  explicit Impl(std::string const& path) : target(path, checked_extension(path)) {}

  [[noreturn]] void fail(std::string const& object, std::string const& action) const {
    throw OutputError(target.final_path(),
                      "HDF5 could not " + action + " '" + object + "': " + hdf5_error_text());
  }
  hid_t id(hid_t value, std::string const& object, std::string const& action) const {
    if (value < 0) fail(object, action);
    return value;
  }
  void ok(herr_t status, std::string const& object, std::string const& action) const {
    if (status < 0) fail(object, action);
  }
  void require_open() const {
    if (committed) throw OutputError(target.final_path(), "the HDF5 file was already committed");
  }

  // Creates the groups on the way to `name` ("/a/b/c" creates /a and /a/b; with `include_last`, /a/b/c too).
  void make_groups(std::string const& name, bool include_last) {
    std::size_t pos = 0;
    while (true) {
      pos = name.find('/', pos + 1);
      if (pos == std::string::npos && !include_last) break;
      std::string const prefix = name.substr(0, pos);
      if (!prefix.empty() && prefix != "/") {
        htri_t const exists = H5Lexists(file.get(), prefix.c_str(), H5P_DEFAULT);
        if (exists < 0) fail(prefix, "look up the group");
        if (exists == 0) {
          Handle properties(id(H5Pcreate(H5P_GROUP_CREATE), prefix, "create properties for"), H5Pclose);
          ok(H5Pset_obj_track_times(properties.get(), false), prefix, "turn off the creation time of");
          Handle group(id(H5Gcreate2(file.get(), prefix.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                          prefix, "create the group"),
                       H5Gclose);
          ok(group.close(), prefix, "close the group");
        }
      }
      if (pos == std::string::npos) break;
    }
  }

  void write_dataset(std::string const& name, std::vector<hsize_t> const& shape, hid_t memory_type,
                     hid_t file_type, void const* data, bool chunk_by_slice) {
    require_open();
    make_groups(name, false);
    Handle space(id(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), name,
                    "create the dataspace of"),
                 H5Sclose);
    Handle create(id(H5Pcreate(H5P_DATASET_CREATE), name, "create properties for"), H5Pclose);
    // No creation times: two runs on the same inputs write the same bytes.
    ok(H5Pset_obj_track_times(create.get(), false), name, "turn off the creation time of");
    // Maps are mostly background: one chunk per slice with shuffle + deflate shrinks them several-fold (even
    // at level 1; higher levels cost several times the CPU for a few per cent).
    if (chunk_by_slice && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
      std::vector<hsize_t> chunk = shape;
      chunk[0] = 1;
      ok(H5Pset_chunk(create.get(), static_cast<int>(chunk.size()), chunk.data()), name, "set the chunks of");
      ok(H5Pset_shuffle(create.get()), name, "set the shuffle filter of");
      ok(H5Pset_deflate(create.get(), 1), name,
         "set compression of");  // level 1: the fastest, nearly as small
    }
    Handle set(id(H5Dcreate2(file.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, create.get(),
                             H5P_DEFAULT),
                  name, "create the dataset (does it exist already?)"),
               H5Dclose);
    ok(H5Dwrite(set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name, "write the dataset");
    ok(set.close(), name, "close the dataset");
  }

  template <class T>
  void write_volume(std::string const& name, std::array<int64_t, 3> dims, std::vector<T> const& values,
                    hid_t memory_type, hid_t file_type) {
    require_open();
    for (auto const n : dims)
      if (n < 1)
        throw OutputError(target.final_path(), "dataset '" + name + "' has a non-positive dimension");
    if (static_cast<int64_t>(values.size()) != dims[0] * dims[1] * dims[2])
      throw OutputError(target.final_path(), "dataset '" + name + "': " + std::to_string(values.size()) +
                                                 " values for " + std::to_string(dims[0]) + "x" +
                                                 std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
                                                 " voxels");
    std::vector<hsize_t> const shape = {static_cast<hsize_t>(dims[2]), static_cast<hsize_t>(dims[1]),
                                        static_cast<hsize_t>(dims[0])};
    write_dataset(name, shape, memory_type, file_type, values.data(), true);
    hsize_t const three = 3;
    Handle space(id(H5Screate_simple(1, &three, nullptr), name, "create an attribute dataspace for"),
                 H5Sclose);
    put_attribute(name, "nifti_dims", H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), dims.data());
  }

  // Writes `data` (of `memory_type`, shaped by `space`) as attribute `name` of `object`, replacing an old
  // one.
  void put_attribute(std::string const& object, std::string const& name, hid_t file_type, hid_t memory_type,
                     hid_t space, void const* data) {
    require_open();
    std::string const what = object + "' attribute '" + name;
    Handle target_object(id(H5Oopen(file.get(), object.c_str(), H5P_DEFAULT), object, "open the object"),
                         H5Oclose);
    htri_t const exists = H5Aexists(target_object.get(), name.c_str());
    if (exists < 0) fail(what, "look up");
    if (exists > 0) ok(H5Adelete(target_object.get(), name.c_str()), what, "replace");
    Handle attribute(
        id(H5Acreate2(target_object.get(), name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT), what,
           "create"),
        H5Aclose);
    ok(H5Awrite(attribute.get(), memory_type, data), what, "write");
    ok(attribute.close(), what, "close");
  }

  void write_attribute(std::string const& object, std::string const& name,
                       std::vector<double> const& values) {
    hsize_t const n = values.size();
    Handle space(id(H5Screate_simple(1, &n, nullptr), object, "create an attribute dataspace for"), H5Sclose);
    put_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), values.data());
  }
};

bool hdf5_support_built() {
  return true;
}

Hdf5SubjectFile::Hdf5SubjectFile(std::string const& path) : impl_(std::make_unique<Impl>(path)) {
  // The library would print its error stack to stderr on every failed call; failures become OutputErrors
  // instead.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Handle access(impl_->id(H5Pcreate(H5P_FILE_ACCESS), path, "create file access properties for"), H5Pclose);
  // The file is built in memory (the core driver, no backing store) and written out by commit(): a full disk
  // then fails one checked write of ours, instead of HDF5 calls that leave the library holding a broken file
  // that it crashes on closing at exit.
  impl_->ok(H5Pset_fapl_core(access.get(), 1 << 20, false), path, "set the in-memory driver for");
  std::string const& temp = impl_->target.temp_path();
  impl_->file = Handle(
      impl_->id(H5Fcreate(temp.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, access.get()), temp, "create the file"),
      H5Fclose);
}

void Hdf5SubjectFile::create_group(std::string const& name) {
  impl_->require_open();
  impl_->make_groups(name, true);
}

void Hdf5SubjectFile::write_volume(std::string const& name, std::array<int64_t, 3> dims,
                                   std::vector<float> const& values) {
  impl_->write_volume(name, dims, values, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE);
}

void Hdf5SubjectFile::write_volume(std::string const& name, std::array<int64_t, 3> dims,
                                   std::vector<double> const& values) {
  impl_->write_volume(name, dims, values, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE);
}

void Hdf5SubjectFile::write_volume(std::string const& name, std::array<int64_t, 3> dims,
                                   std::vector<uint8_t> const& values) {
  impl_->write_volume(name, dims, values, H5T_NATIVE_UINT8, H5T_STD_U8LE);
}

void Hdf5SubjectFile::write_vector(std::string const& name, std::vector<double> const& values) {
  impl_->write_dataset(name, {static_cast<hsize_t>(values.size())}, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                       values.data(), false);
}

void Hdf5SubjectFile::set_string_attribute(std::string const& object, std::string const& name,
                                           std::string const& value) {
  impl_->require_open();
  Handle type(impl_->id(H5Tcopy(H5T_C_S1), object, "create a string type for"), H5Tclose);
  impl_->ok(H5Tset_size(type.get(), H5T_VARIABLE), object, "size a string type for");
  impl_->ok(H5Tset_cset(type.get(), H5T_CSET_UTF8), object, "set UTF-8 on a string type for");
  Handle space(impl_->id(H5Screate(H5S_SCALAR), object, "create an attribute dataspace for"), H5Sclose);
  char const* text = value.c_str();
  impl_->put_attribute(object, name, type.get(), type.get(), space.get(), &text);
}

void Hdf5SubjectFile::set_number_attribute(std::string const& object, std::string const& name, double value) {
  impl_->require_open();
  Handle space(impl_->id(H5Screate(H5S_SCALAR), object, "create an attribute dataspace for"), H5Sclose);
  impl_->put_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), &value);
}

void Hdf5SubjectFile::set_integer_attribute(std::string const& object, std::string const& name,
                                            int64_t value) {
  impl_->require_open();
  Handle space(impl_->id(H5Screate(H5S_SCALAR), object, "create an attribute dataspace for"), H5Sclose);
  impl_->put_attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), &value);
}

void Hdf5SubjectFile::set_vector_attribute(std::string const& object, std::string const& name,
                                           std::vector<double> const& values) {
  impl_->require_open();
  impl_->write_attribute(object, name, values);
}

void Hdf5SubjectFile::commit() {
  impl_->require_open();
  std::string const& temp = impl_->target.temp_path();
  impl_->ok(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), temp, "flush the file");
  ssize_t const size = H5Fget_file_image(impl_->file.get(), nullptr, 0);
  if (size < 0) impl_->fail(temp, "get the image of the file");
  std::string image(static_cast<std::size_t>(size), '\0');
  if (H5Fget_file_image(impl_->file.get(), image.data(), image.size()) < 0)
    impl_->fail(temp, "copy the image of the file");
  impl_->ok(impl_->file.close(), temp, "close the file");
  impl_->target.write_all(image);
  impl_->target.commit();
  impl_->committed = true;
}

#else  // !VOXFLOW_WITH_HDF5

struct Hdf5SubjectFile::Impl {};

namespace {
[[noreturn]] void no_hdf5(std::string const& path) {
  throw OutputError(path,
                    "this build of voxflow has no HDF5 support (configure with -DVOXFLOW_ENABLE_HDF5=ON)");
}
}  // namespace

bool hdf5_support_built() {
  return false;
}
Hdf5SubjectFile::Hdf5SubjectFile(std::string const& path) {
  checked_extension(path);
  no_hdf5(path);
}
void Hdf5SubjectFile::create_group(std::string const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::write_volume(std::string const&, std::array<int64_t, 3>, std::vector<float> const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::write_volume(std::string const&, std::array<int64_t, 3>, std::vector<double> const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::write_volume(std::string const&, std::array<int64_t, 3>, std::vector<uint8_t> const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::write_vector(std::string const&, std::vector<double> const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::set_string_attribute(std::string const&, std::string const&, std::string const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::set_number_attribute(std::string const&, std::string const&, double) {
  no_hdf5(path());
}
void Hdf5SubjectFile::set_integer_attribute(std::string const&, std::string const&, int64_t) {
  no_hdf5(path());
}
void Hdf5SubjectFile::set_vector_attribute(std::string const&, std::string const&,
                                           std::vector<double> const&) {
  no_hdf5(path());
}
void Hdf5SubjectFile::commit() {
  no_hdf5(path());
}

#endif

Hdf5SubjectFile::~Hdf5SubjectFile() = default;
Hdf5SubjectFile::Hdf5SubjectFile(Hdf5SubjectFile&&) noexcept = default;
Hdf5SubjectFile& Hdf5SubjectFile::operator=(Hdf5SubjectFile&&) noexcept = default;

std::string const& Hdf5SubjectFile::path() const {
#if defined(VOXFLOW_WITH_HDF5)
  if (impl_) return impl_->target.final_path();
#endif
  return empty_path();
}

}  // namespace voxflow::io
