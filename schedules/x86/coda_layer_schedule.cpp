// Hand-written x86 schedules (AVX2/AVX-512, 2 threads). Vectors are 8 floats
// wide: on Zen 4 zmm is double-pumped, so ymm reaches the same FMA peak
// (shared/notes/toolchain.md) and fits the 8-wide maps of the late layers.
#include "coda_layer_schedule.h"

namespace coda::x86 {

using Halide::Func;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;

namespace {

constexpr int kVec = 8;
constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;

// A root stage over activations: vectorised along x, parallel over images.
void schedule_activation(Func f, const LayerVars &v) {
    f.compute_root().vectorize(v.x, kVec, kGuard).parallel(v.n);
}

// A reduction into a small parameter-shaped tensor: the first pure dimension
// is vectorised, the last one split across threads, the reduction serial.
void schedule_param_reduction(Func f, Var vector_dim, Var parallel_dim) {
    f.compute_root().vectorize(vector_dim, kVec, kGuard).parallel(parallel_dim);
    f.update().vectorize(vector_dim, kVec, kGuard).parallel(parallel_dim);
}

}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const LayerGeometry &) {
    // Output tiles of kVec x kRows positions times kOutBlock channels keep
    // 2*kOutBlock*kRows accumulators (a and s) in registers over the whole
    // patch; the matching block of dynamic weights is rebuilt from the rank
    // code for each patch entry and never leaves the core.
    constexpr int kOutBlock = 4, kRows = 2;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), oo("oo"), oi("oi"), tile("tile");
    RVar d = f.over_patch;

    schedule_activation(f.code, v);
    f.code.update()
        .split(v.r, oo, oi, kOutBlock, kGuard)
        .reorder(v.x, oi, d, oo, v.y, v.n)
        .vectorize(v.x, kVec, kGuard)
        .unroll(oi)
        .parallel(v.n);
    f.patch.in(f.code).compute_at(f.code, v.y).vectorize(v.x, kVec, kGuard);

    // align is internal, so its storage can be rounded up to whole tiles:
    // the inner blocks then have constant extents.
    constexpr TailStrategy kRound = TailStrategy::RoundUp;
    f.align.compute_root().vectorize(v.x, kVec, kRound).parallel(v.n);
    f.align.update()
        .split(v.x, xo, xi, kVec, kRound)
        .split(v.y, yo, yi, kRows, kRound)
        .split(v.o, oo, oi, kOutBlock, kRound)
        .reorder(xi, oi, yi, d, oo, xo, yo, v.n)
        .vectorize(xi)
        .unroll(oi)
        .unroll(yi)
        .fuse(yo, v.n, tile)
        .parallel(tile);
    f.patch.in(f.align).compute_at(f.align, xo).vectorize(v.x, kVec, kGuard);
    f.weights.compute_at(f.align, d).vectorize(v.x).unroll(v.o).unroll(v.y);
    f.weights.update()
        .reorder(v.x, v.o, v.y, f.over_rank)
        .vectorize(v.x)
        .unroll(v.o)
        .unroll(v.y);

    for (Func out : {f.output, f.norm, f.wnorm, f.code_out}) {
        out.vectorize(v.x, kVec, kGuard).parallel(v.n);
    }
}

void schedule_backward(BackwardFuncs &f, const LayerVars &v, const LayerGeometry &) {
    for (Func a : {f.patch, f.proj, f.align, f.d_code, f.d_patch, f.direct.d_patch}) {
        schedule_activation(a, v);
    }
    f.coeffs.compute_root().vectorize(v.x, kVec, kGuard).parallel(v.n);
    for (Func a : {f.proj, f.align, f.d_code, f.d_patch, f.direct.d_patch}) {
        for (int u = 0; u < a.num_update_definitions(); u++) {
            a.update(u).vectorize(v.x, kVec, kGuard).parallel(v.n);
        }
    }
    f.gram_code.compute_at(f.d_code, v.n).vectorize(v.x, kVec, kGuard);
    f.gram_code.update().vectorize(v.x, kVec, kGuard);
    f.direct.coeff_code.compute_at(f.direct.d_patch, v.n).vectorize(v.x, kVec, kGuard);

    schedule_param_reduction(f.gram, v.r, v.o);
    schedule_param_reduction(f.gram_bias, v.r, v.o);
    schedule_param_reduction(f.d_C, v.d, v.r);
    schedule_param_reduction(f.patch_coeff_code, v.r, v.d);
    schedule_param_reduction(f.code_delta_code, v.r2, v.o);
    schedule_param_reduction(f.delta_code, v.r, v.o);
    schedule_param_reduction(f.patch_gamma, v.o, v.d);
    f.delta_sum.compute_root();

    f.fold.d_input.vectorize(v.x, kVec, kGuard).parallel(v.n);
    f.fold.d_input.update().vectorize(v.x, kVec, kGuard).parallel(v.n);
    for (Func p : {f.d_C, f.d_M, f.d_b}) {
        p.vectorize(p.args()[0], kVec, kGuard);
        p.update().vectorize(p.args()[0], kVec, kGuard);
    }
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const LayerGeometry &) {
    schedule_activation(f.coeff, v);
    schedule_activation(f.direct.d_patch, v);
    for (int u = 0; u < f.direct.d_patch.num_update_definitions(); u++) {
        f.direct.d_patch.update(u).vectorize(v.x, kVec, kGuard).parallel(v.n);
    }
    f.direct.coeff_code.compute_at(f.direct.d_patch, v.n).vectorize(v.x, kVec, kGuard);
    f.fold.d_input.vectorize(v.x, kVec, kGuard).parallel(v.n);
    f.fold.d_input.update().vectorize(v.x, kVec, kGuard).parallel(v.n);
}

}  // namespace coda::x86
