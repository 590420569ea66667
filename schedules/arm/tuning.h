// aarch64 (NEON) tuning of the CPU schedules; see README.md next to this file
// for how it was chosen (it cannot be timed on this machine): the x86
// autotuner's winners (schedules/x86/tuning.h) carried over to 128-bit vectors.
#pragma once

#include "coda_layer_schedule.h"

namespace coda::arm {
constexpr CpuTuning kForward{4, 2, 4, 16, 2, true};
constexpr CpuTuning kBackward{4, 2, 4, 16, 1, true};
constexpr CpuTuning kContribution{4, 2, 4, 16, 1, false};
constexpr CpuTunings kTunings{kForward, kBackward, kContribution};
}  // namespace coda::arm
