// 8-bit PNG files through libpng: RGB images for output, and 1- or 3-channel
// pixels for the image-folder loader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace coda {

// Row-major, 3 bytes (R, G, B) per pixel.
struct RgbImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;

    uint8_t *pixel(int x, int y) {
        return &rgb[(static_cast<size_t>(y) * width + x) * 3];
    }
    const uint8_t *pixel(int x, int y) const {
        return &rgb[(static_cast<size_t>(y) * width + x) * 3];
    }
};

// A width x height image filled with one colour.
RgbImage make_image(int width, int height, uint8_t r = 0, uint8_t g = 0, uint8_t b = 0);

// Row-major, `channels` interleaved bytes per pixel: 1 (grey) or 3 (RGB).
struct PngPixels {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> values;
};

// Reads any PNG as grey (grey files, alpha dropped) or RGB (colour and palette
// files, alpha dropped); 16-bit files are reduced to 8 bits. Throws Error
// naming the file if it is missing or not a valid PNG.
PngPixels read_png_pixels(const std::string &path);

// Reads any PNG as RGB (grey replicated to the three channels).
RgbImage read_png(const std::string &path);

// Writes an 8-bit PNG atomically (temporary file, then rename): an existing
// file at path is replaced only by a complete new one.
void write_png(const std::string &path, const RgbImage &image);
void write_png(const std::string &path, const PngPixels &pixels);

}  // namespace coda
