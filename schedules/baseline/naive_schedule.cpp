// The naive baseline of the schedule benchmark: what an unscheduled eager
// implementation does. Every reduction is materialised whole (compute_root),
// elementwise stages are inlined, nothing is tiled, vectorised or run in
// parallel. (Halide's true default, computing each reduction inside its
// consumer's innermost loop, recomputes whole reductions per point and runs
// for many minutes per layer, which makes it useless as a baseline.)
#include "coda_layer_schedule.h"

namespace coda::naive {

void schedule(const std::vector<Halide::Func> &outputs) {
    std::vector<Halide::Internal::Function> functions;
    for (const Halide::Func &f : outputs) {
        functions.push_back(f.function());
    }
    for (auto &[name, function] : Halide::Internal::build_environment(functions)) {
        if (function.has_update_definition()) {
            Halide::Func(function).compute_root();
        }
    }
}

}  // namespace coda::naive
