#include "jpeg_header_check.hpp"

#include <cstdio>

namespace voxflow::io::detail {

namespace {

// libjpeg's JWRN_JPEG_EOF: its source manager feeds a fake EOI and warns.
constexpr char const* kEndsBeforeScan = "a JPEG stream that ends before its scan (SOS marker)";

std::string hex(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof(text), "0x%02X", value);
  return text;
}

// libjpeg (jdmarker.c) warns JWRN_JFIF_MAJOR on a JFIF APP0 whose major version is not 1, and
// (jdapimin.c) JWRN_ADOBE_XFORM on an Adobe APP14 transform other than 0, 1 or 2.
std::string application_problem(unsigned marker, unsigned char const* data, std::uint64_t size) {
  if (marker == 0xE0 && size >= 14 && data[0] == 'J' && data[1] == 'F' && data[2] == 'I' && data[3] == 'F' &&
      data[4] == 0 && data[5] != 1)
    return "a JFIF marker of version " + std::to_string(data[5]) + " (libjpeg reads version 1)";
  if (marker == 0xEE && size >= 12 && data[0] == 'A' && data[1] == 'd' && data[2] == 'o' && data[3] == 'b' &&
      data[4] == 'e' && data[11] > 2)
    return "an Adobe marker with color transform " + std::to_string(data[11]) + " (0, 1 or 2)";
  return "";
}

}  // namespace

std::string jpeg_header_problem(JpegFrameBytes& bytes, JpegFrameSize* size) {
  unsigned char byte = 0;
  // libjpeg requires SOI first and fails (not a warning) without it.
  if (!bytes.next(byte) || byte != 0xFF || !bytes.next(byte) || byte != 0xD8) return "";
  for (;;) {
    std::uint64_t extraneous = 0;
    if (!bytes.next(byte)) return kEndsBeforeScan;
    // libjpeg's next_marker: anything but 0xFF here, and a stuffed FF 00, is data between segments.
    for (;;) {
      while (byte != 0xFF) {
        ++extraneous;
        if (!bytes.next(byte)) return kEndsBeforeScan;
      }
      do {
        if (!bytes.next(byte)) return kEndsBeforeScan;
      } while (byte == 0xFF);
      if (byte != 0) break;
      extraneous += 2;
      if (!bytes.next(byte)) return kEndsBeforeScan;
    }
    unsigned const marker = byte;
    if (extraneous > 0)
      return "a JPEG stream with " + std::to_string(extraneous) +
             " bytes between its marker segments (before marker " + hex(marker) + ")";
    if (marker == 0xDA || marker == 0xD9) return "";  // the scan, or an image-less stream libjpeg refuses
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    unsigned char length_bytes[2];
    if (!bytes.next(length_bytes[0]) || !bytes.next(length_bytes[1])) return kEndsBeforeScan;
    std::uint64_t const length = (std::uint64_t{length_bytes[0]} << 8) | length_bytes[1];
    if (length < 2) return "";  // libjpeg fails on it (JERR_BAD_LENGTH)
    std::uint64_t data_size = length - 2;
    bool const frame_header =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame_header && data_size > 0) {
      // GDCM picks its 8-, 12- or 16-bit libjpeg by the frame's precision and dereferences a null codec
      // beyond 16 bits (a libFuzzer find: a 17-bit lossless frame); below 8 bits its 8-bit codec gives
      // 8 bits allocated and fewer stored, on which GDCM's image codec asserts, aborting the process (a
      // libFuzzer find: a 7-bit lossless frame; 2 to 7 bits all abort, 8, 12 and 16 decode).
      unsigned char precision = 0;
      if (!bytes.next(precision)) return kEndsBeforeScan;
      if (precision < 8 || precision > 16)
        return "a JPEG frame of " + std::to_string(precision) + "-bit samples (8 to 16)";
      // A DCT frame (every process but the lossless ones) of another depth than 8, 12 or 16 bits: GDCM's
      // 16-bit codec asserted, aborting the process (a libFuzzer find: 10 bits in a SOF1 frame).
      bool const lossless = marker == 0xC3 || marker == 0xC7 || marker == 0xCB || marker == 0xCF;
      if (!lossless && precision != 8 && precision != 12 && precision != 16)
        return "a DCT JPEG frame of " + std::to_string(precision) + "-bit samples (8, 12 or 16)";
      --data_size;
      unsigned char lines[4];
      if (data_size >= 4 && size != nullptr) {
        for (unsigned char& b : lines)
          if (!bytes.next(b)) return kEndsBeforeScan;
        size->rows = (lines[0] << 8) | lines[1];
        size->columns = (lines[2] << 8) | lines[3];
        data_size -= 4;
      }
    }
    if (marker == 0xE0 || marker == 0xEE) {
      unsigned char data[14] = {};
      std::uint64_t const examined = data_size < sizeof(data) ? data_size : sizeof(data);
      for (std::uint64_t i = 0; i < examined; ++i)
        if (!bytes.next(data[i])) return kEndsBeforeScan;
      auto const problem = application_problem(marker, data, data_size);
      if (!problem.empty()) return problem;
      data_size -= examined;
    }
    if (!bytes.skip(data_size)) return kEndsBeforeScan;
  }
}

bool is_libjpeg_transfer_syntax(std::string const& uid) {
  static char const* const prefix = "1.2.840.10008.1.2.4.";
  if (uid.rfind(prefix, 0) != 0) return false;
  std::string const process = uid.substr(std::string(prefix).size());
  // 50 baseline, 51 extended, 55 progressive, 57 and 70 lossless (and the retired 52-66 processes).
  int number = 0;
  for (char c : process) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
    if (number > 100) return false;
  }
  return !process.empty() && number >= 50 && number <= 70;
}

}  // namespace voxflow::io::detail
