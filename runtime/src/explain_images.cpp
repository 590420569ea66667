#include "coda/explain_images.h"

#include "coda/visualize.h"

namespace coda {

namespace {

Tensor crop(const Tensor &maps, int i, int pad) {
    const int64_t H = maps.dim(1), W = maps.dim(2), h = H - 2 * pad, w = W - 2 * pad;
    Tensor out({h, w});
    for (int64_t y = 0; y < h; y++) {
        std::copy_n(maps.data() + (i * H + y + pad) * W + pad, w, out.data() + y * w);
    }
    return out;
}

}  // namespace

Tensor image_map(const Explanation &e, const ModelConfig &config, int i, int level) {
    // Only the encoded input carries the padding; deeper maps are shown whole.
    return crop(e.maps.at(level), i, level == 0 ? config.input_pad : 0);
}

RgbImage explanation_panel(const Tensor &image, const Tensor &map, int scale, float vmax) {
    RgbImage input = upscale(tensor_to_image(image), scale);
    RgbImage signed_map = upscale(bwr_image(map, vmax), scale);
    RgbImage over = upscale(overlay(image, map, vmax), scale);
    return compose_grid(std::vector<RgbImage>{input, signed_map, over}, 3, 2);
}

RgbImage depth_row(const Tensor &image, const Explanation &e, const ModelConfig &config, int i,
                   int scale) {
    const int shown = static_cast<int>(image.dim(1)) * scale;
    std::vector<RgbImage> row = {upscale(tensor_to_image(image), scale)};
    for (size_t l = 0; l < e.maps.size(); l++) {
        Tensor m = image_map(e, config, i, static_cast<int>(l));
        row.push_back(upscale(bwr_image(m), std::max(1, shown / static_cast<int>(m.dim(0)))));
    }
    return compose_grid(row, static_cast<int>(row.size()), 2);
}

}  // namespace coda
