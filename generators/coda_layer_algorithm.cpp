#include "coda_layer_algorithm.h"

#include "winograd.h"

namespace coda {

using Halide::clamp;
using Halide::max;
using Halide::min;
using Halide::select;
using Halide::sqrt;
using Halide::Tuple;
using Halide::BoundaryConditions::constant_exterior;

NormTerms norm_terms(Expr norm_kind, Expr align, Expr sq_norm) {
    Expr q = sqrt(sq_norm);
    Expr q_safe = max(q, kNormEps);
    Expr one_plus_s = 1.0f + sq_norm;
    // Squashing: y = a q/(1+s) needs no division by q; beta is written with
    // a/q = w_hat.x, which is bounded by ||x|| (spec section 8.1).
    Expr squash_alpha = q / one_plus_s;
    Expr squash_beta = (align / q_safe) * (1.0f - sq_norm) / (one_plus_s * one_plus_s);
    Expr squash_divisor = one_plus_s / q_safe;
    Expr is_l2 = norm_kind == static_cast<int>(NormKind::l2);
    return {select(is_l2, 1.0f / q_safe, squash_alpha),
            select(is_l2, -align / (q_safe * q_safe * q_safe), squash_beta),
            select(is_l2, q_safe, squash_divisor)};
}

Func unfold(Func input_padded, const LayerGeometry &g, const LayerVars &v) {
    Func patch("patch");
    Expr k = g.kernel;
    Expr kx = v.d % k, ky = (v.d / k) % k, c = v.d / (k * k);
    patch(v.x, v.y, v.d, v.n) =
        input_padded(v.x * g.stride - g.pad + kx, v.y * g.stride - g.pad + ky, c, v.n);
    return patch;
}

Fold fold(Func d_patch, const LayerGeometry &g, const LayerVars &v) {
    // Input pixel x was read at tap kx by output column ox iff x = ox*s - p + kx,
    // so the taps that hit it are kx = (x + p) % s + s*j, read by ox = (x + p)/s - j:
    // ceil(k/s) taps per axis instead of k tested ones.
    Expr hits = (g.kernel + g.stride - 1) / g.stride;
    Fold f{Func("d_input"), RDom(0, hits, 0, hits, "taps"), g.stride};
    // Zero outside the output map; the bounds test is marked likely to pass,
    // so loops split into an interior that reads d_patch without it.
    Func from_map = constant_exterior(d_patch, 0.0f, {{0, g.out_width}, {0, g.out_height}});
    Expr kx = (v.x + g.pad) % g.stride + g.stride * f.taps.x;
    Expr ky = (v.y + g.pad) % g.stride + g.stride * f.taps.y;
    Expr ox = (v.x + g.pad) / g.stride - f.taps.x, oy = (v.y + g.pad) / g.stride - f.taps.y;
    // Taps past the kernel (when s does not divide k) read a clamped index and add nothing.
    Expr last = g.kernel - 1;
    Expr d = (v.c * g.kernel + min(ky, last)) * g.kernel + min(kx, last);
    f.d_input(v.x, v.y, v.c, v.n) = 0.0f;
    f.d_input(v.x, v.y, v.c, v.n) +=
        select(kx <= last && ky <= last, from_map(ox, oy, d, v.n), 0.0f);
    return f;
}

namespace {

// w_o = M_o z + b_o for every (position, o, d) (spec 1.4).
Func dynamic_weights(const char *name, Func M, Func b, Func code, RDom over_rank,
                     const LayerVars &v) {
    Func w(name);
    w(v.x, v.y, v.o, v.d, v.n) = b(v.o, v.d);
    w(v.x, v.y, v.o, v.d, v.n) += M(over_rank, v.o, v.d) * code(v.x, v.y, over_rank, v.n);
    return w;
}

// [M_o b_o]: the weights of code channel r, where r = rank is the constant
// channel 1 whose weights are b (both Winograd forms extend z so).
Expr extended_weight(Func M, Func b, Expr r, Expr o, Expr d, Expr rank) {
    return select(r < rank, M(r, o, d), b(o, d));
}

}  // namespace

DirectPath direct_path(Func coeff, Func weights, const LayerGeometry &g, const LayerVars &v) {
    DirectPath p{Func("direct_d_patch"), RDom(0, g.out_channels, "over_out")};
    p.d_patch(v.x, v.y, v.d, v.n) = 0.0f;
    p.d_patch(v.x, v.y, v.d, v.n) +=
        coeff(v.x, v.y, p.over_out, v.n) * weights(v.x, v.y, p.over_out, v.d, v.n);
    return p;
}

Func rank_code(Func patch, Func C, RDom over_patch, const LayerVars &v) {
    Func code("code");
    code(v.x, v.y, v.r, v.n) = 0.0f;
    code(v.x, v.y, v.r, v.n) += C(over_patch, v.r) * patch(v.x, v.y, over_patch, v.n);
    return code;
}

ForwardFuncs coda_forward(Func input_padded, Func C, Func M, Func b, Expr norm_kind,
                          const LayerGeometry &g, const LayerVars &v) {
    ForwardFuncs f;
    f.C = C, f.M = M, f.b = b;
    f.input_padded = input_padded;
    f.over_patch = RDom(0, g.patch_len(), "over_patch");
    f.over_rank = RDom(0, g.rank, "over_rank");
    RDom rd = f.over_patch, rr = f.over_rank;
    f.patch = unfold(input_padded, g, v);

    f.code = rank_code(f.patch, C, rd, v);

    // The dynamic weights: a schedule must compute them per tile, next to
    // their only consumer (the align reduction), never for the whole layer.
    f.weights = dynamic_weights("weights", M, b, f.code, rr, v);

    // {a, s} = {w.x, ||w||^2} in one sweep over the patch.
    f.align = Func("align");
    f.align(v.x, v.y, v.o, v.n) = Tuple(0.0f, 0.0f);
    Expr w = f.weights(v.x, v.y, v.o, rd, v.n);
    f.align(v.x, v.y, v.o, v.n) =
        Tuple(f.align(v.x, v.y, v.o, v.n)[0] + w * f.patch(v.x, v.y, rd, v.n),
              f.align(v.x, v.y, v.o, v.n)[1] + w * w);

    Expr a = f.align(v.x, v.y, v.o, v.n)[0], s = f.align(v.x, v.y, v.o, v.n)[1];
    NormTerms t = norm_terms(norm_kind, a, s);
    f.output = Func("output");
    f.output(v.x, v.y, v.o, v.n) = a * t.alpha;
    f.norm = Func("norm");
    f.norm(v.x, v.y, v.o, v.n) = t.divisor;
    f.wnorm = Func("wnorm");
    f.wnorm(v.x, v.y, v.o, v.n) = sqrt(s);
    f.code_out = Func("code_out");
    f.code_out(v.x, v.y, v.r, v.n) = f.code(v.x, v.y, v.r, v.n);
    return f;
}

WinogradForwardFuncs coda_forward_winograd(Func input_padded, Func C, Func M, Func b,
                                           Expr norm_kind, const LayerGeometry &g,
                                           const LayerVars &v) {
    using namespace winograd;
    const int outputs = kOutputs, taps = kTaps;
    WinogradForwardFuncs f;
    f.over_window_patch = RDom(0, taps, 0, taps, 0, g.in_channels, "over_window_patch");
    f.over_channels = RDom(0, g.in_channels, "over_channels");
    f.over_rank = RDom(0, g.rank + 1, "over_rank");
    f.over_patch = RDom(0, g.patch_len(), "over_patch");
    Var t = v.t, wx = v.wx, wy = v.wy, tx = v.tx, ty = v.ty, r = v.r, o = v.o, c = v.c;

    Expr tiles_x = (g.out_width + outputs - 1) / outputs;
    Expr tiles_y = (g.out_height + outputs - 1) / outputs;
    f.tile_origin(t) = {(t % tiles_x) * outputs, ((t / tiles_x) % tiles_y) * outputs,
                        t / (tiles_x * tiles_y)};
    Expr x0 = f.tile_origin(t)[0], y0 = f.tile_origin(t)[1], image = f.tile_origin(t)[2];
    f.window_input(t, wx, wy, c) = input_padded(x0 - g.pad + wx, y0 - g.pad + wy, c, image);
    f.window_rows(t, wx, wy, c) =
        apply(wx, kWindowTransform, [&](int j) { return f.window_input(t, j, wy, c); });
    f.window(t, wx, wy, c) =
        apply(wy, kWindowTransform, [&](int j) { return f.window_rows(t, wx, j, c); });

    auto tap = [&](Expr i, Expr j) {
        return extended_weight(M, b, r, o, (c * taps + j) * taps + i, g.rank);
    };
    f.kernel_rows(wx, wy, c, r, o) = apply(wx, kKernelTransform, [&](int i) { return tap(i, wy); });
    f.kernel(c, r, wx, wy, o) =
        apply(wy, kKernelTransform, [&](int j) { return f.kernel_rows(wx, j, c, r, o); });

    RDom rc = f.over_channels, rr = f.over_rank, rd = f.over_patch;
    f.product(t, wx, wy, r, o) = 0.0f;
    f.product(t, wx, wy, r, o) += f.kernel(rc, r, wx, wy, o) * f.window(t, wx, wy, rc);
    f.proj_rows(t, tx, wy, r, o) =
        apply(tx, kOutputTransform, [&](int j) { return f.product(t, j, wy, r, o); });
    f.proj(t, tx, ty, r, o) =
        apply(ty, kOutputTransform, [&](int j) { return f.proj_rows(t, tx, j, r, o); });

    // z from the same windows (position (tx, ty) reads entries tx + kx, ty + ky).
    RDom rw = f.over_window_patch;
    Expr d = (rw.z * taps + rw.y) * taps + rw.x;
    f.tile_code(t, tx, ty, r) = 0.0f;
    f.tile_code(t, tx, ty, r) += C(d, r) * f.window_input(t, tx + rw.x, ty + rw.y, rw.z);
    f.extended_code(t, tx, ty, r) =
        select(r < g.rank, f.tile_code(t, tx, ty, min(r, g.rank - 1)), 1.0f);

    // The Gram matrix of [M_o b_o] from its blocks, so that each reduction
    // reads M or b alone.
    Var r2 = v.r2;
    f.gram(r, r2, o) = 0.0f;
    f.gram(r, r2, o) += M(r, o, rd) * M(r2, o, rd);
    f.gram_bias(r, o) = 0.0f;
    f.gram_bias(r, o) += M(r, o, rd) * b(o, rd);
    f.bias_sq(o) = 0.0f;
    f.bias_sq(o) += b(o, rd) * b(o, rd);
    Expr last = g.rank - 1;
    Expr r_in = r < g.rank, r2_in = r2 < g.rank;
    f.extended_gram(r, r2, o) =
        select(r_in && r2_in, f.gram(min(r, last), min(r2, last), o), r_in,
               f.gram_bias(min(r, last), o), r2_in, f.gram_bias(min(r2, last), o), f.bias_sq(o));
    f.gram_code(t, tx, ty, r, o) = 0.0f;
    f.gram_code(t, tx, ty, r, o) += f.extended_gram(r, rr, o) * f.extended_code(t, tx, ty, rr);

    // {a, s} as in the direct form; s >= 0 (rounding of z^T G z may not be).
    Expr z = f.extended_code(t, tx, ty, rr);
    f.align(t, tx, ty, o) = Tuple(0.0f, 0.0f);
    f.align(t, tx, ty, o) = Tuple(f.align(t, tx, ty, o)[0] + z * f.proj(t, tx, ty, rr, o),
                                  f.align(t, tx, ty, o)[1] + z * f.gram_code(t, tx, ty, rr, o));

    Expr tile = v.x / outputs + tiles_x * (v.y / outputs + tiles_y * v.n);
    Expr at_x = v.x % outputs, at_y = v.y % outputs;
    Expr a = f.align(tile, at_x, at_y, o)[0], s = max(f.align(tile, at_x, at_y, o)[1], 0.0f);
    NormTerms terms = norm_terms(norm_kind, a, s);
    f.output(v.x, v.y, o, v.n) = a * terms.alpha;
    f.norm(v.x, v.y, o, v.n) = terms.divisor;
    f.wnorm(v.x, v.y, o, v.n) = sqrt(s);
    f.code_out(v.x, v.y, r, v.n) = f.tile_code(tile, at_x, at_y, r);
    return f;
}

namespace {

// The inputs of either backward form and the per-position coefficients.
void begin_backward(BackwardBase &f, Func input_padded, Func C, Func M, Func b, Func code,
                    Func output, Func norm, Func wnorm, Func d_output, Expr norm_kind,
                    const LayerGeometry &g, const LayerVars &v) {
    f.C = C, f.M = M, f.b = b;
    f.input_padded = input_padded;
    f.code = code;
    f.over_patch = RDom(0, g.patch_len(), "over_patch");
    f.over_rank = RDom(0, g.rank, "over_rank");
    f.over_out = RDom(0, g.out_channels, "over_out");
    f.over_rank_out = RDom(0, g.rank, 0, g.out_channels, "over_rank_out");
    f.over_positions = RDom(0, g.out_width, 0, g.out_height, 0, g.batch, "over_positions");
    Var x = v.x, y = v.y, n = v.n, o = v.o;
    f.patch = unfold(input_padded, g, v);

    // a_o = w_o.x = y_o * n_o and ||w_o|| come from the forward pass, which
    // computed them from the weights themselves.
    Expr q = wnorm(x, y, o, n);
    NormTerms t = norm_terms(norm_kind, output(x, y, o, n) * norm(x, y, o, n), q * q);
    f.coeffs = Func("coeffs");
    f.coeffs(x, y, o, n) = Tuple(d_output(x, y, o, n) * t.alpha, d_output(x, y, o, n) * t.beta);
    f.gamma = Func("gamma");
    f.gamma(x, y, o, n) = f.coeffs(x, y, o, n)[0];
    f.delta = Func("delta");
    f.delta(x, y, o, n) = f.coeffs(x, y, o, n)[1];
}

// dx_patch = direct path + C^T dz and its fold; dC; db = sum_p dL/dw_o,
// with the w_o part written through z: X^T gamma_o + M_o (Z^T delta_o) +
// (sum delta_o) b_o.
void finish_backward(BackwardBase &f, Func weights, const LayerGeometry &g, const LayerVars &v) {
    Var x = v.x, y = v.y, n = v.n, o = v.o, r = v.r, d = v.d;
    RDom rr = f.over_rank, rp = f.over_positions;
    f.direct = direct_path(f.gamma, weights, g, v);
    f.d_patch = Func("d_patch");
    f.d_patch(x, y, d, n) = f.direct.d_patch(x, y, d, n);
    f.d_patch(x, y, d, n) += f.C(d, rr) * f.d_code(x, y, rr, n);
    f.fold = fold(f.d_patch, g, v);

    f.patch_d_code = Func("patch_d_code");
    f.patch_d_code(d, r) = 0.0f;
    f.patch_d_code(d, r) += f.d_code(rp.x, rp.y, r, rp.z) * f.patch(rp.x, rp.y, d, rp.z);
    f.d_C = Func("d_C");
    f.d_C(d, r) = f.patch_d_code(d, r);

    Expr gamma_p = f.gamma(rp.x, rp.y, o, rp.z), delta_p = f.delta(rp.x, rp.y, o, rp.z);
    f.delta_code = Func("delta_code");
    f.delta_code(r, o) = 0.0f;
    f.delta_code(r, o) += delta_p * f.code(rp.x, rp.y, r, rp.z);
    f.delta_sum = Func("delta_sum");
    f.delta_sum(o) = 0.0f;
    f.delta_sum(o) += delta_p;
    f.patch_gamma = Func("patch_gamma");
    f.patch_gamma(o, d) = 0.0f;
    f.patch_gamma(o, d) += gamma_p * f.patch(rp.x, rp.y, d, rp.z);
    f.d_b = Func("d_b");
    f.d_b(o, d) = f.patch_gamma(o, d) + f.b(o, d) * f.delta_sum(o);
    f.d_b(o, d) += f.M(rr, o, d) * f.delta_code(rr, o);
}

}  // namespace

BackwardFuncs coda_backward(Func input_padded, Func C, Func M, Func b, Func code, Func output,
                            Func norm, Func wnorm, Func d_output, Expr norm_kind,
                            const LayerGeometry &g, const LayerVars &v) {
    BackwardFuncs f;
    begin_backward(f, input_padded, C, M, b, code, output, norm, wnorm, d_output, norm_kind, g, v);
    RDom rd = f.over_patch, rr = f.over_rank, ro = f.over_out, rp = f.over_positions;
    Var x = v.x, y = v.y, n = v.n, o = v.o, r = v.r, r2 = v.r2, d = v.d;

    f.proj = Func("proj");
    f.proj(x, y, r, o, n) = 0.0f;
    f.proj(x, y, r, o, n) += M(r, o, rd) * f.patch(x, y, rd, n);

    // Per-step Gram terms of M (spec 3.3).
    f.gram = Func("gram");
    f.gram(r, r2, o) = 0.0f;
    f.gram(r, r2, o) += M(r, o, rd) * M(r2, o, rd);
    f.gram_bias = Func("gram_bias");
    f.gram_bias(r, o) = 0.0f;
    f.gram_bias(r, o) += M(r, o, rd) * b(o, rd);
    f.gram_code = Func("gram_code");
    f.gram_code(x, y, r, o, n) = f.gram_bias(r, o);
    f.gram_code(x, y, r, o, n) += f.gram(r, rr, o) * code(x, y, rr, n);

    // dz = sum_o gamma_o u_o + delta_o M_o^T w_o,  with M_o^T w_o = G_o z + c_o.
    f.d_code = Func("d_code");
    f.d_code(x, y, r, n) = 0.0f;
    f.d_code(x, y, r, n) += f.gamma(x, y, ro, n) * f.proj(x, y, r, ro, n) +
                            f.delta(x, y, ro, n) * f.gram_code(x, y, r, ro, n);

    f.direct_weights = dynamic_weights("direct_weights", M, b, code, rr, v);
    finish_backward(f, f.direct_weights, g, v);

    // dL/dw_o = gamma_o x + delta_o w_o, contracted with z: the w_o part
    // becomes M_o (Z^T diag(delta_o) Z) + b_o (delta_o^T Z).
    Expr delta_p = f.delta(rp.x, rp.y, o, rp.z);
    f.gamma_code = Func("gamma_code");
    f.gamma_code(x, y, r, o, n) = f.gamma(x, y, o, n) * code(x, y, r, n);
    f.patch_coeff_code = Func("patch_coeff_code");
    f.patch_coeff_code(r, o, d) = 0.0f;
    f.patch_coeff_code(r, o, d) +=
        f.patch(rp.x, rp.y, d, rp.z) * f.gamma_code(rp.x, rp.y, r, o, rp.z);
    f.code_delta_code = Func("code_delta_code");
    f.code_delta_code(r2, r, o) = 0.0f;
    f.code_delta_code(r2, r, o) += code(rp.x, rp.y, r2, rp.z) * delta_p * code(rp.x, rp.y, r, rp.z);

    // code_delta_code is symmetric in (r2, r): read with r first, so that
    // consecutive r are adjacent.
    f.mix_code_delta = Func("mix_code_delta");
    f.mix_code_delta(r, o, d) = 0.0f;
    f.mix_code_delta(r, o, d) += M(rr, o, d) * f.code_delta_code(r, rr, o);

    f.d_M = Func("d_M");
    f.d_M(r, o, d) =
        f.patch_coeff_code(r, o, d) + b(o, d) * f.delta_code(r, o) + f.mix_code_delta(r, o, d);
    return f;
}

MaterializedBackwardFuncs coda_backward_materialized(Func input_padded, Func C, Func M, Func b,
                                                     Func code, Func output, Func norm, Func wnorm,
                                                     Func d_output, Expr norm_kind,
                                                     const LayerGeometry &g, const LayerVars &v) {
    MaterializedBackwardFuncs f;
    begin_backward(f, input_padded, C, M, b, code, output, norm, wnorm, d_output, norm_kind, g, v);
    f.over_out_patch = RDom(0, g.out_channels, 0, g.patch_len(), "over_out_patch");
    RDom rod = f.over_out_patch, rp = f.over_positions;
    Var x = v.x, y = v.y, n = v.n, o = v.o, r = v.r, d = v.d;

    f.weights = dynamic_weights("weights", M, b, code, f.over_rank, v);
    f.d_weights = Func("d_weights");
    f.d_weights(x, y, o, d, n) =
        f.gamma(x, y, o, n) * f.patch(x, y, d, n) + f.delta(x, y, o, n) * f.weights(x, y, o, d, n);

    // dz_r = sum_{o,d} M[r,o,d] dL/dw_od
    f.d_code = Func("d_code");
    f.d_code(x, y, r, n) = 0.0f;
    f.d_code(x, y, r, n) += M(r, rod.x, rod.y) * f.d_weights(x, y, rod.x, rod.y, n);

    finish_backward(f, f.weights, g, v);

    // dM = sum_p dL/dw_od z_r
    f.d_M = Func("d_M");
    f.d_M(r, o, d) = 0.0f;
    f.d_M(r, o, d) += f.d_weights(rp.x, rp.y, o, d, rp.z) * code(rp.x, rp.y, r, rp.z);
    return f;
}

ContributionFuncs coda_contribution(Func code, Func norm, Func M, Func b, Func g_output,
                                    Expr classes, const LayerGeometry &g, const LayerVars &v) {
    ContributionFuncs f;
    f.M = M, f.b = b, f.code = code;
    f.over_rank = RDom(0, g.rank, "over_rank");
    f.over_out = RDom(0, g.out_channels, "over_out");
    f.classes = classes;
    f.coeff = Func("coeff");
    f.coeff(v.x, v.y, v.o, v.k, v.n) =
        g_output(v.x, v.y, v.o, v.n * classes + v.k) / norm(v.x, v.y, v.o, v.n);
    f.weights = dynamic_weights("detached_weights", M, b, code, f.over_rank, v);
    f.class_d_patch = Func("class_d_patch");
    f.class_d_patch(v.x, v.y, v.d, v.k, v.n) = 0.0f;
    f.class_d_patch(v.x, v.y, v.d, v.k, v.n) +=
        f.coeff(v.x, v.y, f.over_out, v.k, v.n) * f.weights(v.x, v.y, f.over_out, v.d, v.n);
    f.d_patch = Func("contribution_d_patch");
    f.d_patch(v.x, v.y, v.d, v.n) = f.class_d_patch(v.x, v.y, v.d, v.n % classes, v.n / classes);
    f.fold = fold(f.d_patch, g, v);
    return f;
}

WinogradContributionFuncs coda_contribution_winograd(Func code, Func norm, Func M, Func b,
                                                     Func g_output, Expr classes,
                                                     const LayerGeometry &g, const LayerVars &v) {
    using namespace winograd;
    const int outputs = kOutputs, taps = kTaps;
    WinogradContributionFuncs f;
    f.over_rank = RDom(0, g.rank + 1, "over_rank");
    f.over_out = RDom(0, g.out_channels, "over_out");

    // Input map (stride 1): out + k - 1 - 2*pad; its tiles, per row m.
    Expr in_width = g.out_width + g.kernel - 1 - 2 * g.pad;
    Expr in_height = g.out_height + g.kernel - 1 - 2 * g.pad;
    Expr tiles_x = (in_width + outputs - 1) / outputs;
    Expr tiles_y = (in_height + outputs - 1) / outputs;

    // Input pixel x reads output x + pad - kx at tap kx, so the window of the
    // tile starting at x0 starts at output x0 + pad - (k - 1) and entry j of it
    // meets tap kx = k - 1 - (j - i) for output i of the tile.
    Var t = v.t, wx = v.wx, wy = v.wy;
    Expr tile_row = t / (tiles_x * tiles_y);
    f.tile_window(t) = {(t % tiles_x) * outputs + g.pad - (taps - 1),
                        ((t / tiles_x) % tiles_y) * outputs + g.pad - (taps - 1), tile_row,
                        tile_row / classes};
    Expr ox = f.tile_window(t)[0] + wx, oy = f.tile_window(t)[1] + wy;
    Expr row = f.tile_window(t)[2], image = f.tile_window(t)[3];
    f.window_code(t, wx, wy, v.r) = select(v.r < g.rank, code(ox, oy, v.r, image), 1.0f);
    Expr on_map = ox >= 0 && ox < g.out_width && oy >= 0 && oy < g.out_height;
    f.window_coeff(t, wx, wy, v.o) =
        select(on_map, g_output(ox, oy, v.o, row) / norm(ox, oy, v.o, image), 0.0f);
    f.window_rows(t, wx, wy, v.r, v.o) = apply(wx, kWindowTransform, [&](int j) {
        return f.window_coeff(t, j, wy, v.o) * f.window_code(t, j, wy, v.r);
    });
    f.window(t, wx, wy, v.r, v.o) =
        apply(wy, kWindowTransform, [&](int j) { return f.window_rows(t, wx, j, v.r, v.o); });

    // Correlation taps i = k - 1 - kx; the weights of the constant code
    // channel are b.
    auto tap = [&](Expr i, Expr j) {
        Expr d = (v.c * taps + (taps - 1 - j)) * taps + (taps - 1 - i);
        return extended_weight(M, b, v.r, v.o, d, g.rank);
    };
    f.kernel_rows(wx, wy, v.c, v.r, v.o) =
        apply(wx, kKernelTransform, [&](int i) { return tap(i, wy); });
    f.kernel(v.c, v.r, wx, wy, v.o) =
        apply(wy, kKernelTransform, [&](int j) { return f.kernel_rows(wx, j, v.c, v.r, v.o); });

    f.out_channel(t, wx, wy, v.c, v.o) = 0.0f;
    f.out_channel(t, wx, wy, v.c, v.o) +=
        f.kernel(v.c, f.over_rank, wx, wy, v.o) * f.window(t, wx, wy, f.over_rank, v.o);
    f.product(t, wx, wy, v.c) = 0.0f;
    f.product(t, wx, wy, v.c) += f.out_channel(t, wx, wy, v.c, f.over_out);

    f.output_rows(t, v.tx, wy, v.c) =
        apply(v.tx, kOutputTransform, [&](int j) { return f.product(t, j, wy, v.c); });
    f.output_tile(t, v.tx, v.ty, v.c) =
        apply(v.ty, kOutputTransform, [&](int j) { return f.output_rows(t, v.tx, j, v.c); });
    f.d_input(v.x, v.y, v.c, v.n) =
        f.output_tile(v.x / outputs + tiles_x * (v.y / outputs + tiles_y * v.n), v.x % outputs,
                      v.y % outputs, v.c);
    return f;
}

}  // namespace coda
