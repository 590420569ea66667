// Hand-written x86 schedules (AVX2/AVX-512, 2 threads). Vectors are 8 floats
// wide: on Zen 4 zmm is double-pumped, so ymm reaches the same FMA peak
// (shared/notes/toolchain.md) and fits the 8-wide maps of the late layers.
//
// Every heavy stage is a GEMM-like reduction. Each one is computed in small
// fixed-size register tiles (8 positions x 2 rows x a block of channels, or a
// 32-lane channel vector x a block) inside a wrapper that consumers read, so
// the accumulators stay in registers across the whole reduction. Tiles may
// run past the last position or channel: inputs are edge-clamped (see the
// generators) and the extra values are dropped.
#include "coda_layer_schedule.h"

namespace coda::x86 {

using Halide::Func;
using Halide::RDom;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {

constexpr int kVec = 8;
constexpr int kRows = 2;
constexpr TailStrategy kGuard = TailStrategy::GuardWithIf;

// A root stage over activations (x, y, c, n): vectorised along x, parallel
// over images. Funcs wrapping inputs have their own variable names.
void schedule_activation(Func f) {
    std::vector<Var> a = f.args();
    f.compute_root().vectorize(a[0], kVec, kGuard).parallel(a[3]);
}

// A small root copy (parameters, edge-clamped inputs), so inner loops read
// plain memory instead of evaluating clamps.
void materialize(Func f) {
    f.compute_root();
}

// f(x, y, c, ...) with updates reducing over `reductions[i]`: returns the
// wrapper that consumers read. Per wrapper tile, f is computed on a fixed
// kVec x kRows x block tile whose accumulators live in registers.
// Loops in `inner_channels` run inside each position tile, so that inputs
// staged per position tile are reused across them.
Func register_tile(Func f, const LayerVars &v, Var c, int block,
                   const std::vector<std::vector<RVar>> &reductions,
                   const std::vector<Var> &inner_channels = {}) {
    Func out = f.in();
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci");
    std::vector<VarOrRVar> order = {xi, ci, yi, co};
    order.insert(order.end(), inner_channels.begin(), inner_channels.end());
    order.push_back(xo);
    order.push_back(yo);
    out.split(v.x, xo, xi, kVec, kGuard)
        .split(v.y, yo, yi, kRows, kGuard)
        .split(c, co, ci, block, kGuard)
        .reorder(order)
        .vectorize(xi)
        .unroll(ci)  // constant tile indices: the tile can live in registers
        .unroll(yi);
    f.compute_at(out, co)
        .bound_extent(v.x, kVec)
        .bound_extent(v.y, kRows)
        .bound_extent(c, block)
        .vectorize(v.x)
        .unroll(c)
        .unroll(v.y);
    for (size_t u = 0; u < reductions.size(); u++) {
        std::vector<VarOrRVar> order = {v.x, c, v.y};
        order.insert(order.end(), reductions[u].begin(), reductions[u].end());
        f.update(u).reorder(order).vectorize(v.x).unroll(c).unroll(v.y);
    }
    return out;
}

// A reduction over every position of the batch into a parameter-shaped
// tensor: `lanes` values of vec_dim (read from channel-innermost copies) times
// `block` values of `unrolled` accumulate in registers; tiles run in parallel.
Func position_reduction(Func f, RDom positions, Var vec_dim, int lanes, Var unrolled, int block) {
    Func out = f.in();
    Var vo("vo"), vi("vi"), uo("uo"), ui("ui");
    std::vector<VarOrRVar> order = {vi, ui, vo, uo};
    for (Var a : f.args()) {
        if (a.name() != vec_dim.name() && a.name() != unrolled.name()) {
            order.push_back(a);
        }
    }
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
    f.update()
        .reorder(vec_dim, unrolled, positions.x, positions.y, positions.z)
        .vectorize(vec_dim)
        .unroll(unrolled);
    return out;
}

// A copy of an activation (x, y, channel, n) with the channel innermost.
void channels_innermost(Func copy) {
    std::vector<Var> a = copy.args();  // wrappers of inputs have their own names
    copy.compute_root().reorder_storage(a[2], a[0], a[1], a[3]).parallel(a[3]);
}

// A reduction into a small parameter-shaped tensor (cheap terms only).
void schedule_param_reduction(Func f, Var vector_dim, Var parallel_dim) {
    f.compute_root().vectorize(vector_dim, kVec, kGuard).parallel(parallel_dim);
    f.update().vectorize(vector_dim, kVec, kGuard).parallel(parallel_dim);
}

// sum_o coeff_o w_o for every patch entry: a GEMM of the per-position
// coeff*z products (kept for one image at a time) with M.
void schedule_direct_path(DirectPath &p, const LayerVars &v) {
    Func out = register_tile(p.d_patch, v, v.d, 4, {{p.over_out}, {p.over_rank_out.x, p.over_rank_out.y}});
    out.compute_root().parallel(v.n);
    p.coeff_code.compute_at(out, v.n).vectorize(v.x, kVec, kGuard);
}

void schedule_fold(Fold &f, const LayerVars &v) {
    f.d_input.vectorize(v.x, kVec, kGuard).parallel(v.n);
    f.d_input.update().vectorize(v.x, kVec, kGuard).parallel(v.n);
}

}  // namespace

void schedule_forward(ForwardFuncs &f, const LayerVars &v, const LayerGeometry &) {
    for (Func p : {f.C, f.M, f.b}) {
        materialize(p);
    }
    // z = C x_patch, register-tiled over 4 ranks.
    Func code = register_tile(f.code, v, v.r, 4, {{f.over_patch}});
    code.compute_root().parallel(v.n);
    f.patch.in(f.code).compute_at(code, Var("xo")).vectorize(v.x, kVec, kGuard);

    // {a, s} for 8 positions x 2 rows x 4 output channels stay in registers
    // over the whole patch; the matching block of dynamic weights is rebuilt
    // from z for each patch entry and never leaves the core.
    Func align = register_tile(f.align, v, v.o, 4, {{f.over_patch}});
    align.compute_root().parallel(v.n);
    f.patch.in(f.align).compute_at(align, Var("xo")).vectorize(v.x, kVec, kGuard);
    f.weights.compute_at(f.align, f.over_patch).vectorize(v.x).unroll(v.o).unroll(v.y);
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
    for (Func p : {f.C, f.M, f.b}) {
        materialize(p);
    }
    schedule_activation(f.code);
    schedule_activation(f.patch);
    f.coeffs.compute_root().vectorize(v.x, kVec, kGuard).parallel(v.n);

    // dz per image: u = M^T x_patch and G z, both register-tiled GEMMs.
    Func d_code = register_tile(f.d_code, v, v.r, 4, {{f.over_out}});
    d_code.compute_root().parallel(v.n);
    Func proj = register_tile(f.proj, v, v.r, 4, {{f.over_patch}}, {v.o});
    proj.compute_at(d_code, v.n);
    // The patch of one position tile (8 x 2 x D) stays in L1 for all (r, o).
    f.patch.in(f.proj).compute_at(proj, Var("xo")).vectorize(v.x, kVec, kGuard);
    register_tile(f.gram_code, v, v.r, 4, {{f.over_rank}}).compute_at(d_code, v.n);

    schedule_direct_path(f.direct, v);
    register_tile(f.d_patch, v, v.d, 4, {{f.over_rank}}).compute_root().parallel(v.n);
    schedule_fold(f.fold, v);

    // Parameter gradients: reductions over every position of the batch.
    channels_innermost(f.patch.in({f.patch_coeff_code, f.patch_gamma, f.patch_d_code}));
    channels_innermost(f.code.in({f.patch_coeff_code, f.code_delta_code, f.delta_code}));
    position_reduction(f.patch_d_code, f.over_positions, v.d, 16, v.r, 4);
    position_reduction(f.patch_coeff_code, f.over_positions, v.r, 32, v.d, 4);
    position_reduction(f.code_delta_code, f.over_positions, v.r2, 32, v.r, 4);
    schedule_param_reduction(f.gram, v.r, v.o);
    schedule_param_reduction(f.gram_bias, v.r, v.o);
    schedule_param_reduction(f.delta_code, v.r, v.o);
    schedule_param_reduction(f.patch_gamma, v.o, v.d);
    f.delta_sum.compute_root();
    for (Func p : {f.d_C, f.d_M, f.d_b}) {
        p.vectorize(p.args()[0], kVec, kGuard);
        for (int u = 0; u < p.num_update_definitions(); u++) {
            p.update(u).vectorize(p.args()[0], kVec, kGuard);
        }
    }
}

void schedule_contribution(ContributionFuncs &f, const LayerVars &v, const LayerGeometry &) {
    for (Func p : {f.M, f.b}) {
        materialize(p);
    }
    schedule_activation(f.code);
    schedule_activation(f.coeff);
    schedule_direct_path(f.direct, v);
    schedule_fold(f.fold, v);
}

}  // namespace coda::x86
