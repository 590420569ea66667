#include "coda/tensor.h"

#include <numeric>
#include <sstream>
#include <stdexcept>

namespace coda {

std::string to_string(const Shape &shape) {
    std::ostringstream s;
    s << "(";
    for (size_t i = 0; i < shape.size(); i++) {
        s << (i ? ", " : "") << shape[i];
    }
    s << ")";
    return s.str();
}

int64_t element_count(const Shape &shape) {
    return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

Tensor::Tensor(Shape shape, float fill)
    : shape_(std::move(shape)), values_(element_count(shape_), fill) {
}

Tensor::Tensor(Shape shape, Floats values) : shape_(std::move(shape)), values_(std::move(values)) {
    if (element_count(shape_) != static_cast<int64_t>(values_.size())) {
        throw std::invalid_argument("tensor of shape " + to_string(shape_) + " given " +
                                    std::to_string(values_.size()) + " values");
    }
}

Tensor Tensor::uninitialized(Shape shape) {
    Tensor t;
    t.values_.resize(element_count(shape));
    t.shape_ = std::move(shape);
    return t;
}

Halide::Runtime::Buffer<float> Tensor::halide(std::vector<int> extents) const {
    if (extents.empty()) {
        extents.assign(shape_.rbegin(), shape_.rend());
    }
    int64_t n = std::accumulate(extents.begin(), extents.end(), int64_t{1}, std::multiplies<>());
    if (n != size()) {
        throw std::logic_error("halide view of " + std::to_string(n) +
                               " elements over a tensor of " + std::to_string(size()));
    }
    // Halide buffers do not write through const; the pipelines only write outputs.
    return Halide::Runtime::Buffer<float>(const_cast<float *>(values_.data()), extents);
}

}  // namespace coda
