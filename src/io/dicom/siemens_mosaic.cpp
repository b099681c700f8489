// The CSA image header of a Siemens mosaic (see siemens_mosaic.hpp).
#include "siemens_mosaic.hpp"

#include "attribute_values.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmCSAHeader.h>

#include <cmath>

namespace voxflow::io::detail {

namespace {

char const* const kCsaLabel = "CSA image header (0029,xx10)";

// The text of a CSA element (values separated by '\'), or nullopt when absent or empty.
std::optional<std::string> csa_text(gdcm::CSAHeader& csa, char const* name) {
  if (!csa.FindCSAElementByName(name)) return std::nullopt;
  gdcm::CSAElement const& e = csa.GetCSAElementByName(name);
  gdcm::ByteValue const* value = e.GetByteValue();
  if (value == nullptr) return std::nullopt;
  std::string s = trim(std::string(value->GetPointer(), value->GetLength()));
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

void read_mosaic_layout(AttributeReader const& a, FileHeader& h) {
  gdcm::CSAHeader csa;
  gdcm::PrivateTag const& tag = gdcm::CSAHeader::GetCSAImageHeaderInfoTag();
  if (a.data_set().FindDataElement(tag) && csa.LoadFromDataElement(a.data_set().GetDataElement(tag))) {
    if (auto const n = csa_text(csa, "NumberOfImagesInMosaic"))
      h.mosaic_images = static_cast<int>(
          parse_numbers(*n, h.path, std::string("NumberOfImagesInMosaic in the ") + kCsaLabel).front());
    if (auto const v = csa_text(csa, "SliceNormalVector")) {
      auto const normal = parse_numbers(*v, h.path, std::string("SliceNormalVector in the ") + kCsaLabel);
      if (normal.size() >= 3) h.mosaic_normal = Vec3{{normal[0], normal[1], normal[2]}};
    }
  }
  if (!h.mosaic_images)
    if (auto const n = a.private_text(0x0019, 0x100A, "SIEMENS MR HEADER"))
      h.mosaic_images =
          static_cast<int>(parse_numbers(*n, h.path, "NumberOfImagesInMosaic (0019,xx0A)").front());
  if (!h.mosaic_images)
    throw InputError(h.path, std::string("NumberOfImagesInMosaic in the ") + kCsaLabel,
                     "the number of slices tiled into this MOSAIC image");
  // Tiles are Rows / m by Columns / m pixels (m = ceil(sqrt(n)) tiles per mosaic row, any remainder unused).
  int const n = *h.mosaic_images;
  int const per_row = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  if (n < 1 || h.rows / per_row < 1 || h.columns / per_row < 1)
    throw InputError(h.path, std::string("NumberOfImagesInMosaic in the ") + kCsaLabel,
                     "between 1 and the number of tiles that fit the " + std::to_string(h.rows) + " x " +
                         std::to_string(h.columns) + " matrix (found " + std::to_string(n) + ")");
}

}  // namespace voxflow::io::detail
