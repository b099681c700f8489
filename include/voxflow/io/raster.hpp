// A tiny RGB canvas for QC figures (qc.png per subject): rectangles, lines, text in a built-in 5x7 bitmap
// font. Enough to draw slice montages and curve plots without a plotting library; everything outside the
// canvas is clipped, so callers never need bounds checks.
#ifndef VOXFLOW_IO_RASTER_HPP
#define VOXFLOW_IO_RASTER_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::io {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(Rgb const& o) const { return r == o.r && g == o.g && b == o.b; }
  bool operator!=(Rgb const& o) const { return !(*this == o); }
};

namespace colors {
inline constexpr Rgb white{255, 255, 255};
inline constexpr Rgb black{0, 0, 0};
inline constexpr Rgb gray{128, 128, 128};
inline constexpr Rgb light_gray{220, 220, 220};
inline constexpr Rgb red{214, 39, 40};
inline constexpr Rgb blue{31, 119, 180};
inline constexpr Rgb green{44, 160, 44};
inline constexpr Rgb orange{255, 127, 14};
}  // namespace colors

// Glyph cell of the built-in font: 5x7 pixels drawn in a 6x8 cell (one column and one row of spacing).
inline constexpr int kGlyphWidth = 5, kGlyphHeight = 7, kCharAdvance = 6, kLineHeight = 8;

// Rows of the 5x7 glyph for `c` (bit 4 = leftmost pixel); printable ASCII only, anything else draws as '?'.
uint8_t const* glyph_rows(char c);

class Raster {
 public:
  Raster(int width, int height, Rgb background = colors::white);

  int width() const { return width_; }
  int height() const { return height_; }
  // Pixels row by row from the top, 3 bytes (R, G, B) each.
  std::vector<uint8_t> const& rgb() const { return pixels_; }
  Rgb pixel(int x, int y) const;  // black outside the canvas

  void set_pixel(int x, int y, Rgb color);
  void fill_rect(int x, int y, int w, int h, Rgb color);
  void draw_rect(int x, int y, int w, int h, Rgb color);      // 1-pixel outline
  void draw_line(int x0, int y0, int x1, int y1, Rgb color);  // Bresenham, both ends included
  // Text with its top-left corner at (x, y); `scale` repeats each font pixel scale x scale times.
  void draw_text(int x, int y, std::string const& text, Rgb color, int scale = 1);

 private:
  int width_, height_;
  std::vector<uint8_t> pixels_;
};

// Width in pixels of `text` drawn at `scale` (no trailing spacing).
int text_width(std::string const& text, int scale = 1);

}  // namespace voxflow::io

#endif
