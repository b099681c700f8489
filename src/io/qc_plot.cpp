#include <voxflow/io/qc_plot.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace voxflow::io {

namespace {

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  // A usable axis: some data, and a non-zero width.
  void finish() {
    if (!(lo <= hi)) lo = 0.0, hi = 1.0;
    if (hi - lo <= 1e-12 * std::max(std::abs(lo), std::abs(hi))) {
      double const pad = lo == 0.0 ? 1.0 : 0.5 * std::abs(lo);
      lo -= pad;
      hi += pad;
    }
  }
};

// Liang-Barsky: clips the segment to [x0, x1] x [y0, y1] in place; false when nothing is left. Done in
// doubles so that far-off points (a diverging fit) keep the slope of the visible part.
bool clip(double& ax, double& ay, double& bx, double& by, double x0, double y0, double x1, double y1) {
  double t0 = 0.0, t1 = 1.0;
  double const dx = bx - ax, dy = by - ay;
  double const p[4] = {-dx, dx, -dy, dy};
  double const q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;
      continue;
    }
    double const t = q[i] / p[i];
    if (p[i] < 0.0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  double const sx = ax, sy = ay;
  ax = sx + t0 * dx, ay = sy + t0 * dy;
  bx = sx + t1 * dx, by = sy + t1 * dy;
  return true;
}

int to_pixel(double v) {
  return static_cast<int>(std::lround(v));
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) return "0";
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", value);
  return text;
}

void plot_curves(Raster& raster, PanelBox const& box, std::vector<Curve> const& curves,
                 PlotOptions const& options) {
  Range xr, yr;
  for (auto const& c : curves)
    for (std::size_t i = 0; i < std::min(c.x.size(), c.y.size()); ++i)
      if (std::isfinite(c.x[i]) && std::isfinite(c.y[i])) xr.add(c.x[i]), yr.add(c.y[i]);
  xr.finish();
  yr.finish();
  double const y_pad = 0.05 * (yr.hi - yr.lo);  // curves touching the frame are hard to read
  yr.lo -= y_pad;
  yr.hi += y_pad;

  std::string const y_ticks[3] = {format_number(yr.lo), format_number(0.5 * (yr.lo + yr.hi)),
                                  format_number(yr.hi)};
  int label_width = 0;
  for (auto const& t : y_ticks) label_width = std::max(label_width, text_width(t));
  int const left = box.x + label_width + 4 + (options.y_label.empty() ? 0 : kLineHeight + 2);
  int const top = box.y + (options.title.empty() ? 2 : kLineHeight + 4);
  int const right = box.x + box.width - 4;
  int const bottom = box.y + box.height - kLineHeight - 4 - (options.x_label.empty() ? 0 : kLineHeight + 2);
  if (right - left < 10 || bottom - top < 10) return;  // no room for a plot

  raster.draw_text(box.x + (box.width - text_width(options.title)) / 2, box.y + 2, options.title,
                   colors::black);
  raster.draw_rect(left, top, right - left + 1, bottom - top + 1, colors::black);
  // y ticks at the bottom, middle and top of the frame; x ticks at the left, middle and right.
  int const y_pos[3] = {bottom - kGlyphHeight / 2, (top + bottom) / 2 - kGlyphHeight / 2,
                        top - kGlyphHeight / 2};
  for (int i = 0; i < 3; ++i)
    raster.draw_text(left - 3 - text_width(y_ticks[i]), y_pos[i], y_ticks[i], colors::black);
  std::string const x_ticks[3] = {format_number(xr.lo), format_number(0.5 * (xr.lo + xr.hi)),
                                  format_number(xr.hi)};
  int const x_pos[3] = {left, (left + right - text_width(x_ticks[1])) / 2, right - text_width(x_ticks[2])};
  for (int i = 0; i < 3; ++i) raster.draw_text(x_pos[i], bottom + 3, x_ticks[i], colors::black);
  if (!options.x_label.empty())
    raster.draw_text((left + right - text_width(options.x_label)) / 2, bottom + 3 + kLineHeight + 2,
                     options.x_label, colors::black);
  if (!options.y_label.empty()) {  // vertical text would need a rotated font: one character per line instead
    int const height = static_cast<int>(options.y_label.size()) * kLineHeight;
    for (std::size_t i = 0; i < options.y_label.size(); ++i)
      raster.draw_text(box.x, (top + bottom - height) / 2 + static_cast<int>(i) * kLineHeight,
                       std::string(1, options.y_label[i]), colors::black);
  }

  auto px = [&](double x) { return left + (x - xr.lo) / (xr.hi - xr.lo) * (right - left); };
  auto py = [&](double y) { return bottom - (y - yr.lo) / (yr.hi - yr.lo) * (bottom - top); };
  for (auto const& c : curves) {
    std::size_t const n = std::min(c.x.size(), c.y.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(c.x[i]) || !std::isfinite(c.y[i])) continue;
      if (c.markers) {
        raster.fill_rect(to_pixel(px(c.x[i])) - 1, to_pixel(py(c.y[i])) - 1, 3, 3, c.color);
        continue;
      }
      if (i + 1 >= n || !std::isfinite(c.x[i + 1]) || !std::isfinite(c.y[i + 1])) continue;
      double ax = px(c.x[i]), ay = py(c.y[i]), bx = px(c.x[i + 1]), by = py(c.y[i + 1]);
      if (clip(ax, ay, bx, by, left, top, right, bottom))
        raster.draw_line(to_pixel(ax), to_pixel(ay), to_pixel(bx), to_pixel(by), c.color);
    }
  }

  int legend_y = top + 3;
  for (auto const& c : curves) {
    if (c.label.empty()) continue;
    int const x = right - 3 - text_width(c.label) - 12;
    raster.fill_rect(x, legend_y + 2, 8, 3, c.color);
    raster.draw_text(x + 12, legend_y, c.label, c.color);
    legend_y += kLineHeight + 1;
  }
}

