// The element-by-element walk of a file before GDCM reads it (see structure_check.hpp): a small parser of
// the DICOM encoding (explicit/implicit VR, little/big endian, defined/undefined lengths) that checks only
// where each element ends.
#include "structure_check.hpp"

#include "attribute_values.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace voxflow::io::detail {

namespace {

class ElementWalker {
 public:
  explicit ElementWalker(std::string const& path) : in_(path, std::ios::binary) {
    open_error_ = in_ ? 0 : errno;
    if (in_) {
      in_.seekg(0, std::ios::end);
      size_ = static_cast<uint64_t>(in_.tellg());
    }
  }
  int open_error() const { return open_error_; }

  Structure check() {
    if (!in_) return Structure::unreadable;
    if (size_ == 0) return Structure::empty;
    unsigned char preamble[132];
    if (read(0, preamble, 132) && std::memcmp(preamble + 128, "DICM", 4) == 0) {
      // Part 10: the meta group (explicit VR little endian), then the data set in its transfer syntax.
      uint64_t pos = 132;
      std::string syntax;
      for (;;) {
        unsigned char head[8];
        if (!read(pos, head, 8)) return Structure::truncated;
        if (u16(head, false) != 0x0002) break;
        uint64_t length = 0, header = 0;
        if (!explicit_header(pos, head, false, length, header) || length == kUndefined)
          return Structure::truncated;
        if (u16(head + 2, false) == 0x0010) {
          syntax.resize(static_cast<std::size_t>(std::min<uint64_t>(length, 64)));
          if (!read(pos + header, syntax.data(), syntax.size())) return Structure::truncated;
          syntax = trim(syntax);
        }
        pos += header + length;
        if (pos > size_) return Structure::truncated;
      }
      // Part 10 requires the meta group and its TransferSyntaxUID: without them GDCM guesses the encoding
      // from the first bytes (a byte-swapped group made it read big-endian lengths of gigabytes, found by
      // fuzz/fuzz_dicom.cpp), and this walk could not follow the guess.
      if (pos == 132 || syntax.empty()) return Structure::truncated;
      if (syntax == "1.2.840.10008.1.2.1.99")
        return Structure::complete;  // deflated: GDCM inflates and checks
      bool const explicit_vr = syntax != "1.2.840.10008.1.2";
      bool const big_endian = syntax == "1.2.840.10008.1.2.2";
      return walk(pos, size_, explicit_vr, big_endian, 0) ? Structure::complete : Structure::truncated;
    }
    // No preamble: a raw data set must start with group 0008 (or 0002), explicit or implicit VR little
    // endian.
    unsigned char head[8];
    if (!read(0, head, 8)) return Structure::not_dicom;
    uint16_t const group = u16(head, false);
    if (group != 0x0008 && group != 0x0002) return Structure::not_dicom;
    uint64_t pos = 0;
    // A meta group without its preamble is read by GDCM's compatibility path, which asserts (aborting the
    // process) on a few bytes after the last element (a libFuzzer find): no padding is allowed there.
    raw_meta_ = group == 0x0002;
    // The meta group is explicit VR: GDCM's compatibility path asserted on one written implicit (a
    // libFuzzer find: two (0002,0000) elements of length 0, 16 bytes).
    if (raw_meta_ && !is_vr(head + 4)) return Structure::not_dicom;
    return walk(pos, size_, is_vr(head + 4), false, 0) ? Structure::raw_complete : Structure::not_dicom;
  }

 private:
  static constexpr uint64_t kUndefined = 0xFFFFFFFFu;
  static constexpr uint64_t kToDelimiter = ~uint64_t{0};

