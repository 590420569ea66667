// The storage of a Tensor: a float vector whose sized constructor and resize
// leave new elements uninitialised instead of zeroing them. Pipeline outputs
// are written in full by Halide, and zero-filling them first (20 MB per call
// for layer 2 at batch 64) cost 2-3% of the layer's time. Constructors given
// a fill value or a range still write every element.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace coda {

template<typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template<typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };

    DefaultInitAllocator() = default;
    template<typename U>
    DefaultInitAllocator(const DefaultInitAllocator<U> &) noexcept {
    }

    // Default-initialisation: a no-op for float.
    template<typename U>
    void construct(U *p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void *>(p)) U;
    }
    template<typename U, typename... Args>
    void construct(U *p, Args &&...args) {
        ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
    }
};

using Floats = std::vector<float, DefaultInitAllocator<float>>;

}  // namespace coda
