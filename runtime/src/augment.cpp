#include "coda/augment.h"

#include <algorithm>

#include "coda/coda_layer.h"
#include "coda/random.h"

namespace coda {

namespace {

void check_batch(const Tensor &t, const char *who) {
    if (t.rank() != 4) {
        throw Error(std::string(who) + ": batch of shape " + to_string(t.shape()) +
                    ", expected (B, C, H, W)");
    }
}

}  // namespace

Tensor random_crop_with_padding(const Tensor &batch_images, int pad, std::mt19937_64 &rng) {
    check_batch(batch_images, "random_crop_with_padding");
    if (pad < 0) {
        throw Error("random_crop_with_padding: negative padding " + std::to_string(pad));
    }
    const int64_t b = batch_images.dim(0), c = batch_images.dim(1);
    const int64_t h = batch_images.dim(2), w = batch_images.dim(3);
    Tensor out(batch_images.shape(), 0.0f);
    for (int64_t n = 0; n < b; n++) {
        // Output pixel (y, x) is padded pixel (y + oy, x + ox), i.e. source
        // pixel (y + oy - pad, x + ox - pad); outside the source it stays 0.
        const int64_t dy = static_cast<int64_t>(uniform_below(rng, 2 * pad + 1)) - pad;
        const int64_t dx = static_cast<int64_t>(uniform_below(rng, 2 * pad + 1)) - pad;
        const int64_t x0 = std::max<int64_t>(0, -dx), x1 = std::min(w, w - dx);
        for (int64_t ch = 0; ch < c; ch++) {
            const float *src = batch_images.data() + (n * c + ch) * h * w;
            float *dst = out.data() + (n * c + ch) * h * w;
            for (int64_t y = 0; y < h; y++) {
                const int64_t sy = y + dy;
                if (sy < 0 || sy >= h) {
                    continue;
                }
                for (int64_t x = x0; x < x1; x++) {
                    dst[y * w + x] = src[sy * w + x + dx];
                }
            }
        }
    }
    return out;
}

Tensor random_horizontal_flip(const Tensor &batch_images, std::mt19937_64 &rng) {
    check_batch(batch_images, "random_horizontal_flip");
    const int64_t b = batch_images.dim(0), c = batch_images.dim(1);
    const int64_t h = batch_images.dim(2), w = batch_images.dim(3);
    Tensor out = batch_images;
    for (int64_t n = 0; n < b; n++) {
        if (uniform_below(rng, 2) == 0) {
            continue;
        }
        for (int64_t row = 0; row < c * h; row++) {
            float *p = out.data() + (n * c * h + row) * w;
            std::reverse(p, p + w);
        }
    }
    return out;
}

}  // namespace coda
