// Method names, the CoDA contributions and the gradient-based methods
// (Gradient, Input x Gradient, Integrated Gradients). Occlusion and RISE,
// which only need forward passes, are in attribution_occlusion.cpp and
// attribution_rise.cpp.
#include "coda/attribution.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "attribution_common.h"

namespace coda {

namespace detail {

void check_pairs(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes) {
    const ModelConfig &m = net.config();
    if (images.rank() != 4 || images.dim(1) != m.image_channels ||
        images.dim(2) != m.image_height || images.dim(3) != m.image_width) {
        throw Error("attribution: images have shape " + to_string(images.shape()) +
                    " but the model expects (B, " + std::to_string(m.image_channels) + ", " +
                    std::to_string(m.image_height) + ", " + std::to_string(m.image_width) + ")");
    }
    if (image_of.size() != classes.size()) {
        throw Error("attribution: " + std::to_string(image_of.size()) + " image indices but " +
                    std::to_string(classes.size()) + " classes");
    }
    for (size_t i = 0; i < classes.size(); i++) {
        if (image_of[i] < 0 || image_of[i] >= images.dim(0)) {
            throw Error("attribution: image " + std::to_string(image_of[i]) +
                        " outside a batch of " + std::to_string(images.dim(0)));
        }
        if (classes[i] < 0 || classes[i] >= m.num_classes()) {
            throw Error("attribution: class " + std::to_string(classes[i]) + " outside 0.." +
                        std::to_string(m.num_classes() - 1));
        }
    }
}

std::vector<PairChunk> chunk_pairs(const std::vector<int> &image_of, int batch) {
    std::vector<PairChunk> chunks;
    const int n = static_cast<int>(image_of.size());
    for (int start = 0; start < n; start += std::max(1, batch)) {
        PairChunk c;
        std::map<int, int> local;
        for (int i = start; i < std::min(n, start + std::max(1, batch)); i++) {
            auto [it, fresh] = local.emplace(image_of[i], static_cast<int>(c.images.size()));
            if (fresh) {
                c.images.push_back(image_of[i]);
            }
            c.pairs.push_back(i);
            c.rows.push_back(it->second);
        }
        chunks.push_back(std::move(c));
    }
    return chunks;
}

std::vector<std::vector<int>> pairs_by_image(int64_t n_images, const std::vector<int> &image_of) {
    std::vector<std::vector<int>> by(n_images);
    for (size_t i = 0; i < image_of.size(); i++) {
        by[image_of[i]].push_back(static_cast<int>(i));
    }
    return by;
}

Tensor raw_from_encoded(const Tensor &g, const ModelConfig &m) {
    const int64_t N = g.dim(0), C = m.image_channels, H = m.image_height, W = m.image_width;
    const int64_t Ce = g.dim(1), He = g.dim(2), We = g.dim(3), p = m.input_pad;
    Tensor out({N, C, H, W});
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            for (int64_t y = 0; y < H; y++) {
                for (int64_t x = 0; x < W; x++) {
                    const int64_t at = ((n * Ce + c) * He + y + p) * We + x + p;
                    // encoded = [x, 1 - x]: d/dx = g[c] - g[C + c]
                    float v = g[at];
                    if (m.add_inverse) {
                        v -= g[at + C * He * We];
                    }
                    out[((n * C + c) * H + y) * W + x] = v;
                }
            }
        }
    }
    return out;
}

Tensor channel_sum(const Tensor &t) {
    const int64_t N = t.dim(0), C = t.dim(1), HW = t.dim(2) * t.dim(3);
    Tensor out({N, t.dim(2), t.dim(3)}, 0.0f);
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            for (int64_t i = 0; i < HW; i++) {
                out[n * HW + i] += t[(n * C + c) * HW + i];
            }
        }
    }
    return out;
}

Tensor one_hot(const std::vector<int> &classes, int K) {
    Tensor t({int64_t(classes.size()), K}, 0.0f);
    for (size_t i = 0; i < classes.size(); i++) {
        t[int64_t(i) * K + classes[i]] = 1.0f;
    }
    return t;
}

void copy_row(const Tensor &from, int64_t from_row, Tensor &to, int64_t to_row) {
    const int64_t n = from.size() / from.dim(0);
    std::copy_n(from.data() + from_row * n, n, to.data() + to_row * n);
}

}  // namespace detail

using namespace detail;

namespace {

struct MethodName {
    const char *name;
    AttributionKind kind;
};

const MethodName kNames[] = {{"coda", AttributionKind::coda},
                             {"ours", AttributionKind::coda},
                             {"grad", AttributionKind::gradient},
                             {"ixg", AttributionKind::input_x_gradient},
                             {"intgrad", AttributionKind::integrated_gradients},
                             {"rise", AttributionKind::rise}};

// The (H+2p, W+2p) explanation map of the encoded input cropped to (H, W).
void crop_into(const Tensor &maps, int64_t row, int pad, Tensor &out, int64_t out_row) {
    const int64_t He = maps.dim(1), We = maps.dim(2), H = out.dim(1), W = out.dim(2);
    for (int64_t y = 0; y < H; y++) {
        std::copy_n(maps.data() + (row * He + y + pad) * We + pad, W,
                    out.data() + (out_row * H + y) * W);
    }
}

}  // namespace

