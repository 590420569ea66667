// Charts: one layout routine per chart kind draws on an abstract canvas,
// which is either a raster image or an SVG document, so the PNG and the SVG
// of a chart cannot drift apart.
#include "coda/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "coda/coda_layer.h"

namespace coda {

namespace {

enum class Anchor { start, middle, end };

using Points = std::vector<std::pair<double, double>>;

class Canvas {
public:
    virtual ~Canvas() = default;
    virtual void line(double x0, double y0, double x1, double y1, Rgb c, int width,
                      bool dashed = false) = 0;
    virtual void fill_rect(double x, double y, double w, double h, Rgb c) = 0;
    virtual void polyline(const Points &points, Rgb c, int width) = 0;
    // Text vertically centred on y; size 1 or 2 (pixel-font scale).
    virtual void text(double x, double y, const std::string &s, Rgb c, int size, Anchor anchor,
                      bool vertical = false) = 0;

    void stroke_rect(double x, double y, double w, double h, Rgb c, int width) {
        line(x, y, x + w, y, c, width);
        line(x + w, y, x + w, y + h, c, width);
        line(x + w, y + h, x, y + h, c, width);
        line(x, y + h, x, y, c, width);
    }
};

class RasterCanvas : public Canvas {
public:
    RasterCanvas(int w, int h) : image(make_image(w, h, 255, 255, 255)) {
    }

    void line(double x0, double y0, double x1, double y1, Rgb c, int width, bool dashed) override {
        const double len = std::hypot(x1 - x0, y1 - y0);
        const int steps = std::max(1, static_cast<int>(std::ceil(len)));
        for (int i = 0; i <= steps; i++) {
            if (dashed && (i % 14) >= 8) {
                continue;  // 8 on, 6 off
            }
            const double t = double(i) / steps;
            dot(x0 + t * (x1 - x0), y0 + t * (y1 - y0), c, width);
        }
    }

    void fill_rect(double x, double y, double w, double h, Rgb c) override {
        const int xa = int(std::lround(x)), ya = int(std::lround(y));
        const int xb = int(std::lround(x + w)), yb = int(std::lround(y + h));
        for (int yy = std::max(0, ya); yy < std::min(image.height, yb); yy++) {
            for (int xx = std::max(0, xa); xx < std::min(image.width, xb); xx++) {
                set(xx, yy, c);
            }
        }
    }

    void polyline(const Points &points, Rgb c, int width) override {
        for (size_t i = 1; i < points.size(); i++) {
            line(points[i - 1].first, points[i - 1].second, points[i].first, points[i].second, c,
                 width, false);
        }
    }

    void text(double x, double y, const std::string &s, Rgb c, int size, Anchor anchor,
              bool vertical) override {
        const int w = text_width(s, size), h = kFontHeight * size;
        const double shift = anchor == Anchor::start ? 0 : anchor == Anchor::middle ? w / 2.0 : w;
        if (vertical) {
            draw_text_vertical(image, int(std::lround(x - h / 2.0)), int(std::lround(y + shift)), s,
                               c, size);
        } else {
            draw_text(image, int(std::lround(x - shift)), int(std::lround(y - h / 2.0)), s, c,
                      size);
        }
    }

    RgbImage image;

private:
    void set(int x, int y, Rgb c) {
        if (x >= 0 && y >= 0 && x < image.width && y < image.height) {
            uint8_t *p = image.pixel(x, y);
            p[0] = c.r, p[1] = c.g, p[2] = c.b;
        }
    }
    void dot(double x, double y, Rgb c, int width) {
        const int x0 = int(std::lround(x - (width - 1) / 2.0)),
                  y0 = int(std::lround(y - (width - 1) / 2.0));
        for (int dy = 0; dy < width; dy++) {
            for (int dx = 0; dx < width; dx++) {
                set(x0 + dx, y0 + dy, c);
            }
        }
    }
};

std::string svg_color(Rgb c) {
    char s[8];
    std::snprintf(s, sizeof s, "#%02x%02x%02x", c.r, c.g, c.b);
    return s;
}

std::string svg_escape(const std::string &s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += ch;
        }
    }
    return out;
}

class SvgCanvas : public Canvas {
public:
    SvgCanvas(int w, int h) {
        out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
            << "\" viewBox=\"0 0 " << w << " " << h
            << "\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n";
    }

