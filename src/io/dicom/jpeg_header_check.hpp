// Private to src/io/dicom: the marker segments of a JPEG frame in encapsulated pixel data, checked before
// GDCM decodes it. GDCM's JPEG codecs (as Debian builds them, assertions on) abort the process on any
// warning libjpeg gives while reading a frame's header: bytes between marker segments, a stream that ends
// before its scan, an unknown JFIF version or Adobe transform (libFuzzer finds); and it dereferences a null
// codec for a frame of more than 16-bit samples. Errors libjpeg raises
// instead (no SOI, an unknown marker, a bad table) GDCM reports as failures, and this check leaves them.
#ifndef VOXFLOW_SRC_IO_DICOM_JPEG_HEADER_CHECK_HPP
#define VOXFLOW_SRC_IO_DICOM_JPEG_HEADER_CHECK_HPP

#include <cstdint>
#include <string>

namespace voxflow::io::detail {

// The bytes of one frame, from its first byte: its fragments one after another.
class JpegFrameBytes {
 public:
  virtual ~JpegFrameBytes() = default;
  // The next byte; false at the end of the pixel data.
  virtual bool next(unsigned char& byte) = 0;
  // Skips `n` bytes; false when the pixel data end first.
  virtual bool skip(std::uint64_t n) = 0;
};

// The lines and samples per line of a frame header (SOF); rows 0: given later by a DNL marker.
struct JpegFrameSize {
  unsigned rows = 0, columns = 0;
};

// What libjpeg would warn about in the frame's header (SOI up to the first SOS): "" when nothing. `size`,
// when given, receives the size its SOF marker gives (unchanged without one).
std::string jpeg_header_problem(JpegFrameBytes& bytes, JpegFrameSize* size = nullptr);

// Whether a transfer syntax UID is one of the JPEG processes GDCM decodes through libjpeg (baseline,
// extended, progressive, lossless).
bool is_libjpeg_transfer_syntax(std::string const& uid);

}  // namespace voxflow::io::detail

#endif