AttributionMethod parse_attribution_method(const std::string &name) {
    AttributionMethod m;
    m.name = name;
    for (const MethodName &n : kNames) {
        if (name == n.name) {
            m.kind = n.kind;
            return m;
        }
    }
    // occ<K>: an occlusion window of K pixels, stride 2 (spec: Occ5, Occ9).
    if (name.size() > 3 && name.compare(0, 3, "occ") == 0 &&
        std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        name.size() <= 6) {
        m.kind = AttributionKind::occlusion;
        m.window = std::stoi(name.substr(3));
        if (m.window >= 1) {
            return m;
        }
    }
    throw Error("unknown attribution method '" + name +
                "' (known: coda, grad, ixg, intgrad, occ<K> e.g. occ5 occ9, rise)");
}

std::vector<AttributionMethod> parse_attribution_methods(const std::string &list) {
    std::vector<AttributionMethod> methods;
    std::set<std::string> seen;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) {
            end = list.size();
        }
        std::string name = list.substr(start, end - start);
        if (name.empty()) {
            throw Error("empty attribution method name in '" + list + "'");
        }
        if (!seen.insert(name).second) {
            throw Error("attribution method '" + name + "' is listed twice");
        }
        methods.push_back(parse_attribution_method(name));
        start = end + 1;
    }
    return methods;
}

Trace select_trace_rows(const Trace &trace, const std::vector<int> &rows) {
    Trace t;
    for (const Tensor &a : trace.activations) {
        t.activations.push_back(select_rows(a, rows));
    }
    for (const LayerForward &f : trace.layers) {
        t.layers.push_back({select_rows(f.output, rows), select_rows(f.code, rows),
                            select_rows(f.norm, rows), select_rows(f.wnorm, rows)});
    }
    t.logits = select_rows(trace.logits, rows);
    return t;
}

Tensor coda_maps(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes) {
    check_pairs(net, images, image_of, classes);
    const ModelConfig &m = net.config();
    Tensor out({int64_t(classes.size()), m.image_height, m.image_width});
    for (const PairChunk &c : chunk_pairs(image_of, 64)) {
        Trace t = net.forward(select_rows(images, c.images));
        std::vector<int> cls;
        for (int p : c.pairs) {
            cls.push_back(classes[p]);
        }
        Explanation e = net.explain(t, c.rows, cls);
        for (size_t i = 0; i < c.pairs.size(); i++) {
            crop_into(e.maps[0], int64_t(i), m.input_pad, out, c.pairs[i]);
        }
    }
    return out;
}

Tensor raw_gradients(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                     const std::vector<int> &classes, int batch) {
    check_pairs(net, images, image_of, classes);
    const ModelConfig &m = net.config();
    Tensor out({int64_t(classes.size()), m.image_channels, m.image_height, m.image_width});
    for (const PairChunk &c : chunk_pairs(image_of, batch)) {
        Trace t = net.forward(select_rows(images, c.images));
        std::vector<int> cls;
        for (int p : c.pairs) {
            cls.push_back(classes[p]);
        }
        Trace rows = select_trace_rows(t, c.rows);
        Tensor d_encoded;
        // The parameter gradients are a by-product here and dropped.
        net.backward(rows, one_hot(cls, m.num_classes()), &d_encoded);
        Tensor raw = raw_from_encoded(d_encoded, m);
        for (size_t i = 0; i < c.pairs.size(); i++) {
            copy_row(raw, int64_t(i), out, c.pairs[i]);
        }
    }
    return out;
}

void integration_points(int n, IntegrationRule rule, std::vector<double> &alphas,
                        std::vector<double> &weights) {
    if (n < 1) {
        throw Error("integration needs at least 1 step (got " + std::to_string(n) + ")");
    }
    alphas.assign(n, 0.0);
    weights.assign(n, 1.0 / n);
    if (rule == IntegrationRule::midpoint) {
        for (int k = 0; k < n; k++) {
            alphas[k] = (k + 0.5) / n;
        }
        return;
    }
    // Gauss-Legendre on [-1, 1] by Newton's method on P_n (the roots are
    // symmetric), then mapped to [0, 1] as captum does: alpha = (1 + t) / 2,
    // weight = w / 2.
    for (int i = 0; i < (n + 1) / 2; i++) {
        double t = std::cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 1;
        for (int iter = 0; iter < 100; iter++) {
            double p0 = 1, p1 = t;  // P_0, P_1; then the recurrence up to P_n
            for (int k = 2; k <= n; k++) {
                double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
                p0 = p1, p1 = p2;
            }
            dp = n * (t * p1 - p0) / (t * t - 1);  // P_n'
            const double step = p1 / dp;
            t -= step;
            if (std::fabs(step) < 1e-15) {
                break;
            }
        }
        const double w = 2 / ((1 - t * t) * dp * dp);
        alphas[i] = (1 - t) / 2, weights[i] = w / 2;
        alphas[n - 1 - i] = (1 + t) / 2, weights[n - 1 - i] = w / 2;
    }
}

