#include "gzip_buffer.hpp"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <utility>

namespace voxflow::io::detail {

namespace {

constexpr std::size_t page_bytes = 4096;

}  // namespace

ByteBuffer read_plain_file(std::string const& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return {};
  ByteBuffer bytes;
  if (std::fseek(file, 0, SEEK_END) == 0) {
    long const size = std::ftell(file);
    if (size > 0 && std::fseek(file, 0, SEEK_SET) == 0) {
      bytes = ByteBuffer(static_cast<std::size_t>(size));
      if (std::fread(bytes.data(), 1, bytes.size(), file) != bytes.size()) bytes = ByteBuffer();
    }
  }
  std::fclose(file);
  return bytes;
}

namespace {

struct Compressor {
  libdeflate_compressor* c;
  explicit Compressor(int level) : c(libdeflate_alloc_compressor(level)) {}
  ~Compressor() {
    if (c != nullptr) libdeflate_free_compressor(c);
  }
};

}  // namespace

ByteBuffer::ByteBuffer(std::size_t size) : size_(size) {
  if (size == 0) return;
  // Anonymous pages, so that release() can return them (and so that nothing is zeroed up front).
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<unsigned char*>(p);
}

ByteBuffer::~ByteBuffer() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

ByteBuffer::ByteBuffer(ByteBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void ByteBuffer::release(std::size_t begin, std::size_t end) {
  std::size_t const first = (begin + page_bytes - 1) / page_bytes * page_bytes;
  std::size_t const last = end / page_bytes * page_bytes;
  if (data_ != nullptr && first < last && last <= size_)
    ::madvise(data_ + first, last - first, MADV_DONTNEED);
}

namespace {

// Compressed bytes read per call: the inflater consumes them in order, so the compressed file never sits in
// memory beside the data it inflates to (a whole-buffer inflater needs both: 92 MB + 105 MB at the end of a
// 128x128x20x80 float32 input).
constexpr std::size_t input_piece_bytes = std::size_t{1} << 20;
// ISA-L counts output in 32 bits: a larger image is inflated into successive windows of its buffer.
constexpr std::size_t output_window_bytes = std::size_t{1} << 30;

class InputFile {
 public:
  explicit InputFile(std::string const& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ >= 0) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~InputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  InputFile(InputFile const&) = delete;
  InputFile& operator=(InputFile const&) = delete;
  bool is_open() const { return fd_ >= 0; }
  // Up to `size` bytes; 0 at the end, -1 on an error.
  long read(unsigned char* into, std::size_t size) {
    for (;;) {
      ssize_t const got = ::read(fd_, into, size);
      if (got >= 0 || errno != EINTR) return static_cast<long>(got);
    }
  }

 private:
  int fd_;
};

}  // namespace

ByteBuffer inflate_gzip_file(std::string const& path, std::size_t expected_bytes) {
  if (expected_bytes == 0) return {};
  InputFile in(path);
  if (!in.is_open()) return {};
  std::vector<unsigned char> piece(input_piece_bytes);
  long got = in.read(piece.data(), piece.size());
  if (got < 2 || piece[0] != 0x1f || piece[1] != 0x8b) return {};
  // A gzip member at a time: ISA-L parses its header, inflates, and checks its CRC-32 (ISAL_GZIP).
  auto state = std::make_unique<inflate_state>();
  auto start_member = [&] {
    unsigned char* const next_in = state->next_in;
    uint32_t const avail_in = state->avail_in;
    isal_inflate_init(state.get());
    state->crc_flag = ISAL_GZIP;
    state->next_in = next_in;
    state->avail_in = avail_in;
  };
  state->next_in = piece.data();
  state->avail_in = static_cast<uint32_t>(got);
  start_member();
  // One byte more than expected, so that a file holding more data shows as such.
  ByteBuffer out(expected_bytes + 1);
  std::size_t out_done = 0;
  bool member_open = true;
  for (;;) {
    if (state->avail_in == 0) {
      got = in.read(piece.data(), piece.size());
      if (got < 0) return {};
      if (got == 0) break;
      state->next_in = piece.data();
      state->avail_in = static_cast<uint32_t>(got);
    }
    if (!member_open) {
      start_member();
      member_open = true;
    }
    if (out_done == out.size()) return {};  // more data than the header says
    state->next_out = out.data() + out_done;
    state->avail_out = static_cast<uint32_t>(std::min(output_window_bytes, out.size() - out_done));
    unsigned char const* const in_before = state->next_in;
    if (isal_inflate(state.get()) != ISAL_DECOMP_OK) return {};
    auto const made = static_cast<std::size_t>(state->next_out - out.data());
    if (made == out_done && state->next_in == in_before && state->block_state != ISAL_BLOCK_FINISH)
      return {};  // no progress: never expected, but a loop must not depend on it
    out_done = made;
    if (state->block_state == ISAL_BLOCK_FINISH) member_open = false;
  }
  if (member_open || out_done != expected_bytes) return {};
  return out;
}

std::vector<unsigned char> gzip_compress(void const* data, std::size_t size, int level) {
  Compressor compressor(level);
  if (compressor.c == nullptr) throw std::bad_alloc();
  std::vector<unsigned char> out(libdeflate_gzip_compress_bound(compressor.c, size));
  std::size_t const made = libdeflate_gzip_compress(compressor.c, data, size, out.data(), out.size());
  out.resize(made);  // never 0: the bound always suffices
  return out;
}

}  // namespace voxflow::io::detail
