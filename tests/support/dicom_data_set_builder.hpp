// Writing DICOM attributes into a GDCM data set for the synthetic test files (synthetic_dicom.cpp,
// synthetic_enhanced_dicom.cpp): text values padded to even length as PS3.5 requires, binary values, and
// sequences of nested data sets (the functional groups of an enhanced object).
#ifndef VOXFLOW_TESTS_SUPPORT_DICOM_DATA_SET_BUILDER_HPP
#define VOXFLOW_TESTS_SUPPORT_DICOM_DATA_SET_BUILDER_HPP

#include <gdcmDataElement.h>
#include <gdcmDataSet.h>
#include <gdcmItem.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTag.h>
#include <gdcmVR.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace voxflow::io::synthetic {

// A decimal string (DS) of at most 16 characters, as precise as fits.
inline std::string ds(double v) {
  char buffer[64];
  for (int precision = 15; precision > 0; --precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, v);
    if (std::strlen(buffer) <= 16) break;
  }
  return buffer;
}

// Several decimal strings, backslash-separated (a multi-valued DS).
inline std::string ds(std::vector<double> const& values) {
  std::string s;
  for (double v : values) s += (s.empty() ? "" : "\\") + ds(v);
  return s;
}

// Time of day "HHMMSS.FFFFFF" (TM) of `seconds` after `clock_start_s` (wrapping at midnight).
inline std::string time_of_day(double seconds, double clock_start_s) {
  double const total = clock_start_s + seconds;
  int const whole = static_cast<int>(std::floor(total));
  int const micro = static_cast<int>(std::lround((total - whole) * 1e6));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02d%02d%02d.%06d", whole / 3600 % 24, whole / 60 % 60, whole % 60,
                micro);
  return buffer;
}

// The date (DA) of an image `seconds` into a scan that starts at `clock_start_s` on 2024-01-02: a scan
// that crosses midnight goes on into the next date, as scanners write it.
inline std::string scan_date(double seconds, double clock_start_s) {
  return clock_start_s + seconds >= 24 * 3600.0 ? "20240103" : "20240102";
}

class DataSetBuilder {
 public:
  explicit DataSetBuilder(gdcm::DataSet& ds) : ds_(ds) {}

  void text(uint16_t group, uint16_t element, gdcm::VR vr, std::string value) {
    if (value.size() % 2) value += vr == gdcm::VR::UI ? '\0' : ' ';
    gdcm::DataElement de(gdcm::Tag(group, element));
    de.SetVR(vr);
    de.SetByteValue(value.data(), static_cast<uint32_t>(value.size()));
    ds_.Replace(de);
  }
  void us(uint16_t group, uint16_t element, uint16_t value) {
    binary(group, element, gdcm::VR::US, &value, 2);
  }
  void ul(uint16_t group, uint16_t element, uint32_t value) {
    binary(group, element, gdcm::VR::UL, &value, 4);
  }
  void fd(uint16_t group, uint16_t element, double value) { binary(group, element, gdcm::VR::FD, &value, 8); }
  void fl(uint16_t group, uint16_t element, float value) { binary(group, element, gdcm::VR::FL, &value, 4); }
  void binary(uint16_t group, uint16_t element, gdcm::VR vr, void const* data, std::size_t bytes) {
    gdcm::DataElement de(gdcm::Tag(group, element));
    de.SetVR(vr);
    de.SetByteValue(static_cast<char const*>(data), static_cast<uint32_t>(bytes));
    ds_.Replace(de);
  }
  // The image pixel module of 16-bit monochrome pixels: rows x columns, signed or not.
  void pixel_format_16_bit(int rows, int columns, bool is_signed) {
    text(0x0028, 0x0004, gdcm::VR::CS, "MONOCHROME2");
    us(0x0028, 0x0002, 1);
    us(0x0028, 0x0010, static_cast<uint16_t>(rows));
    us(0x0028, 0x0011, static_cast<uint16_t>(columns));
    us(0x0028, 0x0100, 16);
    us(0x0028, 0x0101, 16);
    us(0x0028, 0x0102, 15);
    us(0x0028, 0x0103, is_signed ? 1 : 0);
  }
  // A sequence (SQ) with one item per data set, of undefined length.
  void sequence(uint16_t group, uint16_t element, std::vector<gdcm::DataSet> const& items) {
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems;
    sq->SetLengthToUndefined();
    for (auto const& nested : items) {
      gdcm::Item item;
      item.SetVLToUndefined();
      item.SetNestedDataSet(nested);
      sq->AddItem(item);
    }
    gdcm::DataElement de(gdcm::Tag(group, element));
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    ds_.Replace(de);
  }
  // A functional group: a sequence holding exactly one item.
  void group(uint16_t group, uint16_t element, gdcm::DataSet const& item) {
    sequence(group, element, {item});
  }

 private:
  gdcm::DataSet& ds_;
};

}  // namespace voxflow::io::synthetic

#endif
