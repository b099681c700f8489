// Size and CRC-32 of a file (file_digest.hpp), streamed in blocks so that multi-gigabyte 4-D series need no
// more memory than one block.
#include <voxflow/core/errors.hpp>
#include <voxflow/io/file_digest.hpp>

#include <fcntl.h>
#include <libdeflate.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace voxflow::io {

FileDigest file_digest(std::string const& path) {
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, "", std::string("a readable file (") + std::strerror(errno) + ")");
  std::vector<unsigned char> block(std::size_t{1} << 20);
  // gzip's CRC-32, by libdeflate: carry-less multiplies, 4-5 times zlib's speed (a 14 MB input: 0.5-1.6 ms
  // against 2.6-6.3 ms), the same values.
  std::uint32_t crc = 0;
  FileDigest digest;
  while (true) {
    ssize_t const n = ::read(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string const why = std::strerror(errno);
      ::close(fd);
      throw InputError(path, "",
                       "a readable file (" + why + " after " + std::to_string(digest.size) + " bytes)");
    }
    if (n == 0) break;
    crc = libdeflate_crc32(crc, block.data(), static_cast<std::size_t>(n));
    digest.size += static_cast<std::uintmax_t>(n);
  }
  ::close(fd);
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08lx", static_cast<unsigned long>(crc));
  digest.crc32_hex = hex;
  return digest;
}

}  // namespace voxflow::io