    void line(double x0, double y0, double x1, double y1, Rgb c, int width, bool dashed) override {
        out << "<line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x1 << "\" y2=\"" << y1
            << "\" stroke=\"" << svg_color(c) << "\" stroke-width=\"" << width << "\""
            << (dashed ? " stroke-dasharray=\"8 6\"" : "") << "/>\n";
    }

    void fill_rect(double x, double y, double w, double h, Rgb c) override {
        out << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h
            << "\" fill=\"" << svg_color(c) << "\"/>\n";
    }

    void polyline(const Points &points, Rgb c, int width) override {
        out << "<polyline fill=\"none\" stroke=\"" << svg_color(c) << "\" stroke-width=\"" << width
            << "\" stroke-linejoin=\"round\" points=\"";
        for (const auto &p : points) {
            out << p.first << "," << p.second << " ";
        }
        out << "\"/>\n";
    }

    void text(double x, double y, const std::string &s, Rgb c, int size, Anchor anchor,
              bool vertical) override {
        const char *a = anchor == Anchor::start    ? "start"
                        : anchor == Anchor::middle ? "middle"
                                                   : "end";
        out << "<text x=\"" << x << "\" y=\"" << y << "\" font-size=\"" << 8 * size
            << "\" dominant-baseline=\"middle\" text-anchor=\"" << a << "\" fill=\"" << svg_color(c)
            << "\"";
        if (vertical) {
            out << " transform=\"rotate(-90 " << x << " " << y << ")\"";
        }
        out << ">" << svg_escape(s) << "</text>\n";
    }

    std::string finish() {
        out << "</svg>\n";
        return out.str();
    }

private:
    std::ostringstream out;
};

const Rgb kBlack{0, 0, 0}, kGrey{120, 120, 120}, kGrid{225, 225, 225};

Rgb lighter(Rgb c, double t) {
    auto mix = [t](uint8_t v) { return static_cast<uint8_t>(std::lround(v + (255 - v) * t)); };
    return {mix(c.r), mix(c.g), mix(c.b)};
}

// About `target` round tick positions covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target, double &step) {
    const double raw = (hi - lo) / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
        ticks.push_back(std::fabs(t) < 1e-12 ? 0.0 : t);
    }
    return ticks;
}

std::string tick_label(double v, double step) {
    int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    if (std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) >
        1e-6) {
        decimals++;
    }
    char s[32];
    std::snprintf(s, sizeof s, "%.*f", decimals, v);
    return s;
}

// The plot area inside a chart of w x h: room for the title, the axis labels
// and a legend column on the right.
struct Frame {
    double left, top, right, bottom;
    double lo_x, hi_x, lo_y, hi_y;
    double px(double v) const {
        return left + (v - lo_x) / (hi_x - lo_x) * (right - left);
    }
    double py(double v) const {
        return bottom - (v - lo_y) / (hi_y - lo_y) * (bottom - top);
    }
};

Frame make_frame(int w, int h, const std::vector<std::string> &legend) {
    int legend_w = 0;
    for (const std::string &s : legend) {
        legend_w = std::max(legend_w, text_width(s, 2));
    }
    Frame f{};
    f.left = 100, f.top = 56, f.right = w - (legend_w + 70), f.bottom = h - 80;
    return f;
}

void draw_common(Canvas &c, const Frame &f, int w, const std::string &title,
                 const std::string &y_label, const std::vector<std::string> &names,
                 const std::vector<Rgb> &colors) {
    c.text(w / 2.0, 24, title, kBlack, 2, Anchor::middle);
    double step;
    for (double t : nice_ticks(f.lo_y, f.hi_y, 6, step)) {
        const double y = f.py(t);
        c.line(f.left, y, f.right, y, kGrid, 1);
        c.line(f.left - 6, y, f.left, y, kBlack, 2);
        c.text(f.left - 10, y, tick_label(t, step), kBlack, 2, Anchor::end);
    }
    c.text(24, (f.top + f.bottom) / 2, y_label, kBlack, 2, Anchor::middle, true);
    // legend: coloured squares in the given order
    for (size_t i = 0; i < names.size(); i++) {
        const double y = f.top + 14 + 30.0 * i;
        c.fill_rect(f.right + 24, y - 9, 18, 18, colors.at(i));
        c.text(f.right + 50, y, names[i], kBlack, 2, Anchor::start);
    }
}

