// CPU schedules of the CoDA layer, shared by the x86 and ARM families; only
// their tuning (vector width, tile sizes) differs, see schedules/<family>/.
//
// Every heavy stage is a GEMM-like reduction. Each one is computed in small
// fixed-size register tiles (8 positions x 2 rows x a block of channels, or a
// 32-lane channel vector x a block) inside a wrapper that consumers read, so
// the accumulators stay in registers across the whole reduction. Tiles may
// run past the last position or channel: inputs are edge-clamped (see the
// generators) and the extra values are dropped.
#include "coda_layer_schedule.h"

#include <optional>

namespace coda::cpu {

using Halide::Expr;
using Halide::Func;
using Halide::RDom;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {

constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;

// The tuning of the pipeline being scheduled (one generator run schedules one
// pipeline, so a file-level value is enough and keeps helper signatures short).
CpuTuning tuning;

// Positions along x of a register tile, and the vector width of stages
// over whole activation maps (a tile's vector may span several rows).
int tile_width() {
    return tuning.vector / tuning.rows_per_vector;
}

// A root stage over activations (x, y, c, n): vectorised along x, parallel
// over images. Funcs wrapping inputs have their own variable names.
void schedule_activation(Func f) {
    std::vector<Var> a = f.args();
    f.compute_root().vectorize(a[0], tile_width(), kGuard).parallel(a[3]);
}

// A root copy of a small parameter (edge-clamped input), so inner loops read
// plain memory instead of evaluating clamps. M is not copied, only read in
// place through its clamps: a copy per call (up to 9 MB) took 16% of layer
// 4's batch-1 forward and a third of layer 7's, while the clamps cost nothing
// measurable at batch 64 (the scalar index clamps of a broadcast are hoisted
// or hidden behind the FMAs).
void materialize(Func f) {
    std::vector<Var> a = f.args();
    f.compute_root().vectorize(a.front(), tuning.vector, kGuard).parallel(a.back());
}

// Vectorizes a stage (one definition) of a register tile of tile_width() x
// tuning.rows positions x some channels `c`: x, and the rows one vector
// spans, become the vector lanes (a dense load: tiles are stored
// tile_width() apart), the rest is unrolled. `inner` loops go inside.
void vectorize_tile(Halide::Stage s, const LayerVars &v, Var c,
                    const std::vector<VarOrRVar> &inner = {}) {
    std::vector<VarOrRVar> order = {v.x};
    Var y_lanes("y_lanes"), y_vectors("y_vectors");
    bool spans_rows = tuning.rows_per_vector > 1;
    if (spans_rows) {
        s.split(v.y, y_vectors, y_lanes, tuning.rows_per_vector);
        order.push_back(y_lanes);
    }
    order.push_back(c);
    order.push_back(spans_rows ? y_vectors : v.y);
    order.insert(order.end(), inner.begin(), inner.end());
    s.reorder(order).vectorize(v.x).unroll(c).unroll(spans_rows ? y_vectors : v.y);
    if (spans_rows) {
        s.vectorize(y_lanes);
    }
}

// g computed at `at` of `consumer` on one fixed-size register tile of
// positions x `block` channels c, vectorised by vectorize_tile.
void in_registers(Func g, Func consumer, Var at, const LayerVars &v, Var c, int block,
                  const std::vector<VarOrRVar> &inner = {}) {
    g.compute_at(consumer, at)
        .bound_extent(v.x, tile_width())
        .bound_extent(v.y, tuning.rows)
        .bound_extent(c, block);
    vectorize_tile(g, v, c, inner);
}

// f(x, y, c, ...) with updates reducing over `reductions[i]`: returns the
// wrapper that consumers read. Per wrapper tile, f is computed on a fixed
// tile_width() x tuning.rows x block tile whose accumulators live in
// registers. Loops in `inner_channels` run inside each position tile, so
// that inputs staged per position tile are reused across them.
Func register_tile(Func f, const LayerVars &v, Var c, int block,
                   const std::vector<std::vector<RVar>> &reductions,
                   const std::vector<Var> &inner_channels = {}) {
    Func out = f.in();
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci");
    std::vector<VarOrRVar> order = {xi, ci, yi, co};
    order.insert(order.end(), inner_channels.begin(), inner_channels.end());
    order.push_back(xo);
    order.push_back(yo);
    out.split(v.x, xo, xi, tile_width(), kGuard)
        .split(v.y, yo, yi, tuning.rows, kGuard)
        .split(c, co, ci, block, kGuard)
        .reorder(order)
        .vectorize(xi)
        .unroll(ci)  // constant tile indices: the tile can live in registers
        .unroll(yi);
    in_registers(f, out, co, v, c, block);
    for (size_t u = 0; u < reductions.size(); u++) {
        vectorize_tile(f.update(u), v, c, {reductions[u].begin(), reductions[u].end()});
    }
    return out;
}

// A copy of `input` per position tile of `tiled` (at its "xo" loop), read by
// `consumers`: the channels of a tile then sit next to each other. Read in
// place, consecutive channels are a whole map apart (4 KB for 32x32 maps), so
// a tile's lines fall into a few L1 sets that the channel loop thrashes.
void stage_per_tile(Func input, const std::vector<Func> &consumers, Func tiled) {
    Func copy = input.in(consumers);
    copy.compute_at(tiled, Var("xo")).vectorize(copy.args()[0], tile_width(), kGuard);
}

// Root tiled stage, in parallel over images and, if tuned so, over each
// image's rows of tiles too (needed to fill the threads at batch 1).
Func parallel_tiles(Func tiled, const LayerVars &v) {
    tiled.compute_root().parallel(v.n);
    if (tuning.parallel_rows) {
        tiled.parallel(Var("yo"));
    }
    return tiled;
}

// Positions per partial sum of a reduction over the batch (see below).
constexpr int kPositionsPerChunk = 256;

// A reduction over every position of the batch into a parameter-shaped
// tensor, factored by chunks of whole images (at least kPositionsPerChunk
// positions, e.g. 4 images of 8x8): each chunk's sum is computed in register
// tiles of `lanes` values of vec_dim (read from channel-innermost copies)
// times `block` values of `unrolled`, then added to the total. One chunk's
// operands stay in L2 across all tiles; summing the whole batch per tile
// would stream it from memory once per tile, and one image per chunk would
// write and re-read the whole parameter-shaped partial sum every 64 positions
// on small maps. Tiles of one chunk, and the additions, run in parallel: the
// tiles over blocks of `unrolled`, or over `outer` (a dimension of f) if
// given, which then runs outermost, so that a stage computed there serves
// every tile of the other dimensions. Returns the per-chunk Func, which now
// holds the calls to the operands; its tiles are per_chunk.in().
Func position_reduction(Func f, RDom positions, Var vec_dim, int lanes, Var unrolled, int block,
                        std::optional<Var> outer = std::nullopt) {
    Var chunk("chunk"), vo("vo"), vi("vi"), uo("uo"), ui("ui");
    RVar chunks("chunks"), images("images");
    Expr images_per_chunk =
        max(1, kPositionsPerChunk / (positions.x.extent() * positions.y.extent()));
    Func per_chunk =
        f.update().split(positions.z, chunks, images, images_per_chunk).rfactor(chunks, chunk);
    std::vector<VarOrRVar> sum_order = {vec_dim};
    for (Var a : f.args()) {
        if (a.name() != vec_dim.name()) {
            sum_order.push_back(a);
        }
    }
    Var outermost = f.args().back().name() != vec_dim.name() ? f.args().back() : f.args().front();
    sum_order.push_back(chunks);
    f.compute_root().vectorize(vec_dim, lanes, kGuard);
    f.update().reorder(sum_order).vectorize(vec_dim, lanes, kGuard).parallel(outermost);

    Func tiles = per_chunk.in();
    Var parallel_dim = outer.value_or(uo);
    std::vector<VarOrRVar> order = {vi, ui, vo};
    if (outer) {
        order.push_back(uo);
    }
    for (Var a : per_chunk.args()) {
        if (a.name() != vec_dim.name() && a.name() != unrolled.name() &&
            a.name() != parallel_dim.name()) {
            order.push_back(a);
        }
    }
    order.push_back(parallel_dim);
    tiles.compute_at(f, chunks)
        .split(vec_dim, vo, vi, lanes, kGuard)
        .split(unrolled, uo, ui, block, kGuard)
        .reorder(order)
        .vectorize(vi)
        .unroll(ui)
        .parallel(parallel_dim);
    per_chunk.compute_at(tiles, vo)
        .bound_extent(vec_dim, lanes)
        .bound_extent(unrolled, block)
        .vectorize(vec_dim)
        .unroll(unrolled);
    per_chunk.update()
        .reorder(vec_dim, unrolled, positions.x, positions.y, images)
        .vectorize(vec_dim)
        .unroll(unrolled);
    return per_chunk;
}

// A parameter-shaped reduction (e.g. the Gram matrices M_o^T M_o) in
// register tiles of `lanes` values of vec_dim times `block` values of
// `unrolled`, each accumulated over the whole reduction; tiles in parallel.
void parameter_tiles(Func f, RVar over, Var vec_dim, int lanes, Var unrolled, int block) {
    Func out = f.in();
    Var vo("vo"), vi("vi"), uo("uo"), ui("ui");
    std::vector<VarOrRVar> order = {vi, ui, vo};
    for (Var a : f.args()) {
        if (a.name() != vec_dim.name() && a.name() != unrolled.name()) {
            order.push_back(a);
        }
    }
    order.push_back(uo);
    out.compute_root()
        .split(vec_dim, vo, vi, lanes, kGuard)
        .split(unrolled, uo, ui, block, kGuard)
        .reorder(order)
        .vectorize(vi)
        .unroll(ui)
        .parallel(uo);
    f.compute_at(out, vo)
        .bound_extent(vec_dim, lanes)
        .bound_extent(unrolled, block)
        .vectorize(vec_dim)
        .unroll(unrolled);
    f.update().reorder(vec_dim, unrolled, over).vectorize(vec_dim).unroll(unrolled);
}

// A copy of an activation (x, y, channel, n) with the channel innermost.
void channels_innermost(Func copy) {
    std::vector<Var> a = copy.args();  // wrappers of inputs have their own names
    copy.compute_root().reorder_storage(a[2], a[0], a[1], a[3]).parallel(a[3]);
}

// A reduction into a small parameter-shaped tensor (cheap terms only).
void schedule_param_reduction(Func f, Var vector_dim, Var parallel_dim) {
    f.compute_root().vectorize(vector_dim, tuning.vector, kGuard).parallel(parallel_dim);
    f.update().vectorize(vector_dim, tuning.vector, kGuard).parallel(parallel_dim);
}

// The dynamic weights of a register tile (positions x `channel`) summed over
// the rank code, tuning.rank_unroll steps unrolled: longer straight-line FMA
// chains, fewer loop branches between them.
void accumulate_over_rank(Func weights, RVar rank, Var channel, const LayerVars &v) {
    RVar rank_outer("rank_outer"), rank_inner("rank_inner");
    Halide::Stage update = weights.update();
    update.split(rank, rank_outer, rank_inner, tuning.rank_unroll);
    vectorize_tile(update, v, channel, {rank_inner, rank_outer});
    update.unroll(rank_inner);
}

// sum_o gamma_o w_o for every patch entry, in register tiles of positions x
// a block of patch entries; the tile's weights (every o) are rebuilt from z
// one o at a time, each accumulated over the rank in registers, as in the
// contribution pass. (As one GEMM of M with the products gamma_o z_r, each
// product cost a multiply per `block` multiply-adds: 76% of the FMA peak on
// layer 4 at batch 64 against the contribution pass's 90%.)
void schedule_direct_path(BackwardFuncs &f, const LayerVars &v) {
    Func out = parallel_tiles(
        register_tile(f.direct.d_patch, v, v.d, tuning.block, {{f.direct.over_out}}), v);
    stage_per_tile(f.gamma, {f.direct.d_patch}, out);
    stage_per_tile(f.code, {f.direct_weights}, out);
    Func weight_tile = f.direct_weights.in(f.direct.d_patch);
    in_registers(weight_tile, out, Var("co"), v, v.d, tuning.block, {v.o});
    in_registers(f.direct_weights, weight_tile, v.o, v, v.d, tuning.block);
    accumulate_over_rank(f.direct_weights, f.over_rank.x, v.d, v);
}

// Rows (images, or an image's explained classes) in parallel, in groups of
// `rows_per_task` (the loop "image"). With stride 1 the taps read d_patch
// along x with dense vector loads. At stride 2 the hitting taps depend on a
// pixel's parity: x is split by it, so each vector holds pixels of one
// parity, whose taps are then the same and read d_patch densely too (in
// one generic loop they were gathers, a third of layer 3's contribution).
void schedule_fold(Fold &f, const LayerVars &v, Expr rows_per_task = 1) {
    f.d_input.vectorize(v.x, tile_width(), kGuard).parallel(v.n);
    Halide::Stage sum = f.d_input.update();
    sum.split(v.n, Var("image"), Var("image_row"), rows_per_task, kGuard)
        .parallel(Var("image"))
        .parallel(Var("image_row"));  // at batch 1, an image's classes fill the threads
    sum.specialize(f.stride == 1).vectorize(v.x, tile_width(), kGuard);
    Var pairs("pairs"), parity("parity");
    sum.specialize(f.stride == 2)
        .split(v.x, pairs, parity, 2, kGuard)
        .reorder(pairs, f.taps.x, f.taps.y, parity)
        .vectorize(pairs, tile_width(), kGuard)
        .unroll(parity);
    sum.vectorize(v.x, tile_width(), kGuard);
}

}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const CpuTuning &t) {
    tuning = t;
    for (Func p : {f.C, f.b}) {
        materialize(p);
    }
    // The zero-padded input, stored once per call: the per-tile patch copies
    // below then read it with dense loads. Padded inline, each copy's vectors
    // (one tile wide, so no loop to split into edge and interior) gathered
    // through the edge clamps: 10% of layer 4's batch-64 forward on the
    // Intel Xeon (Halide's profiler), 2% once stored.
    schedule_activation(f.input_padded);
    // z = C x_patch, register-tiled over a block of ranks.
    Func code = parallel_tiles(register_tile(f.code, v, v.r, tuning.block, {{f.over_patch}}), v);
    f.patch.in(f.code).compute_at(code, Var("xo")).vectorize(v.x, tile_width(), kGuard);

    // {a, s} for vector x rows positions x block output channels stay in registers
    // over the whole patch; the matching block of dynamic weights is rebuilt
    // from z for each patch entry and never leaves the core.
    Func align = parallel_tiles(register_tile(f.align, v, v.o, tuning.block, {{f.over_patch}}), v);
    f.patch.in(f.align).compute_at(align, Var("xo")).vectorize(v.x, tile_width(), kGuard);
    stage_per_tile(code, {f.weights}, align);
    f.weights.compute_at(f.align, f.over_patch);
    vectorize_tile(f.weights, v, v.o);
    accumulate_over_rank(f.weights, f.over_rank.x, v.o, v);

    for (Func out : {f.output, f.norm, f.wnorm, f.code_out}) {
        out.vectorize(v.x, tile_width(), kGuard).parallel(v.n);
    }
    // The three outputs of {a, s} in one sweep (a row of each at a time):
    // align is read once, not three times.
    f.norm.compute_with(f.output, v.y);
    f.wnorm.compute_with(f.output, v.y);
}

