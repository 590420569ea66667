// RISE: forward passes on many randomly masked copies of each image, batched
// through the pipelines.
#include <algorithm>
#include <cmath>
#include <random>

#include "attribution_common.h"
#include "coda/attribution.h"
#include "coda/random.h"

namespace coda {

using namespace detail;

namespace {

// Forwards copies of one image made by `make(copy, out)` in chunks of
// `batch`, and hands each copy's logits row to `use(copy, logits)`.
template<typename Make, typename Use>
void forward_copies(const CodaNet &net, int64_t copies, int batch, Make make, Use use) {
    const ModelConfig &m = net.config();
    const int64_t row = int64_t{m.image_channels} * m.image_height * m.image_width;
    const int K = m.num_classes();
    for (int64_t s = 0; s < copies; s += std::max(1, batch)) {
        const int64_t n = std::min<int64_t>(std::max(1, batch), copies - s);
        Tensor t({n, m.image_channels, m.image_height, m.image_width});
        for (int64_t i = 0; i < n; i++) {
            make(s + i, t.data() + i * row);
        }
        Tensor logits = net.forward(t).logits;
        for (int64_t i = 0; i < n; i++) {
            use(s + i, logits.data() + i * K);
        }
    }
}

double unit(std::mt19937_64 &rng) {
    return double(rng() >> 11) * 0x1.0p-53;  // [0, 1), the same with every library
}

}  // namespace

Tensor rise_masks(int count, int height, int width, int cells, double keep, uint64_t seed) {
    if (count < 1 || cells < 1 || height < 1 || width < 1 || !(keep > 0 && keep <= 1)) {
        throw Error("RISE needs masks >= 1, cells >= 1 and 0 < keep <= 1 (got " +
                    std::to_string(count) + ", " + std::to_string(cells) + ", " +
                    std::to_string(keep) + ")");
    }
    std::mt19937_64 rng(derive_seed(seed, 0x5153, uint64_t(height) << 32 | uint64_t(width)));
    const int cell_h = (height + cells - 1) / cells, cell_w = (width + cells - 1) / cells;
    const int up_h = (cells + 1) * cell_h, up_w = (cells + 1) * cell_w;
    // Source coordinate (half-pixel centres, as skimage's resize) and the
    // two grid cells with their weights, clamped at the edges.
    auto taps = [cells](int up, int n_up, int &i0, int &i1, float &f) {
        double s = (up + 0.5) * cells / n_up - 0.5;
        s = std::clamp(s, 0.0, double(cells - 1));
        i0 = static_cast<int>(std::floor(s));
        i1 = std::min(i0 + 1, cells - 1);
        f = static_cast<float>(s - i0);
    };
    Tensor masks({count, height, width});
    std::vector<float> grid(size_t(cells) * cells);
    for (int n = 0; n < count; n++) {
        for (float &g : grid) {
            g = unit(rng) < keep ? 1.0f : 0.0f;
        }
        const int dy = static_cast<int>(uniform_below(rng, cell_h));
        const int dx = static_cast<int>(uniform_below(rng, cell_w));
        for (int y = 0; y < height; y++) {
            int y0, y1;
            float fy;
            taps(y + dy, up_h, y0, y1, fy);
            for (int x = 0; x < width; x++) {
                int x0, x1;
                float fx;
                taps(x + dx, up_w, x0, x1, fx);
                const float top = grid[y0 * cells + x0] * (1 - fx) + grid[y0 * cells + x1] * fx;
                const float bottom = grid[y1 * cells + x0] * (1 - fx) + grid[y1 * cells + x1] * fx;
                masks[(int64_t(n) * height + y) * width + x] = top * (1 - fy) + bottom * fy;
            }
        }
    }
    return masks;
}

Tensor rise_maps(const CodaNet &net, const Tensor &images, const std::vector<int> &image_of,
                 const std::vector<int> &classes, const AttributionMethod &method) {
    check_pairs(net, images, image_of, classes);
    const ModelConfig &m = net.config();
    const int C = m.image_channels, H = m.image_height, W = m.image_width;
    const int64_t plane = int64_t{H} * W, row = C * plane;
    const Tensor masks = rise_masks(method.masks, H, W, method.cells, method.keep, method.seed);
    Tensor out({int64_t(classes.size()), H, W}, 0.0f);
    auto by_image = pairs_by_image(images.dim(0), image_of);
    for (int64_t b = 0; b < images.dim(0); b++) {
        const std::vector<int> &pairs = by_image[b];
        if (pairs.empty()) {
            continue;
        }
        const float *x = images.data() + b * row;
        auto make = [&](int64_t n, float *dst) {
            const float *mask = masks.data() + n * plane;
            for (int c = 0; c < C; c++) {
                for (int64_t i = 0; i < plane; i++) {
                    dst[c * plane + i] = x[c * plane + i] * mask[i];
                }
            }
        };
        auto use = [&](int64_t n, const float *logits) {
            const float *mask = masks.data() + n * plane;
            for (int p : pairs) {
                const float prob = 1.0f / (1.0f + std::exp(-logits[classes[p]]));
                float *dst = out.data() + int64_t(p) * plane;
                for (int64_t i = 0; i < plane; i++) {
                    dst[i] += prob * mask[i];
                }
            }
        };
        forward_copies(net, method.masks, method.batch, make, use);
    }
    const float scale = static_cast<float>(1.0 / (double(method.masks) * method.keep));
    for (float &v : out.values()) {
        v *= scale;
    }
    return out;
}

}  // namespace coda
