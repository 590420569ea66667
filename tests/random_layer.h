// Random layers and inputs for the property and gradient tests, initialised
// like PyTorch's default conv init (uniform +-1/sqrt(fan_in)).
#pragma once

#include <random>

#include "coda/coda_layer.h"
#include "coda/model_config.h"

namespace coda::testing {

inline Tensor uniform(const Shape &shape, float lo, float hi, std::mt19937 &rng) {
    Tensor t(shape);
    std::uniform_real_distribution<float> u(lo, hi);
    for (float &v : t.values()) {
        v = u(rng);
    }
    return t;
}

// weight_scale > 1 makes ||w|| large, driving squashing close to its bound.
inline LayerParams random_params(const LayerConfig &cfg, std::mt19937 &rng,
                                 float weight_scale = 1.0f) {
    float c = 1.0f / std::sqrt(float(cfg.patch_len()));
    float m = weight_scale / std::sqrt(float(cfg.rank));
    return {uniform(cfg.weight_shape(), -c, c, rng), uniform(cfg.mix_shape(), -m, m, rng),
            uniform(cfg.bias_shape(), -m, m, rng)};
}

inline LayerConfig layer(int in, int out, int rank, int k, int stride, int pad,
                         Norm norm = Norm::squash) {
    LayerConfig cfg;
    cfg.name = "test";
    cfg.in_channels = in, cfg.out_channels = out, cfg.rank = rank;
    cfg.kernel = k, cfg.stride = stride, cfg.pad = pad, cfg.norm = norm;
    return cfg;
}

// B images of a model's input size, pixels uniform in [0, 1).
inline Tensor random_images(int64_t B, const ModelConfig &c, uint64_t seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    return uniform({B, c.image_channels, c.image_height, c.image_width}, 0, 1, rng);
}

}  // namespace coda::testing
