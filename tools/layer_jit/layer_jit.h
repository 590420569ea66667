// One pass of the CoDA layer compiled with Halide's JIT under a chosen
// schedule: the checked-in CPU schedule with any tuning, no schedule at all
// (naive), or one of Halide's autoschedulers. The autotuner and the schedule
// benchmark time candidates with it; the AOT libraries are built from the same
// algorithm binding (generators/coda_layer_pipelines.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "Halide.h"

#include "coda_layer_pipelines.h"
#include "coda_layer_schedule.h"

namespace coda::jit {

// backward_materialized: the backward in the form of spec 3.2 (the runtime's
// choice for small calls), timed with the backward's tuning;
// forward_winograd, contribution_winograd: those passes in Winograd's form
// (3x3 kernels at stride 1, CPU targets), timed with a WinogradTuning.
enum class Pass {
    forward,
    backward,
    contribution,
    backward_materialized,
    forward_winograd,
    contribution_winograd
};
const char *pass_name(Pass p);
Pass parse_pass(const std::string &name);  // throws std::invalid_argument

struct Schedule {
    enum class Kind { tuned, naive, autoscheduler } kind = Kind::tuned;
    CpuTuning tuning{};         // for Kind::tuned on a CPU target
    GpuTuning gpu{};            // for Kind::tuned on a GPU target
    WinogradTuning winograd{};  // for Kind::tuned of the Winograd passes
    std::string autoscheduler;  // "Adams2019", "Mullapudi2016" or "Li2018"
    LayerShape estimate{};      // sizes the autoscheduler plans for
    std::string name() const;
};

// This machine's x86 target without the features Halide 14 wrongly adds on
// Zen 4 (avx512_sapphirerapids, see shared/notes/toolchain.md); the
// environment variable CODA_JIT_TARGET overrides it.
Halide::Target cpu_target();

// The Halide target of the CUDA libraries (CMake's CODA_CUDA_TARGET); the
// environment variable CODA_JIT_TARGET overrides it.
Halide::Target cuda_target();

// The tuning of one pass.
template<typename Tunings>
const auto &of_pass(const Tunings &t, Pass p) {
    return p == Pass::forward ? t.forward : p == Pass::contribution ? t.contribution : t.backward;
}

// HL_NUM_THREADS, else the number of cores (what the JIT runtime uses).
int threads();

// A compiled pass; run() works on any layer shape (the pipeline is generic).
class LayerPipeline {
public:
    LayerPipeline(Pass pass, const Schedule &schedule, const Halide::Target &target);
    ~LayerPipeline();
    // Random inputs of this shape (fixed seed), outputs allocated.
    void prepare(const LayerShape &shape);
    // Runs once on the prepared buffers; returns seconds (on a GPU target:
    // until the device is done; inputs stay on the device between runs).
    double run();
    // Median seconds over `reps` runs after one warm-up run.
    double time(int reps);
    // The outputs of the last run, flattened, for comparing schedules.
    std::vector<float> outputs();
    // The same, one vector per output buffer (their scales differ).
    std::vector<std::vector<float>> output_buffers();
    double compile_seconds() const {
        return compile_seconds_;
    }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    double compile_seconds_ = 0;
};

}  // namespace coda::jit
