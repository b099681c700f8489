// Decoding one file's pixel data into stored values (see pixel_decoding.hpp).
#include "pixel_decoding.hpp"

#include "attribute_names.hpp"
#include "reading_progress.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmByteValue.h>
#include <gdcmDataElement.h>
#include <gdcmDataSet.h>
#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmPixelFormat.h>
#include <gdcmTransferSyntax.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace voxflow::io::detail {

std::vector<double> decode_pixels(FileHeader const& h) {
  note_file_in_progress(h.path);
  // GDCM's image reader asserts, aborting the process, on an RT Dose object without NumberOfFrames (type 1
  // there), as in pydicom's rtdose_1frame.dcm, rtdose_rle_1frame.dcm and rtdose_expb_1frame.dcm.
  if (h.rt_dose && !h.number_of_frames)
    throw InputError(h.path, kNumberOfFrames.label(),
                     "a value in an RT Dose object (the element is missing)");
  gdcm::ImageReader reader;
  reader.SetFileName(h.path.c_str());
  if (!reader.Read())
    throw InputError(
        h.path, kPixelData.label(),
        "decodable pixel data (the file is truncated, corrupt, or in a transfer syntax this GDCM "
        "cannot decode)");
  gdcm::Image const& image = reader.GetImage();
  gdcm::PixelFormat const& pf = image.GetPixelFormat();
  std::string const ts = reader.GetFile().GetHeader().GetDataSetTransferSyntax().GetString()
                             ? reader.GetFile().GetHeader().GetDataSetTransferSyntax().GetString()
                             : "unknown";
  // The whole file's pixel data: for an image split from a mosaic or a multi-frame file, that file's matrix.
  int const columns = h.part ? h.part->file_columns : h.columns, rows = h.part ? h.part->file_rows : h.rows;
  unsigned const frames = h.part ? static_cast<unsigned>(h.part->file_frames) : 1u;
  unsigned const decoded_frames = image.GetNumberOfDimensions() == 3 ? image.GetDimension(2) : 1u;
  if (decoded_frames != frames)
    throw InputError(
        h.path, kNumberOfFrames.label(),
        std::to_string(frames) + " frame(s) of pixel data (found " + std::to_string(decoded_frames) + ")");
  if (static_cast<int>(image.GetColumns()) != columns || static_cast<int>(image.GetRows()) != rows)
    throw InputError(h.path, kPixelData.label(), "an image of the size given by Rows and Columns");
  if (pf.GetSamplesPerPixel() != 1)
    throw InputError(h.path, kSamplesPerPixel.label(), "1 (grey-level images only)");
  std::size_t const count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns) * frames;
  unsigned const bits_allocated = pf.GetBitsAllocated();
  if (bits_allocated != 8 && bits_allocated != 16 && bits_allocated != 32 && bits_allocated != 64)
    throw InputError(h.path, "BitsAllocated (0028,0100)", "8, 16, 32 or 64");
  std::size_t const bytes = count * (bits_allocated / 8);
  std::vector<char> buffer(std::max<std::size_t>(image.GetBufferLength(), bytes));
  if (image.GetBufferLength() < bytes || !image.GetBuffer(buffer.data()))
    throw InputError(h.path, kPixelData.label(),
                     "pixel data of " + std::to_string(bytes) + " bytes that decodes (transfer syntax " + ts +
                         "; the file may be truncated)");
  // Native pixel data shorter than the matrix were refused with the header (check_pixel_data_size).
  std::vector<double> values(count);
  auto const scalar = pf.GetScalarType();
  bool const is_signed = pf.GetPixelRepresentation() == 1;
  unsigned const stored =
      std::min<unsigned>(pf.GetBitsStored() == 0 ? bits_allocated : pf.GetBitsStored(), bits_allocated);
  if (scalar == gdcm::PixelFormat::FLOAT32 || scalar == gdcm::PixelFormat::FLOAT64) {
    for (std::size_t n = 0; n < count; ++n) {
      if (bits_allocated == 32) {
        float f;
        std::memcpy(&f, buffer.data() + 4 * n, 4);
        values[n] = f;
      } else {
        double d;
        std::memcpy(&d, buffer.data() + 8 * n, 8);
        values[n] = d;
      }
    }
    return values;
  }
  if (bits_allocated == 64)
    throw InputError(h.path, "BitsAllocated (0028,0100)", "8, 16 or 32 for integer pixels");
  // Integers of BitsStored bits in BitsAllocated: mask the unused high bits (old overlays), then sign-extend.
  uint64_t const mask = stored >= 64 ? ~uint64_t{0} : ((uint64_t{1} << stored) - 1);
  for (std::size_t n = 0; n < count; ++n) {
    uint64_t raw = 0;
    switch (bits_allocated) {
      case 8:
        raw = static_cast<unsigned char>(buffer[n]);
        break;
      case 16: {
        uint16_t v;
        std::memcpy(&v, buffer.data() + 2 * n, 2);
        raw = v;
        break;
      }
      default: {
        uint32_t v;
        std::memcpy(&v, buffer.data() + 4 * n, 4);
        raw = v;
        break;
      }
    }
    raw &= mask;
    if (is_signed && (raw >> (stored - 1)) & 1u)
      values[n] =
          static_cast<double>(static_cast<int64_t>(raw) - static_cast<int64_t>(uint64_t{1} << stored));
    else
      values[n] = static_cast<double>(raw);
  }
  return values;
}

}  // namespace voxflow::io::detail
