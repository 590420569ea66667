// Which forward form a CPU call runs (generators/coda_layer_algorithm.h).
// The direct form rebuilds each position's weights from z: O*D*r
// multiply-adds per position, near the FMA peak. Winograd's form (3x3
// kernels at stride 1) computes the projections M_ro.x_patch in 16/36 of the
// multiplies and the norm from the Gram matrices (O*(r+1)^2 per position),
// but pays per call for the transformed kernels (16/9 of M, stored) and the
// Gram matrices (O*(r+1)^2*D), which few tiles do not amortise.
// Measured with the JIT pipelines of both forms (the checked-in schedules)
// on AMD EPYC (Zen 4), 2 threads, 2026-11-30, ms/img, Winograd vs direct:
//   Cin 64, 8x8 (L7):   batch 64 (1024 tiles) 1.15 vs 1.44;  batch 16 (256) 1.48 vs 1.45
//   Cin 32, 16x16 (L4): batch 64 (4096 tiles) 1.16 vs 1.49;  batch 16 (1024) 1.22 vs 1.51
//   Cin 16, 32x32 (L2): batch 16 (4096 tiles) 0.74 vs 0.81
// (outputs within 1.1e-6 of the largest value of the direct form's).
#pragma once

#include <cstdint>

#include "contribution_form.h"

namespace coda {

// Fewest input channels, and fewest 2x2 tiles of output positions per call,
// for which the Winograd forward runs.
constexpr int kWinogradForwardMinChannels = 16;
constexpr std::int64_t kWinogradForwardMinTiles = 512;

inline bool winograd_forward_pays(int in_channels, std::int64_t tiles) {
    return in_channels >= kWinogradForwardMinChannels && tiles >= kWinogradForwardMinTiles;
}

}  // namespace coda
