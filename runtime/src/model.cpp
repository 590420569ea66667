#include "coda/model.h"

#include <cmath>
#include <random>

#include "HalideRuntime.h"

#include "coda/random.h"

namespace coda {

namespace {

Tensor uniform_init(const Shape &shape, double fan_in, std::mt19937_64 &rng) {
    Tensor t(shape);
    const double bound = 1.0 / std::sqrt(fan_in);
    for (float &v : t.values()) {
        // 53 random bits -> [0, 1): the same numbers with every standard library.
        double u = double(rng() >> 11) * 0x1.0p-53;
        v = static_cast<float>((2 * u - 1) * bound);
    }
    return t;
}

int64_t row_size(const Tensor &t) {
    return t.size() / t.dim(0);
}

// One layer's contribution map of each (image, class) row j: map[j] = sum_c
// a[image_j, c] * g[j, c] (and the products themselves for the input layer).
struct MapRows {
    const Tensor &a, &g;
    const std::vector<int> &images;
    Tensor &map;
    Tensor *products;  // null: maps only
};

int map_row(void *, int j, uint8_t *closure) {
    const MapRows &m = *reinterpret_cast<const MapRows *>(closure);
    const int64_t C = m.a.dim(1), HW = m.a.dim(2) * m.a.dim(3);
    const float *a = m.a.data() + m.images[j] * C * HW, *g = m.g.data() + j * C * HW;
    float *map = m.map.data() + j * HW;
    float *products = m.products ? m.products->data() + j * C * HW : nullptr;
    for (int64_t c = 0; c < C; c++) {
        for (int64_t i = 0; i < HW; i++) {
            const float p = a[c * HW + i] * g[c * HW + i];
            map[i] += p;  // channels summed in order, as the products are
            if (products) {
                products[c * HW + i] = p;
            }
        }
    }
    return 0;
}

// All rows on the thread pool of the layer pipelines: with every class of a
// batch explained there are 10 rows per image, and a serial pass over them
// cost more than the layers' own per-class work.
Tensor contribution_map(const Tensor &a, const std::vector<int> &images, const Tensor &g,
                        Tensor *products) {
    Tensor map({int64_t(images.size()), a.dim(2), a.dim(3)}, 0.0f);
    if (products) {
        *products = Tensor(g.shape());
    }
    MapRows rows{a, g, images, map, products};
    halide_do_par_for(nullptr, map_row, 0, int(images.size()), reinterpret_cast<uint8_t *>(&rows));
    return map;
}

}  // namespace

Tensor select_rows(const Tensor &t, const std::vector<int> &rows) {
    Shape shape = t.shape();
    shape[0] = static_cast<int64_t>(rows.size());
    Tensor out(shape);
    const int64_t n = row_size(t);
    for (size_t i = 0; i < rows.size(); i++) {
        if (rows[i] < 0 || rows[i] >= t.dim(0)) {
            throw Error("row " + std::to_string(rows[i]) + " outside a batch of " +
                        std::to_string(t.dim(0)));
        }
        std::copy_n(t.data() + rows[i] * n, n, out.data() + i * n);
    }
    return out;
}

CodaNet::CodaNet(ModelConfig config)
    : config_(std::move(config)), layers_(config_.layer_configs()) {
    for (const LayerConfig &c : layers_) {
        params_.push_back(
            {Tensor(c.weight_shape()), Tensor(c.mix_shape()), Tensor(c.bias_shape())});
    }
}

void CodaNet::init(uint64_t seed) {
    std::mt19937_64 rng(derive_seed(seed, 0x1417));
    for (size_t i = 0; i < layers_.size(); i++) {
        const LayerConfig &c = layers_[i];
        params_[i].C = uniform_init(c.weight_shape(), c.patch_len(), rng);
        params_[i].M = uniform_init(c.mix_shape(), c.rank, rng);
        params_[i].b = uniform_init(c.bias_shape(), c.rank, rng);
    }
}

int64_t CodaNet::parameter_count() const {
    int64_t n = 0;
    for (const LayerParams &p : params_) {
        n += p.C.size() + p.M.size() + p.b.size();
    }
    return n;
}

Tensor CodaNet::encode(const Tensor &images) const {
    const ModelConfig &m = config_;
    if (images.rank() != 4 || images.dim(1) != m.image_channels ||
        images.dim(2) != m.image_height || images.dim(3) != m.image_width) {
        throw Error("images have shape " + to_string(images.shape()) +
                    " but the model expects (B, " + std::to_string(m.image_channels) + ", " +
                    std::to_string(m.image_height) + ", " + std::to_string(m.image_width) + ")");
    }
    const int64_t B = images.dim(0), C = m.image_channels, H = m.image_height, W = m.image_width;
    const int p = m.input_pad, He = m.encoded_height(), We = m.encoded_width();
    const int copies = m.add_inverse ? 2 : 1;
    Tensor out({B, C * copies, He, We}, 0.0f);
    for (int64_t b = 0; b < B; b++) {
        for (int64_t c = 0; c < C; c++) {
            for (int64_t y = 0; y < H; y++) {
                for (int64_t x = 0; x < W; x++) {
                    float v = images[((b * C + c) * H + y) * W + x];
                    if (!std::isfinite(v)) {
                        throw Error("image " + std::to_string(b) + " has a non-finite pixel");
                    }
                    out[((b * C * copies + c) * He + y + p) * We + x + p] = v;
                    if (m.add_inverse) {
                        out[((b * C * copies + C + c) * He + y + p) * We + x + p] = 1.0f - v;
                    }
                }
            }
        }
    }
    return out;
}

Trace CodaNet::forward(const Tensor &images) const {
    return forward_encoded(encode(images));
}

Trace CodaNet::forward_encoded(const Tensor &encoded) const {
    Trace t;
    t.activations.push_back(encoded);
    for (size_t i = 0; i < layers_.size(); i++) {
        t.layers.push_back(layer_forward(layers_[i], params_[i], t.activations.back()));
        if (i + 1 < layers_.size()) {
            t.activations.push_back(t.layers.back().output);
        }
    }
    // logits = sum over final positions / T + b0
    const Tensor &y = t.layers.back().output;
    const int64_t B = y.dim(0), K = y.dim(1), P = y.dim(2) * y.dim(3);
    t.logits = Tensor({B, K});
    for (int64_t b = 0; b < B; b++) {
        for (int64_t k = 0; k < K; k++) {
            double s = 0;
            for (int64_t i = 0; i < P; i++) {
                s += y[(b * K + k) * P + i];
            }
            t.logits[b * K + k] = static_cast<float>(s / config_.temperature + config_.logit_bias);
        }
    }
    return t;
}

namespace {

// d logit_k / d y_L[k, pos] = 1/T at every final position.
Tensor spread_over_positions(const Tensor &per_class, const Shape &map_shape, double T) {
    Tensor g(map_shape);
    const int64_t P = map_shape[2] * map_shape[3];
    for (int64_t i = 0; i < per_class.size(); i++) {
        std::fill_n(g.data() + i * P, P, static_cast<float>(per_class[i] / T));
    }
    return g;
}

}  // namespace

std::vector<LayerGradients> CodaNet::backward(const Trace &trace, const Tensor &d_logits,
                                              Tensor *d_input) const {
    const Tensor &y = trace.layers.back().output;
    if (d_logits.shape() != trace.logits.shape()) {
        throw Error("d_logits has shape " + to_string(d_logits.shape()) + " but the logits have " +
                    to_string(trace.logits.shape()));
    }
    Tensor g = spread_over_positions(d_logits, y.shape(), config_.temperature);
    std::vector<LayerGradients> grads(layers_.size());
    for (size_t i = layers_.size(); i-- > 0;) {
        grads[i] = layer_backward(layers_[i], params_[i], trace.activations[i], trace.layers[i], g);
        g = std::move(grads[i].d_input);
    }
    if (d_input) {
        *d_input = std::move(g);
    }
    return grads;
}

namespace {

// Length of the runs of equal image indices if they all have one length,
// else 1.
int classes_per_image(const std::vector<int> &images) {
    size_t run = 1;
    while (run < images.size() && images[run] == images[0]) {
        run++;
    }
    if (images.size() % run != 0) {
        return 1;
    }
    for (size_t i = 0; i < images.size(); i++) {
        if (images[i] != images[i - i % run]) {
            return 1;
        }
    }
    return static_cast<int>(run);
}

}  // namespace

Explanation CodaNet::explain(const Trace &trace, const std::vector<int> &images,
                             const std::vector<int> &classes) const {
    if (images.size() != classes.size() || images.empty()) {
        throw Error("explain needs one class per image (got " + std::to_string(images.size()) +
                    " images and " + std::to_string(classes.size()) + " classes)");
    }
    const int K = config_.num_classes();
    Explanation e{{}, {}, images, classes, {}};
    Tensor one_hot({int64_t(images.size()), K}, 0.0f);
    for (size_t i = 0; i < classes.size(); i++) {
        if (classes[i] < 0 || classes[i] >= K) {
            throw Error("class " + std::to_string(classes[i]) + " outside 0.." +
                        std::to_string(K - 1));
        }
        one_hot[i * K + classes[i]] = 1.0f;
        if (images[i] < 0 || images[i] >= trace.logits.dim(0)) {
            throw Error("image " + std::to_string(images[i]) + " outside a batch of " +
                        std::to_string(trace.logits.dim(0)));
        }
        e.logits.push_back(trace.logits[int64_t(images[i]) * K + classes[i]]);
    }
    // Pairs come in runs of `per_image` classes of one image (e.g. all classes
    // of each image): the layers then rebuild each image's weights once for
    // all its classes. Other orders get one forward row per pair.
    const int per_image = classes_per_image(images);
    std::vector<int> rows;
    for (size_t i = 0; i < images.size(); i += per_image) {
        rows.push_back(images[i]);
    }
    std::vector<LayerForward> fwd;
    for (const LayerForward &f : trace.layers) {
        fwd.push_back({select_rows(f.output, rows), select_rows(f.code, rows),
                       select_rows(f.norm, rows), select_rows(f.wnorm, rows)});
    }
    Shape pair_shape = fwd.back().output.shape();
    pair_shape[0] = int64_t(images.size());
    Tensor g = spread_over_positions(one_hot, pair_shape, config_.temperature);
    e.maps.resize(layers_.size());
    for (size_t i = layers_.size(); i-- > 0;) {
        const Tensor &a = trace.activations[i];
        Shape input_shape = a.shape();
        input_shape[0] = int64_t(rows.size());
        g = layer_contribution(layers_[i], params_[i], fwd[i], g, input_shape, per_image);
        e.maps[i] = contribution_map(a, images, g, i == 0 ? &e.input_contributions : nullptr);
    }
    return e;
}

}  // namespace coda