namespace {

// A parameter gradient summed from terms computed above: parallel over its
// outermost dimension.
void schedule_sum_of_terms(Func p) {
    Var first = p.args().front(), last = p.args().back();
    p.vectorize(first, tuning.vector, kGuard).parallel(last);
}

// d_b = terms + sum_r M(r, o, d) delta_code(r, o): the update runs along r,
// M's contiguous dimension, in partial sums of tuning.vector lanes (then
// added up). Vectorised along o, it gathered M with a stride of the rank:
// 15% of layer 9's batch-1 backward, 8% of layer 8's.
void schedule_bias_gradient(Func d_b, RVar rank) {
    schedule_sum_of_terms(d_b);
    RVar rank_outer("rank_outer"), rank_lane("rank_lane");
    Var lane("lane");
    Var o = d_b.args().front(), d = d_b.args().back();
    Func partial = d_b.update()
                       .split(rank, rank_outer, rank_lane, tuning.vector, kGuard)
                       .rfactor(rank_lane, lane);
    d_b.update().parallel(d);
    partial.compute_at(d_b, d).vectorize(lane);
    partial.update().reorder(lane, rank_outer, o).vectorize(lane);
}

// The stages both backward forms share (BackwardBase); `d_code` is the
// form's register-tiled dz, which d_patch reads. The form's own reductions
// over positions that read the patch or the code channel-innermost are
// passed in, to share those copies.
void schedule_backward_shared(BackwardBase &f, const LayerVars &v, Func d_code,
                              const std::vector<Func> &patch_readers,
                              const std::vector<Func> &code_readers) {
    for (Func p : {f.C, f.b}) {
        materialize(p);
    }
    schedule_activation(f.code);
    schedule_activation(f.patch);
    f.coeffs.compute_root().vectorize(v.x, tile_width(), kGuard).parallel(v.n);

    Func d_patch =
        parallel_tiles(register_tile(f.d_patch, v, v.d, tuning.block, {{f.over_rank}}), v);
    stage_per_tile(d_code, {f.d_patch}, d_patch);
    schedule_fold(f.fold, v);

    // Parameter gradients: reductions over every position of the batch.
    Func patch_gamma = position_reduction(f.patch_gamma, f.over_positions, v.d, tuning.lanes / 2,
                                          v.o, tuning.block);
    Func patch_d_code = position_reduction(f.patch_d_code, f.over_positions, v.d, tuning.lanes / 2,
                                           v.r, tuning.block);
    std::vector<Func> patch_users = {patch_gamma, patch_d_code};
    patch_users.insert(patch_users.end(), patch_readers.begin(), patch_readers.end());
    channels_innermost(f.patch.in(patch_users));
    std::vector<Func> code_users = {f.delta_code};
    code_users.insert(code_users.end(), code_readers.begin(), code_readers.end());
    channels_innermost(f.code.in(code_users));
    schedule_param_reduction(f.delta_code, v.r, v.o);
    f.delta_sum.compute_root();
    schedule_sum_of_terms(f.d_C);
    schedule_bias_gradient(f.d_b, f.over_rank.x);
}

// sum_p x_d gamma_o z_r, with gamma_o z_r over one chunk's positions stored
// once per output channel (rank innermost) and read by every tile of patch
// entries: computed inside each tile instead, it cost one multiply per
// `block` multiply-adds.
Func schedule_patch_coeff_code(BackwardFuncs &f, const LayerVars &v) {
    Func per_chunk = position_reduction(f.patch_coeff_code, f.over_positions, v.r, tuning.lanes,
                                        v.d, tuning.block, v.o);
    f.gamma_code.compute_at(per_chunk.in(), v.o)
        .reorder_storage(v.r, v.x, v.y, v.o, v.n)
        .reorder(v.r, v.x, v.y, v.o, v.n)
        .vectorize(v.r, tuning.vector, kGuard);
    return per_chunk;
}

}  // namespace

