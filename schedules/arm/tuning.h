// aarch64 (NEON) tuning of the CPU schedules; see README.md next to this file
// for how it was chosen (it cannot be timed on this machine): the x86
// autotuner's winners (schedules/x86/tuning.h) carried over to 128-bit vectors.
#pragma once

#include "coda_layer_schedule.h"

namespace coda::arm {
// 4-lane vectors fill 8-wide maps too, so every map-width class shares one set.
constexpr CpuTunings kWide{{4, 1, 4, 16, 1, true}, {4, 4, 4, 16, 1, true}, {4, 2, 4, 16, 2, true}};
constexpr FamilyTunings kTunings{kWide, kWide, kWide};
}  // namespace coda::arm