Tensor integrated_gradients(const CodaNet &net, const Tensor &images,
                            const std::vector<int> &image_of, const std::vector<int> &classes,
                            int steps, IntegrationRule rule, int batch) {
    check_pairs(net, images, image_of, classes);
    std::vector<double> alphas, weights;
    integration_points(steps, rule, alphas, weights);
    const ModelConfig &m = net.config();
    const int K = m.num_classes();
    const int64_t row = int64_t{m.image_channels} * m.image_height * m.image_width;
    Tensor out({int64_t(classes.size()), m.image_channels, m.image_height, m.image_width}, 0.0f);

    const std::vector<std::vector<int>> pairs_of = pairs_by_image(images.dim(0), image_of);
    // Groups of images whose (pair, step) rows fill about one batch; every
    // step of an image is in the same forward pass.
    int64_t b = 0;
    while (b < images.dim(0)) {
        std::vector<int64_t> group;
        int64_t rows = 0;
        for (; b < images.dim(0); b++) {
            const int64_t r = int64_t(pairs_of[b].size()) * steps;
            if (r == 0) {
                continue;
            }
            if (!group.empty() && rows + r > batch) {
                break;
            }
            group.push_back(b), rows += r;
        }
        if (group.empty()) {
            break;
        }
        // Scaled images alpha_k x: row g * steps + k.
        Tensor scaled(
            {int64_t(group.size()) * steps, m.image_channels, m.image_height, m.image_width});
        for (size_t g = 0; g < group.size(); g++) {
            for (int k = 0; k < steps; k++) {
                float *dst = scaled.data() + (int64_t(g) * steps + k) * row;
                const float *src = images.data() + group[g] * row;
                for (int64_t j = 0; j < row; j++) {
                    dst[j] = static_cast<float>(alphas[k] * src[j]);
                }
            }
        }
        Trace t = net.forward(scaled);
        // (pair, step) rows, backward in chunks of `batch`.
        std::vector<int> trace_rows, cls, pair, step;
        for (size_t g = 0; g < group.size(); g++) {
            for (int p : pairs_of[group[g]]) {
                for (int k = 0; k < steps; k++) {
                    trace_rows.push_back(int(g) * steps + k);
                    cls.push_back(classes[p]), pair.push_back(p), step.push_back(k);
                }
            }
        }
        for (size_t s = 0; s < trace_rows.size(); s += std::max(1, batch)) {
            const size_t e = std::min(trace_rows.size(), s + std::max(1, batch));
            std::vector<int> r(trace_rows.begin() + s, trace_rows.begin() + e);
            std::vector<int> c(cls.begin() + s, cls.begin() + e);
            Tensor d_encoded;
            net.backward(select_trace_rows(t, r), one_hot(c, K), &d_encoded);
            Tensor raw = raw_from_encoded(d_encoded, m);
            for (size_t i = s; i < e; i++) {
                float *dst = out.data() + int64_t(pair[i]) * row;
                const float *src = raw.data() + int64_t(i - s) * row;
                const float w = static_cast<float>(weights[step[i]]);
                for (int64_t j = 0; j < row; j++) {
                    dst[j] += w * src[j];
                }
            }
        }
    }
    // times (x - baseline), baseline = black
    for (size_t p = 0; p < classes.size(); p++) {
        const float *x = images.data() + int64_t(image_of[p]) * row;
        float *dst = out.data() + int64_t(p) * row;
        for (int64_t j = 0; j < row; j++) {
            dst[j] *= x[j];
        }
    }
    return out;
}

Tensor attribute(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes, const AttributionMethod &method) {
    switch (method.kind) {
    case AttributionKind::coda:
        return coda_maps(net, images, image_of, classes);
    case AttributionKind::gradient:
        return channel_sum(raw_gradients(net, images, image_of, classes, method.batch));
    case AttributionKind::input_x_gradient: {
        Tensor g = raw_gradients(net, images, image_of, classes, method.batch);
        const int64_t row = g.size() / std::max<int64_t>(1, g.dim(0));
        for (int64_t p = 0; p < g.dim(0); p++) {
            const float *x = images.data() + int64_t(image_of[p]) * row;
            for (int64_t j = 0; j < row; j++) {
                g[p * row + j] *= x[j];
            }
        }
        return channel_sum(g);
    }
    case AttributionKind::integrated_gradients:
        return channel_sum(integrated_gradients(net, images, image_of, classes, method.steps,
                                                method.rule, method.batch));
    case AttributionKind::occlusion:
        return occlusion_maps(net, images, image_of, classes, method.window, method.stride,
                              method.batch);
    case AttributionKind::rise:
        return rise_maps(net, images, image_of, classes, method);
    }
    throw Error("attribution: unknown method kind");
}

}  // namespace coda
