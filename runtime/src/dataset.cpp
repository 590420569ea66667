// Operations on whole data sets (the loaders are in data_*.cpp).
#include "coda/data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "coda/batches.h"
#include "coda/coda_layer.h"
#include "coda/random.h"

namespace coda {

Dataset split_off(Dataset &d, double fraction, uint64_t seed) {
    if (!(fraction >= 0.0 && fraction <= 1.0)) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", fraction);
        throw Error(std::string("split_off: fraction ") + text + " is not in [0, 1]");
    }
    const int64_t n = d.size();
    const auto k = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
    std::mt19937_64 rng(seed);
    std::vector<int64_t> order = random_permutation(n, rng);
    std::vector<int64_t> taken(order.begin(), order.begin() + k);
    std::vector<int64_t> kept(order.begin() + k, order.end());
    std::sort(taken.begin(), taken.end());
    std::sort(kept.begin(), kept.end());

    Batch part = gather_batch(d, taken), rest = gather_batch(d, kept);
    Dataset out{std::move(part.images), std::move(part.labels), d.num_classes, d.class_names};
    d.images = std::move(rest.images);
    d.labels = std::move(rest.labels);
    return out;
}

Tensor example_image(const Dataset &d, int64_t index) {
    Batch b = gather_batch(d, {index});
    Shape shape(b.images.shape().begin() + 1, b.images.shape().end());
    return Tensor(shape, std::move(b.images.values()));
}

}  // namespace coda
