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
    } else {
      std::vector<float> values(map.values.begin(), map.values.end());
      file.write_volume(name, record.dims, values);
    }
    file.set_string_attribute(name, "units", map.units);
  }
  file.create_group("/aif");
  file.write_vector("/aif/time_s", record.times_s);
  file.write_vector("/aif/plasma_mM", record.aif_plasma);
  file.set_string_attribute("/aif/plasma_mM", "units", "mM");
  for (auto const& [name, value] : record.attributes) file.set_string_attribute("/", name, value);
  file.commit();
}

void write_subject_qc(std::string const& path, std::string const& title, SubjectRecord const& record,
                      QcCurves const& curves) {
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
  PanelBox const aif_box{60, top, 500, 400}, fit_box{660, top, 500, 400};
  std::vector<double> minutes;
  for (double t : record.times_s) minutes.push_back(t / 60.0);
  plot_curves(raster, aif_box, {Curve{minutes, record.aif_plasma, colors::red, false, "AIF (plasma)"}},
              {"AIF used", "time [min]", "mM"});
  std::vector<Curve> fitted;
  Rgb const palette[] = {colors::blue, colors::green, colors::black};
  for (std::size_t i = 0; i < curves.data.size(); ++i) {
    Rgb const color = palette[i % 3];
    fitted.push_back(Curve{minutes, curves.data[i], color, true, ""});
    fitted.push_back(Curve{minutes, curves.fitted[i], color, false, curves.labels[i]});
  }
  plot_curves(raster, fit_box, fitted, {"fits over data", "time [min]", "mM"});
  write_png(path, raster);
}

}  // namespace voxflow::pipeline
