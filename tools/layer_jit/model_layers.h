// The layer shapes of a model config (square maps), at batch 1: what the
// autotuner and the schedule benchmark time.
#pragma once

#include <vector>

#include "coda/model_config.h"
#include "coda_layer_pipelines.h"

namespace coda::jit {

inline std::vector<LayerShape> model_layers(const ModelConfig &m) {
    std::vector<LayerShape> shapes;
    int size = m.encoded_height();
    for (const LayerConfig &c : m.layer_configs()) {
        shapes.push_back(
            {c.in_channels, c.out_channels, c.rank, c.kernel, c.stride, c.pad, size, 1});
        size = c.out_size(size);
    }
    return shapes;
}

}  // namespace coda::jit
