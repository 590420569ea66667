// aarch64 (NEON) tuning of the CPU schedules; see README.md next to this file
// for how it was chosen (it cannot be timed on this machine): the x86
// autotuner's winners (schedules/x86/tuning.h) carried over to 128-bit vectors.
#pragma once

#include "coda_layer_schedule.h"

namespace coda::arm {
// 4-lane vectors fill 8-wide maps too, so every map-width class shares one set;
// 1x1 layers take the x86 pointwise forward tile (blocks of 2 channels: a
// 10-class head in blocks of 4 would be a sixth padding).
constexpr CpuTunings kWide{{4, 1, 4, 16, 1, true}, {4, 4, 4, 16, 1, true}, {4, 2, 4, 16, 2, true}};
constexpr CpuTunings kPointwise{
    {4, 4, 2, 16, 64, true}, {4, 4, 4, 16, 1, true}, {4, 2, 4, 16, 2, true}};
constexpr FamilyTunings kTunings{kWide, kWide, kWide, kPointwise};
// Winograd contribution and forward: 4 vectors of 4 tiles x 4 channels (or
// ranks), 16 of NEON's 32 registers as accumulators (the x86 tile, 16
// accumulators, at NEON's width).
constexpr WinogradTuning kWinograd{4, 4, 4};
constexpr WinogradTuning kWinogradForward{4, 4, 4};
}  // namespace coda::arm
