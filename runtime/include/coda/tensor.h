// A dense float32 tensor in PyTorch (row-major, NCHW) order, and its view as a
// Halide buffer (the same memory, dimensions listed innermost first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "HalideBuffer.h"
#include "coda/floats.h"

namespace coda {

using Shape = std::vector<int64_t>;

std::string to_string(const Shape &shape);  // "(2, 6, 7, 7)"
int64_t element_count(const Shape &shape);

class Tensor {
public:
    Tensor() = default;
    explicit Tensor(Shape shape, float fill = 0.0f);
    Tensor(Shape shape, Floats values);
    // For outputs written in full before they are read (see floats.h).
    static Tensor uninitialized(Shape shape);

    const Shape &shape() const {
        return shape_;
    }
    int64_t dim(int i) const {
        return shape_.at(i);
    }
    int rank() const {
        return static_cast<int>(shape_.size());
    }
    int64_t size() const {
        return static_cast<int64_t>(values_.size());
    }
    float *data() {
        return values_.data();
    }
    const float *data() const {
        return values_.data();
    }
    Floats &values() {
        return values_;
    }
    const Floats &values() const {
        return values_;
    }
    float &operator[](int64_t i) {
        return values_[i];
    }
    float operator[](int64_t i) const {
        return values_[i];
    }

    // The tensor's memory seen as a Halide buffer with the given extents
    // (innermost first); their product must equal size(). With no extents,
    // the tensor's own shape reversed.
    Halide::Runtime::Buffer<float> halide(std::vector<int> extents = {}) const;

private:
    Shape shape_;
    Floats values_;
};

}  // namespace coda
