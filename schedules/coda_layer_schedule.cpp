// Picks the schedule family of a target.
#include "coda_layer_schedule.h"

namespace coda {

namespace {
void require_supported(const Halide::Target &target) {
    if (target.arch != Halide::Target::X86 || target.has_gpu_feature()) {
        throw Halide::CompileError("CoDA layer: no schedule for target " + target.to_string() +
                                   " (supported: x86-64 CPU targets)");
    }
}
}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const LayerGeometry &g,
                      const Halide::Target &target) {
    require_supported(target);
    x86::schedule_forward(f, v, g);
}

void schedule_backward(BackwardFuncs &f, const LayerVars &v, const LayerGeometry &g,
                       const Halide::Target &target) {
    require_supported(target);
    x86::schedule_backward(f, v, g);
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const LayerGeometry &g,
                           const Halide::Target &target) {
    require_supported(target);
    x86::schedule_contribution(f, v, g);
}

}  // namespace coda
