// Colour maps and picture helpers: exact colours at the ends and the centre of
// the bwr range, conversions of input tensors, overlay, enlarging, tiling.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "coda/visualize.h"
#include "test_files.h"

namespace coda {
namespace {

Rgb at(const RgbImage &img, int x, int y) {
    const uint8_t *p = img.pixel(x, y);
    return {p[0], p[1], p[2]};
}

TEST(Bwr, EndsAndCentre) {
    for (float v : {0.5f, 1.0f, 37.0f}) {
        EXPECT_EQ(bwr_color(-v, v), (Rgb{0, 0, 255}));
        EXPECT_EQ(bwr_color(0.0f, v), (Rgb{255, 255, 255}));
        EXPECT_EQ(bwr_color(v, v), (Rgb{255, 0, 0}));
        EXPECT_EQ(bwr_color(-v / 2, v), (Rgb{128, 128, 255}));  // linear: 127.5 rounds up
        EXPECT_EQ(bwr_color(v / 2, v), (Rgb{255, 128, 128}));
        EXPECT_EQ(bwr_color(v / 4, v), (Rgb{255, 191, 191}));
    }
}

TEST(Bwr, ClampsAndHandlesNaN) {
    EXPECT_EQ(bwr_color(-5.0f, 1.0f), (Rgb{0, 0, 255}));
    EXPECT_EQ(bwr_color(5.0f, 1.0f), (Rgb{255, 0, 0}));
    EXPECT_EQ(bwr_color(std::nanf(""), 1.0f), (Rgb{255, 255, 255}));
    EXPECT_CODA_ERROR(bwr_color(1.0f, 0.0f), "must be positive and finite");
    EXPECT_CODA_ERROR(bwr_color(1.0f, std::numeric_limits<float>::infinity()), "vmax");
}

TEST(Bwr, ImageUsesSymmetricRangeOfTheMap) {
    Tensor map({1, 2, 2}, {-2.0f, 0.0f, 1.0f, std::nanf("")});
    EXPECT_EQ(max_abs(map), 2.0f);
    RgbImage img = bwr_image(map);
    EXPECT_EQ(img.width, 2);
    EXPECT_EQ(img.height, 2);
    EXPECT_EQ(at(img, 0, 0), (Rgb{0, 0, 255}));
    EXPECT_EQ(at(img, 1, 0), (Rgb{255, 255, 255}));
    EXPECT_EQ(at(img, 0, 1), (Rgb{255, 128, 128}));
    EXPECT_EQ(at(img, 1, 1), (Rgb{255, 255, 255}));
    EXPECT_EQ(at(bwr_image(map, 1.0f), 0, 1), (Rgb{255, 0, 0}));
    EXPECT_EQ(bwr_image(Tensor({2, 3})).rgb, std::vector<uint8_t>(18, 255));  // all zero
    EXPECT_CODA_ERROR(bwr_image(Tensor({2, 2, 2})), "expected (H, W) or (1, H, W)");
}

TEST(TensorToImage, GreyAndRgb) {
    RgbImage g = tensor_to_image(Tensor({1, 1, 4}, {0.0f, 0.5f, 1.0f, 2.0f}));
    EXPECT_EQ(g.rgb, (std::vector<uint8_t>{0, 0, 0, 128, 128, 128, 255, 255, 255, 255, 255, 255}));
    RgbImage c = tensor_to_image(Tensor({3, 1, 2}, {1.0f, 0.0f, 0.2f, -1.0f, 0.0f, 1.0f}));
    EXPECT_EQ(c.rgb, (std::vector<uint8_t>{255, 51, 0, 0, 0, 255}));
    EXPECT_CODA_ERROR(tensor_to_image(Tensor({2, 2, 2})), "C = 1 or 3");
}

TEST(Overlay, ZeroMapShowsGreyImageAndFullValuesShowColour) {
    Tensor img({1, 1, 3}, {1.0f, 0.5f, 0.0f});
    RgbImage plain = overlay(img, Tensor({1, 3}));
    EXPECT_EQ(plain.rgb, (std::vector<uint8_t>{255, 255, 255, 128, 128, 128, 0, 0, 0}));

    Tensor map({1, 3}, {-1.0f, 0.0f, 1.0f});
    RgbImage full = overlay(img, map, 1.0f, 1.0f);
    EXPECT_EQ(at(full, 0, 0), (Rgb{0, 0, 255}));
    EXPECT_EQ(at(full, 1, 0), (Rgb{128, 128, 128}));
    EXPECT_EQ(at(full, 2, 0), (Rgb{255, 0, 0}));
    RgbImage half = overlay(img, map, 1.0f, 0.5f);
    EXPECT_EQ(at(half, 2, 0), (Rgb{128, 0, 0}));  // black pixel, half red
    EXPECT_EQ(overlay(img, map, 1.0f, 0.0f).rgb, plain.rgb);

    RgbImage luma = overlay(Tensor({3, 1, 1}, {1.0f, 0.0f, 0.0f}), Tensor({1, 1}));
    EXPECT_EQ(at(luma, 0, 0), (Rgb{76, 76, 76}));  // 0.299 * 255
    EXPECT_CODA_ERROR(overlay(img, Tensor({2, 3}), 1.0f), "sizes differ");
    EXPECT_CODA_ERROR(overlay(img, map, 1.0f, 2.0f), "expected 0..1");
}

TEST(Upscale, RepeatsPixels) {
    RgbImage img{2, 1, {1, 2, 3, 4, 5, 6}};
    RgbImage big = upscale(img, 3);
    EXPECT_EQ(big.width, 6);
    EXPECT_EQ(big.height, 3);
    for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 6; x++) {
            EXPECT_EQ(at(big, x, y), (x < 3 ? Rgb{1, 2, 3} : Rgb{4, 5, 6}));
        }
    }
    EXPECT_EQ(upscale(img, 1).rgb, img.rgb);
    EXPECT_CODA_ERROR(upscale(img, 0), "factor 0");
}

TEST(ComposeGrid, CellsMarginsAndCentring) {
    RgbImage red = make_image(2, 2, 255, 0, 0), blue = make_image(1, 1, 0, 0, 255);
    RgbImage sheet = compose_grid({{red, blue}, {blue}}, 1, Rgb{0, 0, 0});
    // Columns 2 and 1 wide, rows 2 and 1 tall, margin 1: 6 x 6.
    ASSERT_EQ(sheet.width, 6);
    ASSERT_EQ(sheet.height, 6);
    EXPECT_EQ(at(sheet, 0, 0), (Rgb{0, 0, 0}));
    EXPECT_EQ(at(sheet, 1, 1), (Rgb{255, 0, 0}));
    EXPECT_EQ(at(sheet, 2, 2), (Rgb{255, 0, 0}));
    EXPECT_EQ(at(sheet, 4, 1), (Rgb{0, 0, 255}));  // centred: (2 - 1) / 2 = 0 rows down
    EXPECT_EQ(at(sheet, 4, 2), (Rgb{0, 0, 0}));
    EXPECT_EQ(at(sheet, 1, 4), (Rgb{0, 0, 255}));  // second row, centred in a 2-wide column
    EXPECT_EQ(at(sheet, 2, 4), (Rgb{0, 0, 0}));

    RgbImage same = compose_grid({red, blue, blue}, 2, 1, Rgb{0, 0, 0});
    EXPECT_EQ(same.rgb, sheet.rgb);
    EXPECT_CODA_ERROR(compose_grid({red}, 0), "0 columns");
    EXPECT_CODA_ERROR(compose_grid({RgbImage{3, 3, {}}}, 1), "has 0 bytes");
}

}  // namespace
}  // namespace coda
