// Private to src/io: a zlib gzFile owned by RAII. zlib reads plain files transparently, so one reader serves
// .nii and .nii.gz, and reports truncated or corrupt streams instead of returning garbage.
#ifndef VOXFLOW_SRC_IO_GZ_FILE_HPP
#define VOXFLOW_SRC_IO_GZ_FILE_HPP

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace voxflow::io::detail {

class GzFile {
 public:
  // zlib inflates twice its buffer ahead of the first read: a header (348 or 540 bytes) needs little, a
  // stream of data read in large pieces gains from fewer, larger file reads.
  static constexpr unsigned header_buffer_bytes = 1u << 13;
  static constexpr unsigned stream_buffer_bytes = 1u << 17;

  // `mode` as for gzopen: "rb", "wb6" (compressed), "wbT" (plain).
  GzFile(std::string const& path, char const* mode, unsigned buffer_bytes = stream_buffer_bytes)
      : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), mode);
    if (file_ != nullptr)
      gzbuffer(file_, buffer_bytes);
    else
      last_error_ = errno != 0 ? std::strerror(errno) : "zlib could not allocate its state";
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

  // Closes now and reports whether buffered data reached the file (the destructor cannot report it): a full
  // disk often shows only here, when zlib writes out its buffer.
  bool close() {
    errno = 0;
    int const status = gzclose(file_);
    int const error = errno;  // Z_ERRNO: set by the write or close that failed; zlib's cleanup keeps it
    file_ = nullptr;
    if (status == Z_OK) return true;
    last_error_ =
        status == Z_ERRNO && error != 0 ? std::strerror(error) : "zlib error " + std::to_string(status);
    return false;
  }

  // The reason for the last failure, empty when there was none: zlib's description while the file is open
  // (e.g. "No space left on device" after a failed write, or a corrupt stream), afterwards why it could not
  // be opened or closed.
  std::string error() const {
    if (file_ == nullptr) return last_error_;
    int code = Z_OK;
    char const* text = gzerror(file_, &code);
    if (code == Z_OK || text == nullptr) return "";
    std::string message(text);
    std::string const prefix = path_ + ": ";  // zlib puts the path first; callers name the file themselves
    return message.compare(0, prefix.size(), prefix) == 0 ? message.substr(prefix.size()) : message;
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  std::string last_error_;
};

}  // namespace voxflow::io::detail

#endif
