// Pictures of explanations: the input image, its signed contribution map
// (bwr, symmetric scale) and an overlay, side by side, enlarged.
#pragma once

#include "coda/model.h"
#include "coda/png_image.h"

namespace coda {

// Map i (of N) of an explanation level, without the model's input padding:
// (H, W) over the image itself.
Tensor image_map(const Explanation &e, const ModelConfig &config, int i, int level = 0);

// [input | map | overlay], each enlarged `scale` times. vmax <= 0: the map's
// own max |value|.
RgbImage explanation_panel(const Tensor &image, const Tensor &map, int scale, float vmax = 0.0f);

// The maps of every layer input (interpretable depth, spec 4.2), each enlarged
// to the image's displayed size, after the input image.
RgbImage depth_row(const Tensor &image, const Explanation &e, const ModelConfig &config, int i,
                   int scale);

}  // namespace coda
