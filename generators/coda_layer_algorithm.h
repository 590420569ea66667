// The CoDA layer (spec sections 1, 3 and 4) as Halide algorithms: forward,
// backward and contribution passes. Pure definitions only; every schedule lives
// in schedules/<target>/ and reaches the Funcs through the structs below.
//
// Memory layout is PyTorch's (NCHW), seen by Halide innermost first:
//   input  (x, y, c, n)        = torch (B, Cin, H, W)
//   C      (d, r)              = torch (r, Cin, k, k),  d = (c*k + ky)*k + kx
//   M      (r, o, d)           = torch (O*D, r, 1, 1),  row j = d*O + o
//   b      (o, d)              = torch (O*D)
//   output (x, y, o, n)        = torch (B, O, H', W')
//   code z (x, y, r, n)        = torch (B, r, H', W')
// so parameters move between the two with no reshuffling.
#pragma once

#include "Halide.h"

namespace coda {

using Halide::Expr;
using Halide::Func;
using Halide::RDom;
using Halide::Var;

enum class NormKind { squash = 0, l2 = 1 };

// Smallest ||w|| a division may see. Only weights that are numerically zero
// (||w|| < 1e-6, far below anything training produces) are affected: for them
// w.x is itself below 1e-6*||x||, so y stays bounded by ||x||; the L2 gradient
// (which scales as 1/||w||^2) is capped instead of becoming inf/NaN.
constexpr float kNormEps = 1e-6f;

// Loop variables shared by the algorithm and the schedules.
struct LayerVars {
    Var x{"x"}, y{"y"}, n{"n"};  // output position and image
    Var c{"c"};                  // input channel (of the unfolded input)
    Var o{"o"}, r{"r"}, d{"d"};  // output channel, rank, patch index
    Var r2{"r2"};                // second rank index (Gram matrices)
    Var k{"k"};                  // explained class of an image
    // Winograd contribution (coda_contribution_winograd): a tile of output
    // positions, an index into its (transformed) window along x and y, and a
    // position inside the tile.
    Var t{"t"}, wx{"wx"}, wy{"wy"}, tx{"tx"}, ty{"ty"};
};

// Runtime geometry of a layer; the patch length D = Cin*k*k.
struct LayerGeometry {
    Expr kernel, stride, pad;
    Expr in_channels, out_channels, rank;
    Expr out_width, out_height, batch;
    Expr patch_len() const {
        return in_channels * kernel * kernel;
    }
};

// Per (position, output channel) scalars of the norm (spec 1.2 and 3.1):
// y = a*alpha, divisor = 1/alpha, dy/dw = alpha*x + beta*w.
struct NormTerms {
    Expr alpha, beta, divisor;
};
NormTerms norm_terms(Expr norm_kind, Expr align, Expr sq_norm);

// The patch matrix (im2col) of a zero-padded input: patch(x, y, d, n).
Func unfold(Func input_padded, const LayerGeometry &g, const LayerVars &v);

// Scatter-add of a patch-shaped gradient back to the input pixels (the
// adjoint of unfold); taps that fell into the padding are dropped.
struct Fold {
    Func d_input;
    RDom taps;
    // For schedules to specialize on: 1 (every tap hits, contiguous reads),
    // 2 (the hitting taps depend on a pixel's parity).
    Expr stride;
};
Fold fold(Func d_patch, const LayerGeometry &g, const LayerVars &v);

// The direct input path with dynamic weights held constant:
// sum_o coeff_o w_o for every patch index d (the weights as given: stored by
// the materialised backward, rebuilt from the rank code per tile by the
// low-rank one).
struct DirectPath {
    Func d_patch;  // (x, y, d, n)
    RDom over_out;
};
DirectPath direct_path(Func coeff, Func weights, const LayerGeometry &g, const LayerVars &v);

// z = C x_patch at every output position (spec 1.3).
Func rank_code(Func patch, Func C, RDom over_patch, const LayerVars &v);

struct ForwardFuncs {
    Func C, M, b;  // the parameters as given
    Func input_padded, patch, code, weights, align, output, norm, wnorm;
    Func code_out;  // copy of the code kept for backward, so schedules may
                    // compute the internal one on whole (rounded-up) tiles
    RDom over_patch, over_rank;
};
ForwardFuncs coda_forward(Func input_padded, Func C, Func M, Func b, Expr norm_kind,
                          const LayerGeometry &g, const LayerVars &v);

// The same pass for 3x3 kernels at stride 1, through the identity
//   w_o.x = sum_r z_r (M_ro.x_patch) + b_o.x_patch,
// whose projections u_ro = M_ro.x_patch (and b_o.x_patch as r = rank, the
// constant code channel) are a 3x3 correlation from Cin to O*(r+1) channels
// with the fixed kernels M: Winograd's F(2x2, 3x3) (generators/winograd.h)
// computes it on 2x2 tiles of output positions with 16 multiplies per
// channel pair instead of 36, one GEMM per window entry. The norm comes
// from the Gram matrices of spec 3.3: ||w_o||^2 = z^T G_o z with z extended
// by 1 and G_o = [M_o b_o]^T [M_o b_o] (per call: O*(r+1)^2*D multiply-adds,
// then O*(r+1)^2 per position), so the dynamic weights are never formed.
// Tiles t run over the output map (tiles_x by tiles_y) of each image,
// flattened so that schedules vectorize over tiles of small maps too.
struct WinogradForwardFuncs {
    Func tile_origin{
        "winograd_tile_origin"};  // {x, y, image n} of a tile (x, y on the output map)  (t)
    Func window_input{
        "winograd_window_input"};  // x on a tile's 4x4 input window               (t, wx, wy, c)
    Func window_rows{
        "winograd_window_rows"};     // B^T along x                                   (t, wx, wy, c)
    Func window{"winograd_window"};  // B^T . B                                       (t, wx, wy, c)
    Func kernel_rows{
        "winograd_kernel_rows"};  // G along x of M and b                          (wx, wy, c, r, o)
    Func kernel{
        "winograd_kernel"};  // G . G^T                                       (c, r, wx, wy, o)
    Func product{
        "winograd_product"};  // sum_c kernel * window                         (t, wx, wy, r, o)
    Func proj_rows{
        "winograd_proj_rows"};   // A^T along x                                   (t, tx, wy, r, o)
    Func proj{"winograd_proj"};  // A^T . A: u_ro at the tile's positions         (t, tx, ty, r, o)
    Func tile_code{
        "winograd_tile_code"};  // z at the tile's positions, from its window    (t, tx, ty, r)
    Func extended_code{"winograd_extended_code"};  // z and 1 (t, tx, ty, r)
    Func gram{"winograd_gram"};  // M_o^T M_o                                     (r, r2, o)
    Func gram_bias{"winograd_gram_bias"};  // M_o^T b_o                                     (r, o)
    Func bias_sq{"winograd_bias_sq"};      // b_o^T b_o                                     (o)
    Func extended_gram{
        "winograd_extended_gram"};  // G_o of [M_o b_o]                     (r, r2, o)
    Func gram_code{
        "winograd_gram_code"};  // G_o z                                         (t, tx, ty, r, o)
    Func align{"winograd_align"};  // {a, s} = {w.x, ||w||^2}                       (t, tx, ty, o)
    Func output{"output"}, norm{"norm"}, wnorm{"wnorm"}, code_out{"code_out"};
    RDom over_window_patch;  // (c, ky, kx) of a position's patch inside its tile's window
    RDom over_channels, over_rank, over_patch;  // over_rank: r + 1 code channels
};
WinogradForwardFuncs coda_forward_winograd(Func input_padded, Func C, Func M, Func b,
                                           Expr norm_kind, const LayerGeometry &g,
                                           const LayerVars &v);

// What both backward forms share: the norm coefficients, dx_patch = direct
// path + C^T dz and its fold, and dC, db (db in the low-rank form of spec 3.3,
// which needs no weights). d_code and d_M are defined by the form (the
// materialised form's d_M is one reduction, sum_p dL/dw_od z_r).
struct BackwardBase {
    Func C, M, b;  // the parameters as given
    Func input_padded, patch;
    Func code;    // z from the forward pass                   (x, y, r, n)
    Func coeffs;  // {gamma, delta} = dy*{alpha, beta}         (x, y, o, n)
    Func gamma, delta;
    Func d_code;        // dL/dz                                     (x, y, r, n)
    DirectPath direct;  // sum_o gamma_o w_o                         (x, y, d, n)
    Func d_patch;       // dL/dx_patch                               (x, y, d, n)
    Fold fold;          // dL/dx                                     (x, y, c, n)
    Func patch_d_code;  // sum_p x_d dz_r                     (d, r)
    Func delta_code;    // sum_p delta_o z_r                  (r, o)
    Func delta_sum;     // sum_p delta_o                      (o)
    Func patch_gamma;   // sum_p gamma_o x_d                  (o, d)
    Func d_C, d_M, d_b;
    RDom over_patch, over_rank, over_out, over_rank_out, over_positions;
};

// Backward in the low-rank form of spec 3.3: every term is a GEMM over the
// rank code, the patches and per-position scalars, so the O*D dynamic weights
// are never stored (the direct path rebuilds them per tile, as the forward
// does). Its Gram terms cost O*D*r^2 per call whatever the batch: the form for
// large batches.
struct BackwardFuncs : BackwardBase {
    Func proj;              // u_o = M_o^T x_patch                     (x, y, r, o, n)
    Func gram;              // G_o = M_o^T M_o                           (r, r2, o)
    Func gram_bias;         // c_o = M_o^T b_o                           (r, o)
    Func gram_code;         // G_o z                                     (x, y, r, o, n)
    Func direct_weights;    // w = M z + b, for the direct path      (x, y, o, d, n)
    Func gamma_code;        // gamma_o z_r                        (x, y, r, o, n)
    Func patch_coeff_code;  // sum_p x_d gamma_o z_r              (r, o, d)
    Func code_delta_code;   // sum_p delta_o z_r2 z_r            (r2, r, o)
    Func mix_code_delta;    // M_o times code_delta_code          (r, o, d)
};
BackwardFuncs coda_backward(Func input_padded, Func C, Func M, Func b, Func code, Func output,
                            Func norm, Func wnorm, Func d_output, Expr norm_kind,
                            const LayerGeometry &g, const LayerVars &v);

// Backward with the dynamic weights materialised (spec 3.2): w and dL/dw for
// every position of the call, then dz, dM and the direct path each one GEMM
// (or less) over them: 3 O*D*r multiply-adds per position, as the low-rank
// form's three GEMMs, but none of its Gram terms (O*D*r^2 per call, 2 O*r^2
// per position). w is B*P*O*D floats, so the
// runtime uses this form only for small calls (schedules/backward_form.h).
struct MaterializedBackwardFuncs : BackwardBase {
    Func weights;         // w = M z + b                           (x, y, o, d, n)
    Func d_weights;       // dL/dw = gamma x + delta w             (x, y, o, d, n)
    RDom over_out_patch;  // (o, d)
};
MaterializedBackwardFuncs coda_backward_materialized(Func input_padded, Func C, Func M, Func b,
                                                     Func code, Func output, Func norm, Func wnorm,
                                                     Func d_output, Expr norm_kind,
                                                     const LayerGeometry &g, const LayerVars &v);

// Explanation pass (spec 4.1): g pushed back with w and the norm detached,
// for `classes` upstream gradients per image (one per explained class; row
// m = n*classes + k of g_output and of the result). The detached weights of a
// position are rebuilt once from z and serve every class: each extra class
// costs O*D multiply-adds per position instead of O*D*r.
struct ContributionFuncs {
    Func M, b, code;     // as given
    Func coeff;          // g / norm                     (x, y, o, k, n)
    Func weights;        // w = M z + b                  (x, y, o, d, n)
    Func class_d_patch;  // sum_o coeff_o w_o            (x, y, d, k, n)
    Func d_patch;        // the same, rows m = n*classes + k  (x, y, d, m)
    Fold fold;           // (x, y, c, m)
    RDom over_rank, over_out;
    Expr classes;
};
ContributionFuncs coda_contribution(Func code, Func norm, Func M, Func b, Func g_output,
                                    Expr classes, const LayerGeometry &g, const LayerVars &v);

// The same pass for 3x3 kernels at stride 1, where it is a transposed
// convolution: with z extended by a constant 1 (whose weights are b),
//   dL/dx = sum over taps and (r, o) of M_(r,o,tap) * (coeff_o z_r),
// a 3x3 correlation from O*(r+1) channels to Cin with the fixed kernels M.
// Winograd's F(2x2, 3x3) (generators/winograd.h) computes it on 2x2 tiles
// of input pixels with 16 multiplies per channel pair instead of 36: each
// tile's 4x4 window of coeff_o z_r is transformed (B^T . B), multiplied by
// the transformed kernels (G . G^T, per call) and summed over (r, o), one GEMM
// per window entry, then transformed back (A^T . A). Each class costs the
// whole GEMM again (no weights shared across classes): the form for one
// class per image. Tiles t run over the input map (tiles_x by tiles_y) of
// each row m = n*classes + k, flattened so that schedules vectorize over
// tiles of small maps too.
struct WinogradContributionFuncs {
    Func tile_window;   // {x, y, row m, image n} of a tile's window (x, y on the output map)  (t)
    Func window_code;   // z and 1 on a tile's window                (t, wx, wy, r)
    Func window_coeff;  // coeff on a tile's window, 0 off the map   (t, wx, wy, o)
    Func window_rows;   // B^T along x of coeff_o z_r                (t, wx, wy, r, o)
    Func window;        // B^T . B                                   (t, wx, wy, r, o)
    Func kernel_rows;   // G along x of the flipped kernels          (wx, wy, c, r, o)
    Func kernel;        // G . G^T                                   (c, r, wx, wy, o)
    Func out_channel;   // sum_r kernel * window, one o              (t, wx, wy, c, o)
    Func product;       // sum_o out_channel                         (t, wx, wy, c)
    Func output_rows;   // A^T along x                               (t, tx, wy, c)
    Func output_tile;   // A^T . A                                   (t, tx, ty, c)
    Func d_input;       // dL/dx                                     (x, y, c, m)
    RDom over_rank, over_out;  // over_rank: r + 1 code channels (the last is 1)
};
WinogradContributionFuncs coda_contribution_winograd(Func code, Func norm, Func M, Func b,
                                                     Func g_output, Expr classes,
                                                     const LayerGeometry &g, const LayerVars &v);

}  // namespace coda