void schedule_backward(BackwardFuncs &f, const LayerVars &v, const CpuTuning &t) {
    tuning = t;
    // dz per image: u = M^T x_patch and G z, both register-tiled GEMMs.
    Func d_code = parallel_tiles(register_tile(f.d_code, v, v.r, tuning.block, {{f.over_out}}), v);
    // Per image, or per parallel row of tiles when rows are split across threads.
    Var per_task = tuning.parallel_rows ? Var("yo") : v.n;
    Func proj = register_tile(f.proj, v, v.r, tuning.block, {{f.over_patch}}, {v.o});
    proj.compute_at(d_code, per_task);
    // The patch of one position tile (8 x 2 x D) stays in L1 for all (r, o).
    f.patch.in(f.proj).compute_at(proj, Var("xo")).vectorize(v.x, tile_width(), kGuard);
    Func gram_code = register_tile(f.gram_code, v, v.r, tuning.block, {{f.over_rank}});
    gram_code.compute_at(d_code, per_task);
    stage_per_tile(f.code, {f.gram_code}, gram_code);
    schedule_direct_path(f, v);

    Func patch_coeff_code = schedule_patch_coeff_code(f, v);
    Func code_delta_code = position_reduction(f.code_delta_code, f.over_positions, v.r2,
                                              tuning.lanes, v.r, tuning.block);
    schedule_backward_shared(f, v, d_code, {patch_coeff_code}, {f.gamma_code, code_delta_code});
    schedule_sum_of_terms(f.d_M);
    parameter_tiles(f.gram, f.over_patch.x, v.r, tuning.lanes / 2, v.r2, tuning.block);
    parameter_tiles(f.mix_code_delta, f.over_rank.x, v.r, tuning.lanes / 2, v.d, tuning.block);
    schedule_param_reduction(f.gram_bias, v.r, v.o);
}

