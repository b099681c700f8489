// Private to src/io: gzip in whole buffers, several times faster than zlib's streams for the sizes of images
// (DESIGN.md §4). A file is inflated by ISA-L's igzip (libdeflate's speed, but reading the compressed file in
// pieces) into a buffer of the size the NIfTI header implies, member by member, each member's CRC-32 checked;
// maps are deflated in one call by libdeflate. Anything the fast path cannot read returns "not read", and the
// caller falls back to zlib's stream, which explains the failure the way it always has.
#ifndef VOXFLOW_SRC_IO_GZIP_BUFFER_HPP
#define VOXFLOW_SRC_IO_GZIP_BUFFER_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace voxflow::io::detail {

// Uninitialised bytes whose pages can be handed back to the system piece by piece while a reader works
// through them (release), so that converting a large inflated image never holds it and its copy in full.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(std::size_t size);
  ~ByteBuffer();
  ByteBuffer(ByteBuffer&& other) noexcept;
  ByteBuffer& operator=(ByteBuffer&& other) noexcept;
  ByteBuffer(ByteBuffer const&) = delete;
  ByteBuffer& operator=(ByteBuffer const&) = delete;

  unsigned char* data() { return data_; }
  unsigned char const* data() const { return data_; }
  std::size_t size() const { return size_; }
  // Returns the whole pages inside [begin, end) to the system; their contents are gone.
  void release(std::size_t begin, std::size_t end);

 private:
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// The decompressed contents of the gzip file `path`, which must hold exactly `expected_bytes` (the NIfTI
// header's claim): empty (size 0) when the file is not gzip, cannot be read, is corrupt or holds another
// amount. Multi-member files (concatenated gzip streams) are read member by member.
ByteBuffer inflate_gzip_file(std::string const& path, std::size_t expected_bytes);

// The whole plain file, or an empty buffer when it cannot be read.
ByteBuffer read_plain_file(std::string const& path);

// `size` bytes at `data` as one gzip member at libdeflate `level` (1 fastest .. 12 smallest).
std::vector<unsigned char> gzip_compress(void const* data, std::size_t size, int level);

}  // namespace voxflow::io::detail

#endif
