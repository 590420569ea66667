// Small charts for metric reports, each drawn two ways from one layout: into
// an RgbImage (for PNG; text in a built-in 5x7 pixel font) and as SVG text
// (real fonts, scalable). Box plots (localisation scores) and line plots
// (pixel-removal curves), with axes, numbered ticks and a legend of coloured
// squares in the order the series are given.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "coda/statistics.h"
#include "coda/visualize.h"

namespace coda {

struct BoxPlot {
    std::string title, y_label;
    std::vector<std::string> names;  // one per box, left to right
    std::vector<Rgb> colors;
    std::vector<BoxStats> boxes;
    double y_min = 0, y_max = 1;
    // Dashed horizontal reference lines, e.g. {1/9, "uniform"}.
    std::vector<std::pair<double, std::string>> reference_lines;
};

struct LineSeries {
    std::string name;
    Rgb color;
    std::vector<double> x, y;
};

struct LinePlot {
    std::string title, x_label, y_label;
    std::vector<LineSeries> series;
    // Axis ranges; an empty range (min >= max) is taken from the data.
    double x_min = 0, x_max = 0, y_min = 0, y_max = 0;
};

RgbImage draw_box_plot(const BoxPlot &plot, int width = 1000, int height = 620);
std::string box_plot_svg(const BoxPlot &plot, int width = 1000, int height = 620);
RgbImage draw_line_plot(const LinePlot &plot, int width = 1000, int height = 620);
std::string line_plot_svg(const LinePlot &plot, int width = 1000, int height = 620);

// A fixed palette (matplotlib's tab10), so a method keeps its colour in
// every chart.
Rgb palette_color(int index);

// Text in the 5x7 pixel font, `scale` image pixels per font pixel, with its
// top-left corner at (x, y); letters are drawn in upper case and characters
// without a glyph as a blank. Pixels outside the image are skipped.
void draw_text(RgbImage &image, int x, int y, const std::string &text, Rgb color, int scale = 1);
// The same turned 90 degrees counter-clockwise (reads bottom to top), with
// the bottom-left corner of the first letter at (x, y).
void draw_text_vertical(RgbImage &image, int x, int y, const std::string &text, Rgb color,
                        int scale = 1);
int text_width(const std::string &text, int scale = 1);
constexpr int kFontHeight = 7;

// The 7 rows of a character's glyph, bit 4 = leftmost column (nullptr if none).
const unsigned char *font_glyph(char c);

}  // namespace coda
