// Occlusion: one forward pass per occluded copy, but only over the part of
// the image that can see the window. Every CoDA layer is a local window
// operation, so zeroing a window changes only the final positions whose
// receptive field touches it; the logit drop is the sum of their changes
// divided by T. Those positions are recomputed on a crop of the encoded
// input that holds their receptive fields, aligned to the product of the
// strides so the crop's positions coincide with the full image's, and
// reaching the image border wherever a receptive field reaches the padding
// (so the padding is the real one). On localisation grids this makes each
// copy several times smaller than the grid; on small images the crop is the
// whole image.
#include <algorithm>
#include <map>

#include "attribution_common.h"
#include "coda/attribution.h"

namespace coda {

using namespace detail;

namespace {

// One axis of the net's geometry.
struct Axis {
    std::vector<LayerConfig> layers;
    int encoded = 0, final_size = 0, jump = 1;  // jump: product of the strides

    // Encoded-input range [a, b] (inclusive, may reach into the padding) that
    // final positions qa..qb depend on.
    std::pair<int, int> input_range(int qa, int qb) const {
        int a = qa, b = qb;
        for (size_t l = layers.size(); l-- > 0;) {
            a = a * layers[l].stride - layers[l].pad;
            b = b * layers[l].stride - layers[l].pad + layers[l].kernel - 1;
        }
        return {a, b};
    }
};

// Where one window's effect is recomputed, along one axis.
struct Span {
    int q0 = 0, q1 = -1;       // affected final positions (inclusive)
    int origin = 0, size = 0;  // crop of the encoded input
};

// Affected positions of encoded rows [y0, y1] and the crop holding their
// receptive fields; `want` is the crop size to use when the image allows
// (all crops of a batch share one size).
Span span_of(const Axis &ax, int y0, int y1, int want) {
    Span s;
    s.q0 = ax.final_size, s.q1 = -1;
    for (int q = 0; q < ax.final_size; q++) {
        auto [a, b] = ax.input_range(q, q);
        if (b >= y0 && a <= y1) {
            s.q0 = std::min(s.q0, q), s.q1 = std::max(s.q1, q);
        }
    }
    if (s.q1 < s.q0) {
        return s;  // the window is seen by no final position
    }
    auto [a, b] = ax.input_range(s.q0, s.q1);
    s.origin = std::max(0, a) / ax.jump * ax.jump;
    const int end = std::min(ax.encoded, std::max(b + 1, s.origin + want));
    s.size = end - s.origin;
    return s;
}

Axis make_axis(const CodaNet &net, int encoded, int final_size) {
    Axis ax;
    ax.layers = net.layers();
    ax.encoded = encoded, ax.final_size = final_size;
    for (const LayerConfig &l : ax.layers) {
        ax.jump *= l.stride;
    }
    return ax;
}

struct Window {
    int y0, y1, x0, x1;  // raw image, [y0, y1) x [x0, x1)
};

// Windows of `size` centred at multiples of `stride`, clipped at the borders.
std::vector<Window> occlusion_windows(int H, int W, int size, int stride) {
    std::vector<Window> windows;
    for (int cy = 0; cy < H; cy += stride) {
        for (int cx = 0; cx < W; cx += stride) {
            const int y0 = cy - size / 2, x0 = cx - size / 2;
            windows.push_back(
                {std::max(0, y0), std::min(H, y0 + size), std::max(0, x0), std::min(W, x0 + size)});
        }
    }
    return windows;
}

}  // namespace

Tensor occlusion_maps(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                      const std::vector<int> &classes, int window, int stride, int batch) {
    check_pairs(net, images, image_of, classes);
    if (window < 1 || stride < 1) {
        throw Error("occlusion window " + std::to_string(window) + " and stride " +
                    std::to_string(stride) + " must be at least 1");
    }
    const ModelConfig &m = net.config();
    const int C = m.image_channels, H = m.image_height, W = m.image_width, pad = m.input_pad;
    const auto [Fh, Fw] = m.final_map_size();
    const Axis ay = make_axis(net, m.encoded_height(), Fh),
               ax = make_axis(net, m.encoded_width(), Fw);
    const std::vector<Window> windows = occlusion_windows(H, W, window, stride);

    // Each window's spans, with one crop size per axis for all interior
    // windows (the largest any of them needs).
    int want_h = 0, want_w = 0;
    for (const Window &w : windows) {
        Span sy = span_of(ay, w.y0 + pad, w.y1 - 1 + pad, 0),
             sx = span_of(ax, w.x0 + pad, w.x1 - 1 + pad, 0);
        want_h = std::max(want_h, sy.size), want_w = std::max(want_w, sx.size);
    }
    std::vector<Span> spans_y, spans_x;
    std::map<std::pair<int, int>, std::vector<int>> by_crop;  // crop size -> windows
    for (size_t i = 0; i < windows.size(); i++) {
        const Window &w = windows[i];
        spans_y.push_back(span_of(ay, w.y0 + pad, w.y1 - 1 + pad, want_h));
        spans_x.push_back(span_of(ax, w.x0 + pad, w.x1 - 1 + pad, want_w));
        if (spans_y[i].size > 0 && spans_x[i].size > 0) {
            by_crop[{spans_y[i].size, spans_x[i].size}].push_back(int(i));
        }
    }

    Tensor out({int64_t(classes.size()), H, W}, 0.0f);
    const std::vector<std::vector<int>> pairs_of = pairs_by_image(images.dim(0), image_of);
    const int K = m.num_classes();
    const int64_t Ce = m.encoded_channels(), He = m.encoded_height(), We = m.encoded_width();
    for (int64_t b = 0; b < images.dim(0); b++) {
        const std::vector<int> &pairs = pairs_of[b];
        if (pairs.empty()) {
            continue;
        }
        const Trace full = net.forward(select_rows(images, {int(b)}));
        const Tensor &encoded = full.activations[0];
        const Tensor &y_full = full.layers.back().output;  // (1, K, Fh, Fw)
        for (const auto &[size, members] : by_crop) {
            const auto [hc, wc] = size;
            for (size_t s = 0; s < members.size(); s += std::max(1, batch)) {
                const size_t n = std::min(members.size() - s, size_t(std::max(1, batch)));
                Tensor crops({int64_t(n), Ce, hc, wc});
                for (size_t i = 0; i < n; i++) {
                    const int wi = members[s + i];
                    const Span &sy = spans_y[wi], &sx = spans_x[wi];
                    const Window &w = windows[wi];
                    for (int64_t c = 0; c < Ce; c++) {
                        for (int y = 0; y < hc; y++) {
                            const int ey = sy.origin + y;
                            float *dst = crops.data() + ((int64_t(i) * Ce + c) * hc + y) * wc;
                            std::copy_n(encoded.data() + (c * He + ey) * We + sx.origin, wc, dst);
                            if (ey < w.y0 + pad || ey >= w.y1 + pad) {
                                continue;
                            }
                            // the raw pixels become 0: x -> 0 and, encoded, 1 - x -> 1
                            const float zeroed = c < C ? 0.0f : 1.0f;
                            for (int x = w.x0 + pad; x < w.x1 + pad; x++) {
                                dst[x - sx.origin] = zeroed;
                            }
                        }
                    }
                }
                const Trace t = net.forward_encoded(crops);
                const Tensor &y = t.layers.back().output;
                const int64_t fh = y.dim(2), fw = y.dim(3);
                for (size_t i = 0; i < n; i++) {
                    const Span &sy = spans_y[members[s + i]], &sx = spans_x[members[s + i]];
                    if (sy.q0 < sy.origin / ay.jump || sy.q1 - sy.origin / ay.jump >= fh ||
                        sx.q0 < sx.origin / ax.jump || sx.q1 - sx.origin / ax.jump >= fw) {
                        throw Error("occlusion: crop misses affected positions (internal error)");
                    }
                }
                for (size_t i = 0; i < n; i++) {
                    const int wi = members[s + i];
                    const Span &sy = spans_y[wi], &sx = spans_x[wi];
                    const int oy = sy.origin / ay.jump, ox = sx.origin / ax.jump;
                    const Window &w = windows[wi];
                    const float area = float((w.y1 - w.y0) * (w.x1 - w.x0));
                    for (int p : pairs) {
                        const int k = classes[p];
                        double drop = 0;
                        for (int qy = sy.q0; qy <= sy.q1; qy++) {
                            for (int qx = sx.q0; qx <= sx.q1; qx++) {
                                drop += y_full[(int64_t(k) * Fh + qy) * Fw + qx] -
                                        y[((int64_t(i) * K + k) * fh + qy - oy) * fw + qx - ox];
                            }
                        }
                        const float share = static_cast<float>(drop / m.temperature) / area;
                        for (int yy = w.y0; yy < w.y1; yy++) {
                            float *dst = out.data() + (int64_t(p) * H + yy) * W;
                            for (int xx = w.x0; xx < w.x1; xx++) {
                                dst[xx] += share;
                            }
                        }
                    }
                }
            }
        }
    }
    return out;
}

}  // namespace coda