void draw_axes(Canvas &c, const Frame &f) {
    c.line(f.left, f.top, f.left, f.bottom, kBlack, 2);
    c.line(f.left, f.bottom, f.right, f.bottom, kBlack, 2);
}

void check_size(int w, int h) {
    if (w < 320 || h < 240) {
        throw Error("chart size " + std::to_string(w) + "x" + std::to_string(h) +
                    " is below 320x240");
    }
}

void render_box_plot(Canvas &c, const BoxPlot &p, int w, int h) {
    check_size(w, h);
    if (p.names.size() != p.boxes.size() || p.colors.size() != p.boxes.size() || p.boxes.empty() ||
        !(p.y_max > p.y_min)) {
        throw Error(
            "box plot needs one name and colour per box, at least one box and y_max > y_min");
    }
    Frame f = make_frame(w, h, p.names);
    f.lo_x = 0, f.hi_x = double(p.boxes.size()), f.lo_y = p.y_min, f.hi_y = p.y_max;
    draw_common(c, f, w, p.title, p.y_label, p.names, p.colors);
    for (const auto &[value, label] : p.reference_lines) {
        const double y = f.py(value);
        c.line(f.left, y, f.right, y, kGrey, 2, true);
        c.text(f.right + 8, y, label, kGrey, 2,
               Anchor::start);  // beside the plot, clear of the boxes
    }
    const double slot = (f.right - f.left) / p.boxes.size();
    const double half = std::min(slot * 0.3, 45.0);
    for (size_t i = 0; i < p.boxes.size(); i++) {
        const BoxStats &b = p.boxes[i];
        const double cx = f.left + slot * (i + 0.5);
        c.line(cx, f.py(b.low), cx, f.py(b.q1), kBlack, 2);
        c.line(cx, f.py(b.q3), cx, f.py(b.high), kBlack, 2);
        c.line(cx - half / 2, f.py(b.low), cx + half / 2, f.py(b.low), kBlack, 2);
        c.line(cx - half / 2, f.py(b.high), cx + half / 2, f.py(b.high), kBlack, 2);
        const double top = f.py(b.q3), bottom = f.py(b.q1);
        c.fill_rect(cx - half, top, 2 * half, std::max(1.0, bottom - top),
                    lighter(p.colors[i], 0.35));
        c.stroke_rect(cx - half, top, 2 * half, std::max(1.0, bottom - top), p.colors[i], 2);
        c.line(cx - half, f.py(b.median), cx + half, f.py(b.median), kBlack, 3);
        c.fill_rect(cx - 5, f.py(b.mean) - 5, 10, 10, kBlack);  // the mean
        c.text(cx, f.bottom + 20, p.names[i], kBlack, 2, Anchor::middle);
    }
    draw_axes(c, f);
}

