// x86 tuning of the CPU schedules (AVX2/AVX-512, also valid for SSE4).
// Hand-chosen starting point; tools/autotune rewrites this file with measured
// winners. Vectors of 8 floats: on Zen 4 zmm is double-pumped, so ymm reaches
// the same FMA peak (shared/notes/toolchain.md) and fits the 8-wide maps of the
// late layers.
#pragma once

#include "coda_layer_schedule.h"

namespace coda::x86 {
constexpr CpuTuning kHand{8, 2, 4, 32, 1, false};
constexpr CpuTunings kTunings{kHand, kHand, kHand};
}  // namespace coda::x86
