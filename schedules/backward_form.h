// Which backward form a CPU call runs (generators/coda_layer_algorithm.h):
// the low-rank form pays O*D*r^2 Gram terms per call whatever its size and
// 4-6 O*D*r multiply-adds per position, the materialised form 3 O*D*r per
// position but stores w and dL/dw (2 B*P*O*D floats). On small calls the
// Gram terms dominate: at batch 1, interleaved JIT runs on this machine
// (tools/autotune --evaluate, both forms with the class's backward tuning)
// took 0.28-0.30 against 0.43-0.45 ms/img on L9 of the CIFAR net, 3.6-4.1
// against 6.4-8.4 on L3 and 12.4-13.7 against 14.5 on L8. The large class
// keeps the low-rank form: on L2 (rank 32, 32x32 map) it was the faster one
// (5.0-5.1 against 6.3-6.5 ms/img).
#pragma once

#include <cstddef>

#include "layer_class.h"

namespace coda {

// w and dL/dw of one call must fit in this (a CIFAR heavy layer at batch 1
// stores 19 MB; at batch 64 the net's head 21 MB).
constexpr std::size_t kMaxMaterializedBytes = std::size_t(32) << 20;

// Classes with a materialised-backward library (generators/CMakeLists.txt).
inline bool has_materialized_backward(LayerClass c) {
    return c != LayerClass::large;
}

// positions: all output positions of the call (batch x height x width);
// patch_len: in_channels x kernel^2.
inline bool materialize_backward(LayerClass c, std::size_t positions, std::size_t out_channels,
                                 std::size_t patch_len) {
    std::size_t bytes = 2 * positions * out_channels * patch_len * sizeof(float);
    return has_materialized_backward(c) && bytes <= kMaxMaterializedBytes;
}

}  // namespace coda
