// Schedules of the CoDA layer pipelines, one set per target family (cpu for
// x86 and ARM with their own tuning, gpu for CUDA/OpenCL). The generators call
// these after building the algorithm; nothing here defines a value, so any
// schedule can be swapped without touching the algorithm.
#pragma once

#include <tuple>

#include "Halide.h"

#include "coda_layer_algorithm.h"
#include "layer_class.h"

namespace coda {

// `layer_class`: the layer class whose tuning the CPU schedules use.
void schedule_forward(ForwardFuncs &f, const LayerVars &v, const Halide::Target &target,
                      LayerClass layer_class);
void schedule_backward(BackwardFuncs &f, const LayerVars &v, const Halide::Target &target,
                       LayerClass layer_class);
// CPU targets only (the GPU libraries run the low-rank form at every batch).
void schedule_backward(MaterializedBackwardFuncs &f, const LayerVars &v,
                       const Halide::Target &target, LayerClass layer_class);
void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const Halide::Target &target,
                           LayerClass layer_class);
// CPU targets only (GPU libraries run the direct form).
void schedule_contribution(WinogradContributionFuncs &f, const LayerVars &v,
                           const Halide::Target &target);

// CPU targets only (GPU libraries run the direct form).
void schedule_forward(WinogradForwardFuncs &f, const LayerVars &v, const Halide::Target &target);

// The knobs of the CPU schedules (the autotuner's search space).
struct CpuTuning {
    int vector;          // floats per vector along x (positions)
    int rows;            // rows of positions per register tile
    int block;           // channels per register tile
    int lanes;           // channel lanes of the reductions over positions
    int rank_unroll;     // rank steps unrolled when rebuilding dynamic weights
    bool parallel_rows;  // also split each image's rows of tiles across threads
    // Map rows one vector spans (vector / rows_per_vector positions of each):
    // on maps narrower than a vector, e.g. 16 lanes over two rows of 8, so
    // that no lane is padding and the FMA chains are full width.
    int rows_per_vector = 1;

    // Every knob, in the order above (comparisons, cache keys).
    auto knobs() const {
        return std::tie(vector, rows, block, lanes, rank_unroll, parallel_rows, rows_per_vector);
    }
    bool operator==(const CpuTuning &o) const {
        return knobs() == o.knobs();
    }
};

// One tuning per pass: they stress different loops.
struct CpuTunings {
    CpuTuning forward, backward, contribution;
};

// A family's tunings, one set per layer class.
struct FamilyTunings {
    CpuTunings large, wide, narrow, pointwise;
    constexpr const CpuTunings &of(LayerClass c) const {
        return c == LayerClass::large    ? large
               : c == LayerClass::wide   ? wide
               : c == LayerClass::narrow ? narrow
                                         : pointwise;
    }
};

// The knobs of the Winograd contribution's CPU schedule: its GEMMs run in
// register tiles of `tile_vectors` vectors of `vector` tiles times
// `channels` input channels.
struct WinogradTuning {
    int vector, tile_vectors, channels;
};

// The x86 tuning this build's schedules use (CMake's CODA_X86_TUNING, see
// cmake/CodaX86Tuning.cmake): "x86" (schedules/x86/tuning.h, AMD Zen 4) or
// "x86/intel" (schedules/x86/intel/tuning.h, Intel Xeon).
const char *x86_tuning_name();
const FamilyTunings &x86_tunings();

namespace cpu {
void schedule_forward(ForwardFuncs &f, const LayerVars &v, const CpuTuning &t);
void schedule_backward(BackwardFuncs &f, const LayerVars &v, const CpuTuning &t);
void schedule_backward(MaterializedBackwardFuncs &f, const LayerVars &v, const CpuTuning &t);
void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const CpuTuning &t);
void schedule_contribution(WinogradContributionFuncs &f, const LayerVars &v,
                           const WinogradTuning &t);
void schedule_forward(WinogradForwardFuncs &f, const LayerVars &v, const WinogradTuning &t);
}  // namespace cpu

// Baseline for benchmarks: reductions materialised, nothing else scheduled.
namespace naive {
void schedule(const std::vector<Halide::Func> &outputs);
}  // namespace naive

// The knobs of the GPU schedules (schedules/cuda/README.md).
struct GpuTuning {
    int threads_x, threads_y;  // threads of a block over output positions (x, y)
    int channels;              // channels per thread, unrolled, in activation reductions
    int param_threads;         // threads per side of the parameter-reduction tiles
};

struct GpuTunings {
    GpuTuning forward, backward, contribution;
};

namespace gpu {
void schedule_forward(ForwardFuncs &f, const LayerVars &v, const GpuTuning &t);
void schedule_backward(BackwardFuncs &f, const LayerVars &v, const GpuTuning &t);
void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const GpuTuning &t);
}  // namespace gpu

}  // namespace coda
