// The element-by-element walk of a file before GDCM reads it (see structure_check.hpp): a small parser of
// the DICOM encoding (explicit/implicit VR, little/big endian, defined/undefined lengths) that checks only
// where each element ends.
#include "structure_check.hpp"

#include "jpeg_header_check.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

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
      bool media_storage_read = false;
      for (;;) {
        unsigned char head[8];
        if (!read(pos, head, 8)) return Structure::truncated;
        if (u16(head, false) != 0x0002) break;
        uint64_t length = 0, header = 0;
        if (!meta_vr_at(head) || !explicit_header(pos, head, false, length, header) || length == kUndefined)
          return Structure::truncated;
        if (u16(head + 2, false) == 0x0010 && !take_syntax(pos + header, length)) return Structure::truncated;
        // Only recorded (a DICOMDIR is never parsed, file_header.cpp): any value is accepted here.
        if (u16(head + 2, false) == 0x0002 && !media_storage_read) {
          media_storage_read = true;
          read_uid(pos + header, length, media_storage_);
        }
        pos += header + length;
        if (pos > size_) return Structure::truncated;
      }
      // Part 10 requires the meta group and its TransferSyntaxUID: without them GDCM guesses the encoding
      // from the first bytes (a byte-swapped group made it read big-endian lengths of gigabytes, found by
      // fuzz/fuzz_dicom.cpp), and this walk could not follow the guess.
      if (pos == 132 || syntax_.empty()) return Structure::truncated;
      if (syntax_ == "1.2.840.10008.1.2.1.99") {
        // Deflated: the data set after the meta group is one raw deflate stream, walked once inflated (GDCM
        // asserted, aborting the process, on the elements of a garbage one: a libFuzzer find).
        if (!inflate_data_set(pos)) return Structure::truncated;
        pos = 0;
        return walk(pos, size_, true, false, 0) ? Structure::complete : Structure::truncated;
      }
      bool const explicit_vr = syntax_ != "1.2.840.10008.1.2";
      bool const big_endian = syntax_ == "1.2.840.10008.1.2.2";
      if (!walk(pos, size_, explicit_vr, big_endian, 0)) return Structure::truncated;
      if (is_libjpeg_transfer_syntax(syntax_)) check_jpeg_frames();
      return Structure::complete;
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
    if (!walk(pos, size_, is_vr(head + 4), false, 0)) return Structure::not_dicom;
    // GDCM's compatibility reader reads meta elements until it reads a tag of another group, and asserts,
    // aborting the process, when the file ends first (an 8-byte libFuzzer find: one meta element).
    if (raw_meta_ && size_ < meta_end_ + 4) return Structure::not_dicom;
    // GDCM reads the data set after a raw meta group in the encoding its TransferSyntaxUID names, and this
    // walk followed explicit VR little endian: any other is refused, and JPEG frames are checked as in a
    // Part-10 file (GDCM's lossless codec asserted on one of a raw file, unchecked: a libFuzzer find).
    if (raw_meta_ && (syntax_ == "1.2.840.10008.1.2" || syntax_ == "1.2.840.10008.1.2.2" ||
                      syntax_ == "1.2.840.10008.1.2.1.99"))
      return Structure::not_dicom;
    if (raw_meta_ && is_libjpeg_transfer_syntax(syntax_)) check_jpeg_frames();
    // A raw data set is told from other files by its walk alone: one out of tag order (as above) is not taken
    // for one.
    if (out_of_order_) return Structure::not_dicom;
    return Structure::raw_complete;
  }

 private:
  static constexpr uint64_t kUndefined = 0xFFFFFFFFu;
  static constexpr uint64_t kToDelimiter = ~uint64_t{0};

  // The rest of the file from `pos`, raw-inflated into memory, which the walk then reads instead of the
  // file; false when the stream is corrupt or ends early.
  bool inflate_data_set(uint64_t pos) {
    std::string compressed(static_cast<std::size_t>(size_ - pos), '\0');
    if (!read(pos, compressed.data(), compressed.size())) return false;
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
    z.next_in = reinterpret_cast<Bytef*>(compressed.data());
    z.avail_in = static_cast<uInt>(compressed.size());
    std::string inflated;
    int rc = Z_OK;
    while (rc == Z_OK) {
      std::size_t const done = inflated.size();
      inflated.resize(done + (1u << 20));
      z.next_out = reinterpret_cast<Bytef*>(inflated.data() + done);
      z.avail_out = 1u << 20;
      rc = inflate(&z, Z_NO_FLUSH);
      inflated.resize(done + (1u << 20) - z.avail_out);
      if (inflated.size() > (uint64_t{1} << 32)) rc = Z_MEM_ERROR;  // beyond any series voxflow reads
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return false;
    memory_ = std::move(inflated);
    in_memory_ = true;
    size_ = memory_.size();
    return true;
  }

  // A UID of `length` bytes at `pos` (the meta group's TransferSyntaxUID, MediaStorageSOPClassUID) as GDCM
  // reads it (TransferSyntax::GetTSType, MediaStorage::GetMSType): up to the first NUL, less trailing spaces.
  // Read otherwise, "1.2.840.10008.1.2", a NUL and more bytes was explicit VR here and implicit there, and
  // GDCM allocated the 3.7 GB an element's value bytes claimed as a length (a libFuzzer find). False when it
  // cannot be read or is not a UID (digits and dots, PS3.5 9.1): not an encoding this walk can follow.
  bool read_uid(uint64_t pos, uint64_t length, std::string& uid) {
    uid.resize(static_cast<std::size_t>(std::min<uint64_t>(length, 64)));
    if (!read(pos, uid.data(), uid.size())) {
      uid.clear();
      return false;
    }
    uid.resize(std::min(uid.find('\0'), uid.size()));
    while (!uid.empty() && uid.back() == ' ') uid.pop_back();
    return uid.find_first_not_of("0123456789.") == std::string::npos;
  }

  // The TransferSyntaxUID at `pos` unless one was read before: GDCM keeps the first of a tag written twice,
  // and taking the last let a JPEG file pass unchecked as another encoding, on whose frame GDCM's JPEG codec
  // dereferenced a null pointer (a libFuzzer find). False when it is not a UID.
  bool take_syntax(uint64_t pos, uint64_t length) {
    if (syntax_read_) return true;
    syntax_read_ = true;
    return read_uid(pos, length, syntax_);
  }

  bool read(uint64_t pos, void* buffer, std::size_t n) {
    if (pos + n > size_) return false;
    if (in_memory_) {
      std::memcpy(buffer, memory_.data() + pos, n);
      return true;
    }
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
  // The VRs of the file meta elements (PS3.10 7.1), and UN, which GDCM replaces by the right one. GDCM's meta
  // readers take an element of a VR they do not know for implicit VR, its VR and length bytes for a 32-bit
  // length (a 49-byte libFuzzer find made it allocate 1.5 GB), and assert, aborting the process, on a
  // sequence there (a 35-byte find).
  static bool meta_vr_at(unsigned char const* head) {
    static char const* const meta_vrs[] = {"UL", "OB", "UI", "SH", "AE", "UR", "UN"};
    return std::any_of(std::begin(meta_vrs), std::end(meta_vrs),
                       [&](char const* vr) { return std::memcmp(head + 4, vr, 2) == 0; });
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
      if (depth == 0) {
        // GDCM's ReadUpToTag reads the header up to the first tag at or past the pixel data's, so the checks
        // made on what it read missed any element after that one with a lower tag, and its image reader
        // asserted, aborting the process, on them (a libFuzzer find: (0028,0102) had become (8028,0102)).
        // Such elements are out of ascending tag order (PS3.5 7.1); other elements out of order, and a tag
        // written twice (pydicom's palettes/winter.dcm), GDCM sorts and reads, and so does voxflow.
        std::pair<uint16_t, uint16_t> const tag{group, element};
        std::pair<uint16_t, uint16_t> const pixel_data_tag{0x7FE0, 0x0010};
        if (stop_tag_ && !out_of_order_ && tag < pixel_data_tag)
          out_of_order_ = std::make_pair(*stop_tag_, tag);
        if (!stop_tag_ && tag >= pixel_data_tag) stop_tag_ = tag;
        top_level_tag_ = tag;
      }
      // Of pixel data written twice, GDCM keeps the first: what the walk records is the first one's.
      bool const first_pixel_data = depth == 0 && group == 0x7FE0 && element == 0x0010 && !saw_pixel_data_;
      if (first_pixel_data) saw_pixel_data_ = true;
      // Pixel data are OB or OW (PS3.5 8.2; UN from converters that lost the VR): GDCM asserted, aborting the
      // process, on pixel data written as a sequence (a libFuzzer find).
      if (explicit_vr && group == 0x7FE0 && element == 0x0010 && std::memcmp(head + 4, "OB", 2) != 0 &&
          std::memcmp(head + 4, "OW", 2) != 0 && std::memcmp(head + 4, "UN", 2) != 0)
        return false;
      if (group == 0xFFFE) {
        if (element == 0xE00D && end == kToDelimiter) {
          pos += 8;
          return u32(head + 4, be) == 0;
        }
        return false;
      }
      if (explicit_vr) {
        if (raw_meta_ && group == 0x0002 && !meta_vr_at(head)) return false;
        if (!explicit_header(pos, head, be, length, header)) return false;
        if (raw_meta_ && group == 0x0002 && length == kUndefined) return false;  // GDCM asserts on it
        if (raw_meta_ && depth == 0 && group == 0x0002 && element == 0x0010 &&
            !take_syntax(pos + header, length))
          return false;
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
        bool const pixel_data = group == 0x7FE0 && element == 0x0010;  // its VR was checked above
        if (explicit_vr && !un && !pixel_data && !vr_is("SQ")) return false;
        collecting_fragments_ = first_pixel_data;
        // An undefined-length UN holds implicit VR (CP-246); GDCM rereads it as explicit VR where that
        // fails, and so does the walk.
        uint64_t const items_start = pos;
        bool items = walk_items(pos, un ? false : explicit_vr, be, depth + 1, pixel_data);
        if (!items && un) {
          pos = items_start;
          items = walk_items(pos, true, be, depth + 1, false);
        }
        collecting_fragments_ = false;
        if (!items) return false;
        if (end != kToDelimiter && pos > end) return false;  // past the end of the item holding it
        // Encapsulated pixel data are a basic offset table then one fragment or more (PS3.5 A.4): GDCM's
        // codecs asserted, aborting the process, on a table alone (a libFuzzer find).
        if (first_pixel_data && fragments_.size() < 2) return false;
      } else {
        if (first_pixel_data) native_pixel_bytes_ = length;
        pos += length;
        if (pos > (end == kToDelimiter ? size_ : end)) return false;
      }
      if (depth == 0 && group == 0x0002) meta_end_ = pos;
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
  // Items up to a sequence delimitation: pixel data fragments (`fragments`), whose bytes are not elements, or
  // the items of a sequence, whose elements are walked whatever their length says: GDCM parses an item of
  // defined length too, and asserted, aborting the process, on one holding a JPEG frame (a libFuzzer find).
  bool walk_items(uint64_t& pos, bool explicit_vr, bool be, int depth, bool fragments) {
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
      } else if (fragments) {
        if (collecting_fragments_) fragments_.push_back({pos, length});
        pos += length;  // a fragment's bytes: only their extent is checked
        if (pos > size_) return false;
      } else {
        uint64_t const item_end = pos + length;
        if (item_end > size_ || !walk(pos, item_end, explicit_vr, be, depth + 1)) return false;
      }
    }
  }

  // The bytes of the pixel data's fragments from fragment `first` on, read in blocks.
  class FragmentBytes : public JpegFrameBytes {
   public:
    FragmentBytes(ElementWalker& walker, std::size_t first) : walker_(walker), fragment_(first) {}
    bool next(unsigned char& byte) override {
      if (at_ == filled_ && !fill()) return false;
      byte = block_[at_++];
      return true;
    }
    bool skip(uint64_t n) override {
      while (n > 0) {
        if (at_ == filled_ && !fill()) return false;
        auto const step = static_cast<std::size_t>(std::min<uint64_t>(n, filled_ - at_));
        at_ += step;
        n -= step;
      }
      return true;
    }

   private:
    bool fill() {
      auto const& fragments = walker_.fragments_;
      while (fragment_ < fragments.size() && offset_ == fragments[fragment_].second) ++fragment_, offset_ = 0;
      if (fragment_ == fragments.size()) return false;
      auto const [start, length] = fragments[fragment_];
      filled_ = static_cast<std::size_t>(std::min<uint64_t>(sizeof(block_), length - offset_));
      if (!walker_.read(start + offset_, block_, filled_)) return false;
      offset_ += filled_;
      at_ = 0;
      return true;
    }
    ElementWalker& walker_;
    std::size_t fragment_;
    uint64_t offset_ = 0;
    unsigned char block_[4096];
    std::size_t at_ = 0, filled_ = 0;
  };

  // The header of every frame of encapsulated JPEG pixel data: each fragment after the basic offset table
  // that starts with SOI starts a frame.
  void check_jpeg_frames() {
    for (std::size_t i = 1; i < fragments_.size() && jpeg_problem_.empty(); ++i) {
      unsigned char soi[2];
      if (fragments_[i].second < 2 || !read(fragments_[i].first, soi, 2) || soi[0] != 0xFF || soi[1] != 0xD8)
        continue;
      FragmentBytes bytes(*this, i);
      JpegFrameSize size;
      jpeg_problem_ = jpeg_header_problem(bytes, &size);
      if (size.columns > 0 && !jpeg_frame_size_) jpeg_frame_size_ = size;
    }
  }

  std::ifstream in_;
  int open_error_ = 0;
  uint64_t size_ = 0;
  std::string memory_;  // a deflated data set, inflated: read instead of the file when in_memory_
  bool in_memory_ = false;
  std::pair<uint16_t, uint16_t> top_level_tag_{0, 0};
  std::optional<std::pair<uint16_t, uint16_t>> stop_tag_;  // the first top-level tag >= (7FE0,0010)
  std::optional<TagPair> out_of_order_;
  bool saw_pixel_data_ = false;
  bool raw_meta_ = false;  // a raw data set (no preamble) that starts with the meta group
  uint64_t meta_end_ = 0;  // where the last top-level meta group element ends
  bool syntax_read_ = false;
  std::string syntax_;         // the meta group's (first) TransferSyntaxUID, or ""
  std::string media_storage_;  // a Part-10 meta group's MediaStorageSOPClassUID, or ""
  std::optional<uint64_t> native_pixel_bytes_;
  std::optional<JpegFrameSize> jpeg_frame_size_;
  bool collecting_fragments_ = false;
  std::vector<std::pair<uint64_t, uint64_t>> fragments_;  // (offset, length) of the pixel data's items
  std::string jpeg_problem_;

 public:
  // See StructureCheck.
  std::pair<uint16_t, uint16_t> last_tag() const { return top_level_tag_; }
  bool saw_pixel_data() const { return saw_pixel_data_; }
  std::string const& jpeg_problem() const { return jpeg_problem_; }
  std::optional<uint64_t> native_pixel_bytes() const { return native_pixel_bytes_; }
  std::optional<JpegFrameSize> jpeg_frame_size() const { return jpeg_frame_size_; }
  std::optional<TagPair> out_of_order() const { return out_of_order_; }
  std::string const& media_storage() const { return media_storage_; }
};

}  // namespace

StructureCheck check_structure(std::string const& path) {
  ElementWalker walker(path);
  StructureCheck result;
  result.structure = walker.check();
  result.last_tag = walker.last_tag();
  result.saw_pixel_data = walker.saw_pixel_data();
  result.open_error = walker.open_error();
  result.jpeg_problem = walker.jpeg_problem();
  result.native_pixel_bytes = walker.native_pixel_bytes();
  result.jpeg_frame_size = walker.jpeg_frame_size();
  result.out_of_order = walker.out_of_order();
  result.media_storage = walker.media_storage();
  return result;
}

}  // namespace voxflow::io::detail
