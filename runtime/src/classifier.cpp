#include "coda/coda.h"

#include <algorithm>
#include <cmath>

#include "coda/loss.h"
#include "coda/png_image.h"
#include "coda/trainer.h"

namespace coda {

namespace {

// Images per forward pass in classify(): bounds the memory of the activations
// on large batches; every image is computed independently of the others.
constexpr int64_t kClassifyChunk = 256;

void check_batch(const Tensor &images, const ModelConfig &m) {
    if (images.rank() != 4 || images.dim(1) != m.image_channels ||
        images.dim(2) != m.image_height || images.dim(3) != m.image_width) {
        throw Error("images have shape " + to_string(images.shape()) +
                    " but the model expects (N, " + std::to_string(m.image_channels) + ", " +
                    std::to_string(m.image_height) + ", " + std::to_string(m.image_width) + ")");
    }
    if (images.dim(0) == 0) {
        throw Error("images is an empty batch " + to_string(images.shape()));
    }
}

Tensor rows_of(const Tensor &t, int64_t begin, int64_t end) {
    Shape shape = t.shape();
    shape[0] = end - begin;
    const int64_t n = t.size() / t.dim(0);
    return Tensor(shape, Floats(t.data() + begin * n, t.data() + end * n));
}

// Per-class probabilities of one row of logits, as the model was trained.
void probabilities_of(LossKind loss, const float *logits, float *p, int64_t K) {
    if (loss == LossKind::bce) {
        for (int64_t k = 0; k < K; k++) {
            p[k] = static_cast<float>(1 / (1 + std::exp(-double(logits[k]))));
        }
        return;
    }
    const double m = *std::max_element(logits, logits + K);
    double sum = 0;
    for (int64_t k = 0; k < K; k++) {
        sum += std::exp(logits[k] - m);
    }
    for (int64_t k = 0; k < K; k++) {
        p[k] = static_cast<float>(std::exp(logits[k] - m) / sum);
    }
}

// The maps of the pairs, over the image itself: per image channel, padding cut off.
Explanations explain_trace(const CodaNet &net, const Trace &trace,
                           const std::vector<int> &image_indices, const std::vector<int> &classes) {
    const ModelConfig &m = net.config();
    Explanation e = net.explain(trace, image_indices, classes);
    const int64_t M = int64_t(classes.size()), C = m.image_channels, H = m.image_height,
                  W = m.image_width, He = m.encoded_height(), We = m.encoded_width(),
                  p = m.input_pad;
    const int64_t Cenc = m.encoded_channels();
    Explanations out{e.images, e.classes, e.logits, Tensor({M, H, W}, 0.0f),
                     Tensor({M, C, H, W}, 0.0f)};
    for (int64_t i = 0; i < M; i++) {
        for (int64_t ce = 0; ce < Cenc; ce++) {
            const int64_t c = ce % C;  // [x, 1-x]: channel C + c encodes 1 - x_c
            for (int64_t y = 0; y < H; y++) {
                for (int64_t x = 0; x < W; x++) {
                    const float v =
                        e.input_contributions[((i * Cenc + ce) * He + y + p) * We + x + p];
                    out.channel_maps[((i * C + c) * H + y) * W + x] += v;
                    out.maps[(i * H + y) * W + x] += v;
                }
            }
        }
    }
    return out;
}

}  // namespace

// Only what inference needs: the checkpoint's optimizer moments are dropped.
struct Classifier::Impl {
    CodaNet net;
    LossKind loss;  // decides what "probability" means
    std::vector<std::string> class_names;
};

Classifier::Classifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
}
Classifier::Classifier(Classifier &&) noexcept = default;
Classifier &Classifier::operator=(Classifier &&) noexcept = default;
Classifier::~Classifier() = default;

Classifier Classifier::load(const std::string &checkpoint_path) {
    TrainingState s = load_training(checkpoint_path);
    return Classifier(std::make_unique<Impl>(
        Impl{std::move(s.net), s.config.train.loss, std::move(s.class_names)}));
}

const CodaNet &Classifier::net() const {
    return impl_->net;
}

int Classifier::num_classes() const {
    return net().config().num_classes();
}

Shape Classifier::image_shape() const {
    const ModelConfig &m = net().config();
    return {m.image_channels, m.image_height, m.image_width};
}

const std::vector<std::string> &Classifier::class_names() const {
    return impl_->class_names;
}

