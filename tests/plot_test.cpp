// Charts: the PNG raster has the requested size and every series' colour,
// the SVG names every series, and bad inputs are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coda/plot.h"
#include "test_files.h"

namespace coda {
namespace {

using ::testing::HasSubstr;

int count_color(const RgbImage &img, Rgb c) {
    int n = 0;
    for (int i = 0; i < img.width * img.height; i++) {
        n += img.rgb[3 * i] == c.r && img.rgb[3 * i + 1] == c.g && img.rgb[3 * i + 2] == c.b;
    }
    return n;
}

BoxPlot two_boxes() {
    BoxPlot p;
    p.title = "Localisation";
    p.y_label = "score";
    p.names = {"CoDA", "Grad & co <1>"};
    p.colors = {palette_color(3), palette_color(0)};
    p.boxes = {box_stats({0.8, 0.9, 0.95, 1.0}), box_stats({0.1, 0.12, 0.2, 0.3})};
    p.reference_lines = {{1.0 / 9, "uniform"}};
    return p;
}

TEST(Plot, BoxPlotDrawsEveryBoxAndLegend) {
    BoxPlot p = two_boxes();
    RgbImage img = draw_box_plot(p, 700, 400);
    EXPECT_EQ(img.width, 700);
    EXPECT_EQ(img.height, 400);
    for (Rgb c : p.colors) {
        EXPECT_GT(count_color(img, c), 18 * 18) << "box outline and legend square";
    }
    std::string svg = box_plot_svg(p, 700, 400);
    EXPECT_THAT(svg, HasSubstr("<svg"));
    EXPECT_THAT(svg, HasSubstr(">CoDA</text>"));
    EXPECT_THAT(svg, HasSubstr(">Grad &amp; co &lt;1&gt;</text>"));  // escaped
    EXPECT_THAT(svg, HasSubstr("stroke-dasharray"));                 // the reference line
    p.colors.pop_back();
    EXPECT_CODA_ERROR(draw_box_plot(p), "one name and colour per box");
}

TEST(Plot, LinePlotDrawsEverySeries) {
    LinePlot p;
    p.title = "Pixel removal";
    p.x_label = "removed (%)";
    p.y_label = "probability";
    p.series = {{"a", palette_color(1), {0, 5, 10}, {0.9, 0.95, 0.97}},
                {"b", palette_color(2), {0, 5, 10}, {0.9, 0.6, 0.3}}};
    RgbImage img = draw_line_plot(p, 640, 400);
    for (const LineSeries &s : p.series) {
        EXPECT_GT(count_color(img, s.color), 100) << s.name;
    }
    EXPECT_THAT(line_plot_svg(p), HasSubstr("<polyline"));
    p.series[1].y.pop_back();
    EXPECT_CODA_ERROR(draw_line_plot(p), "as many x as y values");
    EXPECT_CODA_ERROR(draw_line_plot(LinePlot{}), "at least one series");
}

TEST(Plot, PixelFont) {
    EXPECT_NE(font_glyph('a'), nullptr);
    EXPECT_EQ(font_glyph('a'), font_glyph('A'));  // lower case drawn as upper case
    EXPECT_EQ(font_glyph('~'), nullptr);
    EXPECT_EQ(text_width("AB", 2), 22);
    RgbImage img = make_image(20, 10, 255, 255, 255);
    draw_text(img, 1, 1, "1", {0, 0, 0});
    // '1': the middle column (x = 1 + 2) is set in every row
    for (int y = 1; y < 8; y++)
        EXPECT_EQ(img.pixel(3, y)[0], 0) << "row " << y;
    draw_text(img, 15, 1, "WW", {0, 0, 0});  // clipped at the border, no crash
}

}  // namespace
}  // namespace coda
