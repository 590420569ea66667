// GPU schedules (CUDA, and OpenCL for testing on PoCL), with the knobs of
// GpuTuning (tuning.h, see README.md). Every stage runs at root over a grid of
// thread blocks: its first two dimensions (output positions x, y, or the first
// two of a parameter tensor) are split into thread tiles and all its other
// dimensions fused into the block index. A stage with reductions is computed
// per thread inside a root copy that its consumers read, so its accumulators
// live in registers; activation reductions compute `channels` values of their
// third dimension per thread, so each operand loaded serves that many sums.
#include "coda_layer_schedule.h"

namespace coda::gpu {

using Halide::Func;
using Halide::RVar;
using Halide::Stage;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {

constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;

// A thread tile: x * y threads, `channels` values of dimension 2 per thread.
struct Tile {
    int x, y, channels;
};

// Thread tiles over output positions, `channels` values per thread.
Tile positions(const GpuTuning &t, int channels) {
    return {t.threads_x, t.threads_y, channels};
}

// The innermost thread loop of a tiled stage (where per-thread stages go).
const Var kThreadX("gxi");

// Fused channels x images (up to 2^22 at batch 64) take blockIdx.x: the y and
// z block indices stop at 65535.
void tile_stage(Stage s, const std::vector<Var> &args, Tile t) {
    Var xo("gxo"), yo("gyo"), yi("gyi"), co("gco"), ci("gci");
    if (args.size() == 1) {
        s.gpu_tile(args[0], xo, kThreadX, t.x * t.y, kGuard);
        return;
    }
    s.split(args[0], xo, kThreadX, t.x, kGuard).split(args[1], yo, yi, t.y, kGuard);
    if (args.size() == 2) {
        s.reorder(kThreadX, yi, xo, yo).gpu_threads(kThreadX, yi).gpu_blocks(xo, yo);
        return;
    }
    // Split even for one channel: per-thread stages then always sit at the
    // same loop structure (fusing dimension 2 itself crashed on CUDA).
    s.split(args[2], co, ci, t.channels, kGuard);
    Var rest = co;
    std::vector<VarOrRVar> order = {ci, kThreadX, yi};
    for (size_t i = 3; i < args.size(); i++) {
        Var fused(rest.name() + "_" + args[i].name());
        s.fuse(rest, args[i], fused);
        rest = fused;
    }
    order.insert(order.end(), {rest, xo, yo});
    // Unrolled: constant indices, so the values can live in registers.
    s.reorder(order).gpu_threads(kThreadX, yi).gpu_blocks(rest, xo, yo).unroll(ci);
}

// A stage at root, its updates tiled the same way (pipeline outputs with
// reductions, whose bounds are the caller's: they accumulate in memory).
void tiled(Func f, Tile t) {
    f.compute_root();
    tile_stage(f, f.args(), t);
    for (int u = 0; u < f.num_update_definitions(); u++) {
        tile_stage(f.update(u), f.args(), t);
    }
}

// A stage with reductions, per thread inside a tiled root copy; with
// channels > 1 its third dimension is innermost and unrolled in every update,
// so each step of a reduction updates all of a thread's accumulators.
void in_registers(Func f, Tile t) {
    Func root = f.in();
    tiled(root, t);
    f.compute_at(root, kThreadX);
    // Constant extents (one point, `channels` along dimension 2): otherwise
    // the per-thread values go to a device heap sized at run time, which
    // overflows at batch 64, instead of registers.
    const std::vector<Var> a = f.args();
    const int channels = a.size() >= 3 ? t.channels : 1;
    for (size_t i = 0; i < a.size(); i++) {
        f.bound_extent(a[i], i == 2 ? channels : 1);
    }
    if (channels == 1) {
        return;
    }
    f.unroll(a[2]);
    for (int u = 0; u < f.num_update_definitions(); u++) {
        std::vector<VarOrRVar> order = {a[2]};
        for (const RVar &r : f.rvars(u)) {
            order.push_back(r);
        }
        f.update(u).reorder(order).unroll(a[2]);
    }
}

// Activation-shaped stages inside a pass (not its outputs): reductions in
// registers.
void activations(const std::vector<Func> &stages, Tile t) {
    for (Func f : stages) {
        f.num_update_definitions() > 0 ? in_registers(f, t) : tiled(f, {t.x, t.y, 1});
    }
}

// The dynamic weights w = M z + b (x, y, o, d, n), rebuilt per thread for the
// `channels` values of `channel` (o or d) that one reduction step of
// `consumer` needs: z is read once per rank step for all of them.
void rebuild_weights(Func weights, Func consumer, RVar step, Var channel, int channels, RVar rank) {
    weights.compute_at(consumer, step).bound_extent(channel, channels).unroll(channel);
    weights.update().reorder(channel, rank).unroll(channel);
}

}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const GpuTuning &t) {
    activations({f.patch, f.code, f.align, f.output, f.norm, f.wnorm, f.code_out},
                positions(t, t.channels));
    rebuild_weights(f.weights, f.align, f.over_patch.x, v.o, t.channels, f.over_rank.x);
}

void schedule_backward(BackwardFuncs &f, const LayerVars &v, const GpuTuning &t) {
    activations({f.patch, f.coeffs, f.proj, f.gram_code, f.d_code, f.direct.d_patch, f.d_patch},
                positions(t, t.channels));
    rebuild_weights(f.direct_weights, f.direct.d_patch, f.direct.over_out.x, v.d, t.channels,
                    f.over_rank.x);
    tiled(f.fold.d_input, positions(t, 1));
    Tile params{t.param_threads, t.param_threads, 1};
    for (Func p : {f.gram, f.gram_bias, f.patch_d_code, f.patch_coeff_code, f.code_delta_code,
                   f.mix_code_delta, f.delta_code, f.delta_sum, f.patch_gamma}) {
        in_registers(p, params);
    }
    for (Func out : {f.d_C, f.d_M, f.d_b}) {
        tiled(out, params);
    }
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const GpuTuning &t) {
    activations({f.coeff, f.class_d_patch}, positions(t, t.channels));
    tiled(f.fold.d_input, positions(t, 1));
    // The detached weights of a position serve every class: rebuilt per
    // thread and class (not shared across classes, unlike the CPU schedule).
    rebuild_weights(f.weights, f.class_d_patch, f.over_out.x, v.d, t.channels, f.over_rank.x);
}

}  // namespace coda::gpu
