// CPU schedules of the Winograd forms (generators/coda_layer_algorithm.h),
// shared by x86 and ARM; only the tuning differs.
//
// Contribution: tiles are processed in blocks of tile_vectors x vector
// tiles, in parallel. For each block and output channel o, the transformed
// windows of all r + 1 code channels are computed once (about 0.3 MB at rank
// 64: they stay in L2) and then read by 16 GEMMs, one per window entry, each
// in register tiles of the block's tiles x `channels` input channels
// accumulated over the rank; the sums over o go to the block's product in
// memory. The transformed kernels (16/9 of M) are computed once per call,
// rank innermost, so that a register tile's kernel values are `channels`
// sequential streams. The forward: see schedule_forward below.
#include "coda_layer_schedule.h"

namespace coda::cpu {

using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

// Reduction f, accumulated in registers for `stored` (its wrapper) at that
// wrapper's loop `at`: a block's tiles x `channels` values of `dim`, constant
// extents, fully unrolled.
void register_tile(Func f, Func stored, Var at, Var tiles, Var dim, const WinogradTuning &t) {
    f.compute_at(stored, at)
        .bound_extent(tiles, t.vector * t.tile_vectors)
        .bound_extent(dim, t.channels)
        .vectorize(tiles, t.vector)
        .unroll(tiles)
        .unroll(dim);
}

// Transformed kernels (wx, wy, c, r, o -> stored r, c, wx, wy, o) once per
// call, ranks innermost and vectorized (M's contiguous dimension): the
// register tiles of both passes read `channels` adjacent values or streams.
void schedule_kernels(Func kernel, Func kernel_rows, const LayerVars &v, const WinogradTuning &t) {
    constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;
    kernel.compute_root()
        .reorder_storage(v.r, v.c, v.wx, v.wy, v.o)
        .reorder(v.r, v.wx, v.wy, v.c, v.o)
        .vectorize(v.r, t.vector, kGuard)
        .unroll(v.wx)
        .unroll(v.wy)
        .parallel(v.o);
    kernel_rows.compute_at(kernel, v.c)
        .reorder(v.r, v.wx, v.wy)
        .vectorize(v.r, t.vector, kGuard)
        .unroll(v.wx)
        .unroll(v.wy);
}

}  // namespace

void schedule_contribution(WinogradContributionFuncs &f, const LayerVars &v,
                           const WinogradTuning &t) {
    constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;
    const int block = t.vector * t.tile_vectors;
    Var blocks("blocks"), lanes("lanes"), vectors("vectors"), co("co"), ci("ci");

    schedule_kernels(f.kernel, f.kernel_rows, v, t);

    // Each tile's windows, tiles innermost: gathered once, then read densely,
    // from per-tile origins (their divisions by run-time tile counts, per
    // gathered value, took a third of layer 4's call).
    f.tile_window.compute_root().vectorize(v.t, t.vector, kGuard);
    f.window_code.compute_root().vectorize(v.t, t.vector, kGuard).parallel(v.r);
    f.window_coeff.compute_root().vectorize(v.t, t.vector, kGuard).parallel(v.o);

    f.d_input.vectorize(v.x, t.vector / 2, kGuard).parallel(v.n);
    // Whole blocks (the root buffer is rounded up): each block's product and
    // register tiles then have constant extents.
    f.output_tile.compute_root()
        .split(v.t, blocks, lanes, block, TailStrategy::RoundUp)
        .reorder(lanes, v.tx, v.ty, v.c, blocks)
        .vectorize(lanes, t.vector)
        .unroll(v.tx)
        .unroll(v.ty)
        .parallel(blocks);
    f.output_rows.compute_at(f.output_tile, blocks).vectorize(v.t, t.vector).unroll(v.tx);

    f.product.compute_at(f.output_tile, blocks).bound_extent(v.t, block).vectorize(v.t, t.vector);
    f.product.update()
        .split(v.t, vectors, lanes, t.vector)
        .split(v.c, co, ci, t.channels, kGuard)
        .reorder(lanes, vectors, ci, co, v.wx, v.wy, f.over_out.x)
        .vectorize(lanes)
        .unroll(vectors)
        .unroll(ci);
    // The register tile: constant extents, fully unrolled.
    f.out_channel.compute_at(f.product, co)
        .bound_extent(v.t, block)
        .bound_extent(v.c, t.channels)
        .vectorize(v.t, t.vector)
        .unroll(v.t)
        .unroll(v.c);
    f.out_channel.update()
        .reorder(v.t, v.c, f.over_rank.x)
        .vectorize(v.t, t.vector)
        .unroll(v.t)
        .unroll(v.c);
    f.window.compute_at(f.product, f.over_out.x)
        .reorder_storage(v.t, v.r, v.wx, v.wy, v.o)
        .reorder(v.t, v.wx, v.wy, v.r)
        .vectorize(v.t, t.vector)
        .unroll(v.wx)
        .unroll(v.wy);
    f.window_rows.compute_at(f.window, v.r).vectorize(v.t, t.vector).unroll(v.wx).unroll(v.wy);
}