namespace {

// Patch entries per chunk of the materialised backward's dz (see below).
constexpr int kPatchEntriesPerChunk = 16;

// dz = sum over (o, d) of M(r, o, d) dL/dw_od: a GEMM whose reduction (O*D,
// up to 36864) dwarfs its output (positions x r). It is summed in chunks of
// patch entries, in parallel, each in register tiles: a chunk's dL/dw (every
// position, all o) stays in L2 while each block of r reads it. In one pass,
// each block of r streamed all of dL/dw (9 MB on layer 8) from memory.
Func chunked_d_code(MaterializedBackwardFuncs &f, const LayerVars &v) {
    RVar chunks("chunks"), entries("entries");
    Var chunk("chunk");
    Func per_chunk = f.d_code.update()
                         .split(f.over_out_patch.y, chunks, entries, kPatchEntriesPerChunk, kGuard)
                         .rfactor(chunks, chunk);
    register_tile(per_chunk, v, v.r, tuning.block, {{f.over_out_patch.x, entries}})
        .compute_root()
        .parallel(chunk);
    f.d_code.compute_root().vectorize(v.x, tile_width(), kGuard).parallel(v.n);
    f.d_code.update().vectorize(v.x, tile_width(), kGuard).parallel(v.n);
    return f.d_code;
}

}  // namespace

