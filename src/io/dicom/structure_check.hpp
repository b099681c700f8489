// Private to src/io/dicom: the structural check every file gets before GDCM sees it. GDCM 3.0 (as packaged,
// with assertions on) aborts the process on many files cut short, and silently pads native pixel data that
// the end of the file cuts off; walking the elements first turns both into errors naming the file, and tells
// DICOM from other files.
#ifndef VOXFLOW_SRC_IO_DICOM_STRUCTURE_CHECK_HPP
#define VOXFLOW_SRC_IO_DICOM_STRUCTURE_CHECK_HPP

#include "jpeg_header_check.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace voxflow::io::detail {

// Two (group, element) tags: the one walked before and the one walked after it.
using TagPair = std::pair<std::pair<uint16_t, uint16_t>, std::pair<uint16_t, uint16_t>>;

// unreadable: the file cannot be opened or read; empty: it has no bytes at all (an interrupted copy, most
// likely a slice): both are errors for a file in a DICOM folder, never silently skipped.
enum class Structure { not_dicom, complete, raw_complete, truncated, unreadable, empty };

struct StructureCheck {
  // not_dicom: neither Part 10 ("DICM" at byte 128) nor a raw data set starting with group 0008/0002 that
  // walks to its end; complete: a Part-10 file whose elements all lie inside it (deflated ones are left to
  // GDCM); raw_complete: a raw data set (no preamble) that walks to its end; truncated: a Part-10 file cut
  // short; unreadable and empty: see Structure.
  Structure structure = Structure::not_dicom;
  // The top-level element being walked when the check stopped (the one cut short for Structure::truncated).
  std::pair<uint16_t, uint16_t> last_tag{0, 0};
  bool saw_pixel_data = false;  // a top-level PixelData (7FE0,0010) element was reached
  int open_error = 0;           // errno of a failed open (Structure::unreadable)
  // Of a complete file with JPEG pixel data: what GDCM's codec would abort on in a frame's header
  // (jpeg_header_check.hpp), or "".
  std::string jpeg_problem;
  // The length of top-level pixel data of defined length (native, not encapsulated), when there are any.
  std::optional<uint64_t> native_pixel_bytes;
  // The size the SOF marker of its first JPEG frame gives, when it has one.
  std::optional<JpegFrameSize> jpeg_frame_size;
  // Of a Part-10 file: the first top-level element at or past PixelData's tag (7FE0,0010) and a later one
  // below it, which GDCM's header reader never reaches.
  std::optional<TagPair> out_of_order;
  // Of a Part-10 file: its MediaStorageSOPClassUID (0002,0002), as GDCM reads it, or "".
  std::string media_storage;
};

// Walks the file at `path` element by element (meta group, data set, sequences, pixel data fragments): each
// element, item and fragment must lie inside the file. Never throws for the file's contents.
StructureCheck check_structure(std::string const& path);

}  // namespace voxflow::io::detail

#endif
