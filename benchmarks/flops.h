// FLOPs counted the reference's way (per output position, D = Cin*k*k), the
// same formulas as benchmarks/layer_benchmark.cpp, so that GFLOP/s compares
// times whatever algorithm computes a pass:
//   forward       2rD + 2ODr + OD + 2OD + 2OD + 5O   (conv C, 1x1 conv M + bias,
//                 weighting, norm)
//   backward      2 * (2ODr + 2rD + 4OD)             (spec 3.4, materialised form)
//   contribution  2 * (ODr + 2OD)                    (w rebuilt from z, weighting)
#pragma once

#include "coda/model_config.h"

namespace coda::bench {

enum class Pass { forward, backward, contribution };

inline double flops_per_position(const LayerConfig &c, Pass pass) {
    double D = c.patch_len(), O = c.out_channels, r = c.rank;
    switch (pass) {
    case Pass::forward:
        return 2 * r * D + 2 * O * D * r + 5 * O * D + 5 * O;
    case Pass::backward:
        return 2 * (2 * O * D * r + 2 * r * D + 4 * O * D);
    case Pass::contribution:
        return 2 * (O * D * r + 2 * O * D);
    }
    return 0;
}

// One pass through every layer of a model for one image (for contribution:
// one explained class of one image).
inline double model_flops_per_image(const ModelConfig &m, Pass pass) {
    double flops = 0;
    int h = m.encoded_height(), w = m.encoded_width();
    for (const LayerConfig &c : m.layer_configs()) {
        h = c.out_size(h), w = c.out_size(w);
        flops += double(h) * w * flops_per_position(c, pass);
    }
    return flops;
}

}  // namespace coda::bench
