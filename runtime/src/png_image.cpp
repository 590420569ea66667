// Uses libpng's simplified API (png_image): it reports errors through its
// return value and message instead of longjmp, which is safe with C++.
#include "coda/png_image.h"

#include <cstring>
#include <png.h>

#include "atomic_file.h"
#include "coda/coda_layer.h"

namespace coda {

namespace {

constexpr uint64_t kMaxPixels = uint64_t{1} << 28;  // bounds the buffer for hostile headers

// Frees libpng's state on every path out, including exceptions.
struct PngHandle {
    png_image image;
    PngHandle() {
        std::memset(&image, 0, sizeof image);
        image.version = PNG_IMAGE_VERSION;
    }
    ~PngHandle() {
        png_image_free(&image);
    }
    PngHandle(const PngHandle &) = delete;
    PngHandle &operator=(const PngHandle &) = delete;
};

void check_size(const char *what, int width, int height, size_t bytes, int channels) {
    if (width <= 0 || height <= 0 ||
        bytes != static_cast<size_t>(width) * static_cast<size_t>(height) * channels) {
        throw Error(std::string("write_png: ") + what + " of " + std::to_string(width) + "x" +
                    std::to_string(height) + " with " + std::to_string(channels) +
                    " channels has " + std::to_string(bytes) + " bytes");
    }
}

}  // namespace

RgbImage make_image(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
    if (width < 0 || height < 0) {
        throw Error("make_image: negative size " + std::to_string(width) + "x" +
                    std::to_string(height));
    }
    RgbImage img{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
    for (size_t i = 0; i < img.rgb.size(); i += 3) {
        img.rgb[i] = r;
        img.rgb[i + 1] = g;
        img.rgb[i + 2] = b;
    }
    return img;
}

PngPixels read_png_pixels(const std::string &path) {
    PngHandle png;
    if (!png_image_begin_read_from_file(&png.image, path.c_str())) {
        throw Error(path + ": not a readable PNG file (libpng: " + png.image.message + ")");
    }
    if (uint64_t{png.image.width} * png.image.height > kMaxPixels) {
        throw Error(path + ": PNG of " + std::to_string(png.image.width) + "x" +
                    std::to_string(png.image.height) + " pixels is too large");
    }
    // 16-bit data without gamma information is sRGB like 8-bit data, so it is
    // only rescaled (the default would treat it as linear and gamma-encode it).
    png.image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
    const bool colour = png.image.format & PNG_FORMAT_FLAG_COLOR;
    const bool alpha = png.image.format & PNG_FORMAT_FLAG_ALPHA;
    // Alpha is read and then dropped, not composited: the colour values stay
    // exactly as stored (what PIL's convert("RGB") gives for RGBA).
    png.image.format = colour ? (alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB)
                              : (alpha ? PNG_FORMAT_GA : PNG_FORMAT_GRAY);
    const int stored = PNG_IMAGE_SAMPLE_CHANNELS(png.image.format);
    const int width = static_cast<int>(png.image.width);
    const int height = static_cast<int>(png.image.height);
    std::vector<uint8_t> buffer(PNG_IMAGE_SIZE(png.image));
    if (!png_image_finish_read(&png.image, nullptr, buffer.data(), 0, nullptr)) {
        throw Error(path + ": corrupt PNG data (libpng: " + png.image.message + ")");
    }

    PngPixels out{width, height, colour ? 3 : 1, {}};
    if (stored == out.channels) {
        out.values = std::move(buffer);
        return out;
    }
    const size_t n = static_cast<size_t>(width) * height;
    out.values.resize(n * out.channels);
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < out.channels; c++) {
            out.values[i * out.channels + c] = buffer[i * stored + c];
        }
    }
    return out;
}

RgbImage read_png(const std::string &path) {
    PngPixels p = read_png_pixels(path);
    if (p.channels == 3) {
        return {p.width, p.height, std::move(p.values)};
    }
    RgbImage img{p.width, p.height, std::vector<uint8_t>(p.values.size() * 3)};
    for (size_t i = 0; i < p.values.size(); i++) {
        img.rgb[3 * i] = img.rgb[3 * i + 1] = img.rgb[3 * i + 2] = p.values[i];
    }
    return img;
}

void write_png(const std::string &path, const PngPixels &pixels) {
    if (pixels.channels != 1 && pixels.channels != 3) {
        throw Error("write_png: " + std::to_string(pixels.channels) + " channels, expected 1 or 3");
    }
    check_size("image", pixels.width, pixels.height, pixels.values.size(), pixels.channels);
    PngHandle png;
    png.image.width = static_cast<png_uint_32>(pixels.width);
    png.image.height = static_cast<png_uint_32>(pixels.height);
    png.image.format = pixels.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;

    AtomicFile out(path);
    if (!png_image_write_to_stdio(&png.image, out.stream(), 0, pixels.values.data(), 0, nullptr)) {
        throw Error("cannot write " + path + " (libpng: " + png.image.message + ")");
    }
    out.commit();
}

void write_png(const std::string &path, const RgbImage &image) {
    check_size("RGB image", image.width, image.height, image.rgb.size(), 3);
    // One copy keeps a single write path; output images are small.
    write_png(path, PngPixels{image.width, image.height, 3, image.rgb});
}

}  // namespace coda
