// Private to src/io/dicom: the DICOM attributes the reader uses, each with the name that error messages
// give it ("FlipAngle (0018,1314)"), so that every message names a tag the same way.
#ifndef VOXFLOW_SRC_IO_DICOM_ATTRIBUTE_NAMES_HPP
#define VOXFLOW_SRC_IO_DICOM_ATTRIBUTE_NAMES_HPP

#include <gdcmTag.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace voxflow::io::detail {

// A tag as messages write it: "(0018,1314)".
inline std::string tag_text(uint16_t group, uint16_t element) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "(%04X,%04X)", group, element);
  return buffer;
}

// A DICOM attribute with the name used in error messages: "FlipAngle (0018,1314)".
struct TagName {
  uint16_t group, element;
  char const* name;
  gdcm::Tag tag() const { return gdcm::Tag(group, element); }
  std::string label() const { return std::string(name) + " " + tag_text(group, element); }
};

inline constexpr TagName kImageType{0x0008, 0x0008, "ImageType"};
inline constexpr TagName kSopClass{0x0008, 0x0016, "SOPClassUID"};
inline constexpr TagName kModality{0x0008, 0x0060, "Modality"};
inline constexpr TagName kManufacturer{0x0008, 0x0070, "Manufacturer"};
inline constexpr TagName kSeriesDescription{0x0008, 0x103E, "SeriesDescription"};
inline constexpr TagName kAcquisitionDate{0x0008, 0x0022, "AcquisitionDate"};
inline constexpr TagName kContentDate{0x0008, 0x0023, "ContentDate"};
inline constexpr TagName kAcquisitionTime{0x0008, 0x0032, "AcquisitionTime"};
inline constexpr TagName kContentTime{0x0008, 0x0033, "ContentTime"};
inline constexpr TagName kSliceThickness{0x0018, 0x0050, "SliceThickness"};
inline constexpr TagName kRepetitionTime{0x0018, 0x0080, "RepetitionTime"};
inline constexpr TagName kEchoTime{0x0018, 0x0081, "EchoTime"};
inline constexpr TagName kInversionTime{0x0018, 0x0082, "InversionTime"};
inline constexpr TagName kFieldStrength{0x0018, 0x0087, "MagneticFieldStrength"};
inline constexpr TagName kSpacingBetweenSlices{0x0018, 0x0088, "SpacingBetweenSlices"};
inline constexpr TagName kTriggerTime{0x0018, 0x1060, "TriggerTime"};
inline constexpr TagName kPhaseEncodingDirection{0x0018, 0x1312, "InPlanePhaseEncodingDirection"};
inline constexpr TagName kFlipAngle{0x0018, 0x1314, "FlipAngle"};
inline constexpr TagName kDiffusionBValue{0x0018, 0x9087, "DiffusionBValue"};
inline constexpr TagName kSeriesInstanceUID{0x0020, 0x000E, "SeriesInstanceUID"};
inline constexpr TagName kSeriesNumber{0x0020, 0x0011, "SeriesNumber"};
inline constexpr TagName kAcquisitionNumber{0x0020, 0x0012, "AcquisitionNumber"};
inline constexpr TagName kInstanceNumber{0x0020, 0x0013, "InstanceNumber"};
inline constexpr TagName kImagePosition{0x0020, 0x0032, "ImagePositionPatient"};
inline constexpr TagName kImageOrientation{0x0020, 0x0037, "ImageOrientationPatient"};
inline constexpr TagName kTemporalPosition{0x0020, 0x0100, "TemporalPositionIdentifier"};
inline constexpr TagName kNumberOfTemporalPositions{0x0020, 0x0105, "NumberOfTemporalPositions"};
inline constexpr TagName kSamplesPerPixel{0x0028, 0x0002, "SamplesPerPixel"};
inline constexpr TagName kNumberOfFrames{0x0028, 0x0008, "NumberOfFrames"};
inline constexpr TagName kPhotometricInterpretation{0x0028, 0x0004, "PhotometricInterpretation"};
inline constexpr TagName kRows{0x0028, 0x0010, "Rows"};
inline constexpr TagName kColumns{0x0028, 0x0011, "Columns"};
inline constexpr TagName kPixelSpacing{0x0028, 0x0030, "PixelSpacing"};
inline constexpr TagName kRescaleIntercept{0x0028, 0x1052, "RescaleIntercept"};
inline constexpr TagName kRescaleSlope{0x0028, 0x1053, "RescaleSlope"};
// Enhanced (multi-frame) MR: the functional-group sequences and the attributes read from their items.
inline constexpr TagName kSharedFunctionalGroups{0x5200, 0x9229, "SharedFunctionalGroupsSequence"};
inline constexpr TagName kPerFrameFunctionalGroups{0x5200, 0x9230, "PerFrameFunctionalGroupsSequence"};
inline constexpr TagName kMrTimingSequence{0x0018, 0x9112, "MRTimingAndRelatedParametersSequence"};
inline constexpr TagName kMrEchoSequence{0x0018, 0x9114, "MREchoSequence"};
inline constexpr TagName kMrDiffusionSequence{0x0018, 0x9117, "MRDiffusionSequence"};
inline constexpr TagName kEffectiveEchoTime{0x0018, 0x9082, "EffectiveEchoTime"};
inline constexpr TagName kFrameAcquisitionDateTime{0x0018, 0x9074, "FrameAcquisitionDateTime"};
inline constexpr TagName kFrameContentSequence{0x0020, 0x9111, "FrameContentSequence"};
inline constexpr TagName kPlanePositionSequence{0x0020, 0x9113, "PlanePositionSequence"};
inline constexpr TagName kPlaneOrientationSequence{0x0020, 0x9116, "PlaneOrientationSequence"};
inline constexpr TagName kTemporalPositionIndex{0x0020, 0x9128, "TemporalPositionIndex"};
inline constexpr TagName kPixelMeasuresSequence{0x0028, 0x9110, "PixelMeasuresSequence"};
inline constexpr TagName kPixelValueTransformationSequence{0x0028, 0x9145,
                                                           "PixelValueTransformationSequence"};
inline constexpr TagName kPixelData{0x7FE0, 0x0010, "PixelData"};

}  // namespace voxflow::io::detail

#endif
