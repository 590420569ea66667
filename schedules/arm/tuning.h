// aarch64 (NEON) tuning of the CPU schedules; see README.md next to this file
// for how it was chosen (it cannot be timed on this machine).
#pragma once

#include "coda_layer_schedule.h"

namespace coda::arm {
constexpr CpuTuning kTuning{4, 2, 4, 16, 1, false};
constexpr CpuTunings kTunings{kTuning, kTuning, kTuning};
}  // namespace coda::arm