void render_line_plot(Canvas &c, const LinePlot &p, int w, int h) {
    check_size(w, h);
    if (p.series.empty()) {
        throw Error("line plot needs at least one series");
    }
    std::vector<std::string> names;
    std::vector<Rgb> colors;
    double x_lo = p.x_min, x_hi = p.x_max, y_lo = p.y_min, y_hi = p.y_max;
    const bool auto_x = !(x_hi > x_lo), auto_y = !(y_hi > y_lo);
    if (auto_x) {
        x_lo = INFINITY, x_hi = -INFINITY;
    }
    if (auto_y) {
        y_lo = INFINITY, y_hi = -INFINITY;
    }
    for (const LineSeries &s : p.series) {
        if (s.x.size() != s.y.size() || s.x.empty()) {
            throw Error("line plot series '" + s.name + "' needs as many x as y values (and some)");
        }
        names.push_back(s.name), colors.push_back(s.color);
        for (size_t i = 0; i < s.x.size(); i++) {
            if (auto_x) {
                x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
            }
            if (auto_y) {
                y_lo = std::min(y_lo, s.y[i]), y_hi = std::max(y_hi, s.y[i]);
            }
        }
    }
    if (!(x_hi > x_lo)) {
        x_hi = x_lo + 1;
    }
    if (auto_y) {
        // pad to round values so the curves never touch the frame
        double step;
        const double span = std::max(y_hi - y_lo, 1e-3);
        nice_ticks(y_lo - 0.05 * span, y_hi + 0.05 * span, 6, step);
        y_lo = std::floor((y_lo - 0.05 * span) / step) * step;
        y_hi = std::ceil((y_hi + 0.05 * span) / step) * step;
    }
    Frame f = make_frame(w, h, names);
    f.lo_x = x_lo, f.hi_x = x_hi, f.lo_y = y_lo, f.hi_y = y_hi;
    draw_common(c, f, w, p.title, p.y_label, names, colors);
    double step;
    for (double t : nice_ticks(x_lo, x_hi, 6, step)) {
        const double x = f.px(t);
        c.line(x, f.top, x, f.bottom, kGrid, 1);
        c.line(x, f.bottom, x, f.bottom + 6, kBlack, 2);
        c.text(x, f.bottom + 20, tick_label(t, step), kBlack, 2, Anchor::middle);
    }
    c.text((f.left + f.right) / 2, f.bottom + 52, p.x_label, kBlack, 2, Anchor::middle);
    for (const LineSeries &s : p.series) {
        Points pts;
        for (size_t i = 0; i < s.x.size(); i++) {
            pts.push_back({f.px(s.x[i]), f.py(std::clamp(s.y[i], y_lo, y_hi))});
        }
        c.polyline(pts, s.color, 3);
    }
    draw_axes(c, f);
}

}  // namespace

RgbImage draw_box_plot(const BoxPlot &plot, int width, int height) {
    RasterCanvas c(width, height);
    render_box_plot(c, plot, width, height);
    return c.image;
}

std::string box_plot_svg(const BoxPlot &plot, int width, int height) {
    SvgCanvas c(width, height);
    render_box_plot(c, plot, width, height);
    return c.finish();
}

RgbImage draw_line_plot(const LinePlot &plot, int width, int height) {
    RasterCanvas c(width, height);
    render_line_plot(c, plot, width, height);
    return c.image;
}

std::string line_plot_svg(const LinePlot &plot, int width, int height) {
    SvgCanvas c(width, height);
    render_line_plot(c, plot, width, height);
    return c.finish();
}

Rgb palette_color(int index) {
    static const Rgb tab10[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                {188, 189, 34},  {23, 190, 207}};
    return tab10[((index % 10) + 10) % 10];
}

int text_width(const std::string &text, int scale) {
    return text.empty() ? 0 : (6 * int(text.size()) - 1) * scale;
}

namespace {

void put(RgbImage &image, int x, int y, Rgb c, int scale) {
    for (int dy = 0; dy < scale; dy++) {
        for (int dx = 0; dx < scale; dx++) {
            const int xx = x + dx, yy = y + dy;
            if (xx >= 0 && yy >= 0 && xx < image.width && yy < image.height) {
                uint8_t *p = image.pixel(xx, yy);
                p[0] = c.r, p[1] = c.g, p[2] = c.b;
            }
        }
    }
}

}  // namespace

void draw_text(RgbImage &image, int x, int y, const std::string &text, Rgb color, int scale) {
    for (size_t i = 0; i < text.size(); i++) {
        const unsigned char *g = font_glyph(text[i]);
        for (int row = 0; g && row < kFontHeight; row++) {
            for (int col = 0; col < 5; col++) {
                if (g[row] & (0x10 >> col)) {
                    put(image, x + (int(i) * 6 + col) * scale, y + row * scale, color, scale);
                }
            }
        }
    }
}

void draw_text_vertical(RgbImage &image, int x, int y, const std::string &text, Rgb color,
                        int scale) {
    // Turned counter-clockwise: the glyph's top faces left, text runs upwards.
    for (size_t i = 0; i < text.size(); i++) {
        const unsigned char *g = font_glyph(text[i]);
        for (int row = 0; g && row < kFontHeight; row++) {
            for (int col = 0; col < 5; col++) {
                if (g[row] & (0x10 >> col)) {
                    put(image, x + row * scale, y - (int(i) * 6 + col + 1) * scale, color, scale);
                }
            }
        }
    }
}

}  // namespace coda
