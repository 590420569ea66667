#include "coda/batches.h"

#include <algorithm>
#include <cstring>

#include "coda/coda_layer.h"
#include "coda/random.h"

namespace coda {

std::vector<int64_t> epoch_permutation(int64_t n, uint64_t seed, int64_t epoch) {
    if (n < 0) {
        throw Error("epoch_permutation: negative size " + std::to_string(n));
    }
    std::mt19937_64 rng(derive_seed(seed, static_cast<uint64_t>(epoch)));
    return random_permutation(n, rng);
}

Batch gather_batch(const Dataset &d, const std::vector<int64_t> &indices) {
    const Shape &shape = d.images.shape();
    if (shape.size() != 4 || shape[0] != d.size()) {
        throw Error("data set with images " + to_string(shape) + " and " +
                    std::to_string(d.size()) + " labels, expected (N, C, H, W) and N labels");
    }
    const int64_t per_image = shape[1] * shape[2] * shape[3];
    Batch b;
    b.images = Tensor({static_cast<int64_t>(indices.size()), shape[1], shape[2], shape[3]});
    b.labels.reserve(indices.size());
    b.indices = indices;
    float *out = b.images.data();
    for (int64_t i : indices) {
        if (i < 0 || i >= d.size()) {
            throw Error("example index " + std::to_string(i) + " outside a data set of " +
                        std::to_string(d.size()));
        }
        if (per_image > 0) {  // memcpy wants valid pointers even for 0 bytes
            std::memcpy(out, d.images.data() + i * per_image, per_image * sizeof(float));
            out += per_image;
        }
        b.labels.push_back(d.labels[i]);
    }
    return b;
}

BatchIterator::BatchIterator(const Dataset &d, int batch_size, uint64_t seed, int64_t epoch,
                             bool shuffle, bool drop_last)
    : data_(d), batch_size_(batch_size), drop_last_(drop_last) {
    if (batch_size < 1) {
        throw Error("batch size " + std::to_string(batch_size) + ", expected >= 1");
    }
    if (shuffle) {
        order_ = epoch_permutation(d.size(), seed, epoch);
    } else {
        order_.resize(d.size());
        for (int64_t i = 0; i < d.size(); i++) {
            order_[i] = i;
        }
    }
}

int64_t BatchIterator::num_batches() const {
    const auto n = static_cast<int64_t>(order_.size());
    return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

Batch BatchIterator::batch(int64_t i) const {
    if (i < 0 || i >= num_batches()) {
        throw Error("batch " + std::to_string(i) + " of an epoch of " +
                    std::to_string(num_batches()) + " batches");
    }
    auto begin = order_.begin() + i * batch_size_;
    auto end = order_.begin() + std::min<int64_t>((i + 1) * batch_size_, order_.size());
    return gather_batch(data_, std::vector<int64_t>(begin, end));
}

bool BatchIterator::next(Batch &out) {
    if (next_ >= num_batches()) {
        return false;
    }
    out = batch(next_++);
    return true;
}

void BatchIterator::seek(int64_t batch_index) {
    if (batch_index < 0 || batch_index > num_batches()) {
        throw Error("seek to batch " + std::to_string(batch_index) + " of an epoch of " +
                    std::to_string(num_batches()) + " batches");
    }
    next_ = batch_index;
}

}  // namespace coda
