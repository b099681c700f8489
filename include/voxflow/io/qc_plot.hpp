// Drawing blocks for the per-subject QC figure (qc.png): slice images of a map and line plots of curves (AIF,
// fitted curves over data), rendered into a Raster. Deliberately minimal: linear axes, ranges chosen from the
// data, tick labels at the ends and middle of each axis, a legend.
#ifndef VOXFLOW_IO_QC_PLOT_HPP
#define VOXFLOW_IO_QC_PLOT_HPP

#include <voxflow/io/raster.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace voxflow::io {

struct PanelBox {
  int x = 0, y = 0, width = 0, height = 0;  // top-left corner and size in pixels
};

struct Curve {
  std::vector<double> x, y;  // same length; non-finite points break the line
  Rgb color = colors::blue;
  bool markers = false;  // small squares at the points instead of a line (measured data)
  std::string label;     // legend entry; empty for none
};

struct PlotOptions {
  std::string title, x_label, y_label;
};

// Frame, tick labels, curves (clipped to the frame) and legend inside `box`. The ranges cover every finite
// point.
void plot_curves(Raster& raster, PanelBox const& box, std::vector<Curve> const& curves,
                 PlotOptions const& options = {});

enum class Colormap { gray, hot };
// Colour for t in [0, 1] (clamped).
Rgb colormap_color(Colormap map, double t);

// Draws slice[x + nx * y] with its top-left corner at (left, top), each voxel as zoom x zoom pixels, values
// mapped linearly from [lo, hi] to the colormap. Row y = ny - 1 is drawn at the top, as viewers show axial
// slices
// (+y anterior up). Non-finite values are drawn in `nan_color`.
void draw_slice(Raster& raster, int left, int top, std::vector<double> const& slice, int64_t nx, int64_t ny,
                double lo, double hi, int zoom, Colormap map = Colormap::gray, Rgb nan_color = colors::black);

// Slice z of a volume stored x fastest (NIfTI order) with dims {nx, ny, nz}.
std::vector<double> axial_slice(std::vector<double> const& volume, std::array<int64_t, 3> dims, int64_t z);

// Display range: the low/high percentiles of the finite values (so a few outliers do not wash the image out);
// {0, 1} when there are no finite values, and a range widened around the value when all are equal.
std::pair<double, double> display_range(std::vector<double> const& values, double low_percent = 2.0,
                                        double high_percent = 98.0);

// Short label text for a number: up to three significant digits ("0.25", "1.2e+03", "-4").
std::string format_number(double value);

}  // namespace voxflow::io

#endif
