// CPU schedule of the Winograd contribution (generators/coda_layer_algorithm.h),
// shared by x86 and ARM; only the tuning differs.
//
// Tiles are processed in blocks of tile_vectors x vector tiles, in parallel.
// For each block and output channel o, the transformed windows of all
// r + 1 code channels are computed once (about 0.3 MB at rank 64: they stay
// in L2) and then read by 16 GEMMs, one per window entry, each in register
// tiles of the block's tiles x `channels` input channels accumulated over the
// rank; the sums over o go to the block's product in memory. The transformed
// kernels (16/9 of M) are computed once per call, rank innermost, so that a
// register tile's kernel values are `channels` sequential streams.
#include "coda_layer_schedule.h"

namespace coda::cpu {

using Halide::TailStrategy;
using Halide::Var;

void schedule_contribution(WinogradContributionFuncs &f, const LayerVars &v,
                           const WinogradTuning &t) {
    constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;
    const int block = t.vector * t.tile_vectors;
    Var blocks("blocks"), lanes("lanes"), vectors("vectors"), co("co"), ci("ci");

    f.kernel.compute_root()
        .reorder_storage(v.r, v.c, v.wx, v.wy, v.o)
        .reorder(v.r, v.c, v.wx, v.wy, v.o)
        .vectorize(v.r, t.vector, kGuard)
        .unroll(v.wx)
        .unroll(v.wy)
        .parallel(v.o);
    f.kernel_rows.compute_at(f.kernel, v.c)
        .reorder(v.r, v.wx, v.wy)
        .vectorize(v.r, t.vector, kGuard)
        .unroll(v.wx)
        .unroll(v.wy);

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

}  // namespace coda::cpu
