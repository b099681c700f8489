#include "io_test_support.hpp"
#include "small_tmpfs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/png_image.hpp>
#include <voxflow/io/qc_plot.hpp>
#include <voxflow/io/raster.hpp>

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <limits>

using namespace voxflow::io;
using voxflow::OutputError;
using voxflow::testing::expect_error_mentioning;
using voxflow::testing::incompressible_bytes;
using voxflow::testing::SmallTmpfs;
using voxflow::testing::TempDir;

namespace {

// Reads a PNG with libpng's simplified API, as RGBA.
struct DecodedPng {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
  std::array<uint8_t, 4> at(int x, int y) const {
    auto const i =
        4 * (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x));
    return {rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]};
  }
};

DecodedPng read_png(std::string const& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  DecodedPng out;
  if (!png_image_begin_read_from_file(&image, path.c_str())) {
    ADD_FAILURE() << "libpng cannot read " << path << ": " << image.message;
    return out;
  }
  image.format = PNG_FORMAT_RGBA;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgba.data(), 0, nullptr))
    ADD_FAILURE() << "libpng cannot decode " << path << ": " << image.message;
  return out;
}

int count_not(Raster const& r, Rgb background, int x0 = 0, int y0 = 0, int x1 = -1, int y1 = -1) {
  if (x1 < 0) x1 = r.width();
  if (y1 < 0) y1 = r.height();
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += r.pixel(x, y) != background;
  return n;
}

}  // namespace

TEST(PngImage, WritesAnRgbRasterThatLibpngReadsBack) {
  TempDir dir;
  Raster r(40, 30, colors::white);
  r.fill_rect(5, 6, 10, 4, colors::red);
  r.set_pixel(39, 29, Rgb{1, 2, 3});
  std::string const path = dir.file("qc.png");
  write_png(path, r);
  DecodedPng const png = read_png(path);
  EXPECT_EQ(png.width, 40);
  EXPECT_EQ(png.height, 30);
  EXPECT_EQ(png.at(0, 0), (std::array<uint8_t, 4>{255, 255, 255, 255}));
  EXPECT_EQ(png.at(5, 6), (std::array<uint8_t, 4>{214, 39, 40, 255}));
  EXPECT_EQ(png.at(14, 9), (std::array<uint8_t, 4>{214, 39, 40, 255}));
  EXPECT_EQ(png.at(15, 9), (std::array<uint8_t, 4>{255, 255, 255, 255}));
  EXPECT_EQ(png.at(39, 29), (std::array<uint8_t, 4>{1, 2, 3, 255}));
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"qc.png"}));
}

TEST(PngImage, WritesRgbaBuffers) {
  TempDir dir;
  std::vector<uint8_t> pixels(3 * 2 * 4, 0);
  pixels[4 * 4 + 0] = 10;  // pixel (1, 1)
  pixels[4 * 4 + 3] = 128;
  write_png(dir.file("a.png"), 3, 2, 4, pixels);
  DecodedPng const png = read_png(dir.file("a.png"));
  EXPECT_EQ(png.width, 3);
  EXPECT_EQ(png.at(1, 1)[3], 128);
  EXPECT_EQ(png.at(0, 0)[3], 0);
}

TEST(PngImage, FailuresThrowOutputErrorAndLeaveNoFile) {
  TempDir dir;
  std::string const bad_size = dir.file("bad.png");
  expect_error_mentioning<OutputError>([&] { write_png(bad_size, 4, 4, 3, std::vector<uint8_t>(47)); },
                                       {bad_size, "47 bytes"});
  EXPECT_THROW(write_png(dir.file("two.png"), 4, 4, 2, std::vector<uint8_t>(32)), OutputError);
  std::string const missing = dir.file("none/qc.png");
  expect_error_mentioning<OutputError>([&] { write_png(missing, Raster(2, 2)); }, {missing});
  EXPECT_THROW(write_png(dir.file("qc.jpg"), Raster(2, 2)), OutputError);
  std::filesystem::create_directory(dir.file("dir.png"));
  EXPECT_THROW(write_png(dir.file("dir.png"), Raster(2, 2)), OutputError);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"dir.png"}));
}

TEST(PngImage, AFullDiskIsAnOutputErrorAndLeavesNoFile) {
  SmallTmpfs tmpfs;
  VOXFLOW_REQUIRE_SMALL_TMPFS(tmpfs);
  std::string const path = tmpfs.file("sub-01_qc.png");
  auto const noise = incompressible_bytes(128 * 128 * 3);
  expect_error_mentioning<OutputError>(
      [&] { write_png(path, 128, 128, 3, std::vector<uint8_t>(noise.begin(), noise.end())); },
      {path, "No space left on device"});
  EXPECT_TRUE(tmpfs.entries().empty()) << "left behind: " << *tmpfs.entries().begin();
}

