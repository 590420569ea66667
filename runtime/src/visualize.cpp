#include "coda/visualize.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "coda/coda_layer.h"

namespace coda {

namespace {

std::string num(float v) {
    char s[32];
    std::snprintf(s, sizeof s, "%g", v);
    return s;
}

// [0, 1] to 0..255, clamped; NaN gives 0.
uint8_t to_byte(float unit) {
    return unit > 0.0f ? static_cast<uint8_t>(std::lround(std::min(unit, 1.0f) * 255.0f)) : 0;
}

void check_rgb(const RgbImage &image, const char *who) {
    if (image.width < 0 || image.height < 0 ||
        image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3) {
        throw Error(std::string(who) + ": an RGB image of " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " has " + std::to_string(image.rgb.size()) +
                    " bytes");
    }
}

// Height and width of a map (H, W) or (1, H, W).
std::pair<int, int> map_size(const Tensor &map) {
    const int r = map.rank();
    if (r == 2 || (r == 3 && map.dim(0) == 1)) {
        return {static_cast<int>(map.dim(r - 2)), static_cast<int>(map.dim(r - 1))};
    }
    throw Error("bwr map of shape " + to_string(map.shape()) + ", expected (H, W) or (1, H, W)");
}

void check_image(const Tensor &image) {
    if (image.rank() != 3 || (image.dim(0) != 1 && image.dim(0) != 3)) {
        throw Error("image tensor of shape " + to_string(image.shape()) +
                    ", expected (C, H, W) with C = 1 or 3");
    }
}

float resolve_vmax(const Tensor &map, float vmax) {
    if (!std::isfinite(vmax)) {
        throw Error("bwr colour range vmax = " + num(vmax) + " is not finite");
    }
    return vmax > 0.0f ? vmax : max_abs(map);
}

}  // namespace

Rgb bwr_color(float value, float vmax) {
    if (!(vmax > 0.0f) || !std::isfinite(vmax)) {
        throw Error("bwr colour range vmax = " + num(vmax) + " must be positive and finite");
    }
    if (std::isnan(value)) {
        return {255, 255, 255};
    }
    float t = std::clamp(value / vmax, -1.0f, 1.0f);
    uint8_t fade = to_byte(1.0f - std::fabs(t));  // the two channels that leave white
    return t < 0.0f ? Rgb{fade, fade, 255} : Rgb{255, fade, fade};
}

float max_abs(const Tensor &t) {
    float m = 0.0f;
    for (float v : t.values()) {
        if (std::fabs(v) > m) {  // false for NaN
            m = std::fabs(v);
        }
    }
    return m;
}

RgbImage bwr_image(const Tensor &map, float vmax) {
    auto [h, w] = map_size(map);
    vmax = resolve_vmax(map, vmax);
    RgbImage img = make_image(w, h, 255, 255, 255);
    if (vmax > 0.0f) {
        for (int i = 0; i < w * h; i++) {
            Rgb c = bwr_color(map[i], vmax);
            img.rgb[3 * i] = c.r;
            img.rgb[3 * i + 1] = c.g;
            img.rgb[3 * i + 2] = c.b;
        }
    }
    return img;
}

RgbImage tensor_to_image(const Tensor &image) {
    check_image(image);
    const int c = static_cast<int>(image.dim(0));
    const int h = static_cast<int>(image.dim(1)), w = static_cast<int>(image.dim(2));
    const int64_t plane = int64_t{h} * w;
    RgbImage img = make_image(w, h);
    for (int64_t i = 0; i < plane; i++) {
        for (int k = 0; k < 3; k++) {
            img.rgb[3 * i + k] = to_byte(image[(c == 3 ? k : 0) * plane + i]);
        }
    }
    return img;
}

RgbImage overlay(const Tensor &image, const Tensor &map, float vmax, float alpha) {
    check_image(image);
    auto [h, w] = map_size(map);
    if (image.dim(1) != h || image.dim(2) != w) {
        throw Error("overlay of a map " + to_string(map.shape()) + " on an image " +
                    to_string(image.shape()) + ": sizes differ");
    }
    if (!(alpha >= 0.0f && alpha <= 1.0f)) {
        throw Error("overlay opacity alpha = " + num(alpha) + ", expected 0..1");
    }
    vmax = resolve_vmax(map, vmax);
    const int64_t plane = int64_t{h} * w;
    const bool rgb = image.dim(0) == 3;
    RgbImage img = make_image(w, h);
    for (int64_t i = 0; i < plane; i++) {
        float grey =
            rgb ? 0.299f * image[i] + 0.587f * image[plane + i] + 0.114f * image[2 * plane + i]
                : image[i];
        grey = to_byte(grey);
        float weight = 0.0f;
        Rgb c{255, 255, 255};
        if (vmax > 0.0f && !std::isnan(map[i])) {
            weight = alpha * std::min(1.0f, std::fabs(map[i]) / vmax);
            c = bwr_color(map[i], vmax);
        }
        const uint8_t colour[3] = {c.r, c.g, c.b};
        for (int k = 0; k < 3; k++) {
            float v = grey * (1.0f - weight) + colour[k] * weight;
            img.rgb[3 * i + k] = static_cast<uint8_t>(std::lround(v));  // within 0..255
        }
    }
    return img;
}

RgbImage upscale(const RgbImage &image, int factor) {
    if (factor < 1) {
        throw Error("upscale by factor " + std::to_string(factor) + ", expected >= 1");
    }
    check_rgb(image, "upscale");
    RgbImage out = make_image(image.width * factor, image.height * factor);
    for (int y = 0; y < out.height; y++) {
        for (int x = 0; x < out.width; x++) {
            std::copy_n(image.pixel(x / factor, y / factor), 3, out.pixel(x, y));
        }
    }
    return out;
}

RgbImage compose_grid(const std::vector<std::vector<RgbImage>> &rows, int margin, Rgb background) {
    if (margin < 0) {
        throw Error("compose_grid: negative margin " + std::to_string(margin));
    }
    std::vector<int> widths, heights;
    for (const auto &row : rows) {
        heights.push_back(0);
        for (size_t c = 0; c < row.size(); c++) {
            check_rgb(row[c], "compose_grid");
            if (c >= widths.size()) {
                widths.push_back(0);
            }
            widths[c] = std::max(widths[c], row[c].width);
            heights.back() = std::max(heights.back(), row[c].height);
        }
    }
    auto total = [margin](const std::vector<int> &sizes) {
        int t = margin;
        for (int s : sizes) {
            t += s + margin;
        }
        return t;
    };
    RgbImage sheet =
        make_image(total(widths), total(heights), background.r, background.g, background.b);
    int y0 = margin;
    for (size_t r = 0; r < rows.size(); r++) {
        int x0 = margin;
        for (size_t c = 0; c < rows[r].size(); c++) {
            const RgbImage &tile = rows[r][c];
            int dx = x0 + (widths[c] - tile.width) / 2, dy = y0 + (heights[r] - tile.height) / 2;
            for (int y = 0; tile.width > 0 && y < tile.height; y++) {
                std::copy_n(tile.pixel(0, y), 3 * tile.width, sheet.pixel(dx, dy + y));
            }
            x0 += widths[c] + margin;
        }
        y0 += heights[r] + margin;
    }
    return sheet;
}

RgbImage compose_grid(const std::vector<RgbImage> &tiles, int columns, int margin, Rgb background) {
    if (columns < 1) {
        throw Error("compose_grid: " + std::to_string(columns) + " columns, expected >= 1");
    }
    std::vector<std::vector<RgbImage>> rows;
    for (size_t i = 0; i < tiles.size(); i++) {
        if (i % columns == 0) {
            rows.emplace_back();
        }
        rows.back().push_back(tiles[i]);
    }
    return compose_grid(rows, margin, background);
}

}  // namespace coda
