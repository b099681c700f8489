// 8-bit PNG output for QC figures (qc.png per subject). Atomic like every voxflow output: written to a
// temporary file beside the target and renamed when complete.
#ifndef VOXFLOW_IO_PNG_IMAGE_HPP
#define VOXFLOW_IO_PNG_IMAGE_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::io {

class Raster;

// Writes `pixels` (rows from the top, `channels` bytes per pixel: 3 = RGB, 4 = RGBA) to `path` (ending
// ".png"). Throws OutputError naming `path` when the buffer does not match the size or the file cannot be
// written.
void write_png(std::string const& path, int width, int height, int channels,
               std::vector<uint8_t> const& pixels);
void write_png(std::string const& path, Raster const& raster);

}  // namespace voxflow::io

#endif
