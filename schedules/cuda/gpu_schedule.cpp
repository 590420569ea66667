// GPU schedules (CUDA, and OpenCL for testing on PoCL): every stage computed
// at root, its first two dimensions tiled over 8 x 8 (or 16 x 16) threads, its
// other dimensions fused into the third block dimension, and its reduction run
// serially by each thread with the accumulator in a register. See README.md.
#include "coda_layer_schedule.h"

namespace coda::gpu {

using Halide::Func;
using Halide::Stage;
using Halide::TailStrategy;
using Halide::Var;

namespace {

void tile_stage(Stage s, const std::vector<Var> &args, int tile) {
    Var xo("gxo"), yo("gyo"), zo("gzo"), xi("gxi"), yi("gyi"), zi("gzi");
    if (args.size() == 1) {
        s.gpu_tile(args[0], xo, xi, tile * tile, TailStrategy::GuardWithIf);
        return;
    }
    if (args.size() == 2) {
        s.gpu_tile(args[0], args[1], xo, yo, xi, yi, tile, tile, TailStrategy::GuardWithIf);
        return;
    }
    Var rest = args[2];
    for (size_t i = 3; i < args.size(); i++) {
        Var fused(rest.name() + "_" + args[i].name());
        s.fuse(rest, args[i], fused);
        rest = fused;
    }
    s.gpu_tile(args[0], args[1], rest, xo, yo, zo, xi, yi, zi, tile, tile, 1,
               TailStrategy::GuardWithIf);
}

// All stages of f at root on the GPU.
void tiled(Func f, int tile = 8) {
    f.compute_root();
    std::vector<Var> args = f.args();
    tile_stage(f, args, tile);
    for (int u = 0; u < f.num_update_definitions(); u++) {
        tile_stage(f.update(u), args, tile);
    }
}

}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &) {
    for (Func a : {f.patch, f.code, f.align, f.output, f.norm, f.wnorm, f.code_out}) {
        tiled(a);
    }
    // Each thread rebuilds its own dynamic weight for every patch entry.
    f.weights.compute_at(f.align, f.over_patch);
}

void schedule_backward(BackwardFuncs &f, const LayerVars &) {
    for (Func a : {f.patch, f.coeffs, f.proj, f.gram_code, f.d_code, f.direct.d_patch, f.d_patch,
                   f.fold.d_input}) {
        tiled(a);
    }
    for (Func p :
         {f.gram, f.gram_bias, f.patch_d_code, f.patch_coeff_code, f.code_delta_code,
          f.mix_code_delta, f.delta_code, f.delta_sum, f.patch_gamma, f.d_C, f.d_M, f.d_b}) {
        tiled(p, 16);
    }
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &) {
    for (Func a : {f.coeff, f.class_d_patch, f.fold.d_input}) {
        tiled(a);
    }
    // Each thread rebuilds the detached weight of its position for every
    // output channel (not shared across classes, unlike the CPU schedule).
    f.weights.compute_at(f.class_d_patch, f.over_out.x);
}

}  // namespace coda::gpu
