// Which contribution form a CPU call runs (generators/coda_layer_algorithm.h).
// The direct form rebuilds each position's weights from z once for all its
// classes: O*D*r multiply-adds per position, O*D per extra class. Winograd's
// form (3x3 kernels at stride 1) runs the pass as a transposed convolution
// with fixed kernels in 16/36 of the multiplies, but per class, and with
// window transforms per (tile, r, o) that layers with few input channels do
// not amortise (each transformed window feeds 16 x Cin multiply-adds).
// Measured with the JIT prototype of the form against the direct form's
// AOT pipelines on AMD EPYC (Zen 4), 2 threads, 2026-11-30, ms/img:
//   Cin 64, 8x8 (L7), batch 64:  0.79-0.91 against 1.48-1.50 (direct)
//   Cin 32, 16x16 (L4), batch 64: 0.95-0.97 against 1.47-1.49
//   Cin 16, 32x32 (L2), batch 64: 0.93 against 0.82;  Cin 6 (L1): 0.71 against 0.34
//   L7 at batch 1 / 4 / 8 (16 / 64 / 128 tiles): 8.2 / 2.0 / 1.0 (one block of
//   64 tiles keeps one thread busy), L4 at batch 1 / 2: 2.3 / 1.3 against 1.56.
#pragma once

#include <cstdint>

namespace coda {

// Fewest input channels, and fewest 2x2 tiles per call (two or more of the
// x86 schedule's blocks of tiles, one per thread), for which the Winograd
// form runs.
constexpr int kWinogradMinChannels = 32;
constexpr std::int64_t kWinogradMinTiles = 128;

inline bool winograd_applies(int kernel, int stride) {
    return kernel == 3 && stride == 1;
}

// 2x2 tiles covering the input maps of `rows` rows (images x classes).
inline std::int64_t winograd_tiles(std::int64_t height, std::int64_t width, std::int64_t rows) {
    return (height + 1) / 2 * ((width + 1) / 2) * rows;
}

inline bool winograd_pays(int in_channels, int classes, std::int64_t tiles) {
    return classes == 1 && in_channels >= kWinogradMinChannels && tiles >= kWinogradMinTiles;
}

}  // namespace coda
