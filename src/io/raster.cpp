#include <voxflow/core/errors.hpp>
#include <voxflow/io/raster.hpp>

#include <algorithm>
#include <cstdlib>

namespace voxflow::io {

Raster::Raster(int width, int height, Rgb background) : width_(width), height_(height) {
  if (width < 1 || height < 1 || static_cast<int64_t>(width) * height > (int64_t{1} << 28))
    throw Error(ExitCode::failure, "raster size " + std::to_string(width) + "x" + std::to_string(height) +
                                       " is not between 1x1 and 2^28 pixels");
  pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  fill_rect(0, 0, width, height, background);
}

Rgb Raster::pixel(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return colors::black;
  auto const i =
      (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)) * 3;
  return {pixels_[i], pixels_[i + 1], pixels_[i + 2]};
}

void Raster::set_pixel(int x, int y, Rgb color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  auto const i =
      (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)) * 3;
  pixels_[i] = color.r;
  pixels_[i + 1] = color.g;
  pixels_[i + 2] = color.b;
}

void Raster::fill_rect(int x, int y, int w, int h, Rgb color) {
  int const x_end = std::min(width_, x + w), y_end = std::min(height_, y + h);
  for (int yy = std::max(0, y); yy < y_end; ++yy)
    for (int xx = std::max(0, x); xx < x_end; ++xx) set_pixel(xx, yy, color);
}

void Raster::draw_rect(int x, int y, int w, int h, Rgb color) {
  if (w < 1 || h < 1) return;
  draw_line(x, y, x + w - 1, y, color);
  draw_line(x, y + h - 1, x + w - 1, y + h - 1, color);
  draw_line(x, y, x, y + h - 1, color);
  draw_line(x + w - 1, y, x + w - 1, y + h - 1, color);
}

void Raster::draw_line(int x0, int y0, int x1, int y1, Rgb color) {
  // Far-off endpoints (a curve value scaled to millions of pixels) would make the loop long: clamp to a
  // margin around the canvas first; the visible part of such lines only changes by rounding.
  auto clamp = [](int v, int n) { return std::clamp(v, -4 * n, 5 * n); };
  x0 = clamp(x0, width_), x1 = clamp(x1, width_), y0 = clamp(y0, height_), y1 = clamp(y1, height_);
  int const dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
  int const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int err = dx + dy;
  while (true) {
    set_pixel(x0, y0, color);
    if (x0 == x1 && y0 == y1) break;
    int const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

void Raster::draw_text(int x, int y, std::string const& text, Rgb color, int scale) {
  scale = std::max(scale, 1);
  int pen = x;
  for (char const c : text) {
    uint8_t const* rows = glyph_rows(c);
    for (int row = 0; row < kGlyphHeight; ++row)
      for (int col = 0; col < kGlyphWidth; ++col)
        if (rows[row] & (0x10 >> col)) fill_rect(pen + col * scale, y + row * scale, scale, scale, color);
    pen += kCharAdvance * scale;
  }
}

int text_width(std::string const& text, int scale) {
  if (text.empty()) return 0;
  return (static_cast<int>(text.size()) * kCharAdvance - 1) * std::max(scale, 1);
}

}  // namespace voxflow::io
