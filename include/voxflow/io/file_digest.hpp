// Checksums of written outputs (DESIGN.md §3, restart): a ledger line that records each output's size and
// CRC-32 lets `--resume` tell a finished file from one that was changed or damaged since, without rereading
// the subject's inputs.
#ifndef VOXFLOW_IO_FILE_DIGEST_HPP
#define VOXFLOW_IO_FILE_DIGEST_HPP

#include <cstdint>
#include <string>

namespace voxflow::io {

struct FileDigest {
  std::uintmax_t size = 0;  // bytes
  std::string crc32_hex;    // zlib's CRC-32 of the contents, 8 lowercase hexadecimal digits
};

// Reads `path` in blocks and returns its size and CRC-32 ("123456789" gives "cbf43926"). Throws InputError
// naming the file when it cannot be opened or read.
FileDigest file_digest(std::string const& path);

}  // namespace voxflow::io

#endif