TEST(Raster, LinesIncludeBothEndsAndClipAtTheBorder) {
  Raster r(20, 10, colors::white);
  r.draw_line(2, 3, 12, 8, colors::black);
  EXPECT_EQ(r.pixel(2, 3), colors::black);
  EXPECT_EQ(r.pixel(12, 8), colors::black);
  EXPECT_EQ(count_not(r, colors::white), 11);  // one pixel per column for a shallow line
  Raster d(10, 10, colors::white);
  d.draw_line(0, 0, 9, 9, colors::blue);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.pixel(i, i), colors::blue);
  d.draw_line(-1000000, 5, 1000000, 5, colors::red);  // far outside: clipped, no long loop over the void
  EXPECT_EQ(d.pixel(0, 5), colors::red);
  EXPECT_EQ(d.pixel(9, 5), colors::red);
  d.fill_rect(-5, -5, 3, 3, colors::green);  // entirely outside
  d.draw_rect(0, 0, 10, 10, colors::gray);
  EXPECT_EQ(d.pixel(9, 0), colors::gray);
  EXPECT_EQ(d.pixel(0, 9), colors::gray);
}

TEST(Raster, TextUsesTheBuiltInFont) {
  for (int c = 33; c < 127; ++c) {
    uint8_t const* rows = glyph_rows(static_cast<char>(c));
    int bits = 0;
    for (int i = 0; i < kGlyphHeight; ++i) bits |= rows[i];
    EXPECT_NE(bits, 0) << "glyph '" << static_cast<char>(c) << "' is blank";
    EXPECT_EQ(bits & ~0x1f, 0) << "glyph '" << static_cast<char>(c) << "' is wider than 5 pixels";
  }
  EXPECT_EQ(glyph_rows('\t'), glyph_rows('?'));
  EXPECT_EQ(text_width("Ktrans"), 35);
  EXPECT_EQ(text_width("ab", 2), 22);

  Raster r(80, 20, colors::white);
  r.draw_text(2, 3, "Ktrans 0.25", colors::black);
  int const inked = count_not(r, colors::white);
  EXPECT_GT(inked, 40);
  EXPECT_EQ(count_not(r, colors::white, 2, 3, 2 + text_width("Ktrans 0.25"), 3 + kGlyphHeight), inked)
      << "text drawn outside its box";
  // '1' is the glyph 04 0C 04 04 04 04 0E: its stem is the middle column.
  Raster one(5, 7, colors::white);
  one.draw_text(0, 0, "1", colors::black);
  EXPECT_EQ(one.pixel(2, 0), colors::black);
  EXPECT_EQ(one.pixel(0, 0), colors::white);
  EXPECT_EQ(one.pixel(1, 1), colors::black);
  EXPECT_EQ(count_not(one, colors::white), 10);
  Raster big(12, 14, colors::white);
  big.draw_text(0, 0, "1", colors::black, 2);
  EXPECT_EQ(count_not(big, colors::white), 40);
}

TEST(QcPlot, SlicesMapValuesToTheColormapWithYUp) {
  Raster r(10, 8, colors::white);
  std::vector<double> slice = {0.0, 1.0, 0.5, std::nan("")};  // 2 x 2: (0,0) (1,0) (0,1) (1,1)
  draw_slice(r, 1, 2, slice, 2, 2, 0.0, 1.0, 3, Colormap::gray, colors::red);
  // Row y = 1 is drawn on top.
  EXPECT_EQ(r.pixel(1, 2), (Rgb{128, 128, 128}));  // (0, 1) = 0.5
  EXPECT_EQ(r.pixel(4, 2), colors::red);           // (1, 1) = NaN
  EXPECT_EQ(r.pixel(1, 5), colors::black);         // (0, 0) = lo
  EXPECT_EQ(r.pixel(6, 7), colors::white);         // (1, 0) = hi, last zoomed pixel
  EXPECT_EQ(r.pixel(7, 7), colors::white);         // background beyond the slice
  EXPECT_EQ(r.pixel(0, 0), colors::white);
  EXPECT_EQ(colormap_color(Colormap::hot, 0.0), colors::black);
  EXPECT_EQ(colormap_color(Colormap::hot, 1.0), colors::white);
  EXPECT_EQ(colormap_color(Colormap::hot, 1.0 / 3.0), (Rgb{255, 0, 0}));
  EXPECT_EQ(colormap_color(Colormap::gray, 7.0), colors::white);

  std::vector<double> volume(2 * 3 * 4);
  for (std::size_t i = 0; i < volume.size(); ++i) volume[i] = static_cast<double>(i);
  EXPECT_EQ(axial_slice(volume, {2, 3, 4}, 2), (std::vector<double>{12, 13, 14, 15, 16, 17}));
  EXPECT_TRUE(axial_slice(volume, {2, 3, 4}, 4).empty());
}