Rgb colormap_color(Colormap map, double t) {
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  auto byte = [](double v) { return static_cast<uint8_t>(std::lround(255.0 * std::clamp(v, 0.0, 1.0))); };
  switch (map) {
    case Colormap::hot:
      return {byte(3.0 * t), byte(3.0 * t - 1.0), byte(3.0 * t - 2.0)};  // black-red-yellow-white
    case Colormap::gray:
      break;
  }
  return {byte(t), byte(t), byte(t)};
}

void draw_slice(Raster& raster, int left, int top, std::vector<double> const& slice, int64_t nx, int64_t ny,
                double lo, double hi, int zoom, Colormap map, Rgb nan_color) {
  if (nx < 1 || ny < 1 || static_cast<int64_t>(slice.size()) < nx * ny) return;
  zoom = std::max(zoom, 1);
  double const width = hi > lo ? hi - lo : 1.0;
  for (int64_t y = 0; y < ny; ++y)
    for (int64_t x = 0; x < nx; ++x) {
      double const v = slice[static_cast<std::size_t>(x + nx * y)];
      Rgb const color = std::isfinite(v) ? colormap_color(map, (v - lo) / width) : nan_color;
      raster.fill_rect(left + static_cast<int>(x) * zoom, top + static_cast<int>(ny - 1 - y) * zoom, zoom,
                       zoom, color);
    }
}

std::vector<double> axial_slice(std::vector<double> const& volume, std::array<int64_t, 3> dims, int64_t z) {
  int64_t const plane = dims[0] * dims[1];
  if (z < 0 || z >= dims[2] || static_cast<int64_t>(volume.size()) < plane * dims[2]) return {};
  auto const first = volume.begin() + static_cast<std::ptrdiff_t>(plane * z);
  return std::vector<double>(first, first + static_cast<std::ptrdiff_t>(plane));
}

std::pair<double, double> display_range(std::vector<double> const& values, double low_percent,
                                        double high_percent) {
  std::vector<double> finite;
  finite.reserve(values.size());
  for (double const v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return {0.0, 1.0};
  auto at = [&](double percent) {
    auto const k = static_cast<std::size_t>(
        std::lround(std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(finite.size() - 1)));
    std::nth_element(finite.begin(), finite.begin() + static_cast<std::ptrdiff_t>(k), finite.end());
    return finite[k];
  };
  double lo = at(low_percent), hi = at(high_percent);
  if (!(hi > lo)) {
    double const pad = lo == 0.0 ? 1.0 : 0.5 * std::abs(lo);
    lo -= pad;
    hi += pad;
  }
  return {lo, hi};
}

}  // namespace voxflow::io
