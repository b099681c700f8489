// Private to src/io: a zlib gzFile owned by RAII. zlib reads plain files transparently, so one reader serves
// .nii and .nii.gz, and reports truncated or corrupt streams instead of returning garbage.
#ifndef VOXFLOW_SRC_IO_GZ_FILE_HPP
#define VOXFLOW_SRC_IO_GZ_FILE_HPP

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace voxflow::io::detail {

class GzFile {
 public:
  // `mode` as for gzopen: "rb", "wb6" (compressed), "wbT" (plain).
  GzFile(std::string const& path, char const* mode) : file_(gzopen(path.c_str(), mode)) {
    if (file_ != nullptr) gzbuffer(file_, 1 << 17);
  }
  ~GzFile() {
    if (file_ != nullptr) gzclose(file_);
  }
  GzFile(GzFile const&) = delete;
  GzFile& operator=(GzFile const&) = delete;

  bool is_open() const { return file_ != nullptr; }

  // Reads up to `n` bytes; returns the count read (short at the end of the data), or -1 on a stream error.
  int64_t read(void* buffer, int64_t n) {
    auto* p = static_cast<unsigned char*>(buffer);
    int64_t done = 0;
    while (done < n) {
      auto const chunk = static_cast<unsigned>(std::min<int64_t>(n - done, int64_t{1} << 30));
      int const got = gzread(file_, p + done, chunk);
      if (got < 0) return -1;
      if (got == 0) break;
      done += got;
    }
    return done;
  }

  // Writes all `n` bytes; false on failure.
  bool write(void const* buffer, int64_t n) {
    auto const* p = static_cast<unsigned char const*>(buffer);
    int64_t done = 0;
    while (done < n) {
      auto const chunk = static_cast<unsigned>(std::min<int64_t>(n - done, int64_t{1} << 30));
      if (gzwrite(file_, p + done, chunk) != static_cast<int>(chunk)) return false;
      done += chunk;
    }
    return true;
  }

  // Closes now and reports whether buffered data reached the file (the destructor cannot report it).
  bool close() {
    int const status = gzclose(file_);
    file_ = nullptr;
    return status == Z_OK;
  }

  // zlib's description of the last error, empty when there was none.
  std::string error() const {
    if (file_ == nullptr) return "";
    int code = Z_OK;
    char const* text = gzerror(file_, &code);
    return code == Z_OK || text == nullptr ? std::string() : std::string(text);
  }

 private:
  gzFile file_;
};

}  // namespace voxflow::io::detail

#endif