TEST(QcPlot, DisplayRangeIgnoresNonFiniteValuesAndOutliers) {
  std::vector<double> values(101);
  for (int i = 0; i <= 100; ++i) values[static_cast<std::size_t>(i)] = i;
  values[50] = std::numeric_limits<double>::infinity();
  values.push_back(std::nan(""));
  auto const [lo, hi] = display_range(values, 2.0, 98.0);
  EXPECT_NEAR(lo, 2.0, 1.0);
  EXPECT_NEAR(hi, 98.0, 1.0);
  EXPECT_EQ(display_range({}, 2, 98), (std::pair<double, double>{0.0, 1.0}));
  auto const flat = display_range({3.0, 3.0}, 2, 98);
  EXPECT_LT(flat.first, 3.0);
  EXPECT_GT(flat.second, 3.0);
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(1234.0), "1.23e+03");
  EXPECT_EQ(format_number(-4.0), "-4");
  EXPECT_EQ(format_number(0.0), "0");
}

TEST(QcPlot, CurvesStayInsideTheirPanel) {
  Raster r(200, 120, colors::white);
  PanelBox const box{10, 10, 150, 90};
  std::vector<double> t(40), aif(40), fit(40);
  for (int i = 0; i < 40; ++i) {
    t[static_cast<std::size_t>(i)] = 2.0 * i;
    aif[static_cast<std::size_t>(i)] = 5.0 * i * std::exp(-0.3 * i);
    fit[static_cast<std::size_t>(i)] = i == 20 ? std::nan("") : 1e12 * (i == 30);  // a gap and a wild value
  }
  Curve data{t, aif, colors::blue, true, "data"};
  Curve model{t, fit, colors::red, false, "fit"};
  plot_curves(r, box, {data, model}, {"AIF", "t (s)", "mM"});
  EXPECT_EQ(count_not(r, colors::white, 0, 0, 200, 10), 0);
  EXPECT_EQ(count_not(r, colors::white, 0, 0, 10, 120), 0);
  EXPECT_EQ(count_not(r, colors::white, 160, 0, 200, 120), 0);
  EXPECT_EQ(count_not(r, colors::white, 0, 100, 200, 120), 0);
  int blue = 0, red = 0;
  for (int y = 0; y < r.height(); ++y)
    for (int x = 0; x < r.width(); ++x)
      blue += r.pixel(x, y) == colors::blue, red += r.pixel(x, y) == colors::red;
  EXPECT_GT(blue, 40);
  EXPECT_GT(red, 20);
  Raster empty(50, 40, colors::white);
  plot_curves(empty, {0, 0, 50, 40}, {});    // axes only, no crash
  plot_curves(empty, {0, 0, 5, 5}, {data});  // no room: draws nothing
}

TEST(QcPlot, AMontageFigureIsWrittenAsPng) {
  TempDir dir;
  std::array<int64_t, 3> const dims = {16, 12, 3};
  std::vector<double> map(16 * 12 * 3);
  for (std::size_t i = 0; i < map.size(); ++i) map[i] = std::sin(0.1 * static_cast<double>(i)) + 1.0;
  auto const [lo, hi] = display_range(map);
  Raster figure(3 * 16 * 4 + 20, 12 * 4 + 130, colors::white);
  for (int64_t z = 0; z < 3; ++z) {
    draw_slice(figure, 5 + static_cast<int>(z) * 66, 15, axial_slice(map, dims, z), 16, 12, lo, hi, 4,
               Colormap::hot);
    figure.draw_text(5 + static_cast<int>(z) * 66, 3, "z=" + std::to_string(z), colors::black);
  }
  plot_curves(figure, {0, 70, figure.width(), 120},
              {Curve{{0, 1, 2, 3}, {0, 3, 2, 1}, colors::blue, false, "AIF"}}, {"AIF", "t (s)", "C"});
  write_png(dir.file("qc.png"), figure);
  DecodedPng const png = read_png(dir.file("qc.png"));
  EXPECT_EQ(png.width, figure.width());
  EXPECT_EQ(png.height, figure.height());
}
