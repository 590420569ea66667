// Which backward form a CPU call runs (generators/coda_layer_algorithm.h):
// the low-rank form pays O*D*r^2 Gram terms per call whatever its size and
// 3 O*D*r + 2 O*r^2 multiply-adds per position, the materialised form 3 O*D*r per
// position but stores w and dL/dw (2 B*P*O*D floats) and streams them through
// memory five times. Small calls favour the materialised form; where it stops
// winning depends on the rank and the map (on this machine at batch 1 it won
// on L1, 7 MB, and lost on L2, 19 MB, both rank 32, while it won on L4, 19 MB
// at rank 64). So the size up to which each class runs it is measured:
// `tools/autotune --choose-backward-form` times both forms on the model's
// layers and writes x86/backward_form_caps.h. ARM, which cannot be timed
// here, uses the same caps (schedules/arm/README.md).
#pragma once

#include <cstddef>

#include "layer_class.h"
#include "x86/backward_form_caps.h"

namespace coda {

// The most w and dL/dw of one call may take, whatever the caps (a CIFAR heavy
// layer at batch 1 stores 19 MB; at batch 64 the net's head 21 MB).
constexpr std::size_t kMaxMaterializedBytes = std::size_t(32) << 20;

// positions: all output positions of the call (batch x height x width);
// patch_len: in_channels x kernel^2.
inline std::size_t materialized_bytes(std::size_t positions, std::size_t out_channels,
                                      std::size_t patch_len) {
    return 2 * positions * out_channels * patch_len * sizeof(float);
}

inline bool materialize_backward(LayerClass c, std::size_t positions, std::size_t out_channels,
                                 std::size_t patch_len) {
    std::size_t bytes = materialized_bytes(positions, out_channels, patch_len);
    return bytes <= kMaxMaterializedBytes && bytes <= x86::kMaterializedBytes[static_cast<int>(c)];
}

}  // namespace coda
