// Reading DICOM MR series into NiftiImage (see include/voxflow/io/dicom_series.hpp for the layout and the
// rules). Headers are parsed first (gdcm::Reader up to the pixel data) to group and sort the files; only the
// files of the selected series are then decoded (gdcm::ImageReader, which handles compressed transfer
// syntaxes).
#include <voxflow/core/errors.hpp>
#include <voxflow/io/dicom_series.hpp>

#include <gdcmByteValue.h>
#include <gdcmDataElement.h>
#include <gdcmDataSet.h>
#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmPixelFormat.h>
#include <gdcmPrivateTag.h>
#include <gdcmReader.h>
#include <gdcmStringFilter.h>
#include <gdcmTag.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <nifti2_io.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

namespace voxflow::io {

namespace {

namespace fs = std::filesystem;

// A DICOM attribute with the name used in error messages: "FlipAngle (0018,1314)".
struct TagName {
  uint16_t group, element;
  char const* name;
  gdcm::Tag tag() const { return gdcm::Tag(group, element); }
  std::string label() const {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, " (%04X,%04X)", group, element);
    return std::string(name) + buffer;
  }
};

constexpr TagName kSopClass{0x0008, 0x0016, "SOPClassUID"};
constexpr TagName kModality{0x0008, 0x0060, "Modality"};
constexpr TagName kManufacturer{0x0008, 0x0070, "Manufacturer"};
constexpr TagName kSeriesDescription{0x0008, 0x103E, "SeriesDescription"};
constexpr TagName kAcquisitionDate{0x0008, 0x0022, "AcquisitionDate"};
constexpr TagName kContentDate{0x0008, 0x0023, "ContentDate"};
constexpr TagName kAcquisitionTime{0x0008, 0x0032, "AcquisitionTime"};
constexpr TagName kContentTime{0x0008, 0x0033, "ContentTime"};
constexpr TagName kSliceThickness{0x0018, 0x0050, "SliceThickness"};
constexpr TagName kRepetitionTime{0x0018, 0x0080, "RepetitionTime"};
constexpr TagName kEchoTime{0x0018, 0x0081, "EchoTime"};
constexpr TagName kInversionTime{0x0018, 0x0082, "InversionTime"};
constexpr TagName kFieldStrength{0x0018, 0x0087, "MagneticFieldStrength"};
constexpr TagName kSpacingBetweenSlices{0x0018, 0x0088, "SpacingBetweenSlices"};
constexpr TagName kTriggerTime{0x0018, 0x1060, "TriggerTime"};
constexpr TagName kPhaseEncodingDirection{0x0018, 0x1312, "InPlanePhaseEncodingDirection"};
constexpr TagName kFlipAngle{0x0018, 0x1314, "FlipAngle"};
constexpr TagName kDiffusionBValue{0x0018, 0x9087, "DiffusionBValue"};
constexpr TagName kSeriesInstanceUID{0x0020, 0x000E, "SeriesInstanceUID"};
constexpr TagName kSeriesNumber{0x0020, 0x0011, "SeriesNumber"};
constexpr TagName kAcquisitionNumber{0x0020, 0x0012, "AcquisitionNumber"};
constexpr TagName kInstanceNumber{0x0020, 0x0013, "InstanceNumber"};
constexpr TagName kImagePosition{0x0020, 0x0032, "ImagePositionPatient"};
constexpr TagName kImageOrientation{0x0020, 0x0037, "ImageOrientationPatient"};
constexpr TagName kTemporalPosition{0x0020, 0x0100, "TemporalPositionIdentifier"};
constexpr TagName kNumberOfTemporalPositions{0x0020, 0x0105, "NumberOfTemporalPositions"};
constexpr TagName kSamplesPerPixel{0x0028, 0x0002, "SamplesPerPixel"};
constexpr TagName kNumberOfFrames{0x0028, 0x0008, "NumberOfFrames"};
constexpr TagName kRows{0x0028, 0x0010, "Rows"};
constexpr TagName kColumns{0x0028, 0x0011, "Columns"};
constexpr TagName kPixelSpacing{0x0028, 0x0030, "PixelSpacing"};
constexpr TagName kRescaleIntercept{0x0028, 0x1052, "RescaleIntercept"};
constexpr TagName kRescaleSlope{0x0028, 0x1053, "RescaleSlope"};
constexpr TagName kPixelData{0x7FE0, 0x0010, "PixelData"};

using Vec3 = std::array<double, 3>;

Vec3 cross(Vec3 const& a, Vec3 const& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(Vec3 const& a, Vec3 const& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
double norm(Vec3 const& a) {
  return std::sqrt(dot(a, a));
}

std::string trim(std::string s) {
  auto const blank = [](char c) { return c == ' ' || c == '\0' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && blank(s[start])) ++start;
  return s.substr(start);
}

std::vector<std::string> split_values(std::string const& s) {
  std::vector<std::string> parts;
  std::stringstream stream(s);
  std::string part;
  while (std::getline(stream, part, '\\')) parts.push_back(trim(part));
  return parts;
}

// The numbers of a multi-valued DS/IS/FD/US attribute; InputError naming the tag when one is not a number.
std::vector<double> parse_numbers(std::string const& text, std::string const& file,
                                  std::string const& label) {
  std::vector<double> values;
  for (auto const& part : split_values(text)) {
    char* end = nullptr;
    double const v = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(v))
      throw InputError(file, label, "numbers separated by '\\' (found '" + text + "')");
    values.push_back(v);
  }
  return values;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t const era = (y >= 0 ? y : y - 399) / 400;
  unsigned const yoe = static_cast<unsigned>(y - era * 400);
  unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// DICOM DA "YYYYMMDD" (or the old "YYYY.MM.DD") in seconds since 1970; nullopt when malformed.
std::optional<double> parse_date_s(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '.'), text.end());
  if (text.size() != 8 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int const y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(4, 2)),
            d = std::stoi(text.substr(6, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return 86400.0 *
         static_cast<double>(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

// DICOM TM "HHMMSS.FFFFFF" (trailing parts optional; the old "HH:MM:SS.frac" accepted) in seconds.
std::optional<double> parse_time_s(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ':'), text.end());
  std::string const whole = text.substr(0, text.find('.'));
  if (whole.size() < 2 || whole.size() > 6 || whole.size() % 2 != 0 ||
      !std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  double seconds = 3600.0 * std::stoi(whole.substr(0, 2));
  if (whole.size() >= 4) seconds += 60.0 * std::stoi(whole.substr(2, 2));
  if (whole.size() >= 6) seconds += std::stoi(whole.substr(4, 2));
  if (whole.size() == 6 && text.size() > 6) {
    std::string const frac = text.substr(6);  // ".FFFFFF"
    char* end = nullptr;
    double const f = std::strtod(frac.c_str(), &end);
    if (end != frac.c_str() + frac.size()) return std::nullopt;
    seconds += f;
  }
  return seconds;
}

// What one file's header says (read without the pixel data).
struct Header {
  std::string path;
  bool is_image = false;
  std::string series_uid, series_description, modality, manufacturer, phase_direction;
  std::optional<int> series_number;
  int rows = 0, columns = 0;
  std::optional<int> samples_per_pixel, number_of_frames;
  std::optional<std::array<double, 2>> pixel_spacing;
  std::optional<Vec3> position;
  std::optional<std::array<double, 6>> orientation;
  std::optional<double> slice_thickness, spacing_between_slices;
  double slope = 1.0, intercept = 0.0;
  std::optional<double> flip_angle, repetition_time_ms, echo_time_ms, inversion_time_ms, field_strength;
  std::optional<double> trigger_time_ms, acquisition_time_s, content_time_s;
  std::optional<double> temporal_position, number_of_temporal_positions, acquisition_number, instance_number;
  std::optional<double> b_value;
  std::string b_value_source;
};

// Reads attributes through gdcm::StringFilter (which renders binary VRs such as US and FD as text too).
class AttributeReader {
 public:
  AttributeReader(gdcm::File const& file, std::string path) : path_(std::move(path)), ds_(file.GetDataSet()) {
    filter_.SetFile(file);
  }

  std::optional<std::string> text(TagName const& t) const {
    if (!ds_.FindDataElement(t.tag()) || ds_.GetDataElement(t.tag()).IsEmpty()) return std::nullopt;
    std::string s = trim(filter_.ToString(t.tag()));
    if (s.empty()) return std::nullopt;
    return s;
  }
  std::optional<std::string> private_text(uint16_t group, uint16_t element, char const* creator) const {
    gdcm::PrivateTag const tag(group, static_cast<uint8_t>(element & 0xff), creator);
    if (!ds_.FindDataElement(tag) || ds_.GetDataElement(tag).IsEmpty()) return std::nullopt;
    std::string s = trim(filter_.ToString(tag));
    if (s.empty()) return std::nullopt;
    return s;
  }
  std::string string(TagName const& t) const { return text(t).value_or(std::string()); }

  std::optional<std::vector<double>> numbers(TagName const& t, std::size_t count) const {
    auto const s = text(t);
    if (!s) return std::nullopt;
    auto values = parse_numbers(*s, path_, t.label());
    if (values.size() < count)
      throw InputError(path_, t.label(), std::to_string(count) + " value(s) (found '" + *s + "')");
    return values;
  }
  std::optional<double> number(TagName const& t) const {
    auto const v = numbers(t, 1);
    if (!v) return std::nullopt;
    return v->front();
  }

 private:
  std::string path_;
  gdcm::DataSet const& ds_;
  gdcm::StringFilter filter_;
};

// ---- Structural check before GDCM sees a file ----
// GDCM 3.0 (as packaged, with assertions on) aborts the process on many files cut short, and silently pads
// native pixel data that the end of the file cuts off. So every file is first walked element by element: each
// element, item and fragment must lie inside the file. This also tells DICOM from other files.

enum class Structure { not_dicom, complete, raw_complete, truncated };

class ElementWalker {
 public:
  explicit ElementWalker(std::string const& path) : in_(path, std::ios::binary) {
    if (in_) {
      in_.seekg(0, std::ios::end);
      size_ = static_cast<uint64_t>(in_.tellg());
    }
  }

  Structure check() {
    if (!in_ || size_ == 0) return Structure::not_dicom;
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
  // Length and header size of an explicit-VR element whose first 8 bytes are `head`.
  bool explicit_header(uint64_t pos, unsigned char const* head, bool be, uint64_t& length, uint64_t& header) {
    if (!is_vr(head + 4)) return false;
    std::string const vr(reinterpret_cast<char const*>(head + 4), 2);
    if (long_vr(vr)) {
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
        // At the top level, the end of the file, or fewer than 8 zero bytes of padding; else a cut header.
        if (depth != 0 || pos > size_) return false;
        std::size_t const rest = static_cast<std::size_t>(size_ - pos);
        if (rest > 0 && !read(pos, head, rest)) return false;
        return std::all_of(head, head + rest, [](unsigned char c) { return c == 0; });
      }
      if (depth == 0 && std::all_of(head, head + 8, [](unsigned char c) { return c == 0; })) return true;
      uint16_t const group = u16(head, be), element = u16(head + 2, be);
      uint64_t length = 0, header = 8;
      if (depth == 0) top_level_tag_ = {group, element};
      if (depth == 0 && group == 0x7FE0 && element == 0x0010) saw_pixel_data_ = true;
      if (group == 0xFFFE) {
        if (element == 0xE00D && end == kToDelimiter) {
          pos += 8;
          return true;
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
        // A sequence or encapsulated pixel data (items up to a sequence delimitation); an undefined-length UN
        // holds an implicit-VR sequence.
        bool const un = explicit_vr && std::memcmp(head + 4, "UN", 2) == 0;
        if (!walk_items(pos, un ? false : explicit_vr, be, depth + 1)) return false;
      } else {
        pos += length;
        if (pos > (end == kToDelimiter ? size_ : end)) return false;
      }
    }
  }
  bool walk_items(uint64_t& pos, bool explicit_vr, bool be, int depth) {
    for (;;) {
      unsigned char head[8];
      if (!read(pos, head, 8)) return false;
      if (u16(head, be) != 0xFFFE) return false;
      uint16_t const element = u16(head + 2, be);
      uint64_t const length = u32(head + 4, be);
      pos += 8;
      if (element == 0xE0DD) return true;
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
  uint64_t size_ = 0;
  std::pair<uint16_t, uint16_t> top_level_tag_{0, 0};
  bool saw_pixel_data_ = false;

 public:
  // The top-level element being walked when the check stopped (the one cut short for Structure::truncated).
  std::pair<uint16_t, uint16_t> last_tag() const { return top_level_tag_; }
  bool saw_pixel_data() const { return saw_pixel_data_; }
};

[[noreturn]] void throw_corrupt(std::string const& path, std::pair<uint16_t, uint16_t> tag = {0, 0}) {
  if (tag == std::make_pair(kPixelData.group, kPixelData.element))
    throw InputError(path, kPixelData.label(),
                     "pixel data that ends within the file (the file is truncated)");
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

// Parses the header of `path`; nullopt for a file that is not DICOM.
std::optional<Header> read_header(std::string const& path) {
  ElementWalker walker(path);
  Structure const structure = walker.check();
  if (structure == Structure::not_dicom) return std::nullopt;
  if (structure == Structure::truncated) throw_corrupt(path, walker.last_tag());
  gdcm::Reader reader;
  reader.SetFileName(path.c_str());
  if (!reader.ReadUpToTag(kPixelData.tag())) {
    if (structure == Structure::raw_complete) return std::nullopt;  // no preamble: not DICOM after all
    throw_corrupt(path);
  }
  gdcm::File const& file = reader.GetFile();
  AttributeReader const a(file, path);
  Header h;
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
  if ((image_class || (rows && columns)) && !walker.saw_pixel_data())
    throw InputError(
        path, kPixelData.label(),
        "pixel data in an image file (the header describes an image but the file ends before its "
        "pixel data: truncated)");
  if (walker.saw_pixel_data() && (!rows || !columns))
    throw InputError(path, kRows.label() + "/" + kColumns.label(), "the matrix size of the pixel data");
  if (!rows || !columns) return h;  // not an image (DICOMDIR, SR, ...)
  if (h.series_uid.empty())
    throw InputError(path, kSeriesInstanceUID.label(), "the UID of the image's series");
  h.is_image = true;
  h.rows = static_cast<int>(*rows);
  h.columns = static_cast<int>(*columns);
  h.series_description = a.string(kSeriesDescription);
  h.modality = a.string(kModality);
  h.manufacturer = a.string(kManufacturer);
  h.phase_direction = a.string(kPhaseEncodingDirection);
  if (auto const n = a.number(kSeriesNumber)) h.series_number = static_cast<int>(*n);
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
  return h;
}

// Every file under the inputs (folders recursively), in path order within each input.
std::vector<std::string> collect_files(std::vector<std::string> const& inputs) {
  std::vector<std::string> files;
  for (auto const& input : inputs) {
    std::error_code ec;
    auto const status = fs::status(input, ec);
    if (ec || !fs::exists(status)) throw InputError(input, "path", "an existing DICOM file or folder");
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(input, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) throw InputError(input, "path", "a readable folder (" + ec.message() + ")");
      for (; it != end; it.increment(ec)) {
        if (ec) throw InputError(input, "path", "a readable folder (" + ec.message() + ")");
        std::error_code file_ec;
        if (it->is_regular_file(file_ec)) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

struct Scan {
  std::map<std::string, std::vector<Header>> series;  // by SeriesInstanceUID, files in path order
  DicomScanCounts counts;
};

Scan scan(std::vector<std::string> const& inputs) {
  // GDCM reports parse problems on std::cerr; voxflow turns them into InputErrors or counts instead.
  gdcm::Trace::SetDebug(false);
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
  Scan result;
  for (auto const& path : collect_files(inputs)) {
    ++result.counts.files_examined;
    auto header = read_header(path);
    if (!header) {
      ++result.counts.non_dicom_skipped;
      result.counts.skipped_files.push_back(path);
    } else if (!header->is_image) {
      ++result.counts.non_image_skipped;
      result.counts.skipped_files.push_back(path);
    } else {
      result.series[header->series_uid].push_back(std::move(*header));
    }
  }
  return result;
}

DicomSeriesInfo info_of(std::vector<Header> const& files) {
  DicomSeriesInfo info;
  Header const& h = files.front();
  info.series_uid = h.series_uid;
  info.series_number = h.series_number.value_or(0);
  info.series_description = h.series_description;
  info.modality = h.modality;
  info.file_count = files.size();
  info.first_file = h.path;
  return info;
}

std::vector<DicomSeriesInfo> infos_of(Scan const& s) {
  std::vector<DicomSeriesInfo> infos;
  for (auto const& entry : s.series) infos.push_back(info_of(entry.second));
  std::stable_sort(infos.begin(), infos.end(), [](DicomSeriesInfo const& a, DicomSeriesInfo const& b) {
    return a.series_number < b.series_number;
  });
  return infos;
}

std::string describe(std::vector<DicomSeriesInfo> const& infos) {
  std::string text;
  for (auto const& info : infos) {
    if (!text.empty()) text += "; ";
    text += "series " + std::to_string(info.series_number) + " '" + info.series_description + "' (" +
            std::to_string(info.file_count) + " files, UID " + info.series_uid + ")";
  }
  return text;
}

std::string input_name(std::vector<std::string> const& inputs) {
  if (inputs.size() == 1) return inputs.front();
  return inputs.empty() ? std::string("(no input)")
                        : inputs.front() + " and " + std::to_string(inputs.size() - 1) + " more";
}

std::vector<Header> const& select_series(Scan const& s, DicomSelection const& selection,
                                         std::string const& input) {
  auto const infos = infos_of(s);
  if (infos.empty())
    throw InputError(input, "DICOM image series",
                     "at least one DICOM image (" + std::to_string(s.counts.files_examined) +
                         " files examined, " + std::to_string(s.counts.non_dicom_skipped) + " not DICOM, " +
                         std::to_string(s.counts.non_image_skipped) + " DICOM without an image)");
  if (!selection.series_uid.empty()) {
    auto const it = s.series.find(selection.series_uid);
    if (it == s.series.end())
      throw InputError(
          input, kSeriesInstanceUID.label(),
          "the selected series " + selection.series_uid + ", which is not among: " + describe(infos));
    return it->second;
  }
  if (selection.series_number) {
    std::vector<DicomSeriesInfo> matches;
    for (auto const& info : infos)
      if (info.series_number == *selection.series_number) matches.push_back(info);
    if (matches.size() != 1)
      throw InputError(input, kSeriesNumber.label(),
                       "exactly one series numbered " + std::to_string(*selection.series_number) +
                           " (found " + std::to_string(matches.size()) +
                           "; series present: " + describe(infos) + "); select by SeriesInstanceUID instead");
    return s.series.at(matches.front().series_uid);
  }
  if (infos.size() > 1)
    throw InputError(input, kSeriesInstanceUID.label(),
                     "a single image series, or a selection (series UID or number) of one of the " +
                         std::to_string(infos.size()) + " series found: " + describe(infos));
  return s.series.begin()->second;
}

std::string number_text(double v) {
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

// Stored values of one decoded slice (row-major, Columns fastest) as doubles, without rescaling.
std::vector<double> decode_pixels(Header const& h) {
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
  if (image.GetNumberOfDimensions() == 3 && image.GetDimension(2) > 1)
    throw InputError(h.path, kNumberOfFrames.label(),
                     "a single-frame image (multi-frame DICOM is not supported)");
  if (static_cast<int>(image.GetColumns()) != h.columns || static_cast<int>(image.GetRows()) != h.rows)
    throw InputError(h.path, kPixelData.label(), "an image of the size given by Rows and Columns");
  if (pf.GetSamplesPerPixel() != 1)
    throw InputError(h.path, kSamplesPerPixel.label(), "1 (grey-level images only)");
  std::size_t const count = static_cast<std::size_t>(h.rows) * static_cast<std::size_t>(h.columns);
  unsigned const bits_allocated = pf.GetBitsAllocated();
  if (bits_allocated != 8 && bits_allocated != 16 && bits_allocated != 32 && bits_allocated != 64)
    throw InputError(h.path, "BitsAllocated (0028,0100)", "8, 16, 32 or 64");
  std::size_t const bytes = count * (bits_allocated / 8);
  std::vector<char> buffer(std::max<std::size_t>(image.GetBufferLength(), bytes));
  if (image.GetBufferLength() < bytes || !image.GetBuffer(buffer.data()))
    throw InputError(h.path, kPixelData.label(),
                     "pixel data of " + std::to_string(bytes) + " bytes that decodes (transfer syntax " + ts +
                         "; the file may be truncated)");
  // GDCM accepts native pixel data cut short by the end of the file (and pads it): check the stored length.
  gdcm::DataSet const& data_set = reader.GetFile().GetDataSet();
  if (data_set.FindDataElement(kPixelData.tag())) {
    gdcm::DataElement const& de = data_set.GetDataElement(kPixelData.tag());
    if (gdcm::ByteValue const* value = de.GetByteValue(); value && value->GetLength() < bytes)
      throw InputError(h.path, kPixelData.label(),
                       std::to_string(bytes) + " bytes of pixel data (found " +
                           std::to_string(value->GetLength()) + ": the file is truncated)");
  }
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

// A temporal key: a value per file, or nullopt when absent.
struct TemporalKey {
  std::string label;
  std::function<std::optional<double>(Header const&)> value;
};

bool near(double a, double b, double tolerance) {
  return std::abs(a - b) <= tolerance;
}

DicomSeries build_series(std::vector<Header> const& all, std::string const& input) {
  Header const& ref = all.front();
  // Same matrix, geometry and sample layout in every file.
  if (!ref.orientation) throw InputError(ref.path, kImageOrientation.label(), "six direction cosines");
  if (!ref.pixel_spacing) throw InputError(ref.path, kPixelSpacing.label(), "two pixel spacings in mm");
  for (auto const& h : all) {
    if (h.rows != ref.rows || h.columns != ref.columns)
      throw InputError(h.path, kRows.label() + "/" + kColumns.label(),
                       std::to_string(ref.rows) + " x " + std::to_string(ref.columns) + " as in " + ref.path +
                           " (found " + std::to_string(h.rows) + " x " + std::to_string(h.columns) + ")");
    if (h.samples_per_pixel.value_or(1) != 1)
      throw InputError(h.path, kSamplesPerPixel.label(), "1 (grey-level images only)");
    if (h.number_of_frames.value_or(1) != 1)
      throw InputError(h.path, kNumberOfFrames.label(),
                       "1 (multi-frame / enhanced MR DICOM is not supported; convert it to single frames)");
    if (!h.orientation) throw InputError(h.path, kImageOrientation.label(), "six direction cosines");
    for (int n = 0; n < 6; ++n)
      if (!near((*h.orientation)[n], (*ref.orientation)[n], 1e-4))
        throw InputError(h.path, kImageOrientation.label(),
                         "the orientation of the rest of the series (as in " + ref.path + ")");
    if (!h.pixel_spacing) throw InputError(h.path, kPixelSpacing.label(), "two pixel spacings in mm");
    for (int n = 0; n < 2; ++n)
      if (!near((*h.pixel_spacing)[n], (*ref.pixel_spacing)[n], 1e-4 * (*ref.pixel_spacing)[n]))
        throw InputError(h.path, kPixelSpacing.label(),
                         "the pixel spacing of the rest of the series (as in " + ref.path + ")");
    if (!h.position) throw InputError(h.path, kImagePosition.label(), "three coordinates in mm");
  }
  auto const& o = *ref.orientation;
  Vec3 x{{o[0], o[1], o[2]}}, y{{o[3], o[4], o[5]}};
  double const nx_norm = norm(x), ny_norm = norm(y);
  if (!(std::abs(nx_norm - 1.0) < 1e-2 && std::abs(ny_norm - 1.0) < 1e-2 && std::abs(dot(x, y)) < 1e-3))
    throw InputError(ref.path, kImageOrientation.label(), "two orthogonal unit vectors");
  for (int n = 0; n < 3; ++n) {
    x[n] /= nx_norm;
    y[n] /= ny_norm;
  }
  Vec3 z = cross(x, y);
  double const nz_norm = norm(z);
  for (double& v : z) v /= nz_norm;

  // Slices: group by position, sort along the normal.
  std::vector<std::size_t> order(all.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto const projection = [&](std::size_t n) { return dot(*all[n].position, z); };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return projection(a) < projection(b); });
  constexpr double position_tolerance = 0.01;  // mm
  std::vector<std::vector<std::size_t>> positions;
  for (std::size_t n : order) {
    if (positions.empty() || projection(n) - projection(positions.back().front()) > position_tolerance)
      positions.emplace_back();
    else {
      Vec3 const& p = *all[n].position;
      Vec3 const& q = *all[positions.back().front()].position;
      if (!(near(p[0], q[0], position_tolerance) && near(p[1], q[1], position_tolerance) &&
            near(p[2], q[2], position_tolerance)))
        throw InputError(all[n].path, kImagePosition.label(),
                         "the position of the other images of its slice (as in " +
                             all[positions.back().front()].path +
                             "): slices shifted within their plane are not supported");
    }
    positions.back().push_back(n);
  }
  std::size_t const nz = positions.size();
  std::size_t const nt = positions.front().size();
  for (auto const& p : positions)
    if (p.size() != nt)
      throw InputError(all[p.front()].path, kImagePosition.label(),
                       "the same number of images (time points) at every slice position: " +
                           std::to_string(nt) + " at the position of " + all[positions.front().front()].path +
                           " but " + std::to_string(p.size()) + " at this one");

  // Time points: order the images of each position by the first key that distinguishes them.
  std::string temporal_source;
  if (nt > 1) {
    std::vector<TemporalKey> const keys = {
        {kTemporalPosition.label(), [](Header const& h) { return h.temporal_position; }},
        {kTriggerTime.label(), [](Header const& h) { return h.trigger_time_ms; }},
        {kAcquisitionDate.label() + "+" + kAcquisitionTime.label(),
         [](Header const& h) { return h.acquisition_time_s; }},
        {kAcquisitionNumber.label(), [](Header const& h) { return h.acquisition_number; }},
        {kInstanceNumber.label(), [](Header const& h) { return h.instance_number; }},
    };
    TemporalKey const* chosen = nullptr;
    for (auto const& key : keys) {
      bool usable = true;
      for (auto const& p : positions) {
        std::vector<double> values;
        for (std::size_t n : p) {
          auto const v = key.value(all[n]);
          if (!v) {
            usable = false;
            break;
          }
          values.push_back(*v);
        }
        if (!usable) break;
        std::sort(values.begin(), values.end());
        if (std::adjacent_find(values.begin(), values.end()) != values.end()) {
          usable = false;
          break;
        }
      }
      if (usable) {
        chosen = &key;
        break;
      }
    }
    if (!chosen)
      throw InputError(
          all[positions.front().front()].path, kTemporalPosition.label(),
          "a tag that tells apart the " + std::to_string(nt) +
              " images at each slice position (TemporalPositionIdentifier, TriggerTime, AcquisitionTime, "
              "AcquisitionNumber or InstanceNumber)");
    for (auto& p : positions)
      std::stable_sort(p.begin(), p.end(), [&](std::size_t a, std::size_t b) {
        return *chosen->value(all[a]) < *chosen->value(all[b]);
      });
    temporal_source = chosen->label;
    if (auto const declared = ref.number_of_temporal_positions)
      if (static_cast<std::size_t>(*declared) != nt && *declared > 1)
        throw InputError(ref.path, kNumberOfTemporalPositions.label(),
                         std::to_string(nt) +
                             " (the number of images at each slice position; the header says " +
                             number_text(*declared) + ")");
  }

  // Equal spacing along the normal, no in-plane shift between slices.
  Vec3 const origin = *all[positions.front().front()].position;
  double dz = 0.0;
  if (nz > 1) {
    dz = (projection(positions.back().front()) - projection(positions.front().front())) /
         static_cast<double>(nz - 1);
    double const tolerance = position_tolerance + 0.01 * dz;
    for (std::size_t k = 0; k < nz; ++k) {
      Vec3 const& p = *all[positions[k].front()].position;
      for (int c = 0; c < 3; ++c) {
        double const expected = origin[c] + static_cast<double>(k) * dz * z[c];
        if (!near(p[c], expected, tolerance))
          throw InputError(all[positions[k].front()].path, kImagePosition.label(),
                           "slices equally spaced along the slice normal (slice " + std::to_string(k) +
                               " expected at " + number_text(origin[0] + k * dz * z[0]) + "\\" +
                               number_text(origin[1] + k * dz * z[1]) + "\\" +
                               number_text(origin[2] + k * dz * z[2]) +
                               " mm): a missing slice, uneven spacing or a gantry tilt");
      }
    }
  } else {
    dz = ref.spacing_between_slices.value_or(ref.slice_thickness.value_or(1.0));
    if (!(dz > 0.0)) dz = 1.0;
  }

  DicomSeries result;
  NiftiImage& image = result.image;
  image.path = input;
  image.dims = {ref.columns, ref.rows, static_cast<int64_t>(nz), static_cast<int64_t>(nt)};
  std::size_t const per_slice = static_cast<std::size_t>(ref.columns) * static_cast<std::size_t>(ref.rows);
  image.data.resize(per_slice * nz * nt);
  result.files.resize(nz * nt);
  for (std::size_t t = 0; t < nt; ++t)
    for (std::size_t k = 0; k < nz; ++k) {
      Header const& h = all[positions[k][t]];
      result.files[k + nz * t] = h.path;
      auto const stored = decode_pixels(h);
      double* out = image.data.data() + per_slice * (k + nz * t);
      // DICOM row r, column c -> voxel (i = c, j = r): the same memory order, no transposition.
      for (std::size_t n = 0; n < per_slice; ++n) out[n] = stored[n] * h.slope + h.intercept;
    }

  // Metadata from the first image; times and b-values per volume.
  Header const& first = all[positions.front().front()];
  DicomAcquisition& acq = result.acquisition;
  acq.manufacturer = first.manufacturer;
  acq.series_description = first.series_description;
  acq.series_uid = first.series_uid;
  acq.series_number = first.series_number.value_or(0);
  acq.modality = first.modality;
  acq.first_file = first.path;
  acq.flip_angle_deg = first.flip_angle;
  auto const ms = [](std::optional<double> v) -> std::optional<double> {
    if (!v) return std::nullopt;
    return *v / 1000.0;
  };
  acq.repetition_time_s = ms(first.repetition_time_ms);
  acq.echo_time_s = ms(first.echo_time_ms);
  acq.inversion_time_s = ms(first.inversion_time_ms);
  acq.magnetic_field_strength_t = first.field_strength;
  acq.temporal_order_source = temporal_source;
  if (nt == 1) {
    acq.frame_times_s = {0.0};
    acq.frame_time_source = "single volume";
  } else {
    struct TimeSource {
      std::string label;
      double scale;
      std::function<std::optional<double>(Header const&)> value;
    };
    std::vector<TimeSource> const sources = {
        {kTriggerTime.label(), 1e-3, [](Header const& h) { return h.trigger_time_ms; }},
        {kAcquisitionDate.label() + "+" + kAcquisitionTime.label(), 1.0,
         [](Header const& h) { return h.acquisition_time_s; }},
        {kContentDate.label() + "+" + kContentTime.label(), 1.0,
         [](Header const& h) { return h.content_time_s; }},
    };
    for (auto const& source : sources) {
      std::vector<double> starts(nt, std::numeric_limits<double>::infinity());
      bool usable = true;
      for (std::size_t t = 0; t < nt && usable; ++t)
        for (std::size_t k = 0; k < nz; ++k) {
          auto const v = source.value(all[positions[k][t]]);
          if (!v) {
            usable = false;
            break;
          }
          starts[t] = std::min(starts[t], *v * source.scale);
        }
      for (std::size_t t = 1; t < nt && usable; ++t) usable = starts[t] > starts[t - 1];
      if (!usable) continue;
      double const first_start = starts.front();
      for (double& start : starts) start -= first_start;
      acq.frame_times_s = starts;
      acq.frame_time_source = source.label;
      break;
    }
  }
  {
    std::vector<double> b;
    for (std::size_t t = 0; t < nt; ++t) {
      Header const& h = all[positions.front()[t]];
      if (!h.b_value) {
        b.clear();
        break;
      }
      b.push_back(*h.b_value);
    }
    if (!b.empty()) {
      acq.b_values_s_per_mm2 = b;
      acq.b_value_source = first.b_value_source;
    }
  }

  // Geometry: LPS voxel-to-world (columns dc*X, dr*Y, dz*Z, origin S), then RAS by negating rows x and y.
  double const dr = (*ref.pixel_spacing)[0], dc = (*ref.pixel_spacing)[1];
  NiftiGeometry& g = image.geometry;
  double lps[3][4];
  for (int r = 0; r < 3; ++r) {
    lps[r][0] = x[r] * dc;
    lps[r][1] = y[r] * dr;
    lps[r][2] = z[r] * dz;
    lps[r][3] = origin[r];
  }
  nifti_dmat44 m{};
  for (int r = 0; r < 3; ++r) {
    double const sign = r < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 4; ++c) {
      g.srow[r][c] = sign * lps[r][c];
      m.m[r][c] = g.srow[r][c];
    }
  }
  m.m[3][3] = 1.0;
  g.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  g.qform_code = NIFTI_XFORM_SCANNER_ANAT;
  double qx, qy, qz, sx, sy, sz, qfac;
  nifti_dmat44_to_quatern(m, &g.quatern_b, &g.quatern_c, &g.quatern_d, &qx, &qy, &qz, &sx, &sy, &sz, &qfac);
  g.qoffset_x = qx;
  g.qoffset_y = qy;
  g.qoffset_z = qz;
  g.qfac = qfac;
  double const time_step =
      acq.frame_times_s.size() > 1 && nt > 1 ? acq.frame_times_s.back() / static_cast<double>(nt - 1) : 0.0;
  g.pixdim = {qfac, dc, dr, dz, time_step, 0.0, 0.0, 0.0};
  g.xyz_units = NIFTI_UNITS_MM;
  g.time_units = NIFTI_UNITS_SEC;
  g.time_step_s = time_step;
  // Phase encoding along the rows ("ROW") runs along i; the slice axis is k.
  if (ref.phase_direction == "ROW") {
    g.phase_dim = 1;
    g.freq_dim = 2;
  } else if (ref.phase_direction == "COL") {
    g.phase_dim = 2;
    g.freq_dim = 1;
  }
  g.slice_dim = 3;
  return result;
}

DicomSeries read_inputs(std::vector<std::string> const& inputs, DicomSelection const& selection) {
  std::string const input = input_name(inputs);
  Scan const s = scan(inputs);
  auto const& files = select_series(s, selection, input);
  DicomSeries series = build_series(files, input);
  series.counts = s.counts;
  series.counts.other_series_files = 0;
  for (auto const& entry : s.series)
    if (entry.first != files.front().series_uid) series.counts.other_series_files += entry.second.size();
  return series;
}

std::string missing_for(char const* what) {
  return std::string(what) +
         " (the tag is absent from the DICOM header; give the value in the configuration)";
}

}  // namespace

DicomSeries read_dicom_series(std::string const& directory_or_file, DicomSelection const& selection) {
  return read_inputs({directory_or_file}, selection);
}

DicomSeries read_dicom_series(std::vector<std::string> const& files, DicomSelection const& selection) {
  return read_inputs(files, selection);
}

std::vector<DicomSeriesInfo> list_dicom_series(std::string const& directory_or_file) {
  return infos_of(scan({directory_or_file}));
}

double DicomAcquisition::require_flip_angle_deg() const {
  if (!flip_angle_deg)
    throw InputError(first_file, kFlipAngle.label(), missing_for("the flip angle in degrees"));
  return *flip_angle_deg;
}
double DicomAcquisition::require_repetition_time_s() const {
  if (!repetition_time_s)
    throw InputError(first_file, kRepetitionTime.label(), missing_for("the repetition time in ms"));
  return *repetition_time_s;
}
double DicomAcquisition::require_echo_time_s() const {
  if (!echo_time_s) throw InputError(first_file, kEchoTime.label(), missing_for("the echo time in ms"));
  return *echo_time_s;
}
double DicomAcquisition::require_inversion_time_s() const {
  if (!inversion_time_s)
    throw InputError(first_file, kInversionTime.label(), missing_for("the inversion time in ms"));
  return *inversion_time_s;
}
double DicomAcquisition::require_magnetic_field_strength_t() const {
  if (!magnetic_field_strength_t)
    throw InputError(first_file, kFieldStrength.label(), missing_for("the field strength in tesla"));
  return *magnetic_field_strength_t;
}
std::vector<double> const& DicomAcquisition::require_frame_times_s() const {
  if (frame_times_s.empty())
    throw InputError(
        first_file, kTriggerTime.label() + " or " + kAcquisitionTime.label(),
        "frame times increasing from volume to volume (TriggerTime, AcquisitionTime or ContentTime); "
        "give the time points in the configuration");
  return frame_times_s;
}
std::vector<double> const& DicomAcquisition::require_b_values_s_per_mm2() const {
  if (b_values_s_per_mm2.empty())
    throw InputError(first_file, kDiffusionBValue.label(),
                     missing_for("a b-value in s/mm² in every image (or the vendor's private b-value tag)"));
  return b_values_s_per_mm2;
}

}  // namespace voxflow::io