// The Winograd forward. Per call: the transformed kernels (16/9 of M and b,
// rank innermost), the Gram matrices, every tile's input window and z. Then
// tiles in blocks of tile_vectors x vector, in parallel: the block's
// transformed windows once, and for each output channel o the 16 GEMMs of
// the projections (register tiles of the block's tiles x `channels` ranks,
// accumulated over the input channels), their output transform, G_o z
// (register tiles likewise, over the rank) and {a, s}.
void schedule_forward(WinogradForwardFuncs &f, const LayerVars &v, const WinogradTuning &t) {
    constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;
    constexpr TailStrategy kRound = TailStrategy::RoundUp;
    const int block = t.vector * t.tile_vectors;
    Var blocks("blocks"), lanes("lanes"), ro("ro"), ri("ri"), r2o("r2o"), r2i("r2i");

    // A register tile's kernel values are adjacent, and one window entry's
    // (16 KB at 64 channels) stay in L1 while every rank block uses them.
    schedule_kernels(f.kernel, f.kernel_rows, v, t);

    // M_o^T M_o in register tiles of tile_vectors vectors of r x `channels`
    // r2, over the patch; the blocks with b once per call.
    Func gram = f.gram.in();
    const int rank_tile = t.vector * t.tile_vectors;
    gram.compute_root()
        .split(v.r, ro, ri, rank_tile, kRound)
        .split(v.r2, r2o, r2i, t.channels, kRound)
        .reorder(ri, r2i, ro, r2o, v.o)
        .vectorize(ri, t.vector)
        .unroll(r2i)
        .parallel(v.o);
    f.gram.compute_at(gram, ro).vectorize(v.r, t.vector).unroll(v.r).unroll(v.r2);
    f.gram.update()
        .reorder(v.r, v.r2, f.over_patch)
        .vectorize(v.r, t.vector)
        .unroll(v.r)
        .unroll(v.r2);
    f.gram_bias.compute_root().vectorize(v.r, t.vector, kGuard).parallel(v.o);
    f.gram_bias.update().reorder(v.r, f.over_patch, v.o).vectorize(v.r, t.vector, kGuard);
    f.bias_sq.compute_root();
    f.extended_gram.compute_root().vectorize(v.r, t.vector, kGuard).parallel(v.o);

    // Windows gathered once per call, tiles innermost; z from them in
    // register tiles of a block's tiles x `channels` ranks.
    f.tile_origin.compute_root().vectorize(v.t, t.vector, kGuard);
    f.window_input.compute_root().vectorize(v.t, t.vector, kGuard).parallel(v.c);
    Func tile_code = f.tile_code.in();
    tile_code.compute_root()
        .split(v.t, blocks, lanes, block, kRound)
        .split(v.r, ro, ri, t.channels, kRound)
        .reorder(lanes, ri, v.tx, v.ty, ro, blocks)
        .vectorize(lanes, t.vector)
        .unroll(ri)
        .parallel(blocks);
    register_tile(f.tile_code, tile_code, v.tx, v.t, v.r, t);
    f.tile_code.update()
        .reorder(v.t, v.r, f.over_window_patch.x, f.over_window_patch.y, f.over_window_patch.z)
        .vectorize(v.t, t.vector)
        .unroll(v.t)
        .unroll(v.r);

    // The blocks.
    Func align = f.align.in();
    align.compute_root()
        .split(v.t, blocks, lanes, block, kRound)
        .reorder(lanes, v.tx, v.ty, v.o, blocks)
        .vectorize(lanes, t.vector)
        .unroll(v.tx)
        .unroll(v.ty)
        .parallel(blocks);
    f.window.compute_at(align, blocks)
        .reorder_storage(v.t, v.c, v.wx, v.wy)
        .reorder(v.t, v.wx, v.wy, v.c)
        .vectorize(v.t, t.vector)
        .unroll(v.wx)
        .unroll(v.wy);
    f.window_rows.compute_at(f.window, v.c).vectorize(v.t, t.vector).unroll(v.wx).unroll(v.wy);
    f.extended_code.compute_at(align, blocks).vectorize(v.t, t.vector);

    // Per output channel: the projections' GEMMs ...
    Func product = f.product.in();
    product.compute_at(align, v.o)
        .split(v.r, ro, ri, t.channels, kRound)
        .reorder(v.t, ri, ro, v.wx, v.wy)
        .vectorize(v.t, t.vector)
        .unroll(ri);
    register_tile(f.product, product, ro, v.t, v.r, t);
    f.product.update()
        .reorder(v.t, v.r, f.over_channels.x)
        .vectorize(v.t, t.vector)
        .unroll(v.t)
        .unroll(v.r);
    product.store_at(align, blocks);
    f.proj.compute_at(align, v.o)
        .store_at(align, blocks)
        .reorder(v.t, v.tx, v.ty, v.r)
        .vectorize(v.t, t.vector)
        .unroll(v.tx)
        .unroll(v.ty);
    f.proj_rows.compute_at(f.proj, v.r).vectorize(v.t, t.vector).unroll(v.tx).unroll(v.wy);

    // ... G_o z ...
    Func gram_code = f.gram_code.in();
    gram_code.compute_at(align, v.o)
        .store_at(align, blocks)
        .split(v.r, ro, ri, t.channels, kRound)
        .reorder(v.t, ri, v.tx, v.ty, ro)
        .vectorize(v.t, t.vector)
        .unroll(ri);
    register_tile(f.gram_code, gram_code, v.tx, v.t, v.r, t);
    f.gram_code.update()
        .reorder(v.t, v.r, f.over_rank.x)
        .vectorize(v.t, t.vector)
        .unroll(v.t)
        .unroll(v.r);

    // ... and {a, s}, a row of tiles' accumulators at a time.
    f.align.compute_at(align, v.o).vectorize(v.t, t.vector);
    f.align.update().reorder(v.t, f.over_rank.x, v.tx, v.ty).vectorize(v.t, t.vector).unroll(v.t);

    for (Func out : {f.output, f.norm, f.wnorm, f.code_out}) {
        out.vectorize(v.x, t.vector / 2, kGuard).parallel(v.n);
    }
    f.norm.compute_with(f.output, v.y);
    f.wnorm.compute_with(f.output, v.y);
}

}  // namespace coda::cpu
