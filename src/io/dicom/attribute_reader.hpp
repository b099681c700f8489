// Private to src/io/dicom: attributes of one data set (a file's, or an item of a functional-group sequence)
// read as text through gdcm::StringFilter, which renders binary VRs such as US, UL and FD as text too, and
// turned into numbers with the file and tag named in every error.
#ifndef VOXFLOW_SRC_IO_DICOM_ATTRIBUTE_READER_HPP
#define VOXFLOW_SRC_IO_DICOM_ATTRIBUTE_READER_HPP

#include "attribute_names.hpp"

#include <gdcmDataSet.h>
#include <gdcmFile.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmStringFilter.h>

#include <optional>
#include <string>
#include <vector>

namespace voxflow::io::detail {

class AttributeReader {
 public:
  // The attributes of `file`'s data set.
  AttributeReader(gdcm::File const& file, std::string path);
  // The attributes of `nested`, an item of a sequence in `file` (kept alive by the caller).
  AttributeReader(gdcm::File const& file, gdcm::DataSet const& nested, std::string path);

  std::optional<std::string> text(TagName const& t) const;
  std::optional<std::string> private_text(uint16_t group, uint16_t element, char const* creator) const;
  std::string string(TagName const& t) const { return text(t).value_or(std::string()); }
  // The values of a multi-valued attribute; InputError naming the tag when fewer than `count` or not numbers.
  std::optional<std::vector<double>> numbers(TagName const& t, std::size_t count) const;
  std::optional<double> number(TagName const& t) const;
  // The sequence `t`, or null when absent or empty. The caller holds the pointer while it reads the items
  // (GDCM may build the sequence on demand from an undecoded value).
  gdcm::SmartPointer<gdcm::SequenceOfItems> sequence(TagName const& t) const;

  gdcm::DataSet const& data_set() const { return ds_; }
  std::string const& path() const { return path_; }

 private:
  std::string path_;
  gdcm::DataSet const& ds_;
  gdcm::StringFilter filter_;
};

}  // namespace voxflow::io::detail

#endif