void schedule_backward(MaterializedBackwardFuncs &f, const LayerVars &v, const CpuTuning &t) {
    tuning = t;
    // w for every position of the call, in the forward's register tiles
    // (positions x a block of output channels, one patch entry at a time).
    Func weights = parallel_tiles(register_tile(f.weights, v, v.o, tuning.block, {}, {v.d}), v);
    stage_per_tile(f.code, {f.weights}, weights);
    accumulate_over_rank(f.weights, f.over_rank.x, v.o, v);
    // dL/dw once, read by two GEMMs: parallel over patch entries (one image
    // alone must fill the threads).
    f.d_weights.compute_root().vectorize(v.x, tile_width(), kGuard).parallel(v.d);

    Func d_code = chunked_d_code(f, v);
    parallel_tiles(register_tile(f.direct.d_patch, v, v.d, tuning.block, {{f.direct.over_out}}), v);
    // dM is this one reduction: computed in place, no sum of terms to copy.
    Func d_M_chunks =
        position_reduction(f.d_M, f.over_positions, v.r, tuning.lanes, v.d, tuning.block);
    schedule_backward_shared(f, v, d_code, {}, {d_M_chunks});
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const CpuTuning &t) {
    tuning = t;
    materialize(f.b);
    schedule_activation(f.code);
    f.coeff.compute_root().vectorize(v.x, tile_width(), kGuard).parallel(v.n);

    // Register tiles of vector x rows positions x block patch entries, one
    // class at a time; the matching detached weights (all output channels of
    // the block) are rebuilt from z once per tile, before the class loop.
    // Computed per image, inside the fold of that image's classes (in
    // parallel over images): the all-class patch gradient of a whole batch is
    // hundreds of MB (freshly mapped pages on every call), one image's a few.
    Func out = f.class_d_patch.in();
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), d_outer("d_outer"), d_inner("d_inner");
    schedule_fold(f.fold, v, f.classes);
    out.compute_at(f.fold.d_input, Var("image"))
        .split(v.x, xo, xi, tile_width(), kGuard)
        .split(v.y, yo, yi, tuning.rows, kGuard)
        .split(v.d, d_outer, d_inner, tuning.block, kGuard)
        .reorder(xi, d_inner, yi, v.k, d_outer, xo, yo, v.n)
        .vectorize(xi)
        .unroll(d_inner)
        .unroll(yi);
    if (tuning.parallel_rows) {
        out.parallel(yo);  // at batch 1 the images alone leave a thread idle
    }
    stage_per_tile(f.code, {f.weights}, out);
    stage_per_tile(f.coeff, {f.class_d_patch}, out);
    in_registers(f.class_d_patch, out, v.k, v, v.d, tuning.block);
    vectorize_tile(f.class_d_patch.update(), v, v.d, {f.over_out.x});
    // The tile of weights (all output channels) is filled one output channel
    // at a time, each accumulated over the rank in registers.
    Func weight_tile = f.weights.in(f.class_d_patch);
    in_registers(weight_tile, out, d_outer, v, v.d, tuning.block, {v.o});
    in_registers(f.weights, weight_tile, v.o, v, v.d, tuning.block);
    accumulate_over_rank(f.weights, f.over_rank.x, v.d, v);
}

}  // namespace coda::cpu
