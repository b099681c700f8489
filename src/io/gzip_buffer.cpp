#include "gzip_buffer.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
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

struct Decompressor {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  ~Decompressor() {
    if (d != nullptr) libdeflate_free_decompressor(d);
  }
};

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

// A whole file mapped read-only. The inflater reads the compressed bytes where the page cache holds them:
// copying them into fresh anonymous pages first took a third of the read stage of a 92 MB .nii.gz, most of
// it page faults (one per 4 kB page, each a trap to the hypervisor on a VM). Input files are not expected
// to shrink while they are read (a truncation under a mapping ends in SIGBUS, as for any mmap reader).
class MappedFile {
 public:
  explicit MappedFile(std::string const& path) {
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      auto const size = static_cast<std::size_t>(st.st_size);
      void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<unsigned char const*>(p);
        size_ = size;
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  MappedFile(MappedFile const&) = delete;
  MappedFile& operator=(MappedFile const&) = delete;
  unsigned char const* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  unsigned char const* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

ByteBuffer inflate_gzip_file(std::string const& path, std::size_t expected_bytes) {
  if (expected_bytes == 0) return {};
  ByteBuffer out;
  {
    MappedFile const in(path);
    if (in.size() < 18 || in.data()[0] != 0x1f || in.data()[1] != 0x8b) return {};
    Decompressor decompressor;
    if (decompressor.d == nullptr) return {};
    // One byte more than expected, so that a file holding more data shows as such.
    out = ByteBuffer(expected_bytes + 1);
    std::size_t in_done = 0, out_done = 0;
    while (in_done < in.size()) {
      std::size_t in_used = 0, out_made = 0;
      auto const result =
          libdeflate_gzip_decompress_ex(decompressor.d, in.data() + in_done, in.size() - in_done,
                                        out.data() + out_done, out.size() - out_done, &in_used, &out_made);
      if (result != LIBDEFLATE_SUCCESS) return {};
      in_done += in_used;
      out_done += out_made;
    }
    if (out_done != expected_bytes) return {};
  }
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
