// Picks the schedule family of a target.
#include "coda_layer_schedule.h"

#include "arm/tuning.h"
#include "cuda/tuning.h"
#include "x86/intel/tuning.h"
#include "x86/tuning.h"
#include "x86/winograd_tuning.h"

// Set by the build (cmake/CodaX86Tuning.cmake); Zen 4's tuning otherwise.
#ifndef CODA_X86_TUNING_INTEL
#define CODA_X86_TUNING_INTEL 0
#endif

namespace coda {

const char *x86_tuning_name() {
    return CODA_X86_TUNING_INTEL ? "x86/intel" : "x86";
}

const FamilyTunings &x86_tunings() {
    return CODA_X86_TUNING_INTEL ? x86::intel::kTunings : x86::kTunings;
}

namespace {

enum class Family { x86, arm, gpu };

Family family_of(const Halide::Target &target) {
    if (target.has_gpu_feature()) {
        return Family::gpu;
    }
    if (target.arch == Halide::Target::X86) {
        return Family::x86;
    }
    if (target.arch == Halide::Target::ARM && target.bits == 64) {
        return Family::arm;
    }
    throw Halide::CompileError("CoDA layer: no schedule for target " + target.to_string() +
                               " (supported: x86-64, arm-64, and GPU targets)");
}

const CpuTunings &tunings_of(Family f, LayerClass layer_class) {
    return (f == Family::x86 ? x86_tunings() : arm::kTunings).of(layer_class);
}

}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const Halide::Target &target,
                      LayerClass layer_class) {
    Family family = family_of(target);
    family == Family::gpu ? gpu::schedule_forward(f, v, cuda::kTunings.forward)
                          : cpu::schedule_forward(f, v, tunings_of(family, layer_class).forward);
}

void schedule_backward(BackwardFuncs &f, const LayerVars &v, const Halide::Target &target,
                       LayerClass layer_class) {
    Family family = family_of(target);
    family == Family::gpu ? gpu::schedule_backward(f, v, cuda::kTunings.backward)
                          : cpu::schedule_backward(f, v, tunings_of(family, layer_class).backward);
}

void schedule_backward(MaterializedBackwardFuncs &f, const LayerVars &v,
                       const Halide::Target &target, LayerClass layer_class) {
    Family family = family_of(target);
    if (family == Family::gpu) {
        throw Halide::CompileError("CoDA layer: the materialized backward has no GPU schedule");
    }
    cpu::schedule_backward(f, v, tunings_of(family, layer_class).backward);
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const Halide::Target &target,
                           LayerClass layer_class) {
    Family family = family_of(target);
    family == Family::gpu
        ? gpu::schedule_contribution(f, v, cuda::kTunings.contribution)
        : cpu::schedule_contribution(f, v, tunings_of(family, layer_class).contribution);
}

void schedule_contribution(WinogradContributionFuncs &f, const LayerVars &v,
                           const Halide::Target &target) {
    Family family = family_of(target);
    if (family == Family::gpu) {
        throw Halide::CompileError("CoDA layer: the Winograd contribution has no GPU schedule");
    }
    cpu::schedule_contribution(f, v, family == Family::x86 ? x86::kWinograd : arm::kWinograd);
}

void schedule_forward(WinogradForwardFuncs &f, const LayerVars &v, const Halide::Target &target) {
    Family family = family_of(target);
    if (family == Family::gpu) {
        throw Halide::CompileError("CoDA layer: the Winograd forward has no GPU schedule");
    }
    cpu::schedule_forward(f, v,
                          family == Family::x86 ? x86::kWinogradForward : arm::kWinogradForward);
}

}  // namespace coda
