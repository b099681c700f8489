#include <voxflow/io/hdf5_subject_file.hpp>
#include <voxflow/io/png_image.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/pipeline/subject_reports.hpp>

#include <algorithm>
#include <cmath>

namespace voxflow::pipeline {

void write_subject_hdf5(std::string const& path, SubjectRecord const& record) {
  io::Hdf5SubjectFile file(path);
  file.create_group("/maps");
  for (auto const& map : record.maps) {
    std::string const name = "/maps/" + map.name;
    if (map.codes) {
      std::vector<std::uint8_t> codes(map.values.size());
      for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<std::uint8_t>(map.values[i]);
      file.write_volume(name, record.dims, codes);
      file.set_string_attribute(name, "status_codes", record.status_codes);
    } else {
      std::vector<float> values(map.values.begin(), map.values.end());
      file.write_volume(name, record.dims, values);
    }
    file.set_string_attribute(name, "units", map.units);
  }
  for (auto const& vector : record.vectors) {
    file.write_vector(vector.path, vector.values);
    if (!vector.units.empty()) file.set_string_attribute(vector.path, "units", vector.units);
  }
  std::vector<double> affine;
  for (auto const& row : record.affine) affine.insert(affine.end(), row.begin(), row.end());
  file.set_vector_attribute("/", "affine", affine);
  file.set_string_attribute("/", "affine_convention",
                            "NIfTI voxel (i, j, k, 1) to RAS+ mm (x, y, z, 1), 4 x 4 row by row; volumes are "
                            "stored (k, j, i), see nifti_dims");
  for (auto const& [name, value] : record.attributes) file.set_string_attribute("/", name, value);
  file.commit();
}

void write_subject_qc(std::string const& path, std::string const& title, SubjectRecord const& record,
                      std::vector<QcPanel> const& panels) {
  using namespace io;
  int const width = 1200, height = 820;
  Raster raster(width, height);
  raster.draw_text(12, 10, title, colors::black, 2);
  // Top: up to 6 evenly spaced slices of the first map, sharing one display range.
  if (!record.maps.empty()) {
    auto const& map = record.maps.front();
    auto const nz = record.dims[2];
    int const shown = static_cast<int>(std::min<int64_t>(6, nz));
    int const cell = width / 6 - 8;
    int const zoom = std::max(1, static_cast<int>(std::min(cell / record.dims[0], cell / record.dims[1])));
    auto const [lo, hi] = display_range(map.values);
    for (int s = 0; s < shown; ++s) {
      int64_t const z = shown == 1 ? 0 : s * (nz - 1) / (shown - 1);
      draw_slice(raster, 8 + s * (cell + 8), 40, axial_slice(map.values, record.dims, z), record.dims[0],
                 record.dims[1], lo, hi, zoom, Colormap::hot);
      raster.draw_text(8 + s * (cell + 8), 44 + zoom * static_cast<int>(record.dims[1]),
                       "z=" + std::to_string(z), colors::black);
    }
    raster.draw_text(8, 60 + cell,
                     map.name + " [" + map.units + "] " + format_number(lo) + " .. " + format_number(hi),
                     colors::black, 2);
  }
  int const top = 360;
  PanelBox const boxes[] = {{60, top, 500, 400}, {660, top, 500, 400}};
  Rgb const palette[] = {colors::blue, colors::green, colors::black, colors::red};
  for (std::size_t p = 0; p < panels.size() && p < 2; ++p) {
    std::vector<Curve> curves;
    for (auto const& c : panels[p].curves)
      curves.push_back(Curve{c.x, c.y, palette[static_cast<std::size_t>(c.color) % 4], c.points, c.label});
    plot_curves(raster, boxes[p], curves, {panels[p].title, panels[p].x_label, panels[p].y_label});
  }
  write_png(path, raster);
}

}  // namespace voxflow::pipeline