  bool read(uint64_t pos, void* buffer, std::size_t n) {
    if (pos + n > size_) return false;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(pos));
    return static_cast<bool>(in_.read(static_cast<char*>(buffer), static_cast<std::streamsize>(n)));
  }
  static uint16_t u16(unsigned char const* p, bool be) {
    return be ? static_cast<uint16_t>((p[0] << 8) | p[1]) : static_cast<uint16_t>(p[0] | (p[1] << 8));
  }
  static uint32_t u32(unsigned char const* p, bool be) {
    uint32_t const b0 = p[0], b1 = p[1], b2 = p[2], b3 = p[3];
    return be ? (b0 << 24) | (b1 << 16) | (b2 << 8) | b3 : b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
  }
  static bool is_vr(unsigned char const* p) {
    return p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z';
  }
  static bool long_vr(std::string const& vr) {
    return vr == "OB" || vr == "OW" || vr == "OF" || vr == "OD" || vr == "OL" || vr == "OV" || vr == "SQ" ||
           vr == "UT" || vr == "UN" || vr == "UC" || vr == "UR" || vr == "SV" || vr == "UV";
  }
  static bool known_vr(std::string const& vr) {
    static char const* const short_vrs[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO",
                                            "LT", "PN", "SH", "SL", "SS", "ST", "TM", "UI", "UL", "US"};
    return long_vr(vr) || std::any_of(std::begin(short_vrs), std::end(short_vrs),
                                      [&](char const* known) { return vr == known; });
  }
  // Length and header size of an explicit-VR element whose first 8 bytes are `head`. A VR this walker does
  // not know is read as GDCM reads it, with two reserved bytes and a 32-bit length (PS3.5 6.2: the form of
  // VRs added later): read with a 16-bit length instead, an element GDCM took for gigabytes passed the check
  // (found by fuzz/fuzz_dicom.cpp).
  bool explicit_header(uint64_t pos, unsigned char const* head, bool be, uint64_t& length, uint64_t& header) {
    if (!is_vr(head + 4)) return false;
    std::string const vr(reinterpret_cast<char const*>(head + 4), 2);
    if (long_vr(vr) || !known_vr(vr)) {
      unsigned char l4[4];
      if (!read(pos + 8, l4, 4)) return false;
      length = u32(l4, be);
      header = 12;
    } else {
      length = u16(head + 6, be);
      header = 8;
    }
    return true;
  }
  // Elements from `pos` to `end`, or up to an item delimitation when end is kToDelimiter.
  bool walk(uint64_t& pos, uint64_t end, bool explicit_vr, bool be, int depth) {
    if (depth > 32) return false;
    for (;;) {
      if (end != kToDelimiter && pos == end) return true;
      unsigned char head[8];
      if (!read(pos, head, 8)) {
        // At the top level, the end of the file, or fewer than 4 zero bytes of padding; else a cut header.
        // Four to seven zero bytes are a tag (0000,0000) whose VR or length is cut: GDCM then reread the
        // data set with 16-bit lengths and asserted, aborting the process (found by fuzz/fuzz_dicom.cpp).
        if (depth != 0 || pos > size_) return false;
        std::size_t const rest = static_cast<std::size_t>(size_ - pos);
        if (rest >= 4 || (rest > 0 && (raw_meta_ || !read(pos, head, rest)))) return false;
        return std::all_of(head, head + rest, [](unsigned char c) { return c == 0; });
      }
      // Zero padding ends a data set only at the end of the file: GDCM reads on past zeros, and an element
      // there that claims gigabytes made it allocate them (found by fuzz/fuzz_dicom.cpp).
      if (depth == 0 && std::all_of(head, head + 8, [](unsigned char c) { return c == 0; }))
        return zeros_to_end(pos);
      uint16_t const group = u16(head, be), element = u16(head + 2, be);
      uint64_t length = 0, header = 8;
      if (depth == 0) top_level_tag_ = {group, element};
      if (depth == 0 && group == 0x7FE0 && element == 0x0010) saw_pixel_data_ = true;
      if (group == 0xFFFE) {
        if (element == 0xE00D && end == kToDelimiter) {
          pos += 8;
          return u32(head + 4, be) == 0;
        }
        return false;
      }
      if (explicit_vr) {
        if (!explicit_header(pos, head, be, length, header)) return false;
      } else {
        length = u32(head + 4, be);
      }
      pos += header;
      if (length == kUndefined) {
        // A sequence or encapsulated pixel data (items up to a sequence delimitation, as OB or OW); an
        // undefined-length UN holds an implicit-VR sequence. Any other explicit VR cannot have an undefined
        // length (GDCM asserts and aborts the process on one: found by fuzz/fuzz_dicom.cpp, twice, the
        // second time pixel data written as OF).
        auto const vr_is = [&](char const* vr) { return std::memcmp(head + 4, vr, 2) == 0; };
        bool const un = explicit_vr && vr_is("UN");
        bool const pixel_data = group == 0x7FE0 && element == 0x0010 && (vr_is("OB") || vr_is("OW"));
        if (explicit_vr && !un && !pixel_data && !vr_is("SQ")) return false;
        if (!walk_items(pos, un ? false : explicit_vr, be, depth + 1)) return false;
      } else {
        pos += length;
        if (pos > (end == kToDelimiter ? size_ : end)) return false;
      }
    }
  }
  bool zeros_to_end(uint64_t pos) {
    unsigned char block[4096];
    while (pos < size_) {
      auto const n = static_cast<std::size_t>(std::min<uint64_t>(sizeof(block), size_ - pos));
      if (!read(pos, block, n) || !std::all_of(block, block + n, [](unsigned char c) { return c == 0; }))
        return false;
      pos += n;
    }
    return true;
  }
  bool walk_items(uint64_t& pos, bool explicit_vr, bool be, int depth) {
    for (;;) {
      unsigned char head[8];
      if (!read(pos, head, 8)) return false;
      if (u16(head, be) != 0xFFFE) return false;
      uint16_t const element = u16(head + 2, be);
      uint64_t const length = u32(head + 4, be);
      pos += 8;
      // A delimitation item has length 0 (PS3.5 7.5); GDCM allocated what a corrupt one claimed, gigabytes
      // for a kilobyte file (found by fuzz/fuzz_dicom.cpp).
      if (element == 0xE0DD) return length == 0;
      if (element != 0xE000) return false;
      if (length == kUndefined) {
        if (!walk(pos, kToDelimiter, explicit_vr, be, depth + 1)) return false;
      } else {
        pos += length;  // item contents (elements or a pixel data fragment): only their extent is checked
        if (pos > size_) return false;
      }
    }
  }

  std::ifstream in_;
  int open_error_ = 0;
  uint64_t size_ = 0;
  std::pair<uint16_t, uint16_t> top_level_tag_{0, 0};
  bool saw_pixel_data_ = false;
  bool raw_meta_ = false;  // a raw data set (no preamble) that starts with the meta group

 public:
  // See StructureCheck.
  std::pair<uint16_t, uint16_t> last_tag() const { return top_level_tag_; }
  bool saw_pixel_data() const { return saw_pixel_data_; }
};

}  // namespace

StructureCheck check_structure(std::string const& path) {
  ElementWalker walker(path);
  StructureCheck result;
  result.structure = walker.check();
  result.last_tag = walker.last_tag();
  result.saw_pixel_data = walker.saw_pixel_data();
  result.open_error = walker.open_error();
  return result;
}

}  // namespace voxflow::io::detail
