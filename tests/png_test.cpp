// PNG files: exact round trips of RGB and grey pixels, the layouts other
// programs write (alpha, palette), atomic writes, and unreadable files.
#include <cstring>

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include "coda/png_image.h"
#include "test_files.h"

namespace coda {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

std::vector<uint8_t> ramp(size_t n, int seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) {
        v[i] = static_cast<uint8_t>((seed * 29 + i * 13) % 256);
    }
    return v;
}

// Writes with libpng directly, in formats write_png does not produce.
void write_with_libpng(const std::string &path, int width, int height, png_uint_32 format,
                       const void *values, const void *colormap = nullptr, int entries = 0) {
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = format;
    image.colormap_entries = entries;
    ASSERT_TRUE(png_image_write_to_file(&image, path.c_str(), 0, values, 0, colormap))
        << image.message;
}

TEST(Png, RgbRoundTripIsExact) {
    TempDir dir;
    RgbImage img{7, 5, ramp(7 * 5 * 3, 1)};
    write_png(dir / "a.png", img);
    RgbImage back = read_png(dir / "a.png");
    EXPECT_EQ(back.width, 7);
    EXPECT_EQ(back.height, 5);
    EXPECT_EQ(back.rgb, img.rgb);
    EXPECT_EQ(read_file(dir / "a.png").substr(1, 3), "PNG");
    EXPECT_EQ(testing::list_dir(dir.path()), std::vector<std::string>{"a.png"});
}

TEST(Png, GreyRoundTripAndRgbView) {
    TempDir dir;
    PngPixels grey{3, 2, 1, ramp(6, 2)};
    write_png(dir / "g.png", grey);
    PngPixels back = read_png_pixels(dir / "g.png");
    EXPECT_EQ(back.channels, 1);
    EXPECT_EQ(back.values, grey.values);
    RgbImage rgb = read_png(dir / "g.png");
    for (int i = 0; i < 6; i++) {
        EXPECT_EQ(rgb.rgb[3 * i], grey.values[i]);
        EXPECT_EQ(rgb.rgb[3 * i + 1], grey.values[i]);
        EXPECT_EQ(rgb.rgb[3 * i + 2], grey.values[i]);
    }
}

TEST(Png, AlphaIsDroppedWithoutChangingColours) {
    TempDir dir;
    std::vector<uint8_t> rgba = ramp(4 * 4 * 4, 3), ga = ramp(4 * 4 * 2, 4);
    write_with_libpng(dir / "rgba.png", 4, 4, PNG_FORMAT_RGBA, rgba.data());
    write_with_libpng(dir / "ga.png", 4, 4, PNG_FORMAT_GA, ga.data());
    PngPixels c = read_png_pixels(dir / "rgba.png"), g = read_png_pixels(dir / "ga.png");
    ASSERT_EQ(c.channels, 3);
    ASSERT_EQ(g.channels, 1);
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 3; k++) {
            EXPECT_EQ(c.values[3 * i + k], rgba[4 * i + k]);
        }
        EXPECT_EQ(g.values[i], ga[2 * i]);
    }
}

TEST(Png, PaletteImageReadsAsRgb) {
    TempDir dir;
    const uint8_t palette[] = {10, 20, 30, 200, 100, 0};
    const uint8_t indices[] = {0, 1, 1, 0};
    write_with_libpng(dir / "p.png", 2, 2, PNG_FORMAT_RGB_COLORMAP, indices, palette, 2);
    PngPixels p = read_png_pixels(dir / "p.png");
    ASSERT_EQ(p.channels, 3);
    EXPECT_EQ(p.values, (std::vector<uint8_t>{10, 20, 30, 200, 100, 0, 200, 100, 0, 10, 20, 30}));
}

TEST(Png, UnreadableFiles) {
    TempDir dir;
    EXPECT_CODA_ERROR(read_png(dir / "missing.png"), "missing.png: not a readable PNG file");
    write_file(dir / "text.png", "hello, not a png");
    EXPECT_CODA_ERROR(read_png(dir / "text.png"), "text.png: not a readable PNG file");
    write_png(dir / "cut.png", RgbImage{32, 32, ramp(32 * 32 * 3, 5)});
    const std::string bytes = read_file(dir / "cut.png");
    write_file(dir / "cut.png", bytes.substr(0, bytes.size() / 2));
    EXPECT_CODA_ERROR(read_png(dir / "cut.png"), "cut.png: corrupt PNG data");
    write_file(dir / "header.png", bytes.substr(0, 20));
    EXPECT_CODA_ERROR(read_png(dir / "header.png"), "header.png: not a readable PNG file");
}

TEST(Png, WriteRejectsInconsistentImages) {
    TempDir dir;
    EXPECT_CODA_ERROR(write_png(dir / "a.png", RgbImage{2, 2, std::vector<uint8_t>(11)}),
                      "RGB image of 2x2 with 3 channels has 11 bytes");
    EXPECT_CODA_ERROR(write_png(dir / "a.png", RgbImage{0, 0, {}}), "0x0");
    EXPECT_CODA_ERROR(write_png(dir / "a.png", PngPixels{1, 1, 2, {0, 0}}), "2 channels");
    EXPECT_TRUE(testing::list_dir(dir.path()).empty());
}

TEST(Png, FailedWriteKeepsThePreviousFile) {
    TempDir dir;
    EXPECT_CODA_ERROR(write_png(dir / "none/a.png", make_image(1, 1)), "cannot write");
    const std::string path = dir / "a.png";
    write_png(path, make_image(2, 2, 1, 2, 3));
    const std::string before = read_file(path);
    std::filesystem::create_directory(path + ".tmp." + std::to_string(::getpid()));
    EXPECT_CODA_ERROR(write_png(path, make_image(2, 2, 9, 9, 9)), "cannot write");
    EXPECT_EQ(read_file(path), before);
}

TEST(Png, MakeImageFills) {
    RgbImage img = make_image(2, 1, 5, 6, 7);
    EXPECT_EQ(img.rgb, (std::vector<uint8_t>{5, 6, 7, 5, 6, 7}));
    EXPECT_EQ(img.pixel(1, 0)[2], 7);
}

}  // namespace
}  // namespace coda
