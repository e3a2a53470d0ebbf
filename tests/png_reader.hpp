// Decodes a PNG (libpng) into 8-bit RGB for tests that check a rendered report: its size, and
// that it is not blank.
#pragma once

#include <png.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace linsgd::testing {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes a pixel
};

// Returns false when the file is missing or not a valid PNG.
inline bool read_png(const std::string& path, Image& image) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str())) return false;
  png.format = PNG_FORMAT_RGB;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  image.rgb.resize(PNG_IMAGE_SIZE(png));
  const bool ok = png_image_finish_read(&png, nullptr, image.rgb.data(), 0, nullptr) != 0;
  png_image_free(&png);
  return ok;
}

// Variance of the pixels' brightness (0-255 scale): a blank image has 0.
inline double brightness_variance(const Image& image) {
  double sum = 0.0, square_sum = 0.0;
  const size_t pixels = image.rgb.size() / 3;
  for (size_t i = 0; i < pixels; ++i) {
    const double v = (image.rgb[3 * i] + image.rgb[3 * i + 1] + image.rgb[3 * i + 2]) / 3.0;
    sum += v;
    square_sum += v * v;
  }
  const double mean = sum / static_cast<double>(pixels);
  return square_sum / static_cast<double>(pixels) - mean * mean;
}

}  // namespace linsgd::testing
