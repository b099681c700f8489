// Private to src/io/dicom: the file the DICOM reader is working on, recorded for a guarded read
// (read_dicom_series_guarded, guarded_read.cpp) so that the parent can name the file its child process died
// on. Nothing is recorded outside a guarded read's child.
#ifndef VOXFLOW_SRC_IO_DICOM_READING_PROGRESS_HPP
#define VOXFLOW_SRC_IO_DICOM_READING_PROGRESS_HPP

#include <string>

namespace voxflow::io::detail {

// Called before each file's header is walked and parsed, and before its pixel data are decoded.
void note_file_in_progress(std::string const& path);

}  // namespace voxflow::io::detail

#endif
