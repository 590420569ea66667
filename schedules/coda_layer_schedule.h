// Schedules of the CoDA layer pipelines, one set per target family. The
// generators call these after building the algorithm; nothing here defines a
// value, so any schedule can be swapped without touching the algorithm.
#pragma once

#include "Halide.h"

#include "coda_layer_algorithm.h"

namespace coda {

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const LayerGeometry &g,
                      const Halide::Target &target);
void schedule_backward(BackwardFuncs &f, const LayerVars &v, const LayerGeometry &g,
                       const Halide::Target &target);
void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const LayerGeometry &g,
                           const Halide::Target &target);

namespace x86 {
void schedule_forward(ForwardFuncs &f, const LayerVars &v, const LayerGeometry &g);
void schedule_backward(BackwardFuncs &f, const LayerVars &v, const LayerGeometry &g);
void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const LayerGeometry &g);
}  // namespace x86

}  // namespace coda
