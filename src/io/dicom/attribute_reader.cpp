#include "attribute_reader.hpp"

#include "attribute_values.hpp"

#include <voxflow/core/errors.hpp>

#include <gdcmPrivateTag.h>

#include <utility>

namespace voxflow::io::detail {

AttributeReader::AttributeReader(gdcm::File const& file, std::string path)
    : AttributeReader(file, file.GetDataSet(), std::move(path)) {}

AttributeReader::AttributeReader(gdcm::File const& file, gdcm::DataSet const& nested, std::string path)
    : path_(std::move(path)), ds_(nested) {
  filter_.SetFile(file);
}

std::optional<std::string> AttributeReader::text(TagName const& t) const {
  if (!ds_.FindDataElement(t.tag())) return std::nullopt;
  gdcm::DataElement const& de = ds_.GetDataElement(t.tag());
  if (de.IsEmpty()) return std::nullopt;
  std::string s = trim(filter_.ToString(de));
  if (s.empty()) return std::nullopt;
  return s;
}

std::optional<std::string> AttributeReader::private_text(uint16_t group, uint16_t element,
                                                         char const* creator) const {
  gdcm::PrivateTag const tag(group, static_cast<uint8_t>(element & 0xff), creator);
  if (!ds_.FindDataElement(tag) || ds_.GetDataElement(tag).IsEmpty()) return std::nullopt;
  std::string s = trim(filter_.ToString(ds_.GetDataElement(tag)));
  if (s.empty()) return std::nullopt;
  return s;
}

std::optional<std::vector<double>> AttributeReader::numbers(TagName const& t, std::size_t count) const {
  auto const s = text(t);
  if (!s) return std::nullopt;
  auto values = parse_numbers(*s, path_, t.label());
  if (values.size() < count)
    throw InputError(path_, t.label(), std::to_string(count) + " value(s) (found '" + *s + "')");
  return values;
}

std::optional<double> AttributeReader::number(TagName const& t) const {
  auto const v = numbers(t, 1);
  if (!v) return std::nullopt;
  return v->front();
}

gdcm::SmartPointer<gdcm::SequenceOfItems> AttributeReader::sequence(TagName const& t) const {
  if (!ds_.FindDataElement(t.tag())) return nullptr;
  gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds_.GetDataElement(t.tag()).GetValueAsSQ();
  if (!sq || sq->GetNumberOfItems() == 0) return nullptr;
  return sq;
}

}  // namespace voxflow::io::detail