std::string Classifier::class_name(int k) const {
    if (k < 0 || k >= num_classes()) {
        throw Error("class " + std::to_string(k) + " outside 0.." +
                    std::to_string(num_classes() - 1));
    }
    const auto &names = class_names();
    return size_t(k) < names.size() && !names[k].empty() ? names[k] : std::to_string(k);
}

float Classifier::logit_bias() const {
    return static_cast<float>(net().config().logit_bias);
}

Tensor Classifier::read_image(const std::string &png_path) const {
    PngPixels p = read_png_pixels(png_path);
    const ModelConfig &m = net().config();
    if (p.height != m.image_height || p.width != m.image_width) {
        throw Error(png_path + ": image is " + std::to_string(p.width) + "x" +
                    std::to_string(p.height) + " pixels but the model expects " +
                    std::to_string(m.image_width) + "x" + std::to_string(m.image_height));
    }
    const int C = m.image_channels;
    const int64_t HW = int64_t(p.height) * p.width;
    Tensor image({1, C, p.height, p.width});
    for (int64_t i = 0; i < HW; i++) {
        const uint8_t *px = &p.values[size_t(i) * p.channels];
        for (int c = 0; c < C; c++) {
            float v;
            if (p.channels == C) {
                v = px[c];
            } else if (p.channels == 1) {
                v = px[0];  // grey file, RGB model
            } else {
                v = 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];  // RGB file, grey model
            }
            image[c * HW + i] = v / 255.0f;
        }
    }
    return image;
}

Classification Classifier::classify(const Tensor &images) const {
    const CodaNet &n = net();
    check_batch(images, n.config());
    const int64_t N = images.dim(0), K = num_classes();
    Classification out{Tensor({N, K}), Tensor({N, K}), std::vector<int>(N)};
    for (int64_t begin = 0; begin < N; begin += kClassifyChunk) {
        const int64_t end = std::min(N, begin + kClassifyChunk);
        Tensor logits = n.forward(rows_of(images, begin, end)).logits;
        std::copy_n(logits.data(), logits.size(), out.logits.data() + begin * K);
    }
    for (int64_t i = 0; i < N; i++) {
        out.predicted[i] = argmax_row(out.logits, i);
        probabilities_of(impl_->loss, out.logits.data() + i * K, out.probabilities.data() + i * K,
                         K);
    }
    return out;
}

Explanations Classifier::explain(const Tensor &images) const {
    check_batch(images, net().config());
    std::vector<int> all(images.dim(0));
    for (size_t i = 0; i < all.size(); i++) {
        all[i] = static_cast<int>(i);
    }
    // One forward pass: the predicted classes come from the same trace.
    const Trace trace = net().forward(images);
    std::vector<int> predicted(all.size());
    for (size_t i = 0; i < all.size(); i++) {
        predicted[i] = argmax_row(trace.logits, static_cast<int64_t>(i));
    }
    return explain_trace(net(), trace, all, predicted);
}

Explanations Classifier::explain(const Tensor &images, const std::vector<int> &classes) const {
    check_batch(images, net().config());
    if (static_cast<int64_t>(classes.size()) != images.dim(0)) {
        throw Error(std::to_string(classes.size()) + " classes to explain for a batch of " +
                    std::to_string(images.dim(0)) + " images (one per image)");
    }
    std::vector<int> all(classes.size());
    for (size_t i = 0; i < all.size(); i++) {
        all[i] = static_cast<int>(i);
    }
    return explain_pairs(images, all, classes);
}

Explanations Classifier::explain_pairs(const Tensor &images, const std::vector<int> &image_indices,
                                       const std::vector<int> &classes) const {
    check_batch(images, net().config());
    if (image_indices.size() != classes.size() || classes.empty()) {
        throw Error("explain_pairs needs one class per image index (got " +
                    std::to_string(image_indices.size()) + " indices and " +
                    std::to_string(classes.size()) + " classes)");
    }
    // Checked before the forward pass, which may be long.
    for (size_t i = 0; i < classes.size(); i++) {
        if (image_indices[i] < 0 || image_indices[i] >= images.dim(0)) {
            throw Error("image index " + std::to_string(image_indices[i]) + " outside a batch of " +
                        std::to_string(images.dim(0)));
        }
        if (classes[i] < 0 || classes[i] >= num_classes()) {
            throw Error("class " + std::to_string(classes[i]) + " outside 0.." +
                        std::to_string(num_classes() - 1));
        }
    }
    return explain_trace(net(), net().forward(images), image_indices, classes);
}

}  // namespace coda
