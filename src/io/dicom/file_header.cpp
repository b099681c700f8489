// Reading one file's header (see file_header.hpp): gdcm::Reader up to the pixel data, attributes rendered
// as text by gdcm::StringFilter (binary VRs such as US and FD included), and the vendors' private b-value
// tags.
#include "file_header.hpp"

#include "attribute_names.hpp"
#include "attribute_reader.hpp"
#include "attribute_values.hpp"
#include "enhanced_frames.hpp"
#include "reading_progress.hpp"
#include "siemens_mosaic.hpp"
#include "structure_check.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmByteValue.h>
#include <gdcmDataElement.h>
#include <gdcmDataSet.h>
#include <gdcmDictEntry.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmPrivateTag.h>
#include <gdcmReader.h>
#include <gdcmStringFilter.h>
#include <gdcmTag.h>
#include <gdcmVR.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

namespace voxflow::io::detail {

namespace {

[[noreturn]] void throw_corrupt(std::string const& path, std::pair<uint16_t, uint16_t> tag = {0, 0}) {
  if (tag == std::make_pair(kPixelData.group, kPixelData.element))
    throw InputError(path, kPixelData.label(),
                     "pixel data that ends within the file, encapsulated as OB or OW in a basic offset table "
                     "and at least one fragment (the file is truncated or corrupt)");
  throw InputError(
      path, "DICOM header",
      "a complete DICOM Part-10 file (it starts like one but cannot be parsed: truncated or corrupt)");
}

std::optional<double> date_time_s(AttributeReader const& a, TagName const& date, TagName const& time) {
  auto const t = a.text(time);
  if (!t) return std::nullopt;
  auto seconds = parse_time_s(*t);
  if (!seconds) return std::nullopt;
  if (auto const d = a.text(date))
    if (auto const day = parse_date_s(*d)) *seconds += *day;
  return seconds;
}

// An US attribute (0028,element) of the image pixel module as stored, before GDCM's image reader has
// interpreted it; nothing when absent or empty.
std::optional<unsigned> image_pixel_us(gdcm::DataSet const& data_set, uint16_t element) {
  gdcm::Tag const tag(0x0028, element);
  if (!data_set.FindDataElement(tag)) return std::nullopt;
  gdcm::ByteValue const* value = data_set.GetDataElement(tag).GetByteValue();
  if (value == nullptr || value->GetLength() < 2) return std::nullopt;
  auto const* b = reinterpret_cast<unsigned char const*>(value->GetPointer());
  return b[0] | (b[1] << 8);  // US, little endian (the meta group said so, or GDCM swapped it on reading)
}

// What GDCM's image reader would abort the process on, refused here with the file named: an attribute of the
// groups it consults (identification 0008, acquisition 0018, position 0020, image pixel 0028) whose VR its
// dictionary does not allow (gdcm::Attribute and ImageHelper assert; libFuzzer finds: PixelRepresentation
// written as DT, SpacingBetweenSlices as AE), and bit depths no codec of it handles.
void check_image_pixel_module(gdcm::DataSet const& data_set, std::string const& path) {
  gdcm::Dicts const& dicts = gdcm::Global::GetInstance().GetDicts();
  for (gdcm::DataElement const& element : data_set.GetDES()) {
    gdcm::Tag const& tag = element.GetTag();
    uint16_t const group = tag.GetGroup();
    bool const read_by_gdcm = group == 0x0008 || group == 0x0018 || group == 0x0020 || group == 0x0028;
    if (!read_by_gdcm || tag.IsPrivate() || element.GetVR() == gdcm::VR::INVALID) continue;
    gdcm::DictEntry const& entry = dicts.GetDictEntry(tag);
    gdcm::VR const expected = entry.GetVR();
    if (expected == gdcm::VR::INVALID || expected.Compatible(element.GetVR())) continue;
    throw InputError(path, std::string(entry.GetKeyword()) + " " + tag_text(tag.GetGroup(), tag.GetElement()),
                     std::string("the value representation ") + gdcm::VR::GetVRString(expected) + ", found " +
                         gdcm::VR::GetVRString(element.GetVR()));
  }
  // GDCM's codecs pick their implementation by these (its JPEG codec asserts when none fits, found by
  // fuzz/fuzz_dicom.cpp with BitsAllocated 29968): checked before any codec runs.
  auto const allocated = image_pixel_us(data_set, 0x0100), stored = image_pixel_us(data_set, 0x0101),
             high_bit = image_pixel_us(data_set, 0x0102);
  if (allocated && *allocated != 8 && *allocated != 16 && *allocated != 32 && *allocated != 64)
    throw InputError(path, "BitsAllocated (0028,0100)",
                     "8, 16, 32 or 64, found " + std::to_string(*allocated));
  // Both are type 1 in the image pixel module; GDCM's 16-bit JPEG codec asserted on a file without
  // BitsStored.
  if (allocated && !stored)
    throw InputError(path, "BitsStored (0028,0101)", "a value beside BitsAllocated (the element is missing)");
  if (allocated && stored && (*stored == 0 || *stored > *allocated))
    throw InputError(
        path, "BitsStored (0028,0101)",
        "1 to BitsAllocated (" + std::to_string(*allocated) + "), found " + std::to_string(*stored));
  // GDCM clears the bits above BitsStored in 16-bit pixels only: on 32- or 64-bit pixels with fewer bits
  // stored its image codec asserted, aborting the process (a libFuzzer find: 16 of 64 bits; 31 of 32 aborts
  // too).
  if (allocated && stored && *allocated > 16 && *stored != *allocated)
    throw InputError(path, "BitsStored (0028,0101)",
                     "BitsAllocated (" + std::to_string(*allocated) + ") for 32- and 64-bit pixels, found " +
                         std::to_string(*stored));
  if (allocated && high_bit && *high_bit >= *allocated)
    throw InputError(
        path, "HighBit (0028,0102)",
        "less than BitsAllocated (" + std::to_string(*allocated) + "), found " + std::to_string(*high_bit));
  // GDCM's image reader asserts, aborting the process, on a PhotometricInterpretation it does not know, and
  // aborts on a palette without its lookup tables (a libFuzzer find: "PALETTE COL").
  if (gdcm::ByteValue const* value =
          data_set.GetDataElement(kPhotometricInterpretation.tag()).GetByteValue()) {
    std::string const pi = trim(std::string(value->GetPointer(), value->GetLength()));
    static char const* const terms[] = {
        "MONOCHROME1",  "MONOCHROME2",     "PALETTE COLOR",   "RGB",     "HSV",    "ARGB", "CMYK", "YBR_FULL",
        "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT"};
    if (std::none_of(std::begin(terms), std::end(terms), [&](char const* t) { return pi == t; }))
      throw InputError(path, kPhotometricInterpretation.label(),
                       "a defined term (MONOCHROME2, MONOCHROME1, RGB, ...), found '" + pi + "'");
    for (uint16_t table = 0; pi == "PALETTE COLOR" && table < 3; ++table)
      if (!data_set.FindDataElement(gdcm::Tag(0x0028, 0x1101 + table)) ||
          (!data_set.FindDataElement(gdcm::Tag(0x0028, 0x1201 + table)) &&
           !data_set.FindDataElement(gdcm::Tag(0x0028, 0x1221 + table))))
        throw InputError(path, kPhotometricInterpretation.label(),
                         "the palette's lookup tables (0028,1101-1103 and 1201-1203) for PALETTE COLOR");
  }
  // The Modality LUT module's pair: GDCM's image reader took an intercept without a slope for a slope of 0
  // and asserted (a libFuzzer find).
  if (data_set.FindDataElement(kRescaleIntercept.tag()) && !data_set.FindDataElement(kRescaleSlope.tag()))
    throw InputError(path, kRescaleSlope.label(), "a value beside RescaleIntercept (the element is missing)");
}

// Pixel data hold every sample the matrix size claims, checked before any image is decoded or a series
// allocated: GDCM pads native data that are short, and a 1.2 kB file claiming 64514 x 4100 samples made the
// series take gigabytes before its decoding found them missing (a libFuzzer find); likewise the frames of
// JPEG pixel data have the size of Rows and Columns (a find: 16387 x 12804 with a frame of a few bytes).
void check_pixel_data_size(FileHeader const& h, gdcm::DataSet const& data_set, StructureCheck const& walked) {
  if (auto const frame = walked.jpeg_frame_size;
      frame && (static_cast<int>(frame->columns) != h.columns ||
                (frame->rows != 0 && static_cast<int>(frame->rows) != h.rows)))
    throw InputError(h.path, kRows.label() + "/" + kColumns.label(),
                     "the size of its JPEG frames (" + std::to_string(frame->rows) + " x " +
                         std::to_string(frame->columns) + "), found " + std::to_string(h.rows) + " x " +
                         std::to_string(h.columns) + " (the file is corrupt)");
  auto const bits_allocated = image_pixel_us(data_set, 0x0100);
  if (!walked.native_pixel_bytes || !bits_allocated) return;
  std::uint64_t const needed = static_cast<std::uint64_t>(h.rows) * static_cast<std::uint64_t>(h.columns) *
                               static_cast<std::uint64_t>(std::max(1, h.number_of_frames.value_or(1))) *
                               static_cast<std::uint64_t>(std::max(1, h.samples_per_pixel.value_or(1))) *
                               *bits_allocated / 8;
  if (*walked.native_pixel_bytes < needed)
    throw InputError(h.path, kPixelData.label(),
                     std::to_string(needed) +
                         " bytes of pixel data for its Rows, Columns, frames and "
                         "BitsAllocated (found " +
                         std::to_string(*walked.native_pixel_bytes) +
                         ": the file is truncated or its header is wrong)");
}

}  // namespace

std::optional<FileHeader> read_file_header(std::string const& path) {
  note_file_in_progress(path);
  StructureCheck const walked = check_structure(path);
  Structure const structure = walked.structure;
  if (structure == Structure::unreadable)
    throw InputError(path, "file", std::string("a readable file (") + std::strerror(walked.open_error) + ")");
  if (structure == Structure::empty)
    throw InputError(path, "file", "a DICOM file, found an empty file (an interrupted copy?)");
  if (structure == Structure::not_dicom) return std::nullopt;
  if (structure == Structure::truncated) throw_corrupt(path, walked.last_tag);
  if (auto const order = walked.out_of_order) {
    auto const [before, after] = *order;
    throw InputError(path, "DICOM header",
                     "elements in ascending tag order (PS3.5 7.1), found " +
                         tag_text(before.first, before.second) + " before " +
                         tag_text(after.first, after.second));
  }
  if (!walked.jpeg_problem.empty())
    throw InputError(path, kPixelData.label(),
                     "JPEG frames that decode, found " + walked.jpeg_problem + " (the file is corrupt)");
  // A media directory (DICOMDIR) never holds an image: counted as DICOM without one, and never parsed by
  // GDCM, whose reader aborted the process on pydicom's dicomdirtests/DICOMDIR-nooffset.
  if (walked.media_storage == "1.2.840.10008.1.3.10") {
    FileHeader directory;
    directory.path = path;
    return directory;
  }
  gdcm::Reader reader;
  reader.SetFileName(path.c_str());
  if (!reader.ReadUpToTag(kPixelData.tag())) {
    if (structure == Structure::raw_complete) return std::nullopt;  // no preamble: not DICOM after all
    throw_corrupt(path);
  }
  gdcm::File const& file = reader.GetFile();
  check_image_pixel_module(file.GetDataSet(), path);
  AttributeReader const a(file, path);
  FileHeader h;
  h.path = path;
  auto const rows = a.number(kRows), columns = a.number(kColumns);
  h.series_uid = a.string(kSeriesInstanceUID);
  // An image file (by its SOP class, from the data set or else the file meta information, or by Rows and
  // Columns) must hold pixel data: one without is cut short, never a file to skip silently.
  std::string sop_class = a.string(kSopClass);
  if (sop_class.empty() && file.GetHeader().FindDataElement(gdcm::Tag(0x0002, 0x0002))) {
    gdcm::DataElement const& de = file.GetHeader().GetDataElement(gdcm::Tag(0x0002, 0x0002));
    if (gdcm::ByteValue const* value = de.GetByteValue())
      sop_class = trim(std::string(value->GetPointer(), value->GetLength()));
  }
  static char const* const image_classes[] = {
      "1.2.840.10008.5.1.4.1.1.4",    // MR Image
      "1.2.840.10008.5.1.4.1.1.4.1",  // Enhanced MR Image
      "1.2.840.10008.5.1.4.1.1.2",    // CT Image
      "1.2.840.10008.5.1.4.1.1.7",    // Secondary Capture Image
  };
  bool const image_class = std::any_of(std::begin(image_classes), std::end(image_classes),
                                       [&](char const* c) { return sop_class == c; });
  if ((image_class || (rows && columns)) && !walked.saw_pixel_data)
    throw InputError(
        path, kPixelData.label(),
        "pixel data in an image file (the header describes an image but the file ends before its "
        "pixel data: truncated)");
  if (walked.saw_pixel_data && (!rows || !columns))
    throw InputError(path, kRows.label() + "/" + kColumns.label(), "the matrix size of the pixel data");
  if (!rows || !columns) return h;  // not an image (DICOMDIR, SR, ...)
  h.is_image = true;
  h.rt_dose = sop_class == "1.2.840.10008.5.1.4.1.1.481.2";
  h.rows = static_cast<int>(*rows);
  h.columns = static_cast<int>(*columns);
  h.series_description = a.string(kSeriesDescription);
  h.modality = a.string(kModality);
  h.manufacturer = a.string(kManufacturer);
  h.phase_direction = a.string(kPhaseEncodingDirection);
  if (auto const n = a.number(kSeriesNumber)) h.series_number = static_cast<int>(*n);
  // Some de-identification tools strip the (type 1) SeriesInstanceUID: such images are grouped by their
  // SeriesNumber instead, under a name that cannot be a UID; the slice and time checks still apply.
  if (h.series_uid.empty())
    h.series_uid = "(no SeriesInstanceUID) SeriesNumber " +
                   (h.series_number ? std::to_string(*h.series_number) : std::string("absent"));
  if (auto const n = a.number(kSamplesPerPixel)) h.samples_per_pixel = static_cast<int>(*n);
  if (auto const n = a.number(kNumberOfFrames)) h.number_of_frames = static_cast<int>(*n);
  if (auto const v = a.numbers(kPixelSpacing, 2)) h.pixel_spacing = std::array<double, 2>{{(*v)[0], (*v)[1]}};
  if (auto const v = a.numbers(kImagePosition, 3)) h.position = Vec3{{(*v)[0], (*v)[1], (*v)[2]}};
  if (auto const v = a.numbers(kImageOrientation, 6))
    h.orientation = std::array<double, 6>{{(*v)[0], (*v)[1], (*v)[2], (*v)[3], (*v)[4], (*v)[5]}};
  h.slice_thickness = a.number(kSliceThickness);
  h.spacing_between_slices = a.number(kSpacingBetweenSlices);
  h.slope = a.number(kRescaleSlope).value_or(1.0);
  h.intercept = a.number(kRescaleIntercept).value_or(0.0);
  h.flip_angle = a.number(kFlipAngle);
  h.repetition_time_ms = a.number(kRepetitionTime);
  h.echo_time_ms = a.number(kEchoTime);
  h.inversion_time_ms = a.number(kInversionTime);
  h.field_strength = a.number(kFieldStrength);
  h.trigger_time_ms = a.number(kTriggerTime);
  h.acquisition_time_s = date_time_s(a, kAcquisitionDate, kAcquisitionTime);
  h.content_time_s = date_time_s(a, kContentDate, kContentTime);
  h.temporal_position = a.number(kTemporalPosition);
  h.number_of_temporal_positions = a.number(kNumberOfTemporalPositions);
  h.acquisition_number = a.number(kAcquisitionNumber);
  h.instance_number = a.number(kInstanceNumber);
  if (auto const b = a.number(kDiffusionBValue)) {
    h.b_value = *b;
    h.b_value_source = kDiffusionBValue.label();
  } else {
    struct Vendor {
      uint16_t group, element;
      char const* creator;
      char const* label;
    };
    static constexpr Vendor vendors[] = {
        {0x0019, 0x100C, "SIEMENS MR HEADER", "Siemens B_value (0019,xx0C)"},
        {0x0043, 0x1039, "GEMS_PARM_01", "GE SlopInt_6...9 (0043,xx39)"},
        {0x2001, 0x1003, "Philips Imaging DD 001", "Philips DiffusionB_Factor (2001,xx03)"},
    };
    for (auto const& v : vendors) {
      auto const s = a.private_text(v.group, v.element, v.creator);
      if (!s) continue;
      double value = parse_numbers(*s, path, v.label).front();
      if (v.group == 0x0043) value = std::fmod(value, 1e9);  // GE may add 1e9 as a flag to the b-value
      h.b_value = value;
      h.b_value_source = v.label;
      break;
    }
  }
  // Several images in one file: the tiles of a Siemens mosaic, the frames of an enhanced MR object.
  if (auto const type = a.text(kImageType)) h.mosaic = type->find("MOSAIC") != std::string::npos;
  if (h.mosaic) read_mosaic_layout(a, h);
  if (h.number_of_frames.value_or(1) > 1) h.frames = read_frame_values(a, file, *h.number_of_frames);
  check_pixel_data_size(h, file.GetDataSet(), walked);
  return h;
}

}  // namespace voxflow::io::detail
