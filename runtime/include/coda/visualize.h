// Tensors to RGB pictures for explanations: the diverging "bwr" colour map for
// signed contribution maps, input images, overlays, enlarging and tiling.
#pragma once

#include <cstdint>
#include <vector>

#include "coda/png_image.h"
#include "coda/tensor.h"

namespace coda {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb &o) const {
        return r == o.r && g == o.g && b == o.b;
    }
};

// matplotlib's "bwr" on [-vmax, vmax], linear: -vmax (0, 0, 255), 0 white,
// +vmax (255, 0, 0); values outside are clamped, NaN is white. vmax must be
// positive and finite.
Rgb bwr_color(float value, float vmax);

// The largest |value| in t, NaNs ignored (0 for an empty tensor).
float max_abs(const Tensor &t);

// A signed map (H, W) or (1, H, W) in bwr colours. vmax <= 0 means max_abs(map),
// the symmetric range of the map itself; an all-zero map is white.
RgbImage bwr_image(const Tensor &map, float vmax = 0.0f);

// An input image (C, H, W), C = 1 (grey) or 3 (RGB), values in [0, 1]
// (clamped), as RGB.
RgbImage tensor_to_image(const Tensor &image);

// The input image in grey (ITU-R 601 luma for RGB) with the map's colour laid
// over it: pixel = grey (1 - w) + bwr w, w = alpha min(1, |m| / vmax), so
// zero contributions leave the image visible. vmax <= 0 as in bwr_image.
RgbImage overlay(const Tensor &image, const Tensor &map, float vmax = 0.0f, float alpha = 0.8f);

// Each pixel repeated factor x factor times (nearest neighbour), factor >= 1.
RgbImage upscale(const RgbImage &image, int factor);

// Tiles laid out in rows (rows may differ in length): each column is as wide
// as its widest tile, each row as tall as its tallest, tiles centred in their
// cells, `margin` pixels of background around and between the cells.
RgbImage compose_grid(const std::vector<std::vector<RgbImage>> &rows, int margin = 2,
                      Rgb background = {255, 255, 255});

// The same with the tiles filled into rows of `columns`.
RgbImage compose_grid(const std::vector<RgbImage> &tiles, int columns, int margin = 2,
                      Rgb background = {255, 255, 255});

}  // namespace coda
