#include <voxflow/core/errors.hpp>
#include <voxflow/io/atomic_file.hpp>
#include <voxflow/io/png_image.hpp>
#include <voxflow/io/raster.hpp>

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>

namespace voxflow::io {

namespace {

// libpng reports errors by longjmp; the encoder below therefore holds no C++ object with a destructor, and
// the message travels back in this plain struct instead of being printed to stderr. libpng's own message for
// a failed fwrite is only "Write Error"; the system's reason is taken from errno at that moment.
struct PngStatus {
  char message[256];
  int system_error;
};

void on_png_error(png_structp png, png_const_charp text) {
  auto* status = static_cast<PngStatus*>(png_get_error_ptr(png));
  status->system_error = errno;
  std::snprintf(status->message, sizeof(status->message), "%s", text != nullptr ? text : "libpng error");
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}  // warnings (e.g. about ancillary chunks) are not errors

bool encode_png(std::FILE* file, int width, int height, int channels, png_bytepp rows, PngStatus* status) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, status, on_png_error, on_png_warning);
  if (png == nullptr) {
    std::snprintf(status->message, sizeof(status->message), "libpng could not allocate its state");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(status->message, sizeof(status->message), "libpng could not allocate its state");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, file);
  // QC images are flat colours and text: the fastest zlib level costs a few per cent of size and most of the
  // time of writing them.
  png_set_compression_level(png, 1);
  // One filter for every row instead of libpng's trial of all five per row (most of the encoding time): "up"
  // turns the runs of identical rows of a flat background and the plots' axes into zeros.
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

void write_png(std::string const& path, int width, int height, int channels,
               std::vector<uint8_t> const& pixels) {
  if (width < 1 || height < 1 || (channels != 3 && channels != 4))
    throw OutputError(path, "a PNG needs a positive size and 3 (RGB) or 4 (RGBA) channels");
  auto const row_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  if (pixels.size() != row_bytes * static_cast<std::size_t>(height))
    throw OutputError(path, std::to_string(pixels.size()) + " bytes given for a " + std::to_string(width) +
                                "x" + std::to_string(height) + " image with " + std::to_string(channels) +
                                " channels");
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  for (std::size_t y = 0; y < rows.size(); ++y)
    rows[y] = const_cast<png_bytep>(pixels.data() + y * row_bytes);

  AtomicFile target(path, ".png");
  std::FILE* file = std::fopen(target.temp_path().c_str(), "wb");
  if (file == nullptr)
    throw OutputError(
        path, "cannot create the temporary file '" + target.temp_path() + "': " + std::strerror(errno));
  PngStatus status{};
  errno = 0;  // a system error seen by on_png_error must come from this encoding
  bool const encoded = encode_png(file, width, height, channels, rows.data(), &status);
  // Each step runs even after a failure (fclose also frees the stream); the first failure is reported.
  int flush_error = 0, close_error = 0;
  if (std::fflush(file) != 0 || std::ferror(file) != 0) flush_error = errno != 0 ? errno : EIO;
  if (std::fclose(file) != 0) close_error = errno;
  if (!encoded)
    throw OutputError(path,
                      std::string("libpng failed: ") + status.message +
                          (status.system_error != 0 ? std::string(": ") + std::strerror(status.system_error)
                                                    : std::string()));
  if (flush_error != 0 || close_error != 0)
    throw OutputError(path, "cannot write the temporary file '" + target.temp_path() +
                                "': " + std::strerror(flush_error != 0 ? flush_error : close_error));
  target.commit();
}

void write_png(std::string const& path, Raster const& raster) {
  write_png(path, raster.width(), raster.height(), 3, raster.rgb());
}

}  // namespace voxflow::io
